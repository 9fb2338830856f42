//! Password recovery and the owner's address confirmation, from the visitor pages.
use leptos::prelude::*;

use crate::error::AppError;

/// Asks for a reset link; answers (and, without JavaScript, goes to) the page saying it is sent,
/// whether or not the account exists.
#[server(prefix = "/rpc", endpoint = "request_password_reset")]
pub async fn request_password_reset(tenant: String, email: String) -> Result<String, AppError> {
    use crate::server::{services::recovery, web::request};
    let state = request::app_state()?;
    let parts = request::parts()?;
    let client = request::client_ip(&parts);
    let input = recovery::ForgotPassword { email: Some(email), tenant: Some(tenant) };
    // The same per-address bound as `/api/auth/*`, then recovery's own limits.
    let result = match request::limit_per_address(&state, &parts).await {
        Ok(()) => recovery::request_reset(&state, input, &client).await,
        Err(err) => Err(err),
    };
    request::finish_form(&parts, result.map(|()| "/forgot-password?notice=sent".to_string()), |t| t.clone()).await
}

/// Sets the new password; then the sign-in page, with the workspace filled in.
#[server(prefix = "/rpc", endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<String, AppError> {
    use crate::{
        server::{services::recovery, web::request},
        url::urlencode,
    };
    let state = request::app_state()?;
    let parts = request::parts()?;
    let input = recovery::ResetPassword { token: Some(token), password: Some(password) };
    let result = match request::limit_per_address(&state, &parts).await {
        Ok(()) => recovery::reset(&state, input).await,
        Err(err) => Err(err),
    }
    .map(|tenant| format!("/login?notice=password_reset&tenant={}", urlencode(tenant.slug.as_str())));
    request::finish_form(&parts, result, |t| t.clone()).await
}

/// Confirms the owner's address; then the dashboard (or the sign-in page when signed out).
#[server(prefix = "/rpc", endpoint = "verify_email")]
pub async fn verify_email(token: String) -> Result<String, AppError> {
    use crate::server::{services::verification, web::request};
    let state = request::app_state()?;
    let parts = request::parts()?;
    let signed_in = request::tenant_context(&parts).is_ok();
    let result = verification::verify(&state, verification::VerifyEmail { token: Some(token) }).await.map(|()| {
        if signed_in {
            "/?notice=email_verified".to_string()
        } else {
            "/login?notice=email_verified".to_string()
        }
    });
    request::finish_form(&parts, result, |t| t.clone()).await
}

/// The banner's "send the link again" (owners).
#[server(prefix = "/rpc", endpoint = "resend_verification")]
pub async fn resend_verification() -> Result<(), AppError> {
    use crate::server::{services::verification, web::request};
    let state = request::app_state()?;
    let send = |ctx| async move { verification::resend(&state, &ctx).await };
    request::signed_in_form(send, |()| "/?notice=verification_sent".into()).await
}
