//! The mail outbox (`public.outbox_messages`): written inside the transaction of the change that
//! causes a message, claimed and updated by the delivery worker.
use std::time::Duration;

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

/// A rendered message to queue.
pub struct NewMessage<'a> {
    pub tenant_id: Option<Uuid>,
    pub kind: &'a str,
    /// Set for notices that must go out once: a second message with the same key is dropped.
    pub dedupe_key: Option<&'a str>,
    pub recipient: &'a str,
    pub locale: &'a str,
    pub subject: &'a str,
    pub html: &'a str,
    pub text: &'a str,
}

/// Queues a message; false when its dedupe key was already used.
pub async fn enqueue(conn: &mut PgConnection, m: &NewMessage<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO public.outbox_messages (id, tenant_id, kind, dedupe_key, recipient, locale, subject, html_body, \
         text_body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(Uuid::new_v4())
    .bind(m.tenant_id)
    .bind(m.kind)
    .bind(m.dedupe_key)
    .bind(m.recipient)
    .bind(m.locale)
    .bind(m.subject)
    .bind(m.html)
    .bind(m.text)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[derive(Debug, sqlx::FromRow)]
pub struct Claimed {
    pub id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub html_body: String,
    pub text_body: String,
    pub attempts: i32,
}

/// Claims up to `limit` due messages for `worker` until the lease runs out: pending ones whose
/// time has come, and ones whose sender's lease expired (it died mid-send). Rows another worker
/// is claiming right now are skipped, not waited for. Oldest first.
pub async fn claim(pool: &PgPool, worker: Uuid, lease: Duration, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as(
        "WITH claimed AS (UPDATE public.outbox_messages SET status = 'sending', claimed_by = $1, \
         claimed_until = now() + make_interval(secs => $2), attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM public.outbox_messages \
                      WHERE status IN ('pending', 'sending') AND next_attempt_at <= now() \
                        AND (status = 'pending' OR claimed_until < now()) \
                      ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
         RETURNING id, recipient, subject, html_body, text_body, attempts, inserted_at) \
         SELECT id, recipient, subject, html_body, text_body, attempts FROM claimed ORDER BY inserted_at, id",
    )
    .bind(worker)
    .bind(lease.as_secs_f64())
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Marks a message sent, if `worker` still holds its claim.
pub async fn mark_sent(pool: &PgPool, id: Uuid, worker: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.outbox_messages SET status = 'sent', sent_at = now(), claimed_by = NULL, \
         claimed_until = NULL, last_error = NULL WHERE id = $1 AND claimed_by = $2",
    )
    .bind(id)
    .bind(worker)
    .execute(pool)
    .await?;
    Ok(())
}

/// Puts a message back for another attempt at `retry_at`, or gives it up (`retry_at` None).
pub async fn mark_failed(
    pool: &PgPool,
    id: Uuid,
    worker: Uuid,
    error: &str,
    retry_at: Option<OffsetDateTime>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE public.outbox_messages SET status = CASE WHEN $4::timestamptz IS NULL THEN 'failed' ELSE 'pending' END, \
         next_attempt_at = COALESCE($4, next_attempt_at), last_error = $3, claimed_by = NULL, claimed_until = NULL \
         WHERE id = $1 AND claimed_by = $2",
    )
    .bind(id)
    .bind(worker)
    .bind(error)
    .bind(retry_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes sent and failed messages older than `retention`; returns how many.
pub async fn purge(pool: &PgPool, retention: Duration) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM public.outbox_messages WHERE status IN ('sent', 'failed') \
         AND inserted_at < now() - make_interval(secs => $1)",
    )
    .bind(retention.as_secs_f64())
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Messages waiting to be sent (pending or being sent).
pub async fn backlog(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM public.outbox_messages WHERE status IN ('pending', 'sending')")
        .fetch_one(pool)
        .await
}

#[derive(Debug, sqlx::FromRow)]
pub struct MailboxEntry {
    pub id: Uuid,
    pub recipient: String,
    pub subject: String,
    pub kind: String,
    pub status: String,
    pub html_body: String,
    pub text_body: String,
    pub inserted_at: OffsetDateTime,
}

/// The latest messages, newest first (the development mailbox).
pub async fn latest(pool: &PgPool, limit: i64) -> Result<Vec<MailboxEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, recipient, subject, kind, status, html_body, text_body, inserted_at \
         FROM public.outbox_messages ORDER BY inserted_at DESC, id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await
}

pub async fn find(pool: &PgPool, id: Uuid) -> Result<Option<MailboxEntry>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, recipient, subject, kind, status, html_body, text_body, inserted_at \
         FROM public.outbox_messages WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await
}
