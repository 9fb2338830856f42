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
            sessions::{self as sessions_db, Kind},
            users::{self, UserCredentials, UserRow},
        },
        domain::{body, fields::Fields, BLANK},
        error::internal,
        password,
        services::{
            lockout,
            mail::notices,
            sessions::{self, Client},
        },
        state::Core,
        tenancy::{context::TenantContext, slug::Slug, tenant::Tenant},
        tokens::{self, Subject},
    },
};

body! {
    /// `POST /api/auth/login` and the sign-in form.
    pub struct Credentials {
        #[schema(required = true, nullable = false, pattern = r"^(?!pg-)(?!.*--)[a-z][a-z0-9-]{0,38}[a-z0-9]$")] tenant: String,
        #[schema(required = true, nullable = false, max_length = 254, pattern = r"^[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$")] email: String,
        #[schema(required = true, nullable = false, min_length = 1)] password: String,
    }
}

body! {
    /// `POST /api/auth/refresh` and `/logout`.
    pub struct RefreshToken { #[schema(required = true, nullable = false, min_length = 1)] refresh_token: String }
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
/// answer the same error after the same argon2 work. Each attempt takes its place in the
/// account's failure allowances (`lockout`) before the hash is computed. The context answered
/// is not bound to a session yet (`session_id` is nil): the caller begins one.
pub async fn authenticate(core: &Core, creds: Credentials, client: &Client) -> Result<TenantContext, AppError> {
    let (tenant, email, password) = require(creds)?;
    let attempt = lockout::begin(core, &tenant, &email, &client.address).await?;

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
            attempt.succeeded(core).await?;
            let db = tenant.db(&core.pool);
            Ok(TenantContext { tenant, db, user, session_id: Uuid::nil(), api_key: None })
        }
        (tenant, user) => {
            if attempt.failed() {
                if let (Some(tenant), Some(user)) = (tenant, user.filter(|u| u.active)) {
                    if let Err(err) = notices::sign_ins_paused(core, &tenant, &user, &client.address).await {
                        tracing::warn!(error = %err, "sign-in pause notice not queued");
                    }
                }
            }
            Err(AppError::InvalidCredentials)
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    #[serde(flatten)]
    pub tokens: TokenPair,
    pub user: UserDto,
    pub tenant: TenantDto,
}

fn access_token(core: &Core, tenant: &Tenant, user: &UserRow, session_id: Uuid) -> Result<String, AppError> {
    let subject = Subject {
        user_id: user.id,
        role: user.role,
        email: &user.email,
        security_version: user.security_version,
        session_id,
    };
    core.tokens.issue_access(tenant, &subject).map_err(|e| internal("signing access token", e))
}

fn pair(
    core: &Core,
    tenant: &Tenant,
    user: &UserRow,
    session_id: Uuid,
    refresh_token: String,
) -> Result<TokenPair, AppError> {
    Ok(TokenPair {
        access_token: access_token(core, tenant, user, session_id)?,
        refresh_token,
        token_type: "Bearer",
        expires_in: core.tokens.access_ttl_secs(),
    })
}

/// Begins an API session (a refresh family) for checked credentials: a fresh access token and
/// the family's first refresh token. Answers the context bound to the new session too.
pub async fn issue_tokens(
    core: &Core,
    ctx: &TenantContext,
    client: &Client,
) -> Result<(TokenPair, TenantContext), AppError> {
    let mut tx = ctx.db.begin().await?;
    let ctx = sessions::begin_in(core, &mut tx, ctx, Kind::Api, client).await?;
    let refresh_token = tokens::new_tenant_token(&ctx.tenant.slug);
    let expires = refresh_expiry(core, OffsetDateTime::now_utc() + core.settings.refresh_family_max_age);
    refresh_tokens::insert(&mut tx, ctx.session_id, ctx.user.id, &tokens::digest(&refresh_token), expires).await?;
    tx.commit().await?;
    let tokens = pair(core, &ctx.tenant, &ctx.user, ctx.session_id, refresh_token)?;
    Ok((tokens, ctx))
}

/// A refresh token lives `refresh_token_ttl`, never past its family's absolute end.
fn refresh_expiry(core: &Core, family_ends: OffsetDateTime) -> OffsetDateTime {
    (OffsetDateTime::now_utc() + core.settings.refresh_token_ttl).min(family_ends)
}

/// How long after an exchange the same refresh token may be exchanged again and get the same
/// successor (a client that lost the answer and retried, two tabs refreshing at once). Later, a
/// second exchange is reuse: the family is revoked.
pub const REFRESH_GRACE: time::Duration = time::Duration::seconds(10);

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

/// Exchanges a refresh token for a new pair. The presented token is used up; presenting it
/// again within [`REFRESH_GRACE`] answers the same successor (while that is unused), later it
/// revokes the whole family, ending the chain for everyone holding it. The family must be live
/// (not ended, before its absolute end) and begun under the user's current password.
pub async fn refresh(core: &Core, input: RefreshToken) -> Result<TokenPair, AppError> {
    let token = input.refresh_token.filter(|t| !t.is_empty()).ok_or_else(|| AppError::field("refresh_token", BLANK))?;
    let slug = tokens::token_tenant(&token).ok_or_else(invalid_refresh)?;
    let tenant = core.tenants.get(&slug).await?.ok_or_else(invalid_refresh)?;
    let db = tenant.db(&core.pool);
    let mut tx = db.begin().await?;
    let stored =
        refresh_tokens::find_for_update(&mut tx, &tokens::digest(&token)).await?.ok_or_else(invalid_refresh)?;
    let successor = core.tokens.successor(&slug, &token);
    let now = OffsetDateTime::now_utc();
    let retried = match stored.used_at {
        None => false,
        Some(used) if stored.revoked_at.is_none() && now - used <= REFRESH_GRACE => {
            refresh_tokens::is_unused(&mut tx, &tokens::digest(&successor)).await?
        }
        Some(_) => false,
    };
    if stored.revoked_at.is_some() || (stored.used_at.is_some() && !retried) {
        refresh_tokens::revoke_family(&mut tx, stored.family_id).await?;
        tx.commit().await?;
        tracing::warn!(tenant = %slug, family = %stored.family_id, "refresh token reuse: family revoked");
        return Err(invalid_refresh());
    }
    if stored.expires_at <= now {
        return Err(invalid_refresh());
    }
    let session = sessions_db::find_live_for_update(&mut tx, stored.family_id).await?.ok_or_else(invalid_refresh)?;
    let user = users::find_by_id(&db, stored.user_id)
        .await?
        .filter(|u| u.active && u.security_version == session.credential_version)
        .ok_or_else(invalid_refresh)?;
    if !retried {
        refresh_tokens::mark_used(&mut tx, stored.id).await?;
        let expires = refresh_expiry(core, session.expires_at);
        refresh_tokens::insert(&mut tx, stored.family_id, user.id, &tokens::digest(&successor), expires).await?;
        sessions_db::touch_in(&mut tx, session.id).await?;
    }
    tx.commit().await?;
    pair(core, &tenant, &user, session.id, successor)
}

/// Ends the refresh token's session: its family is revoked and the access tokens issued in it
/// stop working at once. Unknown tokens are ignored: the outcome is the same.
pub async fn logout(core: &Core, input: RefreshToken) -> Result<(), AppError> {
    let token = input.refresh_token.filter(|t| !t.is_empty()).ok_or_else(|| AppError::field("refresh_token", BLANK))?;
    let Some(slug) = tokens::token_tenant(&token) else { return Ok(()) };
    let Some(tenant) = core.tenants.get(&slug).await? else { return Ok(()) };
    let mut tx = tenant.db(&core.pool).begin().await?;
    if let Some(stored) = refresh_tokens::find_for_update(&mut tx, &tokens::digest(&token)).await? {
        refresh_tokens::revoke_family(&mut tx, stored.family_id).await?;
        sessions_db::end(&mut tx, stored.user_id, Some(stored.family_id), None).await?;
    }
    tx.commit().await?;
    Ok(())
}
