//! `/api/v1/webhooks`: the company's outbound webhook endpoints (managers and owners, on plans
//! with webhooks): create (the signing secret is in this answer only), list, show, change,
//! delete, rotate the secret, send a test event, and the deliveries of one endpoint.
use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    http::StatusCode,
    Json,
};
use utoipa_axum::routes;

use super::{json::ok, ApiJson, ApiRouter, Created, Data, Id, JsonResult};
use app::{
    error::AppError,
    model::{CreatedWebhookDto, Page, WebhookDeliveryDto, WebhookDto},
    server::{
        services::webhooks::{self, CreateWebhook, WebhookInput},
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(rotate_secret))
        .routes(routes!(test))
        .routes(routes!(deliveries))
}

/// Paging of the deliveries list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct DeliveryPaging {
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    page_size: Option<i64>,
}

/// A new endpoint (manager+, Professional and Enterprise); the signing `secret` is in this answer only.
#[utoipa::path(post, path = "/webhooks", tag = "webhooks", request_body = CreateWebhook,
    responses((status = 201, body = Data<CreatedWebhookDto>)))]
async fn create(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(input): ApiJson<CreateWebhook>,
) -> Result<Created<CreatedWebhookDto>, AppError> {
    Ok(Created(webhooks::create(&state, &ctx, input.into()).await?))
}

/// The company's endpoints (manager+).
#[utoipa::path(get, path = "/webhooks", tag = "webhooks", responses((status = 200, body = Data<Vec<WebhookDto>>)))]
async fn list(ctx: TenantContext) -> JsonResult<Vec<WebhookDto>> {
    Ok(ok(webhooks::list(&ctx).await?))
}

#[utoipa::path(get, path = "/webhooks/{id}", tag = "webhooks", params(super::IdParam),
    responses((status = 200, body = Data<WebhookDto>)))]
async fn show(ctx: TenantContext, Id(id): Id) -> JsonResult<WebhookDto> {
    Ok(ok(webhooks::get(&ctx, id).await?))
}

/// Changes an endpoint; absent fields keep their value. Switching it off gives up its waiting
/// deliveries; switching it on clears its failure record.
#[utoipa::path(method(put, patch), path = "/webhooks/{id}", tag = "webhooks", params(super::IdParam),
    request_body = WebhookInput, responses((status = 200, body = Data<WebhookDto>)))]
async fn update(
    State(state): State<AppState>,
    ctx: TenantContext,
    Id(id): Id,
    ApiJson(input): ApiJson<WebhookInput>,
) -> JsonResult<WebhookDto> {
    Ok(ok(webhooks::update(&state, &ctx, id, input).await?))
}

/// Deletes the endpoint and its deliveries.
#[utoipa::path(delete, path = "/webhooks/{id}", tag = "webhooks", params(super::IdParam),
    responses((status = 204, description = "Deleted")))]
async fn remove(ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    webhooks::delete(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new signing secret, shown this once.
#[utoipa::path(post, path = "/webhooks/{id}/rotate-secret", tag = "webhooks", params(super::IdParam),
    responses((status = 200, body = Data<CreatedWebhookDto>)))]
async fn rotate_secret(ctx: TenantContext, Id(id): Id) -> JsonResult<CreatedWebhookDto> {
    Ok(ok(webhooks::rotate_secret(&ctx, id).await?))
}

/// 202: a `webhook.ping` is queued for this endpoint; its delivery shows in the deliveries list.
#[utoipa::path(post, path = "/webhooks/{id}/test", tag = "webhooks", params(super::IdParam),
    responses((status = 202, body = Data<WebhookDeliveryDto>)))]
async fn test(ctx: TenantContext, Id(id): Id) -> Result<(StatusCode, Json<super::Data<WebhookDeliveryDto>>), AppError> {
    let delivery = webhooks::test(&ctx, id).await?;
    Ok((StatusCode::ACCEPTED, ok(delivery)))
}

/// The endpoint's deliveries, newest first.
#[utoipa::path(get, path = "/webhooks/{id}/deliveries", tag = "webhooks", params(super::IdParam, DeliveryPaging),
    responses((status = 200, body = Page<WebhookDeliveryDto>)))]
async fn deliveries(
    ctx: TenantContext,
    Id(id): Id,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Page<WebhookDeliveryDto>>, AppError> {
    Ok(Json(webhooks::deliveries(&ctx, id, &params).await?))
}
