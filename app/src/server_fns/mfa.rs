//! Two-step sign-in in the web UI: the code step of the sign-in form, enrolment with a QR code,
//! recovery codes shown once, turning it off. Every form works without JavaScript.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The sign-in's pending second step, kept in the browser's (server-side) session between the
/// password form and the code form: never in a URL.
#[cfg(feature = "ssr")]
pub const CHALLENGE_KEY: &str = "mfa_challenge";
/// Recovery codes just made, kept in the (server-side) session for the page that shows them
/// until the person says they saved them, and for 10 minutes at most.
#[cfg(feature = "ssr")]
const CODES_KEY: &str = "mfa_recovery_codes";
#[cfg(feature = "ssr")]
const CODES_SHOWN_FOR_SECS: i64 = 600;

/// The code step of the sign-in form: completes the sign-in the password form began.
#[server(prefix = "/rpc", endpoint = "login_mfa")]
pub async fn login_mfa(code: String, next: String) -> Result<String, AppError> {
    use crate::{
        server::{
            services::mfa::{self, VerifyMfa},
            web::{request, session},
        },
        url::urlencode,
    };
    let state = request::app_state()?;
    let parts = request::parts()?;
    let target = super::safe_next(Some(&next));
    let outcome = async {
        request::limit_per_address(&state, &parts).await?;
        let browser = request::session(&parts)?;
        let mfa_token: Option<String> =
            browser.get(CHALLENGE_KEY).await.map_err(|e| crate::server::error::internal("session", e))?;
        let ctx = mfa::verify(&state, VerifyMfa { mfa_token, code: Some(code) }).await?;
        let _ = browser.remove::<String>(CHALLENGE_KEY).await;
        let client = request::client(&parts);
        let ctx = session::sign_in(&state, &browser, &ctx, &client).await?;
        request::record_sign_in(&state, &parts, &ctx).await;
        Ok::<_, AppError>(())
    }
    .await;
    let plain_form = request::is_plain_form(&parts);
    match outcome {
        Ok(()) => {
            if plain_form {
                leptos_axum::redirect(&target);
            }
            Ok(target)
        }
        Err(err) => {
            if plain_form {
                // The challenge is over (expired, used, too many codes): back to the password.
                let step = if matches!(err, AppError::InvalidMfaToken) { "" } else { "&step=code" };
                leptos_axum::redirect(&format!("/login?error={}{step}&next={}", err.code(), urlencode(&target)));
            }
            Err(err)
        }
    }
}

/// What the enrolment page shows: the secret to type in, and its QR code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MfaSetup {
    pub secret: String,
    pub otpauth_uri: String,
    /// An `<svg>` element, made on the server.
    pub qr_svg: String,
}

/// Starts the set-up (or shows the one waiting for its first code).
#[server(prefix = "/rpc", endpoint = "start_mfa")]
pub async fn start_mfa() -> Result<MfaSetup, AppError> {
    use crate::server::{services::mfa, web::request};
    let ctx = request::tenant_context(&request::parts()?)?;
    let enrolment = mfa::enrol(&ctx).await?;
    let qr_svg = mfa::qr_svg(&enrolment.otpauth_uri)?;
    Ok(MfaSetup { secret: enrolment.secret, otpauth_uri: enrolment.otpauth_uri, qr_svg })
}

/// Confirms the set-up with a code; the recovery codes wait in the session for the next page.
#[server(prefix = "/rpc", endpoint = "confirm_mfa")]
pub async fn confirm_mfa(code: String) -> Result<String, AppError> {
    use crate::server::{
        services::mfa::{self, ConfirmMfa},
        web::request,
    };
    let state = request::app_state()?;
    let parts = request::parts()?;
    let browser = request::session(&parts)?;
    let confirm = |ctx| async move {
        let codes = mfa::confirm(&state, &ctx, ConfirmMfa { code: Some(code) }).await?;
        request::keep_to_show(&browser, CODES_KEY, codes.recovery_codes).await?;
        Ok("/profile/mfa/codes".to_string())
    };
    request::signed_in_form(confirm, |target: &String| target.clone()).await
}

/// The recovery codes just made, while they may still be shown (empty afterwards).
#[server(prefix = "/rpc", endpoint = "recovery_codes_to_show")]
pub async fn recovery_codes_to_show() -> Result<Vec<String>, AppError> {
    use crate::server::web::request;
    let parts = request::parts()?;
    request::tenant_context(&parts)?;
    let browser = request::session(&parts)?;
    Ok(request::still_to_show(&browser, CODES_KEY, CODES_SHOWN_FOR_SECS).await?.unwrap_or_default())
}

/// "I have saved them": the codes are never shown again.
#[server(prefix = "/rpc", endpoint = "forget_recovery_codes")]
pub async fn forget_recovery_codes() -> Result<(), AppError> {
    use crate::server::web::request;
    let parts = request::parts()?;
    let browser = request::session(&parts)?;
    let forget = |_ctx| async move { request::stop_showing(&browser, CODES_KEY).await };
    request::signed_in_form(forget, |_| "/profile".into()).await
}

/// Turns two-step sign-in off with the current password.
#[server(prefix = "/rpc", endpoint = "disable_mfa")]
pub async fn disable_mfa(current_password: String) -> Result<(), AppError> {
    use crate::server::{
        services::mfa::{self, DisableMfa},
        web::request,
    };
    let state = request::app_state()?;
    let parts = request::parts()?;
    let client = request::client(&parts);
    let input = DisableMfa { current_password: Some(current_password), code: None };
    let disable = |ctx| async move { mfa::disable(&state, &ctx, input, &client).await };
    request::signed_in_form(disable, |_| "/profile?notice=mfa_off".into()).await
}

/// How many recovery codes the signed-in user has left.
#[server(prefix = "/rpc", endpoint = "recovery_codes_left")]
pub async fn recovery_codes_left() -> Result<i64, AppError> {
    use crate::server::{services::mfa, web::request};
    mfa::recovery_codes_left(&request::tenant_context(&request::parts()?)?).await
}

/// A manager resets another user's second factor (the users page).
#[server(prefix = "/rpc", endpoint = "reset_user_mfa")]
pub async fn reset_user_mfa(id: uuid::Uuid) -> Result<(), AppError> {
    use crate::server::{services::mfa, web::request};
    let state = request::app_state()?;
    let reset = |ctx| async move { mfa::reset(&state, &ctx, id).await };
    request::signed_in_form(reset, move |_| format!("/users/{id}?notice=mfa_reset")).await
}
