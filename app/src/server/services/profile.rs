//! The signed-in user's own profile: name, language and password.
use crate::error::AppError;
use crate::i18n::Locale;
use crate::model::{TenantDto, Viewer};
use crate::server::db::tenant::refresh_tokens;
use crate::server::db::tenant::users::{self, ProfileChange, UserRow};
use crate::server::domain::{body, fields::Fields, name::Name, BLANK};
use crate::server::{password, services::mail::notices, state::Core, tenancy::context::TenantContext};

pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 128;

/// What the shell and dashboard show about the signed-in user and their workspace.
pub fn viewer(ctx: &TenantContext) -> Viewer {
    Viewer {
        user: ctx.user.to_dto(),
        tenant: TenantDto { slug: ctx.tenant.slug.to_string(), name: ctx.tenant.name.clone() },
        plan_name: ctx.tenant.plan_name.clone(),
        subscription_status: ctx.tenant.status,
        writable: ctx.tenant.accepts_writes(),
        email_verified: ctx.tenant.email_verified,
    }
}

body! {
    /// `PUT /api/v1/users/me` and the profile form.
    pub struct UpdateMe { name: String, locale: String, current_password: String, password: String }
}

pub fn check_password_policy(password: &str) -> Option<String> {
    let len = password.chars().count();
    if len < PASSWORD_MIN {
        Some(format!("should be at least {PASSWORD_MIN} characters"))
    } else if len > PASSWORD_MAX {
        Some(format!("should be at most {PASSWORD_MAX} characters"))
    } else if is_common(password) {
        Some("is too common".into())
    } else {
        None
    }
}

/// Passwords everyone tries first (breach lists), compared without regard to case.
fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    include_str!("../common_passwords.txt").lines().filter(|l| !l.starts_with('#')).any(|l| l == lower)
}

/// Updates name and language, and the password when the current one is given. A password change
/// moves the security version: every other token and session of the user stops working.
pub async fn update_me(core: &Core, ctx: &TenantContext, input: UpdateMe) -> Result<UserRow, AppError> {
    let mut fields = Fields::new();
    let name = fields.optional("name", input.name.as_deref(), Name::parse);
    let locale = fields.locale("locale", input.locale.as_deref());
    if let Some(new) = &input.password {
        if let Some(problem) = check_password_policy(new) {
            fields.add("password", problem);
        }
        if input.current_password.as_deref().unwrap_or_default().is_empty() {
            fields.add("current_password", BLANK);
        }
    }
    fields.finish()?;

    let new_hash = match &input.password {
        Some(new) => Some(password::hash(new.clone()).await?),
        None => None,
    };
    let mut tx = ctx.db.begin().await?;
    if let Some(current) = input.current_password.filter(|_| input.password.is_some()) {
        let stored = users::password_hash(&mut tx, ctx.user.id).await?;
        if !password::verify(current, stored).await? {
            return Err(AppError::field("current_password", "is incorrect"));
        }
    }
    let change = ProfileChange { name: name.as_ref().map(Name::as_str), locale, password_hash: new_hash.as_deref() };
    let user = users::update_profile(&mut tx, ctx.user.id, &change).await?.ok_or(AppError::NotFound)?;
    if new_hash.is_some() {
        refresh_tokens::revoke_all_of_user(&mut tx, ctx.user.id).await?;
        notices::password_changed(core, &mut tx, &ctx.tenant, &user).await?;
    }
    tx.commit().await?;
    Ok(user)
}

pub async fn set_locale(ctx: &TenantContext, locale: Locale) -> Result<(), AppError> {
    users::set_locale(&ctx.db, ctx.user.id, locale).await?;
    Ok(())
}
