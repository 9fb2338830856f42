//! The payment provider's events move the subscription: `trialing → active → past_due →
//! canceled`, and back to active when paid. Each event is recorded by id and applied once, in the
//! same transaction as the change it makes.
use serde::Deserialize;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    error::AppError,
    model::SubscriptionStatus,
    server::{
        db::public::{
            checkouts::{self, CheckoutRow},
            payment_events, plans,
            tenants::{self, EventTenant},
        },
        payments::asaas::{tenant_reference, Event},
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

/// What applying an event did, recorded with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Activated,
    PastDue,
    Canceled,
    CheckoutCanceled,
    CheckoutExpired,
    Ignored,
}

impl Effect {
    fn as_str(self) -> &'static str {
        match self {
            Effect::Activated => "activated",
            Effect::PastDue => "past_due",
            Effect::Canceled => "canceled",
            Effect::CheckoutCanceled => "checkout_canceled",
            Effect::CheckoutExpired => "checkout_expired",
            Effect::Ignored => "ignored",
        }
    }
}

/// `POST /api/webhooks/asaas`: authenticates the token, records the event by id (a replay is
/// processed once) and moves the subscription. The event row and the tenant change commit
/// together, so a failure leaves nothing recorded and the provider's retry is processed anew.
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
    let mut tx = core.pool.begin().await?;
    if !payment_events::record(&mut tx, id, name, &payload).await? {
        return Ok(WebhookOutcome::Duplicate);
    }
    crate::server::metrics::webhook_event(name);
    let (tenant, effect, plan) = apply(&mut tx, name, &event).await?;
    payment_events::finish(&mut tx, id, tenant.as_ref().map(|(id, _)| *id), effect.as_str()).await?;
    match &tenant {
        Some((_, slug)) => notify(core, tx, slug, effect, plan.as_deref()).await?,
        None => tx.commit().await?,
    }
    if let Some((_, slug)) = &tenant {
        if let Ok(slug) = Slug::parse(slug) {
            core.tenants.evict(&slug);
        }
    }
    if effect == Effect::Ignored {
        tracing::info!(event = name, id, "payment event acknowledged without effect");
        return Ok(WebhookOutcome::Ignored);
    }
    tracing::info!(event = name, id, outcome = effect.as_str(), "payment event applied");
    Ok(WebhookOutcome::Applied)
}

/// Tells the owners what the event changed (overdue, canceled, a new plan), in the same
/// transaction, then commits it.
async fn notify(
    core: &Core,
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
    slug: &str,
    effect: Effect,
    plan: Option<&str>,
) -> Result<(), AppError> {
    let tenant = match Slug::parse(slug) {
        Ok(slug) => core.tenants.get(&slug).await?,
        Err(_) => None,
    };
    let Some(tenant) = tenant else {
        tx.commit().await?;
        return Ok(());
    };
    let plan_name = match plan.filter(|p| *p != tenant.plan_id) {
        Some(plan) => plans::find(&core.pool, plan).await?.map(|p| p.name),
        None => None,
    };
    let notice = match effect {
        Effect::PastDue => Some(BillingNotice::PaymentOverdue),
        Effect::Canceled => Some(BillingNotice::SubscriptionCanceled),
        Effect::Activated => plan_name.as_deref().map(|plan| BillingNotice::PlanChanged { plan }),
        _ => None,
    };
    let mut tx = TenantTx::enter(tx, tenant.schema.clone()).await?;
    if let Some(notice) = notice {
        notices::billing(core, &mut tx, &tenant, notice).await?;
    }
    let status = match effect {
        Effect::Activated => Some(SubscriptionStatus::Active),
        Effect::PastDue => Some(SubscriptionStatus::PastDue),
        Effect::Canceled => Some(SubscriptionStatus::Canceled),
        _ => None,
    };
    if let Some(status) = status {
        // The plan after the event decides whether webhooks are on (an upgrade turns them on).
        let mut after = (*tenant).clone();
        if let Some(plan) = plan.filter(|p| *p != tenant.plan_id) {
            after.webhooks_enabled = plans::find(&core.pool, plan).await?.is_some_and(|p| p.features.webhooks);
        }
        let data = serde_json::json!({ "status": status, "plan": plan.unwrap_or(&tenant.plan_id) });
        events::emit(&mut tx, &after, WebhookEvent::SubscriptionUpdated, data).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The date a paid period starts: the payment's due date when given, else now.
fn period_start(due_date: Option<&str>) -> OffsetDateTime {
    due_date.and_then(parse_date).map(|d| d.midnight().assume_utc()).unwrap_or_else(OffsetDateTime::now_utc)
}

/// `yyyy-MM-dd` (what Asaas sends for due dates since 2026); other shapes are ignored.
fn parse_date(s: &str) -> Option<time::Date> {
    let mut parts = s.get(..10)?.split('-');
    let year = parts.next()?.parse().ok()?;
    let month = time::Month::try_from(parts.next()?.parse::<u8>().ok()?).ok()?;
    let day = parts.next()?.parse().ok()?;
    time::Date::from_calendar_date(year, month, day).ok()
}

/// The tenant an event concerned (id, slug), what was done, and the plan it applied.
type Applied = (Option<(Uuid, String)>, Effect, Option<String>);

async fn apply(tx: &mut sqlx::PgConnection, name: &str, event: &Event) -> Result<Applied, AppError> {
    match name {
        "CHECKOUT_PAID" | "CHECKOUT_CANCELED" | "CHECKOUT_EXPIRED" => {
            let Some(checkout) = event.checkout.get() else { return Ok((None, Effect::Ignored, None)) };
            let Some(reference) = checkout.id.as_deref() else { return Ok((None, Effect::Ignored, None)) };
            let Some(row) = find_checkout_any(tx, reference).await? else { return Ok((None, Effect::Ignored, None)) };
            let tenant = Some((row.tenant_id, row.tenant_slug.clone()));
            let (status, effect) = match name {
                "CHECKOUT_PAID" => ("paid", Effect::Activated),
                "CHECKOUT_CANCELED" => ("canceled", Effect::CheckoutCanceled),
                _ => ("expired", Effect::CheckoutExpired),
            };
            checkouts::set_status(tx, row.id, status).await?;
            if effect == Effect::Activated {
                let subscription = checkout.subscription.get().and_then(|s| s.id.as_deref());
                tenants::activate(tx, row.tenant_id, Some(&row.plan_id), subscription, OffsetDateTime::now_utc())
                    .await?;
                return Ok((tenant, effect, Some(row.plan_id)));
            }
            Ok((tenant, effect, None))
        }
        "PAYMENT_CONFIRMED" | "PAYMENT_RECEIVED" | "PAYMENT_OVERDUE" => {
            let Some(payment) = event.payment.get() else { return Ok((None, Effect::Ignored, None)) };
            let checkout = match payment.checkout_session.as_deref() {
                Some(reference) => find_checkout_any(tx, reference).await?,
                None => None,
            };
            let subscription = payment.subscription.as_deref();
            let found = tenants::find_for_event(
                tx,
                checkout.as_ref().map(|c| c.tenant_id).or_else(|| tenant_reference(&payment.external_reference)),
                subscription,
                payment.customer.as_deref(),
            )
            .await?;
            let Some(EventTenant { id, slug, status }) = found else { return Ok((None, Effect::Ignored, None)) };
            let tenant = Some((id, slug));
            if name == "PAYMENT_OVERDUE" {
                if status == SubscriptionStatus::Canceled {
                    return Ok((tenant, Effect::Ignored, None));
                }
                tenants::set_status(tx, id, SubscriptionStatus::PastDue).await?;
                return Ok((tenant, Effect::PastDue, None));
            }
            // A payment of a checkout we hold applies that checkout's plan (the CHECKOUT_PAID
            // event may come later or not at all).
            let plan = checkout.as_ref().map(|c| c.plan_id.as_str());
            tenants::activate(tx, id, plan, subscription, period_start(payment.due_date.as_deref())).await?;
            Ok((tenant, Effect::Activated, plan.map(str::to_string)))
        }
        "SUBSCRIPTION_DELETED" | "SUBSCRIPTION_INACTIVATED" => {
            let Some(subscription) = event.subscription.get() else { return Ok((None, Effect::Ignored, None)) };
            let checkout = match subscription.checkout_session.as_deref() {
                Some(reference) => find_checkout_any(tx, reference).await?,
                None => None,
            };
            let found = tenants::find_for_event(
                tx,
                checkout.as_ref().map(|c| c.tenant_id).or_else(|| tenant_reference(&subscription.external_reference)),
                subscription.id.as_deref(),
                subscription.customer.as_deref(),
            )
            .await?;
            let Some(EventTenant { id, slug, .. }) = found else { return Ok((None, Effect::Ignored, None)) };
            tenants::set_status(tx, id, SubscriptionStatus::Canceled).await?;
            Ok((Some((id, slug)), Effect::Canceled, None))
        }
        _ => Ok((None, Effect::Ignored, None)),
    }
}

/// Checkouts are looked up by the provider's reference under either provider: the local page
/// and Asaas produce the same events.
async fn find_checkout_any(tx: &mut sqlx::PgConnection, reference: &str) -> Result<Option<CheckoutRow>, AppError> {
    for provider in ["asaas", "local"] {
        if let Some(row) = checkouts::find(tx, provider, reference).await? {
            return Ok(Some(row));
        }
    }
    Ok(None)
}
