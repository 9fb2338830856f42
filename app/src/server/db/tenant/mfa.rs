//! A user's second factor: the TOTP secret (pending while enrolling), the time step of the last
//! accepted code, and single-use recovery codes (argon2id hashes only).
use uuid::Uuid;

use crate::server::tenancy::db::{TenantDb, TenantTx};

/// The user's TOTP state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MfaState {
    /// Base32; set while enrolled.
    pub secret: Option<String>,
    /// Base32; set between enrolment and its confirmation.
    pub pending_secret: Option<String>,
    pub last_step: Option<i64>,
}

pub async fn state(db: &TenantDb, user_id: Uuid) -> Result<Option<MfaState>, sqlx::Error> {
    let sql = db.sql(
        "SELECT mfa_secret AS secret, mfa_pending_secret AS pending_secret, mfa_last_step AS last_step \
         FROM {t}.users WHERE id = $1",
    );
    sqlx::query_as(&sql).bind(user_id).fetch_optional(db.executor()).await
}

/// The secret waiting for a code that proves an app has it: the one already waiting, or else
/// `fresh` (one statement, so two enrolments at once agree on one secret).
pub async fn pending_or(db: &TenantDb, user_id: Uuid, fresh: &str) -> Result<Option<String>, sqlx::Error> {
    let sql = db.sql(
        "UPDATE {t}.users SET mfa_pending_secret = COALESCE(mfa_pending_secret, $2) WHERE id = $1 \
         RETURNING mfa_pending_secret",
    );
    sqlx::query_scalar(&sql).bind(user_id).bind(fresh).fetch_optional(db.executor()).await
}

/// Turns the pending secret on, with the step of the code that proved it (never accepted
/// again), if the pending secret is still `secret`. Answers whether it did.
pub async fn enable(tx: &mut TenantTx, user_id: Uuid, secret: &str, step: i64) -> Result<bool, sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.users SET mfa_secret = mfa_pending_secret, mfa_pending_secret = NULL, \
           mfa_enabled_at = now(), mfa_last_step = $3, updated_at = now() \
         WHERE id = $1 AND mfa_pending_secret = $2 RETURNING id",
    );
    Ok(sqlx::query_scalar::<_, Uuid>(&sql)
        .bind(user_id)
        .bind(secret)
        .bind(step)
        .fetch_optional(tx.conn())
        .await?
        .is_some())
}

/// Turns the second factor off (or resets it): secret, pending secret and recovery codes go.
pub async fn disable(tx: &mut TenantTx, user_id: Uuid) -> Result<(), sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.users SET mfa_secret = NULL, mfa_pending_secret = NULL, mfa_enabled_at = NULL, \
           mfa_last_step = NULL, updated_at = now() WHERE id = $1",
    );
    sqlx::query(&sql).bind(user_id).execute(tx.conn()).await?;
    let sql = tx.sql("DELETE FROM {t}.mfa_recovery_codes WHERE user_id = $1");
    sqlx::query(&sql).bind(user_id).execute(tx.conn()).await?;
    Ok(())
}

/// Records `step` as used if it is later than the last accepted one; answers whether it was (a
/// code is accepted once, even by two requests at the same moment).
pub async fn accept_step(tx: &mut TenantTx, user_id: Uuid, step: i64) -> Result<bool, sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.users SET mfa_last_step = $2 \
         WHERE id = $1 AND mfa_secret IS NOT NULL AND COALESCE(mfa_last_step, -1) < $2 RETURNING id",
    );
    Ok(sqlx::query_scalar::<_, Uuid>(&sql).bind(user_id).bind(step).fetch_optional(tx.conn()).await?.is_some())
}

/// Replaces the user's recovery codes (their hashes).
pub async fn replace_recovery_codes(tx: &mut TenantTx, user_id: Uuid, hashes: &[String]) -> Result<(), sqlx::Error> {
    let sql = tx.sql("DELETE FROM {t}.mfa_recovery_codes WHERE user_id = $1");
    sqlx::query(&sql).bind(user_id).execute(tx.conn()).await?;
    let sql = tx.sql(
        "INSERT INTO {t}.mfa_recovery_codes (id, user_id, code_hash) \
         SELECT gen_random_uuid(), $1, hash FROM unnest($2::text[]) AS hash",
    );
    sqlx::query(&sql).bind(user_id).bind(hashes).execute(tx.conn()).await?;
    Ok(())
}

/// The user's unused recovery codes (id, hash), locked: a code is checked and used up in one
/// transaction, so two sign-ins with the same code cannot both pass.
pub async fn unused_recovery_codes(tx: &mut TenantTx, user_id: Uuid) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let sql = tx.sql(
        "SELECT id, code_hash FROM {t}.mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL ORDER BY id FOR UPDATE",
    );
    sqlx::query_as(&sql).bind(user_id).fetch_all(tx.conn()).await
}

pub async fn use_recovery_code(tx: &mut TenantTx, id: Uuid) -> Result<(), sqlx::Error> {
    let sql = tx.sql("UPDATE {t}.mfa_recovery_codes SET used_at = now() WHERE id = $1");
    sqlx::query(&sql).bind(id).execute(tx.conn()).await?;
    Ok(())
}

/// Recovery codes not used yet.
pub async fn recovery_codes_left(db: &TenantDb, user_id: Uuid) -> Result<i64, sqlx::Error> {
    let sql = db.sql("SELECT count(*) FROM {t}.mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL");
    sqlx::query_scalar(&sql).bind(user_id).fetch_one(db.executor()).await
}

/// The second step of a sign-in, locked: its user and wrong codes so far; `None` when the
/// token is unknown, used or expired.
#[derive(Debug, sqlx::FromRow)]
pub struct Challenge {
    pub id: Uuid,
    pub user_id: Uuid,
    pub attempts: i32,
}

pub async fn find_challenge_for_update(tx: &mut TenantTx, digest: &[u8]) -> Result<Option<Challenge>, sqlx::Error> {
    let sql = tx.sql(
        "SELECT id, user_id, attempts FROM {t}.user_tokens \
         WHERE token_hash = $1 AND purpose = 'mfa_challenge' AND used_at IS NULL AND expires_at > now() FOR UPDATE",
    );
    sqlx::query_as(&sql).bind(digest).fetch_optional(tx.conn()).await
}

/// Counts a wrong code; the challenge is over once `max` were wrong.
pub async fn count_wrong(tx: &mut TenantTx, id: Uuid, max: i32) -> Result<(), sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.user_tokens SET attempts = attempts + 1, \
           used_at = CASE WHEN attempts + 1 >= $2 THEN now() END WHERE id = $1",
    );
    sqlx::query(&sql).bind(id).bind(max).execute(tx.conn()).await?;
    Ok(())
}

pub async fn finish_challenge(tx: &mut TenantTx, id: Uuid) -> Result<(), sqlx::Error> {
    let sql = tx.sql("UPDATE {t}.user_tokens SET used_at = now() WHERE id = $1");
    sqlx::query(&sql).bind(id).execute(tx.conn()).await?;
    Ok(())
}
