//! `/api/v1/api-keys`: the company's API keys (manager and above, people only): create (the key
//! is in this answer only), list, revoke.
use axum::http::StatusCode;
use utoipa_axum::routes;

use super::{json::ok, ApiJson, ApiRouter, Created, Data, Id, JsonResult};
use app::{
    error::AppError,
    model::{ApiKeyDto, CreatedApiKeyDto},
    server::{
        services::api_keys::{self, CreateApiKey},
        tenancy::context::TenantContext,
    },
};

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(list, create)).routes(routes!(revoke))
}

/// A new key with a role no higher than the creator's (manager+, people only); the `key` is in
/// this answer only.
#[utoipa::path(post, path = "/api-keys", tag = "api-keys", request_body = CreateApiKey,
    responses((status = 201, body = Data<CreatedApiKeyDto>)))]
async fn create(
    ctx: TenantContext,
    ApiJson(input): ApiJson<CreateApiKey>,
) -> Result<Created<CreatedApiKeyDto>, AppError> {
    Ok(Created(api_keys::create(&ctx, input).await?))
}

/// Every key of the company, newest first (manager+, people only).
#[utoipa::path(get, path = "/api-keys", tag = "api-keys", responses((status = 200, body = Data<Vec<ApiKeyDto>>)))]
async fn list(ctx: TenantContext) -> JsonResult<Vec<ApiKeyDto>> {
    Ok(ok(api_keys::list(&ctx).await?))
}

/// The key is refused from its next request on, on every node (manager+, people only).
#[utoipa::path(delete, path = "/api-keys/{id}", tag = "api-keys", params(super::IdParam),
    responses((status = 204, description = "Revoked")))]
async fn revoke(ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    api_keys::revoke(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
