//! A tenant's sign-ins (`user_sessions`): browser sessions and API refresh families, each with
//! an absolute end, the credential version it began under, and an end when someone ends it.
use time::OffsetDateTime;
use uuid::Uuid;

use crate::server::tenancy::db::{TenantDb, TenantTx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Browser,
    Api,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Browser => "browser",
            Kind::Api => "api",
        }
    }
}

pub struct NewSession<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: Kind,
    pub credential_version: i32,
    pub address: &'a str,
    pub user_agent: &'a str,
    pub expires_at: OffsetDateTime,
}

pub async fn insert(tx: &mut TenantTx, new: &NewSession<'_>) -> Result<(), sqlx::Error> {
    let sql = tx.sql(
        "INSERT INTO {t}.user_sessions (id, user_id, kind, credential_version, address, user_agent, expires_at) \
         VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF(left($6, 300), ''), $7)",
    );
    sqlx::query(&sql)
        .bind(new.id)
        .bind(new.user_id)
        .bind(new.kind.as_str())
        .bind(new.credential_version)
        .bind(new.address)
        .bind(new.user_agent)
        .bind(new.expires_at)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// A session that is still live (not ended, before its absolute end), locked for the caller's
/// transaction (a refresh, so that ending it waits for the refresh or the refresh sees it ended).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveSession {
    pub id: Uuid,
    pub user_id: Uuid,
    pub credential_version: i32,
    pub expires_at: OffsetDateTime,
}

pub async fn find_live_for_update(tx: &mut TenantTx, id: Uuid) -> Result<Option<LiveSession>, sqlx::Error> {
    let sql = tx.sql(
        "SELECT id, user_id, credential_version, expires_at FROM {t}.user_sessions \
         WHERE id = $1 AND ended_at IS NULL AND expires_at > now() FOR UPDATE",
    );
    sqlx::query_as(&sql).bind(id).fetch_optional(tx.conn()).await
}

/// Records use, at most once a minute per session (a row written on every request would cost
/// more than the request).
pub async fn touch(db: &TenantDb, id: Uuid, address: &str) -> Result<(), sqlx::Error> {
    let sql = db.sql(
        "UPDATE {t}.user_sessions SET last_used_at = now(), address = COALESCE(NULLIF($2, ''), address) \
         WHERE id = $1 AND last_used_at < now() - interval '1 minute'",
    );
    sqlx::query(&sql).bind(id).bind(address).execute(db.executor()).await?;
    Ok(())
}

pub async fn touch_in(tx: &mut TenantTx, id: Uuid) -> Result<(), sqlx::Error> {
    let sql = tx.sql("UPDATE {t}.user_sessions SET last_used_at = now() WHERE id = $1");
    sqlx::query(&sql).bind(id).execute(tx.conn()).await?;
    Ok(())
}

/// The session continues under a new credential version (its user changed the password in it).
pub async fn renew_credential(tx: &mut TenantTx, id: Uuid, version: i32) -> Result<(), sqlx::Error> {
    let sql = tx.sql("UPDATE {t}.user_sessions SET credential_version = $2 WHERE id = $1");
    sqlx::query(&sql).bind(id).bind(version).execute(tx.conn()).await?;
    Ok(())
}

/// A live session as its user sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub id: Uuid,
    pub kind: String,
    pub address: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_used_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// The user's live sessions, most recently used first.
pub async fn live_of_user(db: &TenantDb, user_id: Uuid) -> Result<Vec<SessionRow>, sqlx::Error> {
    let sql = db.sql(
        "SELECT id, kind, address, user_agent, created_at, last_used_at, expires_at FROM {t}.user_sessions \
         WHERE user_id = $1 AND ended_at IS NULL AND expires_at > now() ORDER BY last_used_at DESC, id",
    );
    sqlx::query_as(&sql).bind(user_id).fetch_all(db.executor()).await
}

/// Ends the user's sessions: one (`only`), or all but one (`keep`), or all. Their refresh tokens
/// are revoked in the same transaction. Answers how many ended.
pub async fn end(tx: &mut TenantTx, user_id: Uuid, only: Option<Uuid>, keep: Option<Uuid>) -> Result<u64, sqlx::Error> {
    let sql = tx.sql(
        "WITH ended AS (UPDATE {t}.user_sessions SET ended_at = now() \
           WHERE user_id = $1 AND ended_at IS NULL AND ($2::uuid IS NULL OR id = $2) \
             AND ($3::uuid IS NULL OR id <> $3) RETURNING id), \
         revoked AS (UPDATE {t}.refresh_tokens SET revoked_at = now() \
           WHERE family_id IN (SELECT id FROM ended) AND revoked_at IS NULL) \
         SELECT count(*) FROM ended",
    );
    let ended: i64 = sqlx::query_scalar(&sql).bind(user_id).bind(only).bind(keep).fetch_one(tx.conn()).await?;
    Ok(ended as u64)
}

/// Ends every session of every user of the tenant but `keep`, revoking their refresh tokens.
pub async fn end_everyones(tx: &mut TenantTx, keep: Uuid) -> Result<u64, sqlx::Error> {
    let sql = tx.sql(
        "WITH ended AS (UPDATE {t}.user_sessions SET ended_at = now() WHERE ended_at IS NULL AND id <> $1 RETURNING id), \
         revoked AS (UPDATE {t}.refresh_tokens SET revoked_at = now() \
           WHERE family_id IN (SELECT id FROM ended) AND revoked_at IS NULL) \
         SELECT count(*) FROM ended",
    );
    let ended: i64 = sqlx::query_scalar(&sql).bind(keep).fetch_one(tx.conn()).await?;
    Ok(ended as u64)
}
