//! The payment provider's events move the workspace's subscription. Each event is recorded by
//! id and applied once, in the same transaction as the change it makes; events are matched to a
//! workspace only by ids Atrium stored (the charge's payment id, the live subscription's id),
//! never by customer, and an event of a subscription that is not the workspace's live one is
//! recorded and changes nothing.
//!
//! The state machine (also in the README):
//! - a charge: `pending → paid | overdue | canceled`, `overdue → paid | canceled`,
//!   `paid → refunded | chargeback`; any other move is recorded and ignored (replays, events out
//!   of order);
//! - the workspace: `trialing → active` when the first charge is paid (its plan comes with it);
//!   `active → past_due` when a cycle's charge is overdue; `past_due → active` when paid;
//!   `active | past_due → past_due` with the paid period ending now when a paid charge is
//!   refunded or charged back; `* → canceled` when the subscription ends. Writes are allowed
//!   until the trial's end, until the paid period's end plus the grace
//!   (`ATRIUM_BILLING_GRACE_DAYS`) while active or past due, and until the paid period's end
//!   once canceled (`Tenant::accepts_writes`).
//! - A paid value other than the charge's is recorded (`value_mismatch`) and applies nothing.
use serde::Deserialize;
use subtle::ConstantTimeEq;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::period::{add_cycle, parse_date};
use crate::{
    error::AppError,
    model::{ChargeStatus, SubscriptionStatus},
    server::{
        db::public::{
            charges::{self, ChargeRow, ChargeUpdate, NewCharge},
            payment_events, plans,
            tenants::{self, BillingRow},
        },
        payments::{
            asaas::{Event, EventObject},
            cents,
        },
        services::{
            mail::notices::{self, BillingNotice},
            webhooks::events,
        },
        state::Core,
        tenancy::{db::TenantTx, slug::Slug},
        webhooks::Event as WebhookEvent,
    },
};

/// How the webhook endpoint answered an event (all are 200 to the provider).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookOutcome {
    Applied,
    Duplicate,
    Ignored,
}

impl WebhookOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookOutcome::Applied => "applied",
            WebhookOutcome::Duplicate => "duplicate",
            WebhookOutcome::Ignored => "ignored",
        }
    }
}

/// What applying an event did, recorded with it (`payment_events.outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    /// A cycle was paid: active until the period's new end.
    Activated,
    /// An upgrade's charge was paid (or reversed): the plan changed.
    PlanChanged,
    PastDue,
    /// A paid charge was refunded or charged back.
    Reversed,
    Canceled,
    /// The charge was recorded or updated; the workspace did not change.
    Recorded,
    /// The paid value differs from the charge's: recorded, nothing applied.
    ValueMismatch,
    /// An event of a subscription that is not the workspace's live one.
    Superseded,
    /// Nothing Atrium knows.
    Ignored,
}

impl Effect {
    fn as_str(self) -> &'static str {
        match self {
            Effect::Activated => "activated",
            Effect::PlanChanged => "plan_changed",
            Effect::PastDue => "past_due",
            Effect::Reversed => "reversed",
            Effect::Canceled => "canceled",
            Effect::Recorded => "recorded",
            Effect::ValueMismatch => "value_mismatch",
            Effect::Superseded => "superseded",
            Effect::Ignored => "ignored",
        }
    }

    /// Whether the workspace's subscription changed (its owners hear of it).
    fn changes_workspace(self) -> bool {
        matches!(self, Effect::Activated | Effect::PlanChanged | Effect::PastDue | Effect::Reversed | Effect::Canceled)
    }
}

/// What one event did: to which workspace (id, slug), the plan it applied and the plan before.
struct Applied {
    tenant: Option<(Uuid, String)>,
    effect: Effect,
    plan: Option<String>,
    previous_plan: Option<String>,
    /// A refunded upgrade: the subscription must charge this plan's price again (done at the
    /// provider once the event's transaction committed).
    restore_terms: Option<String>,
}

impl Applied {
    fn nothing() -> Applied {
        Applied { tenant: None, effect: Effect::Ignored, plan: None, previous_plan: None, restore_terms: None }
    }

    fn to(row: &BillingRow, effect: Effect, plan: Option<String>) -> Applied {
        Applied {
            tenant: Some((row.id, row.slug.clone())),
            effect,
            plan,
            previous_plan: Some(row.plan_id.clone()),
            restore_terms: None,
        }
    }

    fn superseded(tenant_id: Uuid, slug: Option<String>) -> Applied {
        Applied { tenant: slug.map(|s| (tenant_id, s)), effect: Effect::Superseded, ..Applied::nothing() }
    }
}

/// `POST /api/webhooks/asaas`: authenticates the token, then [`apply_event`].
pub async fn receive(core: &Core, token: Option<&[u8]>, body: &[u8]) -> Result<WebhookOutcome, AppError> {
    let expected = core.settings.payments.webhook_token.as_bytes();
    let given = token.unwrap_or_default();
    if expected.is_empty() || !bool::from(given.ct_eq(expected)) {
        return Err(AppError::unauthorized("Invalid webhook token"));
    }
    let payload: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| AppError::BadRequest { detail: "Malformed JSON in request body".into() })?;
    let event = Event::deserialize(&payload).unwrap_or_default();
    let id = event.id.as_deref().filter(|s| s.len() <= 200);
    let name = event.name.as_deref().filter(|s| s.len() <= 100);
    let (Some(id), Some(name)) = (id, name) else {
        return Err(AppError::BadRequest { detail: "An event needs an id and an event name".into() });
    };
    apply_event(core, id, name, &event, &payload).await
}

/// Records the event by id (a replay, also a concurrent one, is processed once) and moves the
/// subscription. The event row and the workspace change commit together, so a failure leaves
/// nothing recorded and the provider's retry is processed anew. The reconciliation feeds the
/// events it derives from the provider's state through here too.
pub(super) async fn apply_event(
    core: &Core,
    id: &str,
    name: &str,
    event: &Event,
    payload: &serde_json::Value,
) -> Result<WebhookOutcome, AppError> {
    let mut tx = core.pool.begin().await?;
    if !payment_events::record(&mut tx, id, name, payload).await? {
        return Ok(WebhookOutcome::Duplicate);
    }
    crate::server::metrics::webhook_event(name);
    let applied = apply(core, &mut tx, name, event).await?;
    let effect = applied.effect;
    payment_events::finish(&mut tx, id, applied.tenant.as_ref().map(|(id, _)| *id), effect.as_str()).await?;
    match &applied.tenant {
        Some((tenant_id, _)) if effect.changes_workspace() => notify(core, tx, *tenant_id, effect, &applied).await?,
        _ => tx.commit().await?,
    }
    if let Some((tenant_id, slug)) = &applied.tenant {
        if let Ok(slug) = Slug::parse(slug) {
            core.tenants.evict(&slug);
        }
        if let Some(plan) = &applied.restore_terms {
            // Best effort: the refund is recorded either way; a failure is logged for a person.
            if let Err(err) = super::subscription::restore_terms(core, *tenant_id, plan).await {
                tracing::error!(error = %err, tenant = %tenant_id, "a refunded upgrade's price could not be put back");
            }
        }
    }
    tracing::info!(event = name, id, outcome = effect.as_str(), "payment event");
    Ok(if effect.changes_workspace() || effect == Effect::Recorded {
        WebhookOutcome::Applied
    } else {
        WebhookOutcome::Ignored
    })
}

/// Tells the owners what the event changed (overdue, canceled, a new plan) and emits
/// `subscription.updated`, in the same transaction, then commits it. Everything is read through
/// that transaction: concurrent deliveries of one event hold pool connections while they wait
/// for it, so it must not need another.
async fn notify(
    core: &Core,
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    tenant_id: Uuid,
    effect: Effect,
    applied: &Applied,
) -> Result<(), AppError> {
    let mut tx = tx;
    let Some(tenant) = tenants::find_in(&mut tx, tenant_id).await? else {
        tx.commit().await?;
        return Ok(());
    };
    let changed_plan = applied.plan.as_deref().filter(|p| applied.previous_plan.as_deref() != Some(*p));
    let new_plan = match changed_plan {
        Some(plan) => plans::find_in(&mut tx, plan).await?,
        None => None,
    };
    let notice = match effect {
        Effect::PastDue | Effect::Reversed => Some(BillingNotice::PaymentOverdue),
        Effect::Canceled => Some(BillingNotice::SubscriptionCanceled),
        Effect::Activated | Effect::PlanChanged => {
            new_plan.as_ref().map(|p| BillingNotice::PlanChanged { plan: p.name.as_str() })
        }
        _ => None,
    };
    let mut tx = TenantTx::enter(tx, tenant.schema.clone()).await?;
    if let Some(notice) = notice {
        notices::billing(core, &mut tx, &tenant, notice).await?;
    }
    let data = serde_json::json!({ "status": tenant.status, "plan": tenant.plan_id });
    events::emit(&mut tx, &tenant, WebhookEvent::SubscriptionUpdated, data).await?;
    tx.commit().await?;
    Ok(())
}

async fn apply(core: &Core, tx: &mut sqlx::PgConnection, name: &str, event: &Event) -> Result<Applied, AppError> {
    if let Some(status) = name.strip_prefix("PAYMENT_") {
        let Some(payment) = event.payment.get() else { return Ok(Applied::nothing()) };
        return apply_payment(core, tx, status, payment).await;
    }
    if name.starts_with("INVOICE_") {
        return apply_invoice(tx, event).await;
    }
    if name.starts_with("SUBSCRIPTION_") {
        let Some(subscription) = event.subscription.get() else { return Ok(Applied::nothing()) };
        let Some(id) = subscription.id.as_deref() else { return Ok(Applied::nothing()) };
        let ends = matches!(name, "SUBSCRIPTION_DELETED" | "SUBSCRIPTION_INACTIVATED" | "SUBSCRIPTION_EXPIRED");
        return apply_subscription(tx, id, ends).await;
    }
    Ok(Applied::nothing())
}

/// The charge status a payment event moves to (`None`: the event only refreshes the charge).
pub(super) fn target_status(event: &str) -> Option<ChargeStatus> {
    match event {
        "CONFIRMED" | "RECEIVED" | "RECEIVED_IN_CASH" => Some(ChargeStatus::Paid),
        "OVERDUE" => Some(ChargeStatus::Overdue),
        "REFUNDED" | "PARTIALLY_REFUNDED" => Some(ChargeStatus::Refunded),
        "CHARGEBACK_REQUESTED" | "CHARGEBACK_DISPUTE" | "AWAITING_CHARGEBACK_REVERSAL" => {
            Some(ChargeStatus::Chargeback)
        }
        "DELETED" => Some(ChargeStatus::Canceled),
        _ => None,
    }
}

/// The moves a charge can make; anything else is an event out of order or a replay.
pub(super) fn allowed(from: ChargeStatus, to: ChargeStatus) -> bool {
    use ChargeStatus::*;
    matches!(
        (from, to),
        (Pending, Paid | Overdue | Canceled)
            | (Overdue, Paid | Canceled)
            | (Paid, Refunded | Chargeback)
            | (Chargeback, Refunded)
    )
}

async fn apply_payment(
    core: &Core,
    tx: &mut sqlx::PgConnection,
    event: &str,
    payment: &EventObject,
) -> Result<Applied, AppError> {
    let Some(payment_id) = payment.id.as_deref() else { return Ok(Applied::nothing()) };
    let charge = charges::lock_by_ref(tx, payment_id).await?;
    let row = match (&charge, payment.subscription.as_deref()) {
        (Some(charge), _) => tenants::lock_billing(tx, charge.tenant_id).await?,
        (None, Some(subscription)) => tenants::lock_by_subscription(tx, subscription).await?,
        (None, None) => None,
    };
    let Some(row) = row else {
        // A subscription Atrium once had (replaced since) is recorded against its workspace.
        if let Some(subscription) = payment.subscription.as_deref() {
            if let Some(tenant_id) = charges::tenant_of_subscription(tx, subscription).await? {
                let slug = tenants::billing_slug(tx, tenant_id).await?;
                return Ok(Applied::superseded(tenant_id, slug));
            }
        }
        return Ok(Applied::nothing());
    };
    // A subscription's charge counts only while that subscription is the live one.
    let subscription = charge.as_ref().and_then(|c| c.subscription_id.as_deref()).or(payment.subscription.as_deref());
    if let Some(subscription) = subscription {
        if row.subscription_id.as_deref() != Some(subscription) {
            return Ok(Applied::to(&row, Effect::Superseded, None));
        }
    }
    let charge = match charge {
        Some(charge) => charge,
        // A charge of a subscription that ended, reported late: nothing to record or pay.
        None if row.status == SubscriptionStatus::Canceled => return Ok(Applied::to(&row, Effect::Superseded, None)),
        None => {
            // A new cycle's charge of the live subscription, seen first in this event.
            let Some(subscription) = subscription else { return Ok(Applied::nothing()) };
            record_cycle_charge(core, tx, &row, subscription, payment_id, payment).await?
        }
    };
    // A boleto paid late carries its fine and interest in `value`; `originalValue` is the charge's.
    let received = payment.original_value.get().or(payment.value.get()).map(|v| cents(*v));
    let mut update = ChargeUpdate {
        status: charge.status,
        value_cents: received,
        value_mismatch: charge.value_mismatch,
        paid_at: None,
        billing_type: payment.billing_type.as_deref().filter(|t| crate::model::BillingType::parse(t).is_some()),
        invoice_url: payment.invoice_url.as_deref(),
        bank_slip_url: payment.bank_slip_url.as_deref(),
        receipt_url: payment.transaction_receipt_url.as_deref(),
    };
    let Some(target) = target_status(event).filter(|to| allowed(charge.status, *to)) else {
        charges::update(tx, charge.id, &update).await?;
        return Ok(Applied::to(&row, Effect::Recorded, None));
    };
    if target == ChargeStatus::Paid && received != Some(charge.expected_cents) {
        update.value_mismatch = true;
        charges::update(tx, charge.id, &update).await?;
        tracing::warn!(
            payment = payment_id,
            expected = charge.expected_cents,
            received = ?received,
            "a payment's value differs from its charge's: not applied"
        );
        return Ok(Applied::to(&row, Effect::ValueMismatch, None));
    }
    update.status = target;
    update.value_mismatch = false;
    if target == ChargeStatus::Paid {
        update.paid_at = Some(OffsetDateTime::now_utc());
    }
    charges::update(tx, charge.id, &update).await?;
    let applied = match target {
        ChargeStatus::Paid if charge.kind == "upgrade" => {
            let plan = charge.plan_id.clone();
            if let Some(plan) = &plan {
                tenants::set_plan(tx, row.id, plan).await?;
            }
            Applied::to(&row, Effect::PlanChanged, plan)
        }
        ChargeStatus::Paid => {
            let start = charge.due_date;
            let end = add_cycle(start, charge.cycle);
            // The first charge brings its plan; a renewal after a scheduled downgrade brings that.
            let renews = row
                .current_period_end
                .is_some_and(|paid_until| start >= paid_until.date().previous_day().unwrap_or(start));
            let plan = charge.plan_id.clone().or_else(|| row.scheduled_plan_id.clone().filter(|_| renews));
            let at = |d: Date| d.midnight().assume_utc();
            tenants::paid_period(tx, row.id, plan.as_deref(), at(start), at(end)).await?;
            Applied::to(&row, Effect::Activated, plan)
        }
        ChargeStatus::Overdue if charge.kind == "subscription" && row.status == SubscriptionStatus::Active => {
            tenants::set_status(tx, row.id, SubscriptionStatus::PastDue).await?;
            Applied::to(&row, Effect::PastDue, None)
        }
        ChargeStatus::Refunded | ChargeStatus::Chargeback if charge.kind == "upgrade" => {
            let plan = charge.from_plan_id.clone();
            if let Some(plan) = &plan {
                tenants::set_plan(tx, row.id, plan).await?;
            }
            // The subscription charges the upgraded price from the next cycle: it goes back too.
            Applied { restore_terms: plan.clone(), ..Applied::to(&row, Effect::PlanChanged, plan) }
        }
        ChargeStatus::Refunded | ChargeStatus::Chargeback
            if matches!(row.status, SubscriptionStatus::Active | SubscriptionStatus::PastDue) =>
        {
            tenants::payment_reversed(tx, row.id).await?;
            Applied::to(&row, Effect::Reversed, None)
        }
        _ => Applied::to(&row, Effect::Recorded, None),
    };
    Ok(applied)
}

/// Records a charge of the live subscription that Atrium did not make itself (each new cycle's,
/// made by the provider), expecting the subscription's current value.
async fn record_cycle_charge(
    core: &Core,
    tx: &mut sqlx::PgConnection,
    row: &BillingRow,
    subscription: &str,
    payment_id: &str,
    payment: &EventObject,
) -> Result<ChargeRow, AppError> {
    let due_date = payment.due_date.as_deref().and_then(parse_date).unwrap_or_else(|| OffsetDateTime::now_utc().date());
    let expected = row.subscription_value_cents.or_else(|| payment.value.get().map(|v| cents(*v))).unwrap_or_default();
    let description = payment.description.as_deref().unwrap_or_default();
    charges::insert(
        tx,
        &NewCharge {
            id: Uuid::new_v4(),
            tenant_id: row.id,
            provider: core.payments.name(),
            provider_ref: payment_id,
            subscription_id: Some(subscription),
            kind: "subscription",
            plan_id: None,
            from_plan_id: None,
            cycle: row.billing_cycle,
            description: &description.chars().take(500).collect::<String>(),
            expected_cents: expected,
            billing_type: payment.billing_type.as_deref().unwrap_or(row.billing_type.as_str()),
            due_date,
            invoice_url: payment.invoice_url.as_deref(),
            bank_slip_url: payment.bank_slip_url.as_deref(),
            success_url: None,
        },
    )
    .await?;
    charges::lock_by_ref(tx, payment_id).await?.ok_or(AppError::Internal)
}

/// A service invoice (NFS-e) for one of the workspace's charges: its status and PDF link are
/// shown with the charge.
async fn apply_invoice(tx: &mut sqlx::PgConnection, event: &Event) -> Result<Applied, AppError> {
    let Some(invoice) = event.invoice.get() else { return Ok(Applied::nothing()) };
    let Some(payment) = invoice.payment.as_deref() else { return Ok(Applied::nothing()) };
    let status = invoice.status.as_deref().map(|s| s.chars().take(40).collect::<String>());
    let url = invoice.pdf_url.as_deref().filter(|u| u.starts_with("https://") && u.len() <= 2000);
    let Some(tenant_id) = charges::set_nfse(tx, payment, status.as_deref(), url).await? else {
        return Ok(Applied::nothing());
    };
    let slug = tenants::billing_slug(tx, tenant_id).await?;
    Ok(Applied { tenant: slug.map(|s| (tenant_id, s)), effect: Effect::Recorded, ..Applied::nothing() })
}

async fn apply_subscription(tx: &mut sqlx::PgConnection, id: &str, ends: bool) -> Result<Applied, AppError> {
    charges::lock_of_subscription(tx, id).await?;
    let Some(row) = tenants::lock_by_subscription(tx, id).await? else {
        if let Some(tenant_id) = charges::tenant_of_subscription(tx, id).await? {
            let slug = tenants::billing_slug(tx, tenant_id).await?;
            return Ok(Applied::superseded(tenant_id, slug));
        }
        return Ok(Applied::nothing());
    };
    if !ends || row.status == SubscriptionStatus::Canceled {
        return Ok(Applied::to(&row, Effect::Recorded, None));
    }
    tenants::subscription_ended(tx, row.id).await?;
    charges::cancel_open(tx, id).await?;
    let effect = if row.status == SubscriptionStatus::Trialing { Effect::Recorded } else { Effect::Canceled };
    Ok(Applied::to(&row, effect, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_move_only_forward() {
        use ChargeStatus::*;
        assert!(allowed(Pending, Paid) && allowed(Overdue, Paid) && allowed(Paid, Refunded));
        assert!(!allowed(Paid, Overdue), "a late overdue event does not undo a payment");
        assert!(!allowed(Paid, Paid), "a second confirmation changes nothing");
        assert!(!allowed(Refunded, Paid) && !allowed(Canceled, Paid));
        assert_eq!(target_status("RECEIVED"), Some(Paid));
        assert_eq!(target_status("CHARGEBACK_REQUESTED"), Some(Chargeback));
        assert_eq!(target_status("BANK_SLIP_VIEWED"), None);
    }
}
