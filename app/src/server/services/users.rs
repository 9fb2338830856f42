//! The signed-in user's own profile.
use crate::{
    error::{AppError, FieldErrors},
    i18n::Locale,
    model::TenantDto,
    model::Viewer,
    server::{
        db::{
            self,
            users::{ProfileChange, UserRow},
        },
        password,
        tenant::TenantContext,
    },
};

pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 128;

/// What the shell and dashboard show about the signed-in user and their workspace.
pub fn viewer(ctx: &TenantContext) -> Viewer {
    Viewer {
        user: ctx.user.to_dto(),
        tenant: TenantDto { slug: ctx.tenant.slug.to_string(), name: ctx.tenant.name.clone() },
        plan_name: ctx.tenant.plan_name.clone(),
        subscription_status: ctx.tenant.status.clone(),
        writable: ctx.tenant.accepts_writes(),
    }
}

#[derive(Debug, Default)]
pub struct UpdateMe {
    pub name: Option<String>,
    pub locale: Option<String>,
    pub current_password: Option<String>,
    pub password: Option<String>,
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
pub async fn update_me(ctx: &TenantContext, input: UpdateMe) -> Result<UserRow, AppError> {
    let mut fields = FieldErrors::new();
    let mut add = |f: &str, m: String| fields.entry(f.to_string()).or_default().push(m);
    let name = input.name.as_deref().map(str::trim);
    if name.is_some_and(|n| n.is_empty()) {
        add("name", "can't be blank".into());
    } else if name.is_some_and(|n| n.chars().count() > 120) {
        add("name", "should be at most 120 characters".into());
    }
    let locale = match input.locale.as_deref() {
        None => None,
        Some(tag) => match Locale::ALL.into_iter().find(|l| l.tag() == tag) {
            Some(l) => Some(l),
            None => {
                add("locale", "is not supported (pt-BR, es, en)".into());
                None
            }
        },
    };
    if let Some(new) = &input.password {
        if let Some(problem) = check_password_policy(new) {
            add("password", problem);
        }
        if input.current_password.as_deref().unwrap_or_default().is_empty() {
            add("current_password", "can't be blank".into());
        }
    }
    if !fields.is_empty() {
        return Err(AppError::Validation { fields });
    }

    let new_hash = match &input.password {
        Some(new) => Some(password::hash(new.clone()).await?),
        None => None,
    };
    let mut tx = ctx.db.begin().await?;
    if let Some(current) = input.current_password.filter(|_| input.password.is_some()) {
        let stored = db::users::password_hash(&mut tx, ctx.user.id).await?;
        if !password::verify(current, stored).await? {
            return Err(AppError::field("current_password", "is incorrect"));
        }
    }
    let change = ProfileChange { name, locale, password_hash: new_hash.as_deref() };
    let user = db::users::update_profile(&mut tx, ctx.user.id, &change).await?.ok_or(AppError::NotFound)?;
    if new_hash.is_some() {
        db::refresh_tokens::revoke_all_of_user(&mut tx, ctx.user.id).await?;
    }
    tx.commit().await?;
    Ok(user)
}

pub async fn set_locale(ctx: &TenantContext, locale: Locale) -> Result<(), AppError> {
    db::users::set_locale(&ctx.db, ctx.user.id, locale).await?;
    Ok(())
}
