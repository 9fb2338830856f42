//! The webhook worker, one per app process: claims due deliveries (skipping those another
//! process holds, so no delivery is sent by two processes at once), POSTs each to its endpoint
//! and records the outcome. A failed attempt is retried with exponential backoff until a day
//! after the event, then given up; an endpoint whose every attempt has failed for days is
//! switched off and its owners are told. A process that dies mid-send leaves its claim to run
//! out and another process sends the delivery again: delivery is at least once, and receivers
//! deduplicate by `X-Atrium-Delivery`.
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    error::AppError,
    server::{
        db::{
            public::webhook_deliveries::{self, Claimed, Outcome},
            tenant::webhooks,
        },
        services::{
            mail::{delivery::backoff, notices},
            worker::{self, Worker},
        },
        state::Core,
        tenancy::slug::Slug,
        webhooks::{Attempt, Outgoing},
    },
};

/// Deliveries claimed at once; they are sent concurrently.
const BATCH: i64 = 16;

/// When attempt `attempts + 1` is due, or `None` when the delivery is given up: the backoff
/// (first retry after `retry_base`, doubling, at most an hour) unless that is past the event's
/// age limit.
pub fn next_attempt(
    settings: &crate::server::settings::WebhookSettings,
    attempts: i32,
    created: OffsetDateTime,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let at = now + backoff(settings.retry_base, attempts);
    (at < created + settings.give_up_after).then_some(at)
}

/// Claims and sends one batch as `worker`; answers how many deliveries it handled.
pub async fn deliver_due(core: &Core, worker: Uuid) -> Result<usize, AppError> {
    let settings = &core.settings.webhooks;
    let batch = webhook_deliveries::claim(&core.pool, worker, settings.claim_lease, BATCH).await?;
    let handled = batch.len();
    let mut sends = tokio::task::JoinSet::new();
    for claimed in batch {
        let core = core.clone();
        sends.spawn(async move { deliver(&core, worker, claimed).await });
    }
    while let Some(done) = sends.join_next().await {
        match done {
            Ok(Ok(())) => {}
            Ok(Err(err)) => return Err(err),
            Err(err) => tracing::error!(error = %err, "webhook delivery task failed"),
        }
    }
    Ok(handled)
}

async fn deliver(core: &Core, worker: Uuid, claimed: Claimed) -> Result<(), AppError> {
    let tenant = match Slug::parse(&claimed.slug) {
        Ok(slug) => core.tenants.get(&slug).await?,
        Err(_) => None,
    };
    let give_up =
        |error: &'static str| Outcome { delivered: false, status_code: None, error: Some(error), retry_at: None };
    let Some(tenant) = tenant.filter(|t| t.id == claimed.tenant_id) else {
        let outcome = give_up("the workspace is gone");
        return Ok(webhook_deliveries::finish(&core.pool, claimed.id, worker, &outcome).await?);
    };
    let db = tenant.db(&core.pool);
    let target = match webhooks::target(&db, claimed.webhook_id).await? {
        None => {
            let outcome = give_up("the endpoint was deleted");
            return Ok(webhook_deliveries::finish(&core.pool, claimed.id, worker, &outcome).await?);
        }
        Some(t) if !t.active => {
            let outcome = give_up("the endpoint is switched off");
            return Ok(webhook_deliveries::finish(&core.pool, claimed.id, worker, &outcome).await?);
        }
        Some(t) => t,
    };
    let message = Outgoing {
        delivery_id: claimed.id,
        url: &target.url,
        event: &claimed.event,
        body: &claimed.payload,
        secret: &target.secret,
    };
    let attempt = core.webhooks.send(&message).await;
    let now = OffsetDateTime::now_utc();
    let delivered = matches!(attempt, Attempt::Delivered { .. });
    let retry_at = match attempt {
        Attempt::Refused { .. } | Attempt::Failed { .. } => {
            next_attempt(&core.settings.webhooks, claimed.attempts, claimed.inserted_at, now)
        }
        Attempt::Delivered { .. } | Attempt::Blocked { .. } => None,
    };
    let error = attempt.error();
    let outcome = Outcome { delivered, status_code: attempt.status_code(), error: error.as_deref(), retry_at };
    webhook_deliveries::finish(&core.pool, claimed.id, worker, &outcome).await?;
    webhooks::record_outcome(&db, claimed.webhook_id, delivered).await?;
    let label = match (delivered, retry_at) {
        (true, _) => "delivered",
        (false, Some(_)) => "retry",
        (false, None) => "failed",
    };
    crate::server::metrics::webhook_attempt(label);
    if delivered {
        tracing::debug!(delivery = %claimed.id, event = %claimed.event, "webhook delivered");
        return Ok(());
    }
    tracing::info!(delivery = %claimed.id, event = %claimed.event, attempts = claimed.attempts,
        error = error.as_deref().unwrap_or_default(), retry = retry_at.is_some(), "webhook not delivered");
    let failing_for_long = target.failing_since.is_some_and(|since| now - since > core.settings.webhooks.disable_after);
    if failing_for_long {
        switch_off(core, &tenant, claimed.webhook_id, &target.url, target.failing_since.unwrap_or(now)).await?;
    }
    Ok(())
}

/// Switches off an endpoint that has failed for too long, gives up its waiting deliveries and
/// tells the owners, once (the first process to switch it off does).
async fn switch_off(
    core: &Core,
    tenant: &crate::server::tenancy::tenant::Tenant,
    id: Uuid,
    url: &str,
    since: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let days = (OffsetDateTime::now_utc() - since).whole_days();
    let reason = format!("every delivery failed for {days} days");
    let mut tx = tenant.db(&core.pool).begin().await?;
    let limit = OffsetDateTime::now_utc() - core.settings.webhooks.disable_after;
    if !webhooks::disable_failing(&mut tx, id, limit, &reason).await? {
        return Ok(());
    }
    webhook_deliveries::abandon(tx.conn(), tenant.id, id, "the endpoint was switched off").await?;
    notices::webhook_disabled(core, &mut tx, tenant, url).await?;
    tx.commit().await?;
    tracing::warn!(webhook = %id, %reason, "webhook endpoint switched off");
    Ok(())
}

/// Runs the worker until the process ends (`services::worker`).
pub fn run_in_background(core: &Core) {
    let (for_delivery, for_purge) = (core.clone(), core.clone());
    let worker = Worker { name: "webhook", batch: BATCH as usize, poll_interval: core.settings.webhooks.poll_interval };
    worker::spawn(
        worker,
        move |id| {
            let core = for_delivery.clone();
            async move { deliver_due(&core, id).await.map_err(|e| e.to_string()) }
        },
        move || {
            let core = for_purge.clone();
            let retention = core.settings.webhooks.retention;
            async move { webhook_deliveries::purge(&core.pool, retention).await.map_err(|e| e.to_string()) }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::settings::WebhookSettings;

    #[test]
    fn retries_start_within_30_seconds_and_stop_after_a_day() {
        let settings = WebhookSettings::default();
        let created = OffsetDateTime::now_utc();
        let first = next_attempt(&settings, 1, created, created).unwrap();
        assert!(first - created <= time::Duration::seconds(30), "first retry within 30 s");
        let second = next_attempt(&settings, 2, created, created).unwrap();
        assert_eq!(second - created, (first - created) * 2, "doubling");
        let late = created + time::Duration::hours(23) + time::Duration::minutes(30);
        assert!(next_attempt(&settings, 20, created, late).is_none(), "a retry past a day is not made");
        assert!(next_attempt(&settings, 20, created, created + time::Duration::hours(1)).is_some());
    }
}
