//! Webhook deliveries (`public.webhook_deliveries`): written in the transaction of the change
//! they report, claimed and updated by the delivery worker of any node, read per endpoint by the
//! tenant that owns them.
use std::time::Duration;

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

pub struct NewDelivery<'a> {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub webhook_id: Uuid,
    pub event_id: Uuid,
    pub event: &'a str,
    pub payload: &'a str,
}

pub async fn enqueue(conn: &mut PgConnection, d: &NewDelivery<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO public.webhook_deliveries (id, tenant_id, webhook_id, event_id, event, payload) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(d.id)
    .bind(d.tenant_id)
    .bind(d.webhook_id)
    .bind(d.event_id)
    .bind(d.event)
    .bind(d.payload)
    .execute(conn)
    .await?;
    Ok(())
}

/// A claimed delivery, with the schema its endpoint lives in.
#[derive(Debug, sqlx::FromRow)]
pub struct Claimed {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub slug: String,
    pub webhook_id: Uuid,
    pub event: String,
    pub payload: String,
    pub attempts: i32,
    pub inserted_at: OffsetDateTime,
}

/// Claims up to `limit` due deliveries for `worker` until the lease runs out: pending ones whose
/// time has come, and ones whose sender's lease expired (it died mid-send). Rows another worker
/// is claiming right now are skipped, not waited for, so no delivery is sent by two workers at
/// once. Oldest first.
pub async fn claim(pool: &PgPool, worker: Uuid, lease: Duration, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as(
        "WITH claimed AS (UPDATE public.webhook_deliveries SET status = 'sending', claimed_by = $1, \
         claimed_until = now() + make_interval(secs => $2), attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM public.webhook_deliveries \
                      WHERE status IN ('pending', 'sending') AND next_attempt_at <= now() \
                        AND (status = 'pending' OR claimed_until < now()) \
                      ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING id, tenant_id, webhook_id, event, payload, attempts, inserted_at) \
         SELECT c.id, c.tenant_id, t.slug, c.webhook_id, c.event, c.payload, c.attempts, c.inserted_at \
         FROM claimed c JOIN public.tenants t ON t.id = c.tenant_id ORDER BY c.inserted_at, c.id",
    )
    .bind(worker)
    .bind(lease.as_secs_f64())
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// The outcome of one attempt. `retry_at` None: delivered when `delivered`, else given up.
pub struct Outcome<'a> {
    pub delivered: bool,
    pub status_code: Option<u16>,
    pub error: Option<&'a str>,
    pub retry_at: Option<OffsetDateTime>,
}

/// Records an attempt, if `worker` still holds the claim.
pub async fn finish(pool: &PgPool, id: Uuid, worker: Uuid, outcome: &Outcome<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.webhook_deliveries SET \
         status = CASE WHEN $3 THEN 'delivered' WHEN $6::timestamptz IS NULL THEN 'failed' ELSE 'pending' END, \
         delivered_at = CASE WHEN $3 THEN now() END, last_status_code = $4, last_error = $5, \
         last_attempt_at = now(), next_attempt_at = COALESCE($6, next_attempt_at), \
         claimed_by = NULL, claimed_until = NULL \
         WHERE id = $1 AND claimed_by = $2",
    )
    .bind(id)
    .bind(worker)
    .bind(outcome.delivered)
    .bind(outcome.status_code.map(i32::from))
    .bind(outcome.error)
    .bind(outcome.retry_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives up the endpoint's waiting deliveries (it was switched off or deleted).
pub async fn abandon(
    conn: &mut PgConnection,
    tenant_id: Uuid,
    webhook_id: Uuid,
    why: &str,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE public.webhook_deliveries SET status = 'failed', last_error = $3, claimed_by = NULL, \
         claimed_until = NULL WHERE tenant_id = $1 AND webhook_id = $2 AND status IN ('pending', 'sending')",
    )
    .bind(tenant_id)
    .bind(webhook_id)
    .bind(why)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Deletes every delivery of an endpoint (the endpoint is being deleted).
pub async fn delete_for(conn: &mut PgConnection, tenant_id: Uuid, webhook_id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM public.webhook_deliveries WHERE tenant_id = $1 AND webhook_id = $2")
        .bind(tenant_id)
        .bind(webhook_id)
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: Uuid,
    pub event_id: Uuid,
    pub event: String,
    pub status: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    pub last_attempt_at: Option<OffsetDateTime>,
    pub next_attempt_at: OffsetDateTime,
    pub delivered_at: Option<OffsetDateTime>,
    pub inserted_at: OffsetDateTime,
}

/// An endpoint's deliveries, newest first: `limit` rows after `offset`.
pub async fn for_endpoint(
    pool: &PgPool,
    tenant_id: Uuid,
    webhook_id: Uuid,
    limit: i64,
    offset: i64,
) -> Result<Vec<DeliveryRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, event_id, event, status, attempts, last_status_code, last_error, last_attempt_at, \
         next_attempt_at, delivered_at, inserted_at FROM public.webhook_deliveries \
         WHERE tenant_id = $1 AND webhook_id = $2 ORDER BY inserted_at DESC, id LIMIT $3 OFFSET $4",
    )
    .bind(tenant_id)
    .bind(webhook_id)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await
}

pub async fn count_for_endpoint(pool: &PgPool, tenant_id: Uuid, webhook_id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM public.webhook_deliveries WHERE tenant_id = $1 AND webhook_id = $2")
        .bind(tenant_id)
        .bind(webhook_id)
        .fetch_one(pool)
        .await
}

/// Deletes delivered and failed deliveries older than `retention`; returns how many.
pub async fn purge(pool: &PgPool, retention: Duration) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM public.webhook_deliveries WHERE status IN ('delivered', 'failed') \
         AND inserted_at < now() - make_interval(secs => $1)",
    )
    .bind(retention.as_secs_f64())
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
