//! The signed-in user's own profile: name, language and password.
use crate::error::AppError;
use crate::i18n::Locale;
use crate::model::{TenantDto, Viewer};
use uuid::Uuid;

use crate::server::db::tenant::sessions;
use crate::server::db::tenant::users::{self, ProfileChange, UserRow};
use crate::server::domain::{body, fields::Fields, name::Name, BLANK};
use crate::server::{
    password,
    services::{lockout, mail::notices, sessions::Client, webhooks::events},
    state::Core,
    tenancy::context::TenantContext,
    webhooks::Event,
};

pub const PASSWORD_MIN: usize = 12;
pub const PASSWORD_MAX: usize = 128;

/// What the shell and dashboard show about the signed-in user and their workspace.
/// Who is signed in, for the app shell: the user, the workspace and its brand colour.
pub async fn viewer(ctx: &TenantContext) -> Result<Viewer, AppError> {
    let brand_color = crate::server::db::tenant::company::get(&ctx.db).await?.primary_color;
    Ok(Viewer {
        brand_color,
        user: ctx.user.to_dto(),
        tenant: TenantDto { slug: ctx.tenant.slug.to_string(), name: ctx.tenant.name.clone() },
        plan_name: ctx.tenant.plan_name.clone(),
        subscription_status: ctx.tenant.status,
        writable: ctx.tenant.accepts_writes(),
        email_verified: ctx.tenant.email_verified,
        mfa_required: ctx.tenant.mfa_required,
    })
}

body! {
    /// `PUT /api/v1/users/me` and the profile form.
    pub struct UpdateMe {
        #[schema(min_length = 1, max_length = 120, pattern = r"\S")] name: String,
        #[schema(value_type = Option<crate::i18n::Locale>)] locale: String,
        /// Required with `password`.
        current_password: String,
        #[schema(min_length = 12, max_length = 128)] password: String,
    }
}

/// What a password must not be: too short or long, one of the 10,000 most common, or built on
/// what an attacker knows of the account — `personal` holds the company's slug and name and the
/// user's email (its name part counts).
pub fn check_password_policy(password: &str, personal: &[&str]) -> Option<String> {
    let len = password.chars().count();
    if len < PASSWORD_MIN {
        Some(format!("should be at least {PASSWORD_MIN} characters"))
    } else if len > PASSWORD_MAX {
        Some(format!("should be at most {PASSWORD_MAX} characters"))
    } else if is_common(password) {
        Some("is too common".into())
    } else if contains_personal(password, personal) {
        Some("should not contain the company's name or your email".into())
    } else {
        None
    }
}

/// Passwords everyone tries first (breach lists), compared without regard to case.
fn is_common(password: &str) -> bool {
    static COMMON: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    let common = COMMON.get_or_init(|| {
        include_str!("../common_passwords.txt").lines().filter(|l| !l.starts_with('#') && !l.is_empty()).collect()
    });
    common.contains(password.to_lowercase().as_str())
}

/// Letters and digits only, lowercase: `Acme Ltda.` and `acme-ltda` compare alike.
fn folded(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Whether the password contains one of the terms (an email counts by its name part), ignoring
/// case and punctuation. Terms shorter than 4 letters are too common inside words to refuse.
fn contains_personal(password: &str, personal: &[&str]) -> bool {
    let password = folded(password);
    personal
        .iter()
        .map(|term| folded(term.split('@').next().unwrap_or(term)))
        .filter(|term| term.chars().count() >= 4)
        .any(|term| password.contains(&term))
}

/// Updates name and language, and the password when the current one is given. The current
/// password is checked like a sign-in (the account's failure allowances, before any hashing) and
/// before the new one is hashed. A password change moves the security version and ends every
/// session of the user but `keep` (the browser that made the change; an API client gets a new
/// pair instead).
pub async fn update_me(
    core: &Core,
    ctx: &TenantContext,
    input: UpdateMe,
    client: &Client,
    keep: Option<Uuid>,
) -> Result<UserRow, AppError> {
    let mut fields = Fields::new();
    let name = fields.optional("name", input.name.as_deref(), Name::parse);
    let locale = fields.locale("locale", input.locale.as_deref());
    if let Some(new) = &input.password {
        let personal = [ctx.tenant.slug.as_str(), ctx.tenant.name.as_str(), ctx.user.email.as_str()];
        if let Some(problem) = check_password_policy(new, &personal) {
            fields.add("password", problem);
        }
        if input.current_password.as_deref().unwrap_or_default().is_empty() {
            fields.add("current_password", BLANK);
        }
    }
    fields.finish()?;

    let new_hash = match (input.password, input.current_password) {
        (Some(new), Some(current)) => {
            let attempt = lockout::begin(core, ctx.tenant.slug.as_str(), &ctx.user.email, &client.address).await?;
            let stored = users::password_hash_of(&ctx.db, ctx.user.id).await?;
            if !password::verify(current, stored).await? {
                let _ = attempt.failed();
                return Err(AppError::field("current_password", "is incorrect"));
            }
            attempt.succeeded(core).await?;
            Some(password::hash(new).await?)
        }
        _ => None,
    };
    let mut tx = ctx.db.begin().await?;
    let change = ProfileChange { name: name.as_ref().map(Name::as_str), locale, password_hash: new_hash.as_deref() };
    let user = users::update_profile(&mut tx, ctx.user.id, &change).await?.ok_or(AppError::NotFound)?;
    if new_hash.is_some() {
        sessions::end(&mut tx, ctx.user.id, None, keep).await?;
        if let Some(kept) = keep {
            sessions::renew_credential(&mut tx, kept, user.security_version).await?;
        }
        notices::password_changed(core, &mut tx, &ctx.tenant, &user).await?;
    }
    if change.name.is_some() || change.locale.is_some() {
        events::emit(&mut tx, &ctx.tenant, Event::UserUpdated, user.to_dto()).await?;
    }
    tx.commit().await?;
    Ok(user)
}

pub async fn set_locale(ctx: &TenantContext, locale: Locale) -> Result<(), AppError> {
    users::set_locale(&ctx.db, ctx.user.id, locale).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_password_policy;

    #[test]
    fn common_passwords_are_refused_from_a_list_of_ten_thousand() {
        let list: Vec<&str> = include_str!("../common_passwords.txt").lines().filter(|l| !l.starts_with('#')).collect();
        assert!(list.len() >= 10_000, "{}", list.len());
        let fitting_the_length_rule = list.iter().filter(|p| p.chars().count() >= 12).count();
        assert!(fitting_the_length_rule >= 3_000, "{fitting_the_length_rule} of 12 characters or more");
        for common in ["123456789012", "PASSWORD1234", "qwertyuiop123", "1qaz2wsx3edc", "Qwerty123456"] {
            assert!(check_password_policy(common, &[]).is_some(), "{common}");
        }
        assert_eq!(check_password_policy("short", &[]).unwrap(), "should be at least 12 characters");
        assert!(check_password_policy("ventania-azul-sobre-o-mar", &[]).is_none());
    }

    #[test]
    fn passwords_built_on_the_company_or_the_email_are_refused() {
        let personal = ["acme-2", "Acme Ltda.", "Maria.Souza@acme.test"];
        for weak in ["acme-2-password!", "AcmeLtda2026!!", "maria.souza1990", "x-MARIASOUZA-x-2026"] {
            assert_eq!(
                check_password_policy(weak, &personal).as_deref(),
                Some("should not contain the company's name or your email"),
                "{weak}"
            );
        }
        // Short terms (a two-letter slug) are not refused inside other words.
        assert!(check_password_policy("ventania-azul-sobre-o-mar", &["ab", "Az", "a@x.y"]).is_none());
    }
}
