//! `/api/v1/webhooks`: the company's outbound webhook endpoints (managers and owners, on plans
//! with webhooks): create (the signing secret is in this answer only), list, show, change,
//! delete, rotate the secret, send a test event, and the deliveries of one endpoint.
use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};

use super::{json::ok, ApiJson, Created, Id, JsonResult};
use app::{
    error::AppError,
    model::{CreatedWebhookDto, Page, WebhookDeliveryDto, WebhookDto},
    server::{
        services::webhooks::{self, WebhookInput},
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(list).post(create))
        .route("/webhooks/{id}", get(show).put(update).patch(update).delete(remove))
        .route("/webhooks/{id}/rotate-secret", post(rotate_secret))
        .route("/webhooks/{id}/test", post(test))
        .route("/webhooks/{id}/deliveries", get(deliveries))
}

async fn create(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(input): ApiJson<WebhookInput>,
) -> Result<Created<CreatedWebhookDto>, AppError> {
    Ok(Created(webhooks::create(&state, &ctx, input).await?))
}

async fn list(ctx: TenantContext) -> JsonResult<Vec<WebhookDto>> {
    Ok(ok(webhooks::list(&ctx).await?))
}

async fn show(ctx: TenantContext, Id(id): Id) -> JsonResult<WebhookDto> {
    Ok(ok(webhooks::get(&ctx, id).await?))
}

async fn update(
    State(state): State<AppState>,
    ctx: TenantContext,
    Id(id): Id,
    ApiJson(input): ApiJson<WebhookInput>,
) -> JsonResult<WebhookDto> {
    Ok(ok(webhooks::update(&state, &ctx, id, input).await?))
}

async fn remove(ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    webhooks::delete(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn rotate_secret(ctx: TenantContext, Id(id): Id) -> JsonResult<CreatedWebhookDto> {
    Ok(ok(webhooks::rotate_secret(&ctx, id).await?))
}

/// 202: the test event is queued; its delivery shows in the deliveries list.
async fn test(ctx: TenantContext, Id(id): Id) -> Result<(StatusCode, Json<super::Data<WebhookDeliveryDto>>), AppError> {
    let delivery = webhooks::test(&ctx, id).await?;
    Ok((StatusCode::ACCEPTED, ok(delivery)))
}

async fn deliveries(
    ctx: TenantContext,
    Id(id): Id,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Page<WebhookDeliveryDto>>, AppError> {
    Ok(Json(webhooks::deliveries(&ctx, id, &params).await?))
}
