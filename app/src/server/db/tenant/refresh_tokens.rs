//! A tenant's refresh tokens (SHA-256 digests only).
use time::OffsetDateTime;
use uuid::Uuid;

use crate::server::tenancy::db::TenantTx;

#[derive(sqlx::FromRow)]
pub struct StoredToken {
    pub id: Uuid,
    pub family_id: Uuid,
    pub user_id: Uuid,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

pub async fn insert(
    tx: &mut TenantTx,
    family_id: Uuid,
    user_id: Uuid,
    digest: &[u8],
    expires_at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let sql = tx.sql(
        "INSERT INTO {t}.refresh_tokens (id, family_id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)",
    );
    sqlx::query(&sql)
        .bind(Uuid::new_v4())
        .bind(family_id)
        .bind(user_id)
        .bind(digest)
        .bind(expires_at)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Locks the token's row so two concurrent uses of one token are serialised: the second sees
/// it used and is treated as reuse.
pub async fn find_for_update(tx: &mut TenantTx, digest: &[u8]) -> Result<Option<StoredToken>, sqlx::Error> {
    let sql = tx.sql(
        "SELECT id, family_id, user_id, expires_at, used_at, revoked_at FROM {t}.refresh_tokens \
         WHERE token_hash = $1 FOR UPDATE",
    );
    sqlx::query_as(&sql).bind(digest).fetch_optional(tx.conn()).await
}

/// Whether the token with this digest exists and has not been exchanged or revoked.
pub async fn is_unused(tx: &mut TenantTx, digest: &[u8]) -> Result<bool, sqlx::Error> {
    let sql = tx.sql(
        "SELECT EXISTS (SELECT 1 FROM {t}.refresh_tokens WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL)",
    );
    sqlx::query_scalar(&sql).bind(digest).fetch_one(tx.conn()).await
}

pub async fn mark_used(tx: &mut TenantTx, id: Uuid) -> Result<(), sqlx::Error> {
    let sql = tx.sql("UPDATE {t}.refresh_tokens SET used_at = now() WHERE id = $1");
    sqlx::query(&sql).bind(id).execute(tx.conn()).await?;
    Ok(())
}

pub async fn revoke_family(tx: &mut TenantTx, family_id: Uuid) -> Result<(), sqlx::Error> {
    let sql = tx.sql("UPDATE {t}.refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL");
    sqlx::query(&sql).bind(family_id).execute(tx.conn()).await?;
    Ok(())
}
