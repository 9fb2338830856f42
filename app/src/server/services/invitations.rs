//! Invitations by email (manager and above): a user created without a password gets a link
//! (`/invitation/<token>`, single use, 7 days) naming the company and who invited them. The
//! invited user holds a seat of the plan until revoked. Sending again replaces the token, so the
//! earlier link dies. Invitations wait until the owner confirmed the signup address.
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

use crate::{
    error::AppError,
    model::{InvitationDto, Role},
    server::{
        db::tenant::{
            company,
            invitations::{self, PendingInvitation},
            users::{self, UserRow},
        },
        mail::templates::Template,
        services::{
            authz,
            mail::{self, Recipient},
        },
        state::Core,
        tenancy::{context::TenantContext, db::TenantTx},
        tokens,
    },
};

/// Invitation links are valid for a week.
const INVITATION_TTL: time::Duration = time::Duration::days(7);

/// The new link of an invitation, as sent and as shown to the admin.
pub struct Sent {
    /// `/invitation/<token>`: the admin may also hand it over another way.
    pub path: String,
}

/// Creates (or, with `existing`, renews) the invitation of `user` and queues its email, in `tx`.
pub async fn send(
    core: &Core,
    ctx: &TenantContext,
    tx: &mut TenantTx,
    user: &UserRow,
    existing: Option<Uuid>,
) -> Result<Sent, sqlx::Error> {
    let token = tokens::new_tenant_token(&ctx.tenant.slug);
    let digest = tokens::digest(&token);
    let expires = OffsetDateTime::now_utc() + INVITATION_TTL;
    match existing {
        Some(id) => invitations::renew(tx, id, ctx.person_id(), &digest, expires).await?,
        None => {
            invitations::insert(tx, user.id, ctx.person_id(), &digest, expires).await?;
        }
    }
    let path = format!("/invitation/{token}");
    let from = mail::sender(tx, &ctx.tenant).await?;
    let link = mail::link(&core.settings, &path);
    let template = Template::Invitation { name: &user.name, inviter: &ctx.user.name, link: &link };
    mail::queue(tx.conn(), &from, &Recipient { email: &user.email, locale: user.locale() }, &template, None).await?;
    Ok(Sent { path })
}

fn to_dto(row: PendingInvitation) -> InvitationDto {
    let ts = |t: OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    let status = if row.expires_at > OffsetDateTime::now_utc() { "pending" } else { "expired" };
    InvitationDto {
        id: row.id,
        user_id: row.user_id,
        name: row.name,
        email: row.email,
        role: Role::parse(&row.role).unwrap_or(Role::Attendant),
        invited_by: row.invited_by,
        status: status.into(),
        expires_at: ts(row.expires_at),
        inserted_at: ts(row.inserted_at),
    }
}

/// `GET /api/v1/invitations`: every invitation not accepted yet, pending and expired.
pub async fn list(ctx: &TenantContext) -> Result<Vec<InvitationDto>, AppError> {
    authz::require(ctx, Role::Manager)?;
    Ok(invitations::pending(&ctx.db).await?.into_iter().map(to_dto).collect())
}

/// What resending answers: the invitation and its new link.
pub struct Resent {
    pub invitation: InvitationDto,
    pub invitation_path: String,
}

/// `POST /api/v1/invitations/:id/resend`: a new token and a week more; the old link is dead.
pub async fn resend(core: &Core, ctx: &TenantContext, id: Uuid) -> Result<Resent, AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Manager)?;
    ctx.tenant.ensure_verified()?;
    let mut tx = ctx.db.begin().await?;
    let pending = invitations::find_pending_for_update(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let user = users::find_for_update(&mut tx, pending.user_id).await?.ok_or(AppError::NotFound)?;
    if user.role > ctx.user.role {
        return Err(AppError::Forbidden);
    }
    let sent = send(core, ctx, &mut tx, &user, Some(id)).await?;
    let refreshed = invitations::find_pending_for_update(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Resent { invitation: to_dto(refreshed), invitation_path: sent.path })
}

/// `DELETE /api/v1/invitations/:id`: the link dies and the invited user leaves, freeing the seat.
pub async fn revoke(ctx: &TenantContext, id: Uuid) -> Result<(), AppError> {
    ctx.ensure_writable()?;
    authz::require(ctx, Role::Manager)?;
    let mut tx = ctx.db.begin().await?;
    company::lock(&mut tx).await?;
    let pending = invitations::find_pending_for_update(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    if Role::parse(&pending.role).is_none_or(|role| role > ctx.user.role) {
        return Err(AppError::Forbidden);
    }
    if !users::delete_pending(&mut tx, pending.user_id).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}
