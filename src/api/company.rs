//! `/api/v1/company`: the company profile (manager and above).
use axum::{
    extract::State,
    http::StatusCode,
    routing::{get, post},
    Router,
};

use super::{json::ok, ApiJson, JsonResult};
use app::{
    error::AppError,
    model::CompanyDto,
    server::{
        services::{
            company::{self, UpdateCompany},
            verification,
        },
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/company", get(show).put(update))
        .route("/company/verification-email", post(resend_verification))
}

async fn show(State(state): State<AppState>, ctx: TenantContext) -> JsonResult<CompanyDto> {
    Ok(ok(company::get(&state, &ctx).await?))
}

async fn update(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(input): ApiJson<UpdateCompany>,
) -> JsonResult<CompanyDto> {
    Ok(ok(company::update(&state, &ctx, input).await?))
}

/// The owner asks for the signup address's confirmation link again (202: it is on its way).
async fn resend_verification(State(state): State<AppState>, ctx: TenantContext) -> Result<StatusCode, AppError> {
    verification::resend(&state, &ctx).await?;
    Ok(StatusCode::ACCEPTED)
}
