//! The reconciliation: every process, every `ATRIUM_BILLING_RECONCILE_SECS`, claims the
//! subscriptions not checked for `ATRIUM_BILLING_STALE_SECS` (a claim marks them checked, so
//! several processes share the work instead of repeating it) and asks the provider for their
//! state. Every difference from what Atrium recorded becomes an event, with an id of its own,
//! through the same path as a webhook: a lost webhook cannot leave a workspace wrong, and a
//! webhook arriving after its reconciliation changes nothing more.
use std::time::Duration;

use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::webhook::{self, apply_event};
use crate::{
    error::AppError,
    model::{ChargeStatus, SubscriptionStatus},
    server::{
        db::public::{charges, tenants},
        payments::{asaas::Event, RemotePayment},
        state::Core,
    },
};

/// Subscriptions asked about per claim.
const BATCH: i64 = 20;

/// The event a provider payment status stands for.
fn event_for(status: &str) -> Option<&'static str> {
    Some(match status {
        "PENDING" | "AWAITING_RISK_ANALYSIS" => "PAYMENT_CREATED",
        "CONFIRMED" => "PAYMENT_CONFIRMED",
        "RECEIVED" | "RECEIVED_IN_CASH" => "PAYMENT_RECEIVED",
        "OVERDUE" => "PAYMENT_OVERDUE",
        "REFUNDED" => "PAYMENT_REFUNDED",
        "CHARGEBACK_REQUESTED" | "CHARGEBACK_DISPUTE" | "AWAITING_CHARGEBACK_REVERSAL" => {
            "PAYMENT_CHARGEBACK_REQUESTED"
        }
        _ => return None,
    })
}

/// What Atrium's record of a charge would become through `event`, if anything.
fn differs(recorded: Option<ChargeStatus>, event: &str) -> bool {
    let target = webhook::target_status(event.trim_start_matches("PAYMENT_"));
    match (recorded, target) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(now), Some(to)) => now != to && webhook::allowed(now, to),
    }
}

async fn feed(core: &Core, id: String, name: &str, payload: serde_json::Value) -> Result<(), AppError> {
    let event = Event::deserialize(&payload).unwrap_or_default();
    apply_event(core, &id, name, &event, &payload).await?;
    Ok(())
}

async fn feed_payment(core: &Core, payment: &RemotePayment) -> Result<(), AppError> {
    let name = if payment.deleted { Some("PAYMENT_DELETED") } else { event_for(&payment.status) };
    let Some(name) = name else { return Ok(()) };
    let recorded = charges::find_by_ref(&core.pool, core.payments.name(), &payment.id).await?;
    if !differs(recorded.map(|c| c.status), name) {
        return Ok(());
    }
    let id = format!("reconcile:{}:{name}", payment.id);
    let mut object = serde_json::to_value(payment).map_err(|_| AppError::Internal)?;
    object["object"] = "payment".into();
    feed(core, id.clone(), name, serde_json::json!({ "id": id, "event": name, "payment": object })).await
}

/// Asks the provider about one workspace's subscription and applies what differs.
pub async fn reconcile_one(core: &Core, tenant_id: Uuid, subscription_id: &str) -> Result<(), AppError> {
    let provider = |e| {
        tracing::warn!(error = %e, subscription = subscription_id, "reconciliation: provider");
        AppError::PaymentProvider
    };
    let remote = core.payments.subscription(subscription_id).await.map_err(provider)?;
    for payment in core.payments.subscription_payments(subscription_id).await.map_err(provider)? {
        feed_payment(core, &payment).await?;
    }
    // One-off charges (upgrades) still open.
    for charge in charges::open(&core.pool, tenant_id).await? {
        if charge.kind == "upgrade" {
            let payment = core.payments.payment(&charge.provider_ref).await.map_err(provider)?;
            feed_payment(core, &payment).await?;
        }
    }
    if !remote.live() {
        let row = tenants::billing(&core.pool, tenant_id).await?;
        let ended = row.is_some_and(|r| {
            r.subscription_id.as_deref() == Some(subscription_id) && r.status != SubscriptionStatus::Canceled
        });
        if ended {
            let id = format!("reconcile:{subscription_id}:ended");
            let name = "SUBSCRIPTION_INACTIVATED";
            let payload = serde_json::json!({
                "id": id, "event": name,
                "subscription": { "object": "subscription", "id": subscription_id, "status": remote.status, "deleted": remote.deleted },
            });
            feed(core, id.clone(), name, payload).await?;
        }
    }
    Ok(())
}

/// Claims one batch of stale subscriptions and reconciles them; answers how many.
pub async fn run_once(core: &Core) -> Result<usize, AppError> {
    let stale = core.settings.billing_stale_after;
    let before = OffsetDateTime::now_utc() - time::Duration::try_from(stale).unwrap_or(time::Duration::HOUR);
    let due = tenants::claim_for_reconciliation(&core.pool, before, BATCH).await?;
    for (tenant_id, subscription_id) in &due {
        if let Err(err) = reconcile_one(core, *tenant_id, subscription_id).await {
            tracing::warn!(error = %err, tenant = %tenant_id, "reconciliation of a subscription failed; retried later");
        }
    }
    Ok(due.len())
}

pub fn run_in_background(core: &Core) {
    let core = core.clone();
    let every = core.settings.billing_reconcile_interval;
    tokio::spawn(async move {
        loop {
            match run_once(&core).await {
                Ok(n) if n as i64 == BATCH => continue,
                Ok(0) => {}
                Ok(n) => tracing::info!(subscriptions = n, "billing reconciled"),
                Err(err) => tracing::warn!(error = %err, "billing reconciliation: database unavailable"),
            }
            tokio::time::sleep(every.max(Duration::from_millis(100))).await;
        }
    });
}
