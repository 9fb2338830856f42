//! A tenant's webhook endpoints. The secret is read only by the delivery worker and by the
//! answers that create or rotate it.
use time::OffsetDateTime;
use uuid::Uuid;

use crate::server::tenancy::db::{TenantDb, TenantTx};

/// An endpoint as the API shows it (no secret).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WebhookRow {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub description: String,
    pub active: bool,
    pub failing_since: Option<OffsetDateTime>,
    pub disabled_reason: Option<String>,
    pub inserted_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

const COLUMNS: &str = "id, url, events, description, active, failing_since, disabled_reason, inserted_at, updated_at";

/// What the delivery worker needs to send.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Target {
    pub url: String,
    pub secret: String,
    pub active: bool,
    pub failing_since: Option<OffsetDateTime>,
}

pub struct NewWebhook<'a> {
    pub id: Uuid,
    pub url: &'a str,
    pub events: &'a [String],
    pub description: &'a str,
    pub active: bool,
    pub secret: &'a str,
    pub created_by: Option<Uuid>,
}

pub async fn insert(tx: &mut TenantTx, new: &NewWebhook<'_>) -> Result<WebhookRow, sqlx::Error> {
    let sql = tx.sql(&format!(
        "INSERT INTO {{t}}.webhooks (id, url, events, description, active, secret, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {COLUMNS}"
    ));
    sqlx::query_as(&sql)
        .bind(new.id)
        .bind(new.url)
        .bind(new.events)
        .bind(new.description)
        .bind(new.active)
        .bind(new.secret)
        .bind(new.created_by)
        .fetch_one(tx.conn())
        .await
}

/// Every endpoint, oldest first.
pub async fn list(db: &TenantDb) -> Result<Vec<WebhookRow>, sqlx::Error> {
    let sql = db.sql(&format!("SELECT {COLUMNS} FROM {{t}}.webhooks ORDER BY inserted_at, id"));
    sqlx::query_as(&sql).fetch_all(db.executor()).await
}

pub async fn find(db: &TenantDb, id: Uuid) -> Result<Option<WebhookRow>, sqlx::Error> {
    let sql = db.sql(&format!("SELECT {COLUMNS} FROM {{t}}.webhooks WHERE id = $1"));
    sqlx::query_as(&sql).bind(id).fetch_optional(db.executor()).await
}

pub async fn count(tx: &mut TenantTx) -> Result<i64, sqlx::Error> {
    let sql = tx.sql("SELECT count(*) FROM {t}.webhooks");
    sqlx::query_scalar(&sql).fetch_one(tx.conn()).await
}

/// The fields a change sets; `None` keeps the value. Turning an endpoint on clears its failure
/// record, so it gets a fresh start.
pub struct Change<'a> {
    pub url: Option<&'a str>,
    pub events: Option<&'a [String]>,
    pub description: Option<&'a str>,
    pub active: Option<bool>,
}

pub async fn update(tx: &mut TenantTx, id: Uuid, change: &Change<'_>) -> Result<Option<WebhookRow>, sqlx::Error> {
    let sql = tx.sql(&format!(
        "UPDATE {{t}}.webhooks SET url = COALESCE($2, url), events = COALESCE($3, events), \
         description = COALESCE($4, description), active = COALESCE($5, active), \
         failing_since = CASE WHEN $5 THEN NULL ELSE failing_since END, \
         disabled_reason = CASE WHEN $5 THEN NULL ELSE disabled_reason END, updated_at = now() \
         WHERE id = $1 RETURNING {COLUMNS}"
    ));
    sqlx::query_as(&sql)
        .bind(id)
        .bind(change.url)
        .bind(change.events)
        .bind(change.description)
        .bind(change.active)
        .fetch_optional(tx.conn())
        .await
}

/// A new secret for the endpoint; the endpoint as it is now, `None` when there is no such one.
pub async fn set_secret(db: &TenantDb, id: Uuid, secret: &str) -> Result<Option<WebhookRow>, sqlx::Error> {
    let sql =
        db.sql(&format!("UPDATE {{t}}.webhooks SET secret = $2, updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"));
    sqlx::query_as(&sql).bind(id).bind(secret).fetch_optional(db.executor()).await
}

pub async fn delete(tx: &mut TenantTx, id: Uuid) -> Result<bool, sqlx::Error> {
    let sql = tx.sql("DELETE FROM {t}.webhooks WHERE id = $1");
    Ok(sqlx::query(&sql).bind(id).execute(tx.conn()).await?.rows_affected() == 1)
}

/// The active endpoints subscribed to `event`, read in the transaction of the change.
pub async fn subscribed(tx: &mut TenantTx, event: &str) -> Result<Vec<Uuid>, sqlx::Error> {
    let sql = tx.sql("SELECT id FROM {t}.webhooks WHERE active AND $1 = ANY (events) ORDER BY id");
    sqlx::query_scalar(&sql).bind(event).fetch_all(tx.conn()).await
}

pub async fn target(db: &TenantDb, id: Uuid) -> Result<Option<Target>, sqlx::Error> {
    let sql = db.sql("SELECT url, secret, active, failing_since FROM {t}.webhooks WHERE id = $1");
    sqlx::query_as(&sql).bind(id).fetch_optional(db.executor()).await
}

/// Records an attempt's outcome on the endpoint: a success ends its failing streak; a failure
/// starts one (when none is running).
pub async fn record_outcome(db: &TenantDb, id: Uuid, delivered: bool) -> Result<(), sqlx::Error> {
    // Written only when the streak starts or ends, not on every attempt.
    let sql = db.sql(if delivered {
        "UPDATE {t}.webhooks SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL"
    } else {
        "UPDATE {t}.webhooks SET failing_since = now() WHERE id = $1 AND failing_since IS NULL"
    });
    sqlx::query(&sql).bind(id).execute(db.executor()).await?;
    Ok(())
}

/// Switches off an endpoint that has failed since before `since`; true when this call did it
/// (so the owners are told once).
pub async fn disable_failing(
    tx: &mut TenantTx,
    id: Uuid,
    since: OffsetDateTime,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.webhooks SET active = false, disabled_reason = $3, updated_at = now() \
         WHERE id = $1 AND active AND failing_since < $2",
    );
    Ok(sqlx::query(&sql).bind(id).bind(since).bind(reason).execute(tx.conn()).await?.rows_affected() == 1)
}
