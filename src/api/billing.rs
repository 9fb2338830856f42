//! `/api/v1/billing`: the tenant's plan, usage and plan changes (manager and above).
use axum::{
    extract::State,
    response::IntoResponse,
    routing::{get, post},
    Json, Router,
};
use serde::Deserialize;
use serde_json::json;

use super::ApiJson;
use app::{
    error::AppError,
    server::{
        services::billing::{self, CheckoutInput},
        tenant::TenantContext,
        AppState,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/billing/plan", get(plan))
        .route("/billing/plans", get(plans))
        .route("/billing/checkout", post(checkout))
}

async fn plan(State(state): State<AppState>, ctx: TenantContext) -> Result<impl IntoResponse, AppError> {
    Ok(Json(json!({ "data": billing::overview(&state, &ctx).await? })))
}

async fn plans(State(state): State<AppState>) -> Result<impl IntoResponse, AppError> {
    Ok(Json(json!({ "data": billing::plans(&state).await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckoutBody {
    plan: Option<String>,
    success_url: Option<String>,
    cancel_url: Option<String>,
}

async fn checkout(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(body): ApiJson<CheckoutBody>,
) -> Result<impl IntoResponse, AppError> {
    let input = CheckoutInput { plan: body.plan, success_url: body.success_url, cancel_url: body.cancel_url };
    Ok(Json(json!({ "data": billing::checkout_for(&state, &ctx, input).await? })))
}
