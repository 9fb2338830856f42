//! `/api/v1/company`: the company profile (manager and above).
use axum::{extract::State, routing::get, Router};

use super::{json::ok, ApiJson, JsonResult};
use app::{
    model::CompanyDto,
    server::{
        services::company::{self, UpdateCompany},
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> Router<AppState> {
    Router::new().route("/company", get(show).put(update))
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
