//! Invitations of users created without a password (token digests only). One invitation per
//! invited user; sending it again replaces its token, so the earlier link dies.
use time::OffsetDateTime;
use uuid::Uuid;

use crate::server::tenancy::db::{TenantDb, TenantTx};

pub async fn insert(
    tx: &mut TenantTx,
    user_id: Uuid,
    invited_by: Option<Uuid>,
    digest: &[u8],
    expires_at: OffsetDateTime,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::new_v4();
    let sql = tx.sql(
        "INSERT INTO {t}.user_invitations (id, user_id, token_hash, expires_at, invited_by) VALUES ($1, $2, $3, $4, $5)",
    );
    sqlx::query(&sql).bind(id).bind(user_id).bind(digest).bind(expires_at).bind(invited_by).execute(tx.conn()).await?;
    Ok(id)
}

/// Uses up a valid, unexpired invitation and returns its user.
pub async fn redeem(tx: &mut TenantTx, digest: &[u8]) -> Result<Option<Uuid>, sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.user_invitations SET used_at = now() \
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id",
    );
    sqlx::query_scalar(&sql).bind(digest).fetch_optional(tx.conn()).await
}

/// The invited person's email when a token names a usable invitation (checked before any
/// password is hashed); `None` otherwise.
pub async fn usable_email(db: &TenantDb, digest: &[u8]) -> Result<Option<String>, sqlx::Error> {
    let sql = db.sql(
        "SELECT u.email FROM {t}.user_invitations i JOIN {t}.users u ON u.id = i.user_id \
         WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > now() AND u.active",
    );
    sqlx::query_scalar(&sql).bind(digest).fetch_optional(db.executor()).await
}

/// What the invitation page shows before asking for a password: whom the link is for, who sent
/// it, and whether it can still be used.
#[derive(Debug, sqlx::FromRow)]
pub struct InvitationPreview {
    pub name: String,
    pub email: String,
    pub invited_by: Option<String>,
    pub used: bool,
    pub expired: bool,
    pub user_active: bool,
}

/// The invitation a token names, used or not.
pub async fn preview(db: &TenantDb, digest: &[u8]) -> Result<Option<InvitationPreview>, sqlx::Error> {
    let sql = db.sql(
        "SELECT u.name, u.email, b.name AS invited_by, i.used_at IS NOT NULL AS used, \
         i.expires_at <= now() AS expired, u.active AS user_active \
         FROM {t}.user_invitations i JOIN {t}.users u ON u.id = i.user_id \
         LEFT JOIN {t}.users b ON b.id = i.invited_by WHERE i.token_hash = $1",
    );
    sqlx::query_as(&sql).bind(digest).fetch_optional(db.executor()).await
}

/// An invitation still waiting for its user (not accepted), as listed to managers.
#[derive(Debug, sqlx::FromRow)]
pub struct PendingInvitation {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub role: String,
    pub invited_by: Option<String>,
    pub expires_at: OffsetDateTime,
    pub inserted_at: OffsetDateTime,
}

const PENDING: &str = "SELECT i.id, i.user_id, u.name, u.email, u.role, b.name AS invited_by, i.expires_at, \
     i.inserted_at FROM {t}.user_invitations i JOIN {t}.users u ON u.id = i.user_id \
     LEFT JOIN {t}.users b ON b.id = i.invited_by \
     WHERE i.used_at IS NULL AND u.password_hash IS NULL";

/// Every invitation not accepted yet (pending and expired), newest first.
pub async fn pending(db: &TenantDb) -> Result<Vec<PendingInvitation>, sqlx::Error> {
    let sql = db.sql(&format!("{PENDING} ORDER BY i.inserted_at DESC, i.id"));
    sqlx::query_as(&sql).fetch_all(db.executor()).await
}

/// One invitation not accepted yet, locked for resending or revoking.
pub async fn find_pending_for_update(tx: &mut TenantTx, id: Uuid) -> Result<Option<PendingInvitation>, sqlx::Error> {
    let sql = tx.sql(&format!("{PENDING} AND i.id = $1 FOR UPDATE OF i"));
    sqlx::query_as(&sql).bind(id).fetch_optional(tx.conn()).await
}

/// A new token and validity for an invitation; the previous link stops working.
pub async fn renew(
    tx: &mut TenantTx,
    id: Uuid,
    invited_by: Option<Uuid>,
    digest: &[u8],
    expires_at: OffsetDateTime,
) -> Result<(), sqlx::Error> {
    let sql = tx.sql(
        "UPDATE {t}.user_invitations SET token_hash = $2, expires_at = $3, invited_by = $4, inserted_at = now() \
         WHERE id = $1",
    );
    sqlx::query(&sql).bind(id).bind(digest).bind(expires_at).bind(invited_by).execute(tx.conn()).await?;
    Ok(())
}
