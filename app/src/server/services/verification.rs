//! The owner's address, confirmed: signup sends a link (`/verify-email#<token>`, single use,
//! 7 days); until it is used the workspace works but checkout and invitations wait, and after
//! 7 days an unconfirmed workspace is removed (see `mail::notices::remove_unverified`).
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    error::AppError,
    i18n::Locale,
    model::Role,
    server::{
        db::{
            public::tenants,
            tenant::user_tokens::{self, Purpose},
        },
        domain::{body, BLANK},
        mail::templates::Template,
        services::{
            authz,
            mail::{self, Recipient},
            throttle,
        },
        state::Core,
        tenancy::{context::TenantContext, db::TenantTx, tenant::Tenant},
        tokens,
    },
};

const VERIFICATION_TTL: time::Duration = time::Duration::days(7);

body! {
    /// `POST /api/auth/verify-email` and the verification form.
    pub struct VerifyEmail { #[schema(required = true, nullable = false, min_length = 1)] token: String }
}

/// Queues a new verification link for the user (earlier links stop working), in `tx`.
pub async fn send_link(
    core: &Core,
    tx: &mut TenantTx,
    tenant: &Tenant,
    user_id: Uuid,
    name: &str,
    email: &str,
    locale: Locale,
) -> Result<(), sqlx::Error> {
    let token = tokens::new_tenant_token(&tenant.slug);
    let expires = OffsetDateTime::now_utc() + VERIFICATION_TTL;
    user_tokens::replace(tx, user_id, Purpose::EmailVerification, &tokens::digest(&token), expires).await?;
    let from = mail::sender(tx, tenant).await?;
    let link = mail::link(&core.settings, &format!("/verify-email#{token}"));
    let template = Template::VerifyEmail { name, link: &link };
    mail::queue(tx.conn(), &from, &Recipient { email, locale }, &template, None).await?;
    Ok(())
}

fn invalid_token() -> AppError {
    AppError::Unprocessable {
        detail: "This verification link is invalid, expired or already used".into(),
        code: "invalid_token".into(),
    }
}

/// Confirms the address the token was sent to; the workspace is verified from now on.
pub async fn verify(core: &Core, input: VerifyEmail) -> Result<(), AppError> {
    let token = input.token.as_deref().map(str::trim).filter(|t| !t.is_empty());
    let token = token.ok_or_else(|| AppError::field("token", BLANK))?;
    let slug = tokens::token_tenant(token).ok_or_else(invalid_token)?;
    let tenant = core.tenants.get(&slug).await?.ok_or_else(invalid_token)?;
    let mut tx = tenant.db(&core.pool).begin().await?;
    user_tokens::redeem(&mut tx, &tokens::digest(token), Purpose::EmailVerification)
        .await?
        .ok_or_else(invalid_token)?;
    tenants::mark_verified(tx.conn(), tenant.id).await?;
    tx.commit().await?;
    core.tenants.evict(&slug);
    Ok(())
}

/// Sends the signed-in owner a new link (the banner's "send again"); a few per hour.
pub async fn resend(core: &Core, ctx: &TenantContext) -> Result<(), AppError> {
    authz::require(ctx, Role::Owner)?;
    if ctx.tenant.email_verified {
        return Err(AppError::Conflict {
            detail: "The address is already confirmed".into(),
            code: "already_verified".into(),
        });
    }
    throttle::verification_resend(core, ctx.tenant.id).await?;
    let mut tx = ctx.db.begin().await?;
    send_link(core, &mut tx, &ctx.tenant, ctx.user.id, &ctx.user.name, &ctx.user.email, ctx.user.locale()).await?;
    tx.commit().await?;
    Ok(())
}
