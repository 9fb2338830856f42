//! `/api/v1/api-keys`: the company's API keys (manager and above, people only): create (the key
//! is in this answer only), list, revoke.
use axum::{
    http::StatusCode,
    routing::{delete, get},
    Router,
};

use super::{json::ok, ApiJson, Created, Id, JsonResult};
use app::{
    error::AppError,
    model::{ApiKeyDto, CreatedApiKeyDto},
    server::{
        services::api_keys::{self, CreateApiKey},
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> Router<AppState> {
    Router::new().route("/api-keys", get(list).post(create)).route("/api-keys/{id}", delete(revoke))
}

async fn create(
    ctx: TenantContext,
    ApiJson(input): ApiJson<CreateApiKey>,
) -> Result<Created<CreatedApiKeyDto>, AppError> {
    Ok(Created(api_keys::create(&ctx, input).await?))
}

async fn list(ctx: TenantContext) -> JsonResult<Vec<ApiKeyDto>> {
    Ok(ok(api_keys::list(&ctx).await?))
}

async fn revoke(ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    api_keys::revoke(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
