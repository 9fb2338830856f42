//! `/api/v1/billing`: the tenant's plan, usage and plan changes (manager and above).
use axum::{
    extract::State,
    routing::{get, post},
    Router,
};

use super::{json::ok, ApiJson, JsonResult};
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

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/billing/plan", get(plan))
        .route("/billing/plans", get(plans))
        .route("/billing/checkout", post(start_checkout))
}

async fn plan(State(state): State<AppState>, ctx: TenantContext) -> JsonResult<BillingDto> {
    Ok(ok(billing::overview(&state, &ctx).await?))
}

async fn plans(State(state): State<AppState>) -> JsonResult<Vec<PlanDto>> {
    Ok(ok(billing::plans(&state).await?))
}

async fn start_checkout(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(input): ApiJson<CheckoutInput>,
) -> JsonResult<CheckoutDto> {
    Ok(ok(checkout::checkout_for(&state, &ctx, input).await?))
}
