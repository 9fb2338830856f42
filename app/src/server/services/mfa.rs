//! Two-step sign-in with TOTP (RFC 6238, through `totp-rs`): enrolment confirmed by a code,
//! ten single-use recovery codes, the second step of a sign-in (`mfa_token`: 5 minutes, single
//! use, bound to its user and tenant, 5 wrong codes at most), a code accepted once, a company
//! policy that requires it, and a manager's reset.
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;
use serde::Serialize;
use time::OffsetDateTime;
use totp_rs::{Algorithm, Secret, TOTP};
use uuid::Uuid;

use crate::{
    error::AppError,
    model::Role,
    server::{
        db::tenant::{
            mfa,
            user_tokens::{self, Purpose},
            users::{self, UserRow},
        },
        domain::body,
        error::internal,
        password,
        services::{authz, lockout, mail::notices, sessions::Client},
        state::Core,
        tenancy::context::TenantContext,
        tokens,
    },
};

/// A code is 6 digits for 30 seconds; the step before and after are accepted too (clock drift).
const DIGITS: usize = 6;
const STEP_SECS: u64 = 30;
/// How long the second step of a sign-in waits for its code.
const CHALLENGE_TTL: time::Duration = time::Duration::minutes(5);
/// Wrong codes a challenge takes before it is over.
const CHALLENGE_ATTEMPTS: i32 = 5;
const RECOVERY_CODES: usize = 10;

fn totp(secret_base32: &str, account: &str) -> Result<TOTP, AppError> {
    let bytes =
        Secret::Encoded(secret_base32.to_string()).to_bytes().map_err(|e| internal("mfa secret", format!("{e:?}")))?;
    TOTP::new(Algorithm::SHA1, DIGITS, 1, STEP_SECS, bytes, Some("Atrium".into()), account.replace(':', " "))
        .map_err(|e| internal("mfa secret", e))
}

fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// The time step whose code `code` is (this one, the one before or after), if any.
fn matching_step(totp: &TOTP, code: &str, now: u64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = now / STEP_SECS;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| subtle::ConstantTimeEq::ct_eq(totp.generate(step * STEP_SECS).as_bytes(), code.as_bytes()).into())
        .map(|step| step as i64)
}

/// How the user's authenticator app names the account.
fn account_name(ctx: &TenantContext) -> String {
    format!("{} ({})", ctx.user.email, ctx.tenant.slug.as_str())
}

/// `POST /api/v1/users/me/mfa`: what to put into an authenticator app.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Enrolment {
    /// Base32, for typing in by hand.
    pub secret: String,
    pub otpauth_uri: String,
}

/// Starts an enrolment: a new secret, or the one already waiting for its first code (a page may
/// be rendered twice, and a person may reload it: the app they scanned must stay right). 409 when
/// two-step sign-in is already on.
pub async fn enrol(ctx: &TenantContext) -> Result<Enrolment, AppError> {
    if ctx.user.mfa_enabled {
        return Err(AppError::Conflict {
            detail: "Two-step sign-in is already on; turn it off first to set up another app".into(),
            code: "mfa_already_enabled".into(),
        });
    }
    let fresh = Secret::generate_secret().to_encoded().to_string();
    let secret = mfa::pending_or(&ctx.db, ctx.user.id, &fresh).await?.ok_or(AppError::NotFound)?;
    let totp = totp(&secret, &account_name(ctx))?;
    Ok(Enrolment { otpauth_uri: totp.get_url(), secret })
}

/// The QR code of an `otpauth://` URI, as SVG (rendered on the server: no script needed).
pub fn qr_svg(uri: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(uri.as_bytes()).map_err(|e| internal("qr code", e))?;
    Ok(code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).quiet_zone(true).build())
}

body! {
    /// `POST /api/v1/users/me/mfa/confirm` and the enrolment form.
    pub struct ConfirmMfa { #[schema(required = true, nullable = false, min_length = 1)] code: String }
}

/// `{"recovery_codes": [...]}`, shown once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// A recovery code as it is hashed: letters and digits only, lowercase (typed with or without
/// the dash, in any case).
fn normal_code(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).flat_map(|c| c.to_lowercase()).collect()
}

/// Ten codes of 10 characters from a 32-letter alphabet without look-alikes (50 bits each),
/// written `xxxxx-xxxxx`.
fn new_recovery_codes() -> Vec<String> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..10).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect();
            format!("{}-{}", &chars[..5], &chars[5..])
        })
        .collect()
}

/// Turns two-step sign-in on when `code` comes from the pending secret; answers the recovery
/// codes (stored as digests, never shown again).
pub async fn confirm(core: &Core, ctx: &TenantContext, input: ConfirmMfa) -> Result<RecoveryCodes, AppError> {
    let code = input.code.unwrap_or_default();
    if code.trim().is_empty() {
        return Err(AppError::field("code", crate::server::domain::BLANK));
    }
    let state = mfa::state(&ctx.db, ctx.user.id).await?.ok_or(AppError::NotFound)?;
    let Some(pending) = state.pending_secret else {
        return Err(AppError::Conflict {
            detail: "Start the set-up first (POST /api/v1/users/me/mfa)".into(),
            code: "mfa_not_started".into(),
        });
    };
    let step = matching_step(&totp(&pending, &account_name(ctx))?, &code, now_secs())
        .ok_or_else(|| AppError::field("code", "is incorrect"))?;
    let codes = new_recovery_codes();
    // 50 random bits each: stored like passwords (argon2id, salted), not with a fast hash.
    let mut hashes = Vec::with_capacity(codes.len());
    for code in &codes {
        hashes.push(password::hash(normal_code(code)).await?);
    }
    let mut tx = ctx.db.begin().await?;
    if !mfa::enable(&mut tx, ctx.user.id, &pending, step).await? {
        return Err(AppError::field("code", "is incorrect"));
    }
    mfa::replace_recovery_codes(&mut tx, ctx.user.id, &hashes).await?;
    notices::mfa_changed(core, &mut tx, &ctx.tenant, &ctx.user, true, None).await?;
    tx.commit().await?;
    Ok(RecoveryCodes { recovery_codes: codes })
}

body! {
    /// `DELETE /api/v1/users/me/mfa`: proof that it is the user, by password or by a code.
    pub struct DisableMfa { current_password: String, code: String }
}

/// Checks a code of the user's second factor (TOTP, accepted once; or a recovery code, used up)
/// inside `tx`. Answers whether it was good.
async fn check_code(
    tx: &mut crate::server::tenancy::db::TenantTx,
    user: &UserRow,
    secret: &str,
    account: &str,
    code: &str,
) -> Result<bool, AppError> {
    if let Some(step) = matching_step(&totp(secret, account)?, code, now_secs()) {
        return Ok(mfa::accept_step(tx, user.id, step).await?);
    }
    let typed = normal_code(code);
    if typed.len() != 10 {
        return Ok(false);
    }
    for (id, hash) in mfa::unused_recovery_codes(tx, user.id).await? {
        if password::verify(typed.clone(), Some(hash)).await? {
            mfa::use_recovery_code(tx, id).await?;
            return Ok(true);
        }
    }
    Ok(false)
}

/// Turns two-step sign-in off, after the current password (limited like a sign-in) or a code.
pub async fn disable(core: &Core, ctx: &TenantContext, input: DisableMfa, client: &Client) -> Result<(), AppError> {
    let state = mfa::state(&ctx.db, ctx.user.id).await?.ok_or(AppError::NotFound)?;
    let Some(secret) = state.secret else {
        return Err(AppError::Conflict { detail: "Two-step sign-in is not on".into(), code: "mfa_not_enabled".into() });
    };
    let password_given = input.current_password.filter(|p| !p.is_empty());
    let code_given = input.code.filter(|c| !c.trim().is_empty());
    let mut tx = ctx.db.begin().await?;
    let proven = match (password_given, code_given) {
        (Some(current), _) => {
            let attempt = lockout::begin(core, ctx.tenant.slug.as_str(), &ctx.user.email, &client.address).await?;
            let stored = users::password_hash_of(&ctx.db, ctx.user.id).await?;
            if password::verify(current, stored).await? {
                attempt.succeeded(core).await?;
                true
            } else {
                let _ = attempt.failed();
                return Err(AppError::field("current_password", "is incorrect"));
            }
        }
        (None, Some(code)) => check_code(&mut tx, &ctx.user, &secret, &account_name(ctx), &code).await?,
        (None, None) => {
            let mut fields = crate::server::domain::fields::Fields::new();
            fields.add("current_password", "give the current password or a code");
            return Err(fields.into_error());
        }
    };
    if !proven {
        return Err(AppError::field("code", "is incorrect"));
    }
    mfa::disable(&mut tx, ctx.user.id).await?;
    notices::mfa_changed(core, &mut tx, &ctx.tenant, &ctx.user, false, None).await?;
    tx.commit().await?;
    Ok(())
}

/// A manager (or owner) resets another user's second factor: the user sets it up again at the
/// next sign-in (where the company requires it) and hears who did it.
pub async fn reset(core: &Core, ctx: &TenantContext, user_id: Uuid) -> Result<(), AppError> {
    authz::require(ctx, Role::Manager)?;
    let user = users::find_by_id(&ctx.db, user_id).await?.ok_or(AppError::NotFound)?;
    if !authz::may_grant(ctx.user.role, user.role) {
        return Err(AppError::Forbidden);
    }
    let mut tx = ctx.db.begin().await?;
    mfa::disable(&mut tx, user.id).await?;
    notices::mfa_changed(core, &mut tx, &ctx.tenant, &user, false, Some(&ctx.user.name)).await?;
    tx.commit().await?;
    tracing::info!(reset_by = %ctx.user.id, user = %user.id, "second factor reset");
    Ok(())
}

/// The second step of a sign-in whose password was right: a token that stands for it.
pub async fn challenge(ctx: &TenantContext) -> Result<String, AppError> {
    let token = tokens::new_tenant_token(&ctx.tenant.slug);
    let mut tx = ctx.db.begin().await?;
    let expires = OffsetDateTime::now_utc() + CHALLENGE_TTL;
    user_tokens::replace(&mut tx, ctx.user.id, Purpose::MfaChallenge, &tokens::digest(&token), expires).await?;
    tx.commit().await?;
    Ok(token)
}

body! {
    /// `POST /api/auth/mfa/verify` and the code step of the sign-in form.
    pub struct VerifyMfa { #[schema(required = true, nullable = false, min_length = 1)] mfa_token: String, #[schema(required = true, nullable = false, min_length = 1)] code: String }
}

/// Completes a sign-in's second step: answers the user's context (not bound to a session yet,
/// like a password check's) when the code is good; a wrong code counts against the challenge.
pub async fn verify(core: &Core, input: VerifyMfa) -> Result<TenantContext, AppError> {
    let token = input.mfa_token.filter(|t| !t.is_empty()).ok_or(AppError::InvalidMfaToken)?;
    let code = input.code.unwrap_or_default();
    let slug = tokens::token_tenant(&token).ok_or(AppError::InvalidMfaToken)?;
    let tenant = core.tenants.get(&slug).await?.ok_or(AppError::InvalidMfaToken)?;
    let db = tenant.db(&core.pool);
    let mut tx = db.begin().await?;
    let challenge =
        mfa::find_challenge_for_update(&mut tx, &tokens::digest(&token)).await?.ok_or(AppError::InvalidMfaToken)?;
    let user =
        users::find_by_id(&db, challenge.user_id).await?.filter(|u| u.active).ok_or(AppError::InvalidMfaToken)?;
    let secret = mfa::state(&db, user.id).await?.and_then(|s| s.secret).ok_or(AppError::InvalidMfaToken)?;
    let account = format!("{} ({})", user.email, tenant.slug.as_str());
    if !check_code(&mut tx, &user, &secret, &account, &code).await? {
        mfa::count_wrong(&mut tx, challenge.id, CHALLENGE_ATTEMPTS).await?;
        tx.commit().await?;
        return Err(AppError::InvalidMfaCode);
    }
    mfa::finish_challenge(&mut tx, challenge.id).await?;
    tx.commit().await?;
    Ok(TenantContext { tenant, db, user, session_id: Uuid::nil(), api_key: None })
}

/// Whether the company's policy keeps this user to enrolling (no second factor yet).
pub fn enrolment_required(ctx: &TenantContext) -> bool {
    ctx.api_key.is_none() && ctx.tenant.mfa_required && !ctx.user.mfa_enabled
}

/// Recovery codes the user has left (shown on the profile page).
pub async fn recovery_codes_left(ctx: &TenantContext) -> Result<i64, AppError> {
    Ok(mfa::recovery_codes_left(&ctx.db, ctx.user.id).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_of_the_step_before_now_and_after_are_accepted_and_no_others() {
        let secret = Secret::generate_secret().to_encoded().to_string();
        let totp = totp(&secret, "ana@acme.test (acme)").unwrap();
        let now = 1_800_000_015;
        let step = (now / STEP_SECS) as i64;
        assert_eq!(matching_step(&totp, &totp.generate(now), now), Some(step));
        assert_eq!(matching_step(&totp, &totp.generate(now - 30), now), Some(step - 1));
        assert_eq!(matching_step(&totp, &totp.generate(now + 30), now), Some(step + 1));
        assert_eq!(matching_step(&totp, &totp.generate(now - 60), now), None);
        assert_eq!(matching_step(&totp, &format!(" {} ", totp.generate(now)), now), Some(step), "spaces around");
        assert_eq!(matching_step(&totp, "12345", now), None);
        assert_eq!(matching_step(&totp, "abcdef", now), None);
        assert!(totp.get_url().starts_with("otpauth://totp/Atrium:"), "{}", totp.get_url());
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_compare_without_case_or_dash() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), 10);
        for code in &codes {
            assert_eq!(code.len(), 11);
            assert_eq!(&code[5..6], "-");
        }
        let code = &codes[0];
        assert_eq!(normal_code(code), normal_code(&code.to_uppercase().replace('-', " ")));
        assert_eq!(normal_code(code).len(), 10);
    }

    #[test]
    fn the_qr_code_is_an_svg_image() {
        let svg = qr_svg("otpauth://totp/Atrium:ana?secret=JBSWY3DPEHPK3PXP&issuer=Atrium").unwrap();
        assert!(svg.contains("<svg"), "{}", &svg[..100.min(svg.len())]);
    }
}
