//! Single-use links sent by email (password reset, address verification): digests only, bound
//! to one user; a new token of a purpose ends the user's earlier ones.
use time::OffsetDateTime;
use uuid::Uuid;

use crate::server::tenancy::db::{TenantDb, TenantTx};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    EmailVerification,
    /// The second step of a sign-in (`mfa_token`).
    MfaChallenge,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::EmailVerification => "email_verification",
            Purpose::MfaChallenge => "mfa_challenge",
        }
    }
}

/// Stores a new token's digest and retires the user's earlier unused tokens of that purpose.
pub async fn replace(
    tx: &mut TenantTx,
    user_id: Uuid,
    purpose: Purpose,
    digest: &[u8],
    expires_at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let sql =
        tx.sql("UPDATE {t}.user_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL");
    sqlx::query(&sql).bind(user_id).bind(purpose.as_str()).execute(tx.conn()).await?;
    let sql = tx
        .sql("INSERT INTO {t}.user_tokens (id, user_id, purpose, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)");
    sqlx::query(&sql)
        .bind(Uuid::new_v4())
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(digest)
        .bind(expires_at)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The user of a usable (unused, unexpired) token, without using it: the cheap check made
/// before any expensive work (hashing a new password).
pub async fn peek(db: &TenantDb, digest: &[u8], purpose: Purpose) -> Result<Option<Uuid>, sqlx::Error> {
    let sql = db.sql(
        "SELECT user_id FROM {t}.user_tokens \
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()",
    );
    sqlx::query_scalar(&sql).bind(digest).bind(purpose.as_str()).fetch_optional(db.executor()).await
}

/// Uses up a usable token and answers its user; None when it is unknown, used or expired (two
/// concurrent redemptions: the row lock lets exactly one through).
pub async fn redeem(tx: &mut TenantTx, digest: &[u8], purpose: Purpose) -> Result<Option<Uuid>, sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.user_tokens SET used_at = now() \
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now() RETURNING user_id",
    );
    sqlx::query_scalar(&sql).bind(digest).bind(purpose.as_str()).fetch_optional(tx.conn()).await
}
