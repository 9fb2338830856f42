//! `/api/auth`: login, refresh, logout.
use axum::{extract::State, http::StatusCode, response::IntoResponse, routing::post, Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::ApiJson;
use app::{
    error::AppError,
    server::{services::auth, AppState},
};

pub fn router() -> Router<AppState> {
    Router::new().route("/login", post(login)).route("/refresh", post(refresh)).route("/logout", post(logout))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    email: Option<String>,
    password: Option<String>,
    tenant: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<impl IntoResponse, AppError> {
    let creds = auth::Credentials { tenant: body.tenant, email: body.email, password: body.password };
    let ctx = auth::authenticate(&state, creds).await?;
    let tokens = auth::issue_tokens(&state, &ctx).await?;
    Ok(Json(json!({ "data": auth::login_response(tokens, &ctx) })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshBody {
    refresh_token: Option<String>,
}

async fn refresh(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<impl IntoResponse, AppError> {
    let tokens = auth::refresh(&state, body.refresh_token).await?;
    Ok(Json(json!({ "data": tokens })))
}

async fn logout(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<impl IntoResponse, AppError> {
    auth::logout(&state, body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}
