//! `/api/v1/users/me/sessions` (the signed-in user's own sign-ins),
//! `/api/v1/users/{id}/sessions` (a manager ends another user's sessions) and `/api/v1/sessions`
//! (the owner ends everyone's). Every ending answers 204.
use axum::{http::StatusCode, Json};
use utoipa_axum::routes;

use super::{json::ok, ApiRouter, Data, Id};
use app::{
    error::AppError,
    model::SessionDto,
    server::{services::sessions, tenancy::context::TenantContext},
};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list, end_others))
        .routes(routes!(end_one))
        .routes(routes!(end_of_user))
        .routes(routes!(end_everyones))
}

/// The caller's live sessions (browsers and API sign-ins).
#[utoipa::path(get, path = "/users/me/sessions", tag = "sessions", responses((status = 200, body = Data<Vec<SessionDto>>)))]
async fn list(ctx: TenantContext) -> Result<Json<Data<Vec<SessionDto>>>, AppError> {
    Ok(ok(sessions::list(&ctx).await?))
}

/// Ends one of the caller's sessions; its tokens stop working at once.
#[utoipa::path(delete, path = "/users/me/sessions/{id}", tag = "sessions", params(super::IdParam),
    responses((status = 204, description = "Ended")))]
async fn end_one(ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    sessions::end_own(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends every session of the caller but this one.
#[utoipa::path(delete, path = "/users/me/sessions", tag = "sessions", responses((status = 204, description = "Ended")))]
async fn end_others(ctx: TenantContext) -> Result<StatusCode, AppError> {
    sessions::end_others(&ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A manager ends someone's sessions without deactivating them.
#[utoipa::path(delete, path = "/users/{id}/sessions", tag = "sessions", params(super::IdParam),
    responses((status = 204, description = "Ended")))]
async fn end_of_user(ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    sessions::end_of_user(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The owner ends every session of everyone in the company but this one.
#[utoipa::path(delete, path = "/sessions", tag = "sessions", responses((status = 204, description = "Ended")))]
async fn end_everyones(ctx: TenantContext) -> Result<StatusCode, AppError> {
    sessions::end_everyones(&ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}
