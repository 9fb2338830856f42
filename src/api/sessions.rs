//! `/api/v1/users/me/sessions` (the signed-in user's own sign-ins),
//! `/api/v1/users/{id}/sessions` (a manager ends another user's sessions) and `/api/v1/sessions`
//! (the owner ends everyone's). Every ending answers 204.
use axum::{http::StatusCode, routing::delete, Json, Router};

use super::{json::ok, Data, Id};
use app::{
    error::AppError,
    model::SessionDto,
    server::{services::sessions, state::AppState, tenancy::context::TenantContext},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/me/sessions", axum::routing::get(list).delete(end_others))
        .route("/users/me/sessions/{id}", delete(end_one))
        .route("/users/{id}/sessions", delete(end_of_user))
        .route("/sessions", delete(end_everyones))
}

async fn list(ctx: TenantContext) -> Result<Json<Data<Vec<SessionDto>>>, AppError> {
    Ok(ok(sessions::list(&ctx).await?))
}

async fn end_one(ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    sessions::end_own(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn end_others(ctx: TenantContext) -> Result<StatusCode, AppError> {
    sessions::end_others(&ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn end_of_user(ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    sessions::end_of_user(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn end_everyones(ctx: TenantContext) -> Result<StatusCode, AppError> {
    sessions::end_everyones(&ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}
