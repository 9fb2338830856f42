//! `/api/v1/company`: the company profile (manager and above).
use axum::{extract::State, http::StatusCode};
use utoipa_axum::routes;

use super::{json::ok, ApiJson, ApiRouter, Data, JsonResult};
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

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(show, update)).routes(routes!(resend_verification))
}

/// The company profile (manager+).
#[utoipa::path(get, path = "/company", tag = "company", responses((status = 200, body = Data<CompanyDto>)))]
async fn show(State(state): State<AppState>, ctx: TenantContext) -> JsonResult<CompanyDto> {
    Ok(ok(company::get(&state, &ctx).await?))
}

/// Changes the company profile (manager+; `mfa_required` owner only).
#[utoipa::path(put, path = "/company", tag = "company", request_body = UpdateCompany,
    responses((status = 200, body = Data<CompanyDto>)))]
async fn update(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(input): ApiJson<UpdateCompany>,
) -> JsonResult<CompanyDto> {
    Ok(ok(company::update(&state, &ctx, input).await?))
}

/// The owner asks for the signup address's confirmation link again (202: it is on its way).
#[utoipa::path(post, path = "/company/verification-email", tag = "company",
    responses((status = 202, description = "The link is on its way")))]
async fn resend_verification(State(state): State<AppState>, ctx: TenantContext) -> Result<StatusCode, AppError> {
    verification::resend(&state, &ctx).await?;
    Ok(StatusCode::ACCEPTED)
}
