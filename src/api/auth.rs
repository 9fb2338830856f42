//! `/api/auth`: login, refresh, logout.
use axum::{extract::State, http::StatusCode, routing::post, Router};

use super::{json::ok, ApiJson, JsonResult};
use app::{
    error::AppError,
    server::{
        services::auth::{self, Credentials, LoginResponse, RefreshToken, TokenPair},
        state::AppState,
    },
};

pub fn router() -> Router<AppState> {
    Router::new().route("/login", post(login)).route("/refresh", post(refresh)).route("/logout", post(logout))
}

async fn login(State(state): State<AppState>, ApiJson(creds): ApiJson<Credentials>) -> JsonResult<LoginResponse> {
    let ctx = auth::authenticate(&state, creds).await?;
    let tokens = auth::issue_tokens(&state, &ctx).await?;
    Ok(ok(auth::login_response(tokens, &ctx)))
}

async fn refresh(State(state): State<AppState>, ApiJson(body): ApiJson<RefreshToken>) -> JsonResult<TokenPair> {
    Ok(ok(auth::refresh(&state, body).await?))
}

async fn logout(State(state): State<AppState>, ApiJson(body): ApiJson<RefreshToken>) -> Result<StatusCode, AppError> {
    auth::logout(&state, body).await?;
    Ok(StatusCode::NO_CONTENT)
}
