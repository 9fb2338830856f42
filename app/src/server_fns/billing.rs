//! The billing page and the local provider's payment page.
use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{BillingPage, CheckoutView, SubscriptionChangeDto},
};

#[server(prefix = "/rpc", endpoint = "get_billing")]
pub async fn get_billing(page: Option<i64>) -> Result<BillingPage, AppError> {
    use std::collections::HashMap;

    use crate::{
        model::Role,
        server::{services::billing, web::request},
    };
    let state = request::app_state()?;
    let ctx = request::tenant_context(&request::parts()?)?;
    let mut params = HashMap::new();
    params.insert("page_size".to_string(), "10".to_string());
    if let Some(page) = page.filter(|p| *p > 1) {
        params.insert("page".to_string(), page.to_string());
    }
    Ok(BillingPage {
        billing: billing::overview(&state, &ctx).await?,
        plans: billing::plans(&state).await?,
        charges: billing::charges(&state, &ctx, &params).await?,
        can_change: ctx.user.role == Role::Owner,
    })
}

/// Changes the plan, cycle or payment method (owner); answers the change. A plain form post is
/// redirected to the charge's payment page when one is to be paid, else back to the page.
#[server(prefix = "/rpc", endpoint = "change_subscription")]
pub async fn change_subscription(
    plan: Option<String>,
    cycle: Option<String>,
    billing_type: Option<String>,
) -> Result<SubscriptionChangeDto, AppError> {
    use crate::server::{services::billing::subscription, web::request};
    let state = request::app_state()?;
    let blank = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let input = subscription::SubscriptionInput {
        plan: blank(plan),
        cycle: blank(cycle),
        billing_type: blank(billing_type),
        success_url: Some("/billing?notice=paid".into()),
    };
    let change = |ctx| async move { subscription::change_for(&state, &ctx, input).await };
    request::signed_in_form(change, |done: &SubscriptionChangeDto| {
        done.payment_url.clone().unwrap_or_else(|| "/billing?notice=subscription_changed".into())
    })
    .await
}

/// Cancels the subscription (owner); the workspace stays writable until the paid period's end.
#[server(prefix = "/rpc", endpoint = "cancel_subscription")]
pub async fn cancel_subscription() -> Result<(), AppError> {
    use crate::server::{services::billing::subscription, web::request};
    let state = request::app_state()?;
    let cancel = |ctx| async move { subscription::cancel(&state, &ctx).await };
    request::signed_in_form(cancel, |_| "/billing?notice=subscription_canceled".into()).await
}

#[server(prefix = "/rpc", endpoint = "get_local_checkout")]
pub async fn get_local_checkout(reference: String) -> Result<CheckoutView, AppError> {
    use crate::server::{payments::local, web::request};
    let state = request::app_state()?;
    local::page(&state, &reference).await
}

/// A button of the local payment page (`pay`, `cancel`, `overdue`, `refund`); answers where the
/// buyer goes next.
#[server(prefix = "/rpc", endpoint = "finish_local_checkout")]
pub async fn finish_local_checkout(reference: String, outcome: String) -> Result<String, AppError> {
    use crate::server::{payments::local, web::request};
    let state = request::app_state()?;
    let parts = request::parts()?;
    let result = local::finish(&state, &reference, &outcome).await;
    request::finish_form(&parts, result, |target| target.clone()).await
}
