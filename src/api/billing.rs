//! `/api/v1/billing`: the tenant's plan, usage and plan changes (manager and above).
use axum::extract::State;
use utoipa_axum::routes;

use super::{json::ok, ApiJson, ApiRouter, Data, JsonResult};
use app::{
    model::{BillingDto, CheckoutDto, PlanDto},
    server::{
        services::billing::{
            self,
            checkout::{self, CheckoutInput},
        },
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(plan)).routes(routes!(plans)).routes(routes!(start_checkout))
}

/// The workspace's plan, status, periods, limits, features and usage (manager+, people only).
#[utoipa::path(get, path = "/billing/plan", tag = "billing", responses((status = 200, body = Data<BillingDto>)))]
async fn plan(State(state): State<AppState>, ctx: TenantContext) -> JsonResult<BillingDto> {
    Ok(ok(billing::overview(&state, &ctx).await?))
}

/// Every plan.
#[utoipa::path(get, path = "/billing/plans", tag = "billing", responses((status = 200, body = Data<Vec<PlanDto>>)))]
async fn plans(State(state): State<AppState>) -> JsonResult<Vec<PlanDto>> {
    Ok(ok(billing::plans(&state).await?))
}

/// A checkout for another plan (manager+, people only); a plan the usage does not fit is a 422.
#[utoipa::path(post, path = "/billing/checkout", tag = "billing", request_body = CheckoutInput,
    responses((status = 200, body = Data<CheckoutDto>)))]
async fn start_checkout(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(input): ApiJson<CheckoutInput>,
) -> JsonResult<CheckoutDto> {
    Ok(ok(checkout::checkout_for(&state, &ctx, input).await?))
}
