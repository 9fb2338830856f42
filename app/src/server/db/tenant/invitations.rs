//! Invitations of users created without a password (token digests only).
use time::OffsetDateTime;
use uuid::Uuid;

use crate::server::tenancy::db::TenantTx;

pub async fn insert(
    tx: &mut TenantTx,
    user_id: Uuid,
    digest: &[u8],
    expires_at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let sql = tx.sql("INSERT INTO {t}.user_invitations (id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)");
    sqlx::query(&sql).bind(Uuid::new_v4()).bind(user_id).bind(digest).bind(expires_at).execute(tx.conn()).await?;
    Ok(())
}

/// Uses up a valid, unexpired invitation and returns its user.
pub async fn redeem(tx: &mut TenantTx, digest: &[u8]) -> Result<Option<Uuid>, sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.user_invitations SET used_at = now() \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id",
    );
    sqlx::query_scalar(&sql).bind(digest).fetch_optional(tx.conn()).await
}
