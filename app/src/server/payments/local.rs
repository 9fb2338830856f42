//! The development provider: checkouts are pages of this app (`/checkout/local/{ref}`) where a
//! developer clicks "pay" or "cancel"; the page then delivers the events Asaas would send to the
//! webhook handler. Configuration refuses it in production, and so do the page's functions.
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{BoxFuture, CheckoutRequest, CreatedCheckout, PaymentError, PaymentProvider};
use crate::{
    error::AppError,
    model::CheckoutView,
    server::{
        db::public::{
            checkouts::{self, CheckoutRow},
            tenants,
        },
        error::internal,
        services::billing::webhook,
        state::Core,
    },
};

pub struct LocalProvider {
    public_url: String,
}

impl LocalProvider {
    pub fn new(public_url: &str) -> Self {
        LocalProvider { public_url: public_url.trim_end_matches('/').to_string() }
    }
}

/// The path of a local checkout page.
pub fn checkout_path(provider_ref: &str) -> String {
    format!("/checkout/local/{provider_ref}")
}

impl PaymentProvider for LocalProvider {
    fn name(&self) -> &'static str {
        "local"
    }

    fn create_checkout<'a>(
        &'a self,
        request: &'a CheckoutRequest<'a>,
    ) -> BoxFuture<'a, Result<CreatedCheckout, PaymentError>> {
        Box::pin(async move {
            let provider_ref = format!("chk_local_{}", request.checkout_id.simple());
            let customer_id = request
                .customer_id
                .map(str::to_string)
                .unwrap_or_else(|| format!("cus_local_{}", request.tenant_id.simple()));
            Ok(CreatedCheckout {
                url: format!("{}{}", self.public_url, checkout_path(&provider_ref)),
                provider_ref,
                customer_id: Some(customer_id),
            })
        })
    }
}

fn local_only(core: &Core) -> Result<(), AppError> {
    if core.payments.name() == "local" && !core.settings.production {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

async fn local_checkout(pool: &PgPool, reference: &str) -> Result<CheckoutRow, AppError> {
    let mut conn = pool.acquire().await?;
    checkouts::find(&mut conn, "local", reference).await?.ok_or(AppError::NotFound)
}

/// What the local checkout page shows.
pub async fn page(core: &Core, reference: &str) -> Result<CheckoutView, AppError> {
    local_only(core)?;
    let row = local_checkout(&core.pool, reference).await?;
    Ok(CheckoutView {
        company_name: row.company_name,
        plan_name: row.plan_name,
        monthly_price_cents: row.monthly_price_cents,
        status: row.status,
    })
}

/// The developer clicked "pay" or "cancel" on the local checkout page: deliver the events Asaas
/// would send, through the webhook handler with the configured token, and answer where the
/// buyer goes next (the checkout's success or cancel URL).
pub async fn finish(core: &Core, reference: &str, pay: bool) -> Result<String, AppError> {
    local_only(core)?;
    let row = local_checkout(&core.pool, reference).await?;
    if row.status != "pending" {
        return Err(AppError::Conflict {
            detail: "This checkout is already closed".into(),
            code: "checkout_closed".into(),
        });
    }
    let token = core.settings.payments.webhook_token.clone();
    let now = OffsetDateTime::now_utc();
    let today = now.date().to_string();
    let created = format!("{today} {:02}:{:02}:{:02}", now.hour(), now.minute(), now.second());
    let billing = tenants::subscription(&core.pool, row.tenant_id).await?.ok_or(AppError::NotFound)?;
    let customer = billing.payment_customer_id.unwrap_or_default();
    let subscription = format!("sub_local_{}", row.id.simple());
    let status = if pay { "PAID" } else { "CANCELED" };
    let checkout_event = serde_json::json!({
        "id": format!("evt_local_{}", Uuid::new_v4().simple()),
        "event": format!("CHECKOUT_{status}"),
        "dateCreated": created,
        "checkout": {
            "id": row.provider_ref, "link": null, "status": status, "minutesToExpire": 60,
            "billingTypes": ["CREDIT_CARD"], "chargeTypes": ["RECURRENT"],
            "callback": { "successUrl": row.success_url, "cancelUrl": row.cancel_url, "expiredUrl": row.cancel_url },
            "subscription": { "cycle": "MONTHLY", "nextDueDate": today },
            "customer": customer, "externalReference": row.tenant_id.to_string(),
        },
    });
    let body = serde_json::to_vec(&checkout_event).map_err(|e| internal("local checkout", e))?;
    webhook::receive(core, Some(token.as_bytes()), &body).await?;
    if !pay {
        return Ok(row.cancel_url);
    }
    let value = f64::from(row.monthly_price_cents.unwrap_or_default()) / 100.0;
    let payment_event = serde_json::json!({
        "id": format!("evt_local_{}", Uuid::new_v4().simple()),
        "event": "PAYMENT_CONFIRMED",
        "dateCreated": created,
        "payment": {
            "object": "payment", "id": format!("pay_local_{}", Uuid::new_v4().simple()), "dateCreated": today,
            "customer": customer, "subscription": subscription, "checkoutSession": row.provider_ref,
            "value": value, "billingType": "CREDIT_CARD", "status": "CONFIRMED", "dueDate": today,
            "externalReference": null,
        },
    });
    let body = serde_json::to_vec(&payment_event).map_err(|e| internal("local checkout", e))?;
    webhook::receive(core, Some(token.as_bytes()), &body).await?;
    Ok(row.success_url)
}

/// Paths of local checkout pages, for the session middleware's list of public pages.
pub fn is_local_checkout_path(path: &str) -> bool {
    path.strip_prefix(&checkout_path("")).is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
}
