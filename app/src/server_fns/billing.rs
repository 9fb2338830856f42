//! The billing page and the local provider's checkout page.
use leptos::prelude::*;

use crate::{
    error::AppError,
    model::{BillingPage, CheckoutView},
};

#[server(prefix = "/rpc", endpoint = "get_billing")]
pub async fn get_billing() -> Result<BillingPage, AppError> {
    use crate::server::{services::billing, web::request};
    let state = request::app_state()?;
    let ctx = request::tenant_context(&request::parts()?)?;
    Ok(BillingPage { billing: billing::overview(&state, &ctx).await?, plans: billing::plans(&state).await? })
}

/// Starts a checkout for `plan` and answers its address (a plain form post is redirected there).
#[server(prefix = "/rpc", endpoint = "change_plan")]
pub async fn change_plan(plan: String) -> Result<String, AppError> {
    use crate::server::{services::billing, web::request};
    let state = request::app_state()?;
    let input = billing::checkout::CheckoutInput {
        plan: Some(plan),
        success_url: Some("/billing?notice=paid".into()),
        cancel_url: Some("/billing?notice=checkout_canceled".into()),
    };
    let start = |ctx| async move { Ok(billing::checkout::checkout_for(&state, &ctx, input).await?.checkout_url) };
    request::signed_in_form(start, |target| target.clone()).await
}

#[server(prefix = "/rpc", endpoint = "get_local_checkout")]
pub async fn get_local_checkout(reference: String) -> Result<CheckoutView, AppError> {
    use crate::server::{payments::local, web::request};
    let state = request::app_state()?;
    local::page(&state, &reference).await
}

/// "Pay" or "cancel" on the local checkout page; answers where the buyer goes next.
#[server(prefix = "/rpc", endpoint = "finish_local_checkout")]
pub async fn finish_local_checkout(reference: String, outcome: String) -> Result<String, AppError> {
    use crate::server::{payments::local, web::request};
    let state = request::app_state()?;
    let parts = request::parts()?;
    let result = local::finish(&state, &reference, outcome == "pay").await;
    request::finish_form(&parts, result, |target| target.clone())
}
