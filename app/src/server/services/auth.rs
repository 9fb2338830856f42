//! Signing in, token refresh with rotation and reuse detection, signing out.
use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{
    error::AppError,
    model::{TenantDto, UserDto},
    server::{
        db::tenant::{
            refresh_tokens,
            users::{self, UserCredentials, UserRow},
        },
        domain::{body, fields::Fields, BLANK},
        error::internal,
        password,
        state::Core,
        tenancy::{context::TenantContext, slug::Slug, tenant::Tenant},
        tokens::{self, Subject},
    },
};

body! {
    /// `POST /api/auth/login` and the sign-in form.
    pub struct Credentials { tenant: String, email: String, password: String }
}

body! {
    /// `POST /api/auth/refresh` and `/logout`.
    pub struct RefreshToken { refresh_token: String }
}

/// Checks the three fields are present, giving a field map of what is missing. The password is
/// taken as typed (spaces count).
fn require(creds: Credentials) -> Result<(String, String, String), AppError> {
    let mut fields = Fields::new();
    let mut take = |name: &str, value: Option<String>, trim: bool| {
        let value = value.map(|v| if trim { v.trim().to_string() } else { v }).unwrap_or_default();
        if value.is_empty() {
            fields.add(name, BLANK);
        }
        value
    };
    let tenant = take("tenant", creds.tenant, true);
    let email = take("email", creds.email, true);
    let password = take("password", creds.password, false);
    fields.finish()?;
    Ok((tenant, email, password))
}

/// Verifies credentials. Unknown tenant, unknown email, inactive user and wrong password all
/// answer the same error after the same argon2 work. At most N failures per account per minute.
pub async fn authenticate(core: &Core, creds: Credentials) -> Result<TenantContext, AppError> {
    let (tenant, email, password) = require(creds)?;
    let account = format!("{}\u{0}{}", tenant.to_lowercase(), email.to_lowercase());
    core.login_failures.check(&account).map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;

    let tenant = match Slug::parse(&tenant) {
        Ok(slug) => core.tenants.get(&slug).await?,
        Err(_) => None,
    };
    let found = match &tenant {
        Some(t) => users::find_credentials(&t.db(&core.pool), &email).await?,
        None => None,
    };
    let (user, hash) = match found {
        Some(UserCredentials { user, password_hash }) => (Some(user), password_hash),
        None => (None, None),
    };
    let verified = password::verify(password, hash).await?;
    match (tenant, user) {
        (Some(tenant), Some(user)) if verified && user.active => {
            let db = tenant.db(&core.pool);
            Ok(TenantContext { tenant, db, user })
        }
        _ => {
            let _ = core.login_failures.hit(&account);
            Err(AppError::InvalidCredentials)
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoginResponse {
    #[serde(flatten)]
    pub tokens: TokenPair,
    pub user: UserDto,
    pub tenant: TenantDto,
}

fn access_token(core: &Core, tenant: &Tenant, user: &UserRow) -> Result<String, AppError> {
    let subject =
        Subject { user_id: user.id, role: user.role, email: &user.email, security_version: user.security_version };
    core.tokens.issue_access(tenant, &subject).map_err(|e| internal("signing access token", e))
}

/// A fresh access token and the first refresh token of a new family.
pub async fn issue_tokens(core: &Core, ctx: &TenantContext) -> Result<TokenPair, AppError> {
    let refresh_token = tokens::new_tenant_token(&ctx.tenant.slug);
    let expires = OffsetDateTime::now_utc() + core.settings.refresh_token_ttl;
    let mut tx = ctx.db.begin().await?;
    refresh_tokens::insert(&mut tx, Uuid::new_v4(), ctx.user.id, &tokens::digest(&refresh_token), expires).await?;
    tx.commit().await?;
    Ok(TokenPair {
        access_token: access_token(core, &ctx.tenant, &ctx.user)?,
        refresh_token,
        token_type: "Bearer",
        expires_in: core.tokens.access_ttl_secs(),
    })
}

pub fn login_response(tokens: TokenPair, ctx: &TenantContext) -> LoginResponse {
    LoginResponse {
        tokens,
        user: ctx.user.to_dto(),
        tenant: TenantDto { slug: ctx.tenant.slug.to_string(), name: ctx.tenant.name.clone() },
    }
}

fn invalid_refresh() -> AppError {
    AppError::unauthorized("Invalid refresh token")
}

/// Exchanges a refresh token for a new pair. The presented token is used up; presenting a
/// used (or revoked) token again revokes its whole family, ending the chain for everyone holding it.
pub async fn refresh(core: &Core, input: RefreshToken) -> Result<TokenPair, AppError> {
    let token = input.refresh_token.filter(|t| !t.is_empty()).ok_or_else(|| AppError::field("refresh_token", BLANK))?;
    let slug = tokens::token_tenant(&token).ok_or_else(invalid_refresh)?;
    let tenant = core.tenants.get(&slug).await?.ok_or_else(invalid_refresh)?;
    let db = tenant.db(&core.pool);
    let mut tx = db.begin().await?;
    let stored =
        refresh_tokens::find_for_update(&mut tx, &tokens::digest(&token)).await?.ok_or_else(invalid_refresh)?;
    if stored.used_at.is_some() || stored.revoked_at.is_some() {
        refresh_tokens::revoke_family(&mut tx, stored.family_id).await?;
        tx.commit().await?;
        tracing::warn!(tenant = %slug, family = %stored.family_id, "refresh token reuse: family revoked");
        return Err(invalid_refresh());
    }
    if stored.expires_at <= OffsetDateTime::now_utc() {
        return Err(invalid_refresh());
    }
    let user = users::find_by_id(&db, stored.user_id).await?.filter(|u| u.active).ok_or_else(invalid_refresh)?;
    refresh_tokens::mark_used(&mut tx, stored.id).await?;
    let next = tokens::new_tenant_token(&slug);
    let expires = OffsetDateTime::now_utc() + core.settings.refresh_token_ttl;
    refresh_tokens::insert(&mut tx, stored.family_id, user.id, &tokens::digest(&next), expires).await?;
    tx.commit().await?;
    Ok(TokenPair {
        access_token: access_token(core, &tenant, &user)?,
        refresh_token: next,
        token_type: "Bearer",
        expires_in: core.tokens.access_ttl_secs(),
    })
}

/// Revokes the refresh token's family. Unknown tokens are ignored: the outcome is the same.
pub async fn logout(core: &Core, input: RefreshToken) -> Result<(), AppError> {
    let token = input.refresh_token.filter(|t| !t.is_empty()).ok_or_else(|| AppError::field("refresh_token", BLANK))?;
    let Some(slug) = tokens::token_tenant(&token) else { return Ok(()) };
    let Some(tenant) = core.tenants.get(&slug).await? else { return Ok(()) };
    let mut tx = tenant.db(&core.pool).begin().await?;
    if let Some(stored) = refresh_tokens::find_for_update(&mut tx, &tokens::digest(&token)).await? {
        refresh_tokens::revoke_family(&mut tx, stored.family_id).await?;
    }
    tx.commit().await?;
    Ok(())
}
