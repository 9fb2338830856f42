//! `/api/auth`: login, refresh, logout; password recovery; the owner's address confirmation.
use axum::{
    extract::{ConnectInfo, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
    Router,
};
use serde::Serialize;
use std::net::SocketAddr;

use super::{json::ok, ApiJson, JsonResult};
use app::{
    error::AppError,
    server::{
        services::{
            auth::{self, Credentials, LoginResponse, RefreshToken, TokenPair},
            mail::notices::{self, SignIn},
            recovery::{self, ForgotPassword, ResetPassword},
            verification::{self, VerifyEmail},
        },
        state::AppState,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/refresh", post(refresh))
        .route("/logout", post(logout))
        .route("/forgot-password", post(forgot_password))
        .route("/reset-password", post(reset_password))
        .route("/verify-email", post(verify_email))
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(creds): ApiJson<Credentials>,
) -> JsonResult<LoginResponse> {
    let client = super::client(&peer, &headers);
    let ctx = auth::authenticate(&state, creds, &client).await?;
    let (tokens, ctx) = auth::issue_tokens(&state, &ctx, &client).await?;
    // An API client has no device cookie: its user agent stands for the browser.
    let sign_in = SignIn {
        device: &format!("ua:{}", client.user_agent),
        address: &client.address,
        user_agent: &client.user_agent,
    };
    if let Err(err) = notices::signed_in(&state, &ctx, &sign_in).await {
        tracing::warn!(error = %err, "sign-in not recorded");
    }
    Ok(ok(auth::login_response(tokens, &ctx)))
}

async fn refresh(State(state): State<AppState>, ApiJson(body): ApiJson<RefreshToken>) -> JsonResult<TokenPair> {
    Ok(ok(auth::refresh(&state, body).await?))
}

async fn logout(State(state): State<AppState>, ApiJson(body): ApiJson<RefreshToken>) -> Result<StatusCode, AppError> {
    auth::logout(&state, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The same answer for every well-formed request, whether or not the account exists.
#[derive(Serialize)]
struct Accepted {
    message: &'static str,
}

async fn forgot_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ApiJson(input): ApiJson<ForgotPassword>,
) -> Result<Response, AppError> {
    recovery::request_reset(&state, input, &peer.ip().to_string())?;
    let body = Accepted { message: "If the account exists, a link to reset its password has been sent to its email" };
    Ok((StatusCode::ACCEPTED, ok(body)).into_response())
}

#[derive(Serialize)]
struct PasswordReset {
    password_changed: bool,
    tenant: String,
}

async fn reset_password(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ResetPassword>,
) -> JsonResult<PasswordReset> {
    let tenant = recovery::reset(&state, input).await?;
    Ok(ok(PasswordReset { password_changed: true, tenant: tenant.slug.to_string() }))
}

#[derive(Serialize)]
struct Verified {
    email_verified: bool,
}

async fn verify_email(State(state): State<AppState>, ApiJson(input): ApiJson<VerifyEmail>) -> JsonResult<Verified> {
    verification::verify(&state, input).await?;
    Ok(ok(Verified { email_verified: true }))
}
