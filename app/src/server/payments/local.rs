//! The development provider: every charge has a page of this app (`/checkout/local/{payment}`)
//! where a developer pays it, lets it become overdue or refunds it; the page then delivers the
//! events Asaas would send to the webhook handler, so the same state machine runs. It keeps no
//! state of its own: what it "knows" is Atrium's record of its charges. Configuration refuses it
//! in production, and so do the page's functions.
use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{
    reais, BoxFuture, NewCustomer, NewPayment, NewSubscription, PaymentError, PaymentProvider, RemotePayment,
    RemoteSubscription, SubscriptionTerms,
};
use crate::{
    error::AppError,
    model::{ChargeStatus, CheckoutView},
    server::{
        db::public::charges::{self, ChargeRow},
        error::internal,
        services::billing::webhook,
        state::Core,
    },
};

pub struct LocalProvider {
    public_url: String,
    pool: PgPool,
}

impl LocalProvider {
    pub fn new(public_url: &str, pool: PgPool) -> Self {
        LocalProvider { public_url: public_url.trim_end_matches('/').to_string(), pool }
    }

    fn new_payment(
        &self,
        subscription: Option<&str>,
        value_cents: i32,
        billing_type: &str,
        due: time::Date,
    ) -> RemotePayment {
        let id = format!("pay_local_{}", Uuid::new_v4().simple());
        RemotePayment {
            invoice_url: Some(format!("{}{}", self.public_url, checkout_path(&id))),
            id,
            customer: None,
            subscription: subscription.map(str::to_string),
            status: "PENDING".into(),
            value: reais(value_cents),
            original_value: None,
            billing_type: billing_type.to_string(),
            due_date: due.to_string(),
            bank_slip_url: None,
            transaction_receipt_url: None,
            external_reference: None,
            deleted: false,
        }
    }
}

/// The path of a local payment page.
pub fn checkout_path(provider_ref: &str) -> String {
    format!("/checkout/local/{provider_ref}")
}

/// The provider status Asaas would report for a charge in this state.
fn remote_status(status: ChargeStatus) -> &'static str {
    match status {
        ChargeStatus::Pending | ChargeStatus::Canceled => "PENDING",
        ChargeStatus::Paid => "CONFIRMED",
        ChargeStatus::Overdue => "OVERDUE",
        ChargeStatus::Refunded => "REFUNDED",
        ChargeStatus::Chargeback => "CHARGEBACK_REQUESTED",
    }
}

fn remote(row: &ChargeRow) -> RemotePayment {
    RemotePayment {
        id: row.provider_ref.clone(),
        customer: None,
        subscription: row.subscription_id.clone(),
        status: remote_status(row.status).into(),
        value: reais(row.expected_cents),
        original_value: None,
        billing_type: row.billing_type.as_str().into(),
        due_date: row.due_date.to_string(),
        invoice_url: row.invoice_url.clone(),
        bank_slip_url: row.bank_slip_url.clone(),
        transaction_receipt_url: row.receipt_url.clone(),
        external_reference: Some(row.tenant_id.to_string()),
        deleted: row.status == ChargeStatus::Canceled,
    }
}

fn db_error(e: sqlx::Error) -> PaymentError {
    PaymentError::Unreachable(e.to_string())
}

impl PaymentProvider for LocalProvider {
    fn name(&self) -> &'static str {
        "local"
    }

    fn create_customer<'a>(&'a self, c: &'a NewCustomer<'a>) -> BoxFuture<'a, Result<String, PaymentError>> {
        Box::pin(async move { Ok(format!("cus_local_{}", c.tenant_id.simple())) })
    }

    fn create_subscription<'a>(
        &'a self,
        new: &'a NewSubscription<'a>,
    ) -> BoxFuture<'a, Result<(RemoteSubscription, RemotePayment), PaymentError>> {
        Box::pin(async move {
            let id = format!("sub_local_{}", Uuid::new_v4().simple());
            let first =
                self.new_payment(Some(&id), new.terms.value_cents, new.terms.billing_type.as_str(), new.next_due_date);
            Ok((RemoteSubscription { id, status: "ACTIVE".into(), deleted: false }, first))
        })
    }

    fn update_subscription<'a>(
        &'a self,
        _id: &'a str,
        _terms: &'a SubscriptionTerms<'a>,
    ) -> BoxFuture<'a, Result<(), PaymentError>> {
        Box::pin(async { Ok(()) })
    }

    fn cancel_subscription<'a>(&'a self, _id: &'a str) -> BoxFuture<'a, Result<(), PaymentError>> {
        Box::pin(async { Ok(()) })
    }

    fn subscription<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<RemoteSubscription, PaymentError>> {
        Box::pin(async move { Ok(RemoteSubscription { id: id.to_string(), status: "ACTIVE".into(), deleted: false }) })
    }

    fn subscription_payments<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Vec<RemotePayment>, PaymentError>> {
        Box::pin(async move {
            let rows = charges::of_subscription(&self.pool, id).await.map_err(db_error)?;
            Ok(rows.iter().map(remote).collect())
        })
    }

    fn create_payment<'a>(&'a self, new: &'a NewPayment<'a>) -> BoxFuture<'a, Result<RemotePayment, PaymentError>> {
        Box::pin(async move { Ok(self.new_payment(None, new.value_cents, new.billing_type.as_str(), new.due_date)) })
    }

    fn payment<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<RemotePayment, PaymentError>> {
        Box::pin(async move {
            let row = charges::find_by_ref(&self.pool, "local", id).await.map_err(db_error)?;
            row.as_ref().map(remote).ok_or_else(|| PaymentError::Refused { status: 404, detail: "not found".into() })
        })
    }

    fn cancel_payment<'a>(&'a self, _id: &'a str) -> BoxFuture<'a, Result<(), PaymentError>> {
        Box::pin(async { Ok(()) })
    }
}

fn local_only(core: &Core) -> Result<(), AppError> {
    if core.payments.name() == "local" && !core.settings.production {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

async fn local_charge(core: &Core, reference: &str) -> Result<ChargeRow, AppError> {
    local_only(core)?;
    charges::find_by_ref(&core.pool, "local", reference).await?.ok_or(AppError::NotFound)
}

/// What the local payment page shows.
pub async fn page(core: &Core, reference: &str) -> Result<CheckoutView, AppError> {
    let row = local_charge(core, reference).await?;
    Ok(CheckoutView {
        company_name: charges::company_name(&core.pool, row.tenant_id).await?,
        description: row.description,
        value_cents: row.expected_cents,
        due_date: row.due_date.to_string(),
        billing_type: row.billing_type,
        status: row.status,
    })
}

/// A button of the local payment page: `pay`, `cancel` (leave without paying), `overdue` (let
/// the due date pass) or `refund`. Delivers the event Asaas would send through the webhook
/// handler with the configured token, and answers where the buyer goes next.
pub async fn finish(core: &Core, reference: &str, outcome: &str) -> Result<String, AppError> {
    let row = local_charge(core, reference).await?;
    let back = checkout_path(reference);
    let (event, status, allowed, next) = match outcome {
        "cancel" => return Ok("/billing?notice=checkout_canceled".into()),
        "pay" => (
            "PAYMENT_CONFIRMED",
            "CONFIRMED",
            row.status.open(),
            row.success_url.clone().unwrap_or_else(|| "/billing?notice=paid".into()),
        ),
        "overdue" => ("PAYMENT_OVERDUE", "OVERDUE", row.status == ChargeStatus::Pending, back),
        "refund" => ("PAYMENT_REFUNDED", "REFUNDED", row.status == ChargeStatus::Paid, back),
        _ => return Err(AppError::field("outcome", "must be pay, cancel, overdue or refund")),
    };
    if !allowed {
        return Err(AppError::Conflict {
            detail: "This charge cannot do that in its current state".into(),
            code: "checkout_closed".into(),
        });
    }
    let now = OffsetDateTime::now_utc();
    let billing_type = match row.billing_type.as_str() {
        "UNDEFINED" => "PIX",
        other => other,
    };
    let payload = serde_json::json!({
        "id": format!("evt_local_{}", Uuid::new_v4().simple()),
        "event": event,
        "dateCreated": format!("{} {:02}:{:02}:{:02}", now.date(), now.hour(), now.minute(), now.second()),
        "payment": {
            "object": "payment", "id": row.provider_ref, "subscription": row.subscription_id,
            "value": reais(row.expected_cents), "billingType": billing_type, "status": status,
            "dueDate": row.due_date.to_string(), "invoiceUrl": row.invoice_url,
            // The page itself says "paid" once it is: the receipt of the local provider.
            "transactionReceiptUrl": (status == "CONFIRMED").then(|| row.invoice_url.clone()).flatten(),
            "externalReference": row.tenant_id.to_string(), "description": row.description,
        },
    });
    let body = serde_json::to_vec(&payload).map_err(|e| internal("local checkout", e))?;
    let token = core.settings.payments.webhook_token.clone();
    webhook::receive(core, Some(token.as_bytes()), &body).await?;
    Ok(next)
}

/// Paths of local payment pages, for the session middleware's list of public pages.
pub fn is_local_checkout_path(path: &str) -> bool {
    path.strip_prefix(&checkout_path("")).is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
}
