//! `/api/v1/company`: the company profile (manager and above).
use axum::{extract::State, response::IntoResponse, routing::get, Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::{nullable, ApiJson};
use app::{
    error::AppError,
    server::{
        services::company::{self as service, CompanyInput},
        tenant::TenantContext,
        AppState,
    },
};

pub fn router() -> Router<AppState> {
    Router::new().route("/company", get(show).put(update))
}

async fn show(ctx: TenantContext) -> Result<impl IntoResponse, AppError> {
    Ok(Json(json!({ "data": service::get(&ctx).await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    email: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    logo_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    primary_color: Option<Option<String>>,
}

async fn update(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(b): ApiJson<Body>,
) -> Result<impl IntoResponse, AppError> {
    let input = CompanyInput {
        name: b.name,
        email: b.email,
        phone: b.phone,
        logo_url: b.logo_url,
        primary_color: b.primary_color,
    };
    Ok(Json(json!({ "data": service::update(&state, &ctx, input).await? })))
}
