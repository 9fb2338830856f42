//! `/api/v1/billing`: the workspace's plan, usage, charges and subscription (managers read, the
//! owner changes; people only).
use std::collections::HashMap;

use axum::extract::{Query, State};
use utoipa_axum::routes;

use super::{json::ok, ApiJson, ApiRouter, Data, JsonResult};
use app::{
    model::{BillingDto, ChargeDto, CheckoutDto, Page, PlanDto, SubscriptionChangeDto},
    server::{
        services::billing::{
            self,
            subscription::{self, CheckoutInput, SubscriptionInput},
        },
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(plan))
        .routes(routes!(plans))
        .routes(routes!(start_checkout))
        .routes(routes!(charges))
        .routes(routes!(change_subscription, cancel_subscription))
}

/// Paging of the charges list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ChargePaging {
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    page_size: Option<i64>,
}

/// The workspace's plan, status, periods, next charge, limits, features and usage (manager+).
#[utoipa::path(get, path = "/billing/plan", tag = "billing", responses((status = 200, body = Data<BillingDto>)))]
async fn plan(State(state): State<AppState>, ctx: TenantContext) -> JsonResult<BillingDto> {
    Ok(ok(billing::overview(&state, &ctx).await?))
}

/// Every plan.
#[utoipa::path(get, path = "/billing/plans", tag = "billing", responses((status = 200, body = Data<Vec<PlanDto>>)))]
async fn plans(State(state): State<AppState>) -> JsonResult<Vec<PlanDto>> {
    Ok(ok(billing::plans(&state).await?))
}

/// Starts the subscription on `plan`, or changes it (owner): answers the charge to pay and its
/// payment page (or the success URL when nothing is to be paid now). A plan the usage does not
/// fit is a 422.
#[utoipa::path(post, path = "/billing/checkout", tag = "billing", request_body = CheckoutInput,
    responses((status = 200, body = Data<CheckoutDto>), (status = 502, description = "The payment provider failed; nothing changed", body = super::openapi::ErrorBody)))]
async fn start_checkout(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(input): ApiJson<CheckoutInput>,
) -> JsonResult<CheckoutDto> {
    Ok(ok(subscription::checkout_for(&state, &ctx, input).await?))
}

/// The workspace's charges, newest due date first (manager+): amount, status, method and the
/// provider's page for the boleto, PIX QR code or receipt.
#[utoipa::path(get, path = "/billing/charges", tag = "billing", params(ChargePaging),
    responses((status = 200, body = Page<ChargeDto>)))]
async fn charges(
    State(state): State<AppState>,
    ctx: TenantContext,
    Query(params): Query<HashMap<String, String>>,
) -> Result<axum::Json<Page<ChargeDto>>, app::error::AppError> {
    Ok(axum::Json(billing::charges(&state, &ctx, &params).await?))
}

/// Changes the plan, the cycle (`MONTHLY`, `YEARLY`) or the payment method (`PIX`, `BOLETO`,
/// `CREDIT_CARD`, `UNDEFINED`) of the one subscription (owner), or starts it when there is none.
/// An upgrade applies when its prorated charge (`payment_url`) is paid; a downgrade or a cycle
/// change from the next cycle.
#[utoipa::path(post, path = "/billing/subscription", tag = "billing", request_body = SubscriptionInput,
    responses((status = 200, body = Data<SubscriptionChangeDto>), (status = 502, description = "The payment provider failed; nothing changed", body = super::openapi::ErrorBody)))]
async fn change_subscription(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(input): ApiJson<SubscriptionInput>,
) -> JsonResult<SubscriptionChangeDto> {
    Ok(ok(subscription::change_for(&state, &ctx, input).await?))
}

/// Cancels the subscription at the provider (owner): no further charges; the workspace stays
/// writable until the end of the period already paid. Answers the billing overview.
#[utoipa::path(delete, path = "/billing/subscription", tag = "billing",
    responses((status = 200, body = Data<BillingDto>), (status = 502, description = "The payment provider failed; nothing changed", body = super::openapi::ErrorBody)))]
async fn cancel_subscription(State(state): State<AppState>, ctx: TenantContext) -> JsonResult<BillingDto> {
    subscription::cancel(&state, &ctx).await?;
    // The overview of the registry row as the cancel left it.
    let tenant = state.tenants.get(&ctx.tenant.slug).await?.unwrap_or_else(|| ctx.tenant.clone());
    let after = TenantContext { tenant, ..ctx };
    Ok(ok(billing::overview(&state, &after).await?))
}
