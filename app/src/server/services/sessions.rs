//! Sign-ins people can see and end: every browser session and API refresh family is a row of
//! the tenant's `user_sessions`, begun at sign-in with an absolute end, and checked on every
//! request together with the user (`tenancy::context::resolve`).
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

use crate::{
    error::AppError,
    model::{Role, SessionDto},
    server::{
        db::tenant::{
            sessions::{self, Kind, NewSession},
            users,
        },
        services::authz,
        state::Core,
        tenancy::{context::TenantContext, db::TenantTx},
    },
};

/// Where a sign-in comes from, as the request shows it.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub address: String,
    pub user_agent: String,
}

/// Begins a session for a context whose credentials were just checked, inside the caller's
/// transaction (an API login writes its first refresh token in the same one), and answers the
/// context bound to it.
pub async fn begin_in(
    core: &Core,
    tx: &mut TenantTx,
    ctx: &TenantContext,
    kind: Kind,
    client: &Client,
) -> Result<TenantContext, AppError> {
    let max_age = match kind {
        Kind::Browser => core.settings.browser_session_max_age,
        Kind::Api => core.settings.refresh_family_max_age,
    };
    let new = NewSession {
        id: Uuid::new_v4(),
        user_id: ctx.user.id,
        kind,
        credential_version: ctx.user.security_version,
        address: &client.address,
        user_agent: &client.user_agent,
        expires_at: OffsetDateTime::now_utc() + max_age,
    };
    sessions::insert(tx, &new).await?;
    users::record_sign_in(tx, ctx.user.id).await?;
    Ok(TenantContext { session_id: new.id, ..ctx.clone() })
}

/// [`begin_in`] in a transaction of its own (a browser sign-in).
pub async fn begin(core: &Core, ctx: &TenantContext, kind: Kind, client: &Client) -> Result<TenantContext, AppError> {
    let mut tx = ctx.db.begin().await?;
    let ctx = begin_in(core, &mut tx, ctx, kind, client).await?;
    tx.commit().await?;
    Ok(ctx)
}

/// The signed-in user's live sessions, the current one marked.
pub async fn list(ctx: &TenantContext) -> Result<Vec<SessionDto>, AppError> {
    let ts = |t: &OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    let rows = sessions::live_of_user(&ctx.db, ctx.user.id).await?;
    Ok(rows
        .into_iter()
        .map(|row| SessionDto {
            id: row.id,
            kind: row.kind,
            current: row.id == ctx.session_id,
            address: row.address,
            user_agent: row.user_agent,
            created_at: ts(&row.created_at),
            last_used_at: ts(&row.last_used_at),
            expires_at: ts(&row.expires_at),
        })
        .collect())
}

/// Ends one of the user's own sessions (404 for any other id, like a missing one).
pub async fn end_own(ctx: &TenantContext, id: Uuid) -> Result<(), AppError> {
    let mut tx = ctx.db.begin().await?;
    let ended = sessions::end(&mut tx, ctx.user.id, Some(id), None).await?;
    tx.commit().await?;
    if ended == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Ends every session of the user but the current one. Answers how many ended.
pub async fn end_others(ctx: &TenantContext) -> Result<u64, AppError> {
    let mut tx = ctx.db.begin().await?;
    let ended = sessions::end(&mut tx, ctx.user.id, None, Some(ctx.session_id)).await?;
    tx.commit().await?;
    Ok(ended)
}

/// A manager (or owner) ends every session of another user without deactivating them; never of
/// someone above their own role. Answers how many ended.
pub async fn end_of_user(ctx: &TenantContext, user_id: Uuid) -> Result<u64, AppError> {
    authz::require(ctx, Role::Manager)?;
    let user = users::find_by_id(&ctx.db, user_id).await?.ok_or(AppError::NotFound)?;
    if !authz::may_grant(ctx.user.role, user.role) {
        return Err(AppError::Forbidden);
    }
    let mut tx = ctx.db.begin().await?;
    let keep = (user_id == ctx.user.id).then_some(ctx.session_id);
    let ended = sessions::end(&mut tx, user_id, None, keep).await?;
    tx.commit().await?;
    Ok(ended)
}

/// The owner signs everyone in the company out (a suspected breach): every session of every
/// user ends but the owner's current one. Answers how many ended.
pub async fn end_everyones(ctx: &TenantContext) -> Result<u64, AppError> {
    authz::require(ctx, Role::Owner)?;
    let mut tx = ctx.db.begin().await?;
    let ended = sessions::end_everyones(&mut tx, ctx.session_id).await?;
    tx.commit().await?;
    tracing::warn!(by = %ctx.user.id, ended, "every session of the company ended");
    Ok(ended)
}
