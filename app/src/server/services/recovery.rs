//! Password recovery (Voki's contract: email + tenant, time-limited, single-use). The request
//! answers the same way, at once, whether or not the account exists: the lookup and the email
//! happen after the answer. The reset checks the token before any password is hashed, and ends
//! every session, refresh family and access token of the user.
use time::OffsetDateTime;

use crate::{
    error::AppError,
    server::{
        db::tenant::{
            sessions,
            user_tokens::{self, Purpose},
            users,
        },
        domain::{body, email::Email, fields::Fields, BLANK},
        mail::templates::Template,
        password,
        services::{
            mail::{self, notices, Recipient},
            profile::check_password_policy,
            throttle,
        },
        state::Core,
        tenancy::{slug::Slug, tenant::Tenant},
        tokens,
    },
};

/// A reset link works for an hour.
const RESET_TTL: time::Duration = time::Duration::minutes(60);

body! {
    /// `POST /api/auth/forgot-password` and the request form.
    pub struct ForgotPassword {
        #[schema(required = true, nullable = false, max_length = 254, pattern = r"^[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+@[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*\.[^@\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*[^@.\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$")] email: String,
        #[schema(required = true, nullable = false, pattern = r"^(?!pg-)(?!.*--)[a-z][a-z0-9-]{0,38}[a-z0-9]$")] tenant: String,
    }
}

body! {
    /// `POST /api/auth/reset-password` and the reset form.
    pub struct ResetPassword {
        #[schema(required = true, nullable = false, min_length = 1)] token: String,
        #[schema(required = true, nullable = false, min_length = 12, max_length = 128)] password: String,
    }
}

/// Accepts a recovery request. Answers before looking anything up, so neither the answer nor its
/// timing tells whether the account exists. Limited per client address and per account.
pub async fn request_reset(core: &Core, input: ForgotPassword, client: &str) -> Result<(), AppError> {
    let mut fields = Fields::new();
    let email = fields.required("email", input.email.as_deref(), Email::parse);
    // A name that cannot be a workspace is refused like a malformed address; an unknown one is
    // answered like a known one (no enumeration).
    let tenant = fields
        .required("tenant", input.tenant.as_deref(), |raw| Slug::parse(raw.trim()).map_err(|err| err.to_string()));
    let (Some(email), Some(tenant), true) = (email, tenant, fields.is_empty()) else {
        return Err(fields.into_error());
    };
    throttle::recovery(core, client, tenant.as_str(), email.as_str()).await?;

    let core = core.clone();
    let tenant = tenant.as_str().to_string();
    tokio::spawn(async move {
        if let Err(err) = send_reset_link(&core, &tenant, &email).await {
            tracing::error!(error = %err, "password recovery email not queued");
        }
    });
    Ok(())
}

/// Queues the reset link when the account exists, is active and has a password.
async fn send_reset_link(core: &Core, tenant: &str, email: &Email) -> Result<(), sqlx::Error> {
    let Ok(slug) = Slug::parse(tenant) else { return Ok(()) };
    let Some(tenant) = core.tenants.get(&slug).await? else { return Ok(()) };
    let mut tx = tenant.db(&core.pool).begin().await?;
    let Some(user) = users::find_active_with_password(&mut tx, email.as_str()).await? else { return Ok(()) };
    let token = tokens::new_tenant_token(&tenant.slug);
    let expires = OffsetDateTime::now_utc() + RESET_TTL;
    user_tokens::replace(&mut tx, user.id, Purpose::PasswordReset, &tokens::digest(&token), expires).await?;
    let from = mail::sender(&mut tx, &tenant).await?;
    let link = mail::link(&core.settings, &format!("/reset-password#{token}"));
    let to = Recipient { email: &user.email, locale: user.locale() };
    let template = Template::PasswordReset { name: &user.name, link: &link };
    mail::queue(tx.conn(), &from, &to, &template, None).await?;
    tx.commit().await
}

fn invalid_token() -> AppError {
    AppError::Unprocessable {
        detail: "This password reset link is invalid, expired or already used".into(),
        code: "invalid_token".into(),
    }
}

/// Sets a new password with a reset token; answers the tenant the account belongs to.
pub async fn reset(core: &Core, input: ResetPassword) -> Result<std::sync::Arc<Tenant>, AppError> {
    let mut fields = Fields::new();
    let token = input.token.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if token.is_none() {
        fields.add("token", BLANK);
    }
    match input.password.as_deref().filter(|p| !p.is_empty()) {
        None => fields.add("password", BLANK),
        Some(p) => {
            if let Some(problem) = check_password_policy(p, &[]) {
                fields.add("password", problem);
            }
        }
    }
    let (Some(token), Some(password), true) = (token, input.password, fields.is_empty()) else {
        return Err(fields.into_error());
    };
    let slug = tokens::token_tenant(token).ok_or_else(invalid_token)?;
    let tenant = core.tenants.get(&slug).await?.ok_or_else(invalid_token)?;
    let db = tenant.db(&core.pool);
    let digest = tokens::digest(token);
    // The cheap check first: an unknown or used token costs no argon2 work.
    let user_id = user_tokens::peek(&db, &digest, Purpose::PasswordReset).await?.ok_or_else(invalid_token)?;
    if let Some(user) = users::find_by_id(&db, user_id).await? {
        let personal = [tenant.slug.as_str(), tenant.name.as_str(), user.email.as_str()];
        if let Some(problem) = check_password_policy(&password, &personal) {
            return Err(AppError::field("password", &problem));
        }
    }
    let hash = password::hash(password).await?;

    let mut tx = db.begin().await?;
    let user_id = user_tokens::redeem(&mut tx, &digest, Purpose::PasswordReset).await?.ok_or_else(invalid_token)?;
    let user = users::find_for_update(&mut tx, user_id).await?.filter(|u| u.active).ok_or_else(invalid_token)?;
    // Moves the security version: every access token and browser session of the user ends.
    users::set_password(&mut tx, user.id, &hash).await?;
    sessions::end(&mut tx, user.id, None, None).await?;
    notices::password_changed(core, &mut tx, &tenant, &user).await?;
    tx.commit().await?;
    Ok(tenant)
}
