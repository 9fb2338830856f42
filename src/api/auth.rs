//! `/api/auth`: login, refresh, logout; password recovery; the owner's address confirmation.
use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::{json::ok, ApiJson, ApiRouter, Data, JsonResult};
use app::server::web::client::ClientAddress;
use app::{
    error::AppError,
    server::{
        services::{
            auth::{self, Credentials, LoginResponse, RefreshToken, TokenPair},
            mail::notices::{self, SignIn},
            mfa::{self, VerifyMfa},
            recovery::{self, ForgotPassword, ResetPassword},
            sessions::Client,
            verification::{self, VerifyEmail},
        },
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(forgot_password))
        .routes(routes!(reset_password))
        .routes(routes!(verify_email))
        .routes(routes!(verify_mfa))
}

/// A sign-in's answer: the tokens, or (two-step sign-in on) the token of the second step.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
enum SignedIn {
    Done(Box<LoginResponse>),
    SecondStep { mfa_required: bool, mfa_token: String },
}

/// Signs in with the workspace slug, email and password: tokens, or with two-step sign-in on,
/// the `mfa_token` of the second step.
#[utoipa::path(post, path = "/login", tag = "auth", request_body = Credentials,
    responses((status = 200, body = Data<SignedIn>)))]
async fn login(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    ApiJson(creds): ApiJson<Credentials>,
) -> JsonResult<SignedIn> {
    let client = super::client(address, &headers);
    let ctx = auth::authenticate(&state, creds, &client).await?;
    if ctx.user.mfa_enabled {
        let mfa_token = mfa::challenge(&ctx).await?;
        return Ok(ok(SignedIn::SecondStep { mfa_required: true, mfa_token }));
    }
    Ok(ok(SignedIn::Done(Box::new(finish_sign_in(&state, &ctx, &client).await?))))
}

/// The second step: a TOTP or recovery code for the `mfa_token` of the first; answers as a
/// sign-in without a second factor does.
#[utoipa::path(post, path = "/mfa/verify", tag = "auth", request_body = VerifyMfa,
    responses((status = 200, body = Data<LoginResponse>)))]
async fn verify_mfa(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    ApiJson(input): ApiJson<VerifyMfa>,
) -> JsonResult<LoginResponse> {
    let client = super::client(address, &headers);
    let ctx = mfa::verify(&state, input).await?;
    Ok(ok(finish_sign_in(&state, &ctx, &client).await?))
}

/// Begins the API session of a sign-in and records its device.
async fn finish_sign_in(state: &AppState, ctx: &TenantContext, client: &Client) -> Result<LoginResponse, AppError> {
    let (tokens, ctx) = auth::issue_tokens(state, ctx, client).await?;
    // An API client has no device cookie: its user agent stands for the browser.
    let sign_in = SignIn {
        device: &format!("ua:{}", client.user_agent),
        address: &client.address,
        user_agent: &client.user_agent,
    };
    if let Err(err) = notices::signed_in(state, &ctx, &sign_in).await {
        tracing::warn!(error = %err, "sign-in not recorded");
    }
    Ok(auth::login_response(tokens, &ctx))
}

/// A new token pair for a refresh token, which is used up.
#[utoipa::path(post, path = "/refresh", tag = "auth", request_body = RefreshToken,
    responses((status = 200, body = Data<TokenPair>)))]
async fn refresh(State(state): State<AppState>, ApiJson(body): ApiJson<RefreshToken>) -> JsonResult<TokenPair> {
    Ok(ok(auth::refresh(&state, body).await?))
}

/// Ends the session of a refresh token: its family and access tokens stop working.
#[utoipa::path(post, path = "/logout", tag = "auth", request_body = RefreshToken,
    responses((status = 204, description = "Signed out")))]
async fn logout(State(state): State<AppState>, ApiJson(body): ApiJson<RefreshToken>) -> Result<StatusCode, AppError> {
    auth::logout(&state, body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The same answer for every well-formed request, whether or not the account exists.
#[derive(Serialize, ToSchema)]
struct Accepted {
    message: &'static str,
}

/// Emails a reset link when the account exists; the same answer either way.
#[utoipa::path(post, path = "/forgot-password", tag = "auth", request_body = ForgotPassword,
    responses((status = 202, body = Data<Accepted>)))]
async fn forgot_password(
    State(state): State<AppState>,
    address: ClientAddress,
    ApiJson(input): ApiJson<ForgotPassword>,
) -> Result<Response, AppError> {
    recovery::request_reset(&state, input, &address.to_string()).await?;
    let body = Accepted { message: "If the account exists, a link to reset its password has been sent to its email" };
    Ok((StatusCode::ACCEPTED, ok(body)).into_response())
}

#[derive(Serialize, ToSchema)]
struct PasswordReset {
    password_changed: bool,
    tenant: String,
}

/// Sets a new password with the token of a reset link; every session of the user ends.
#[utoipa::path(post, path = "/reset-password", tag = "auth", request_body = ResetPassword,
    responses((status = 200, body = Data<PasswordReset>)))]
async fn reset_password(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<ResetPassword>,
) -> JsonResult<PasswordReset> {
    let tenant = recovery::reset(&state, input).await?;
    Ok(ok(PasswordReset { password_changed: true, tenant: tenant.slug.to_string() }))
}

#[derive(Serialize, ToSchema)]
struct Verified {
    email_verified: bool,
}

/// Confirms the owner's signup address with the token of the confirmation link.
#[utoipa::path(post, path = "/verify-email", tag = "auth", request_body = VerifyEmail,
    responses((status = 200, body = Data<Verified>)))]
async fn verify_email(State(state): State<AppState>, ApiJson(input): ApiJson<VerifyEmail>) -> JsonResult<Verified> {
    verification::verify(&state, input).await?;
    Ok(ok(Verified { email_verified: true }))
}
