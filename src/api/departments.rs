//! `/api/v1/departments` and their members (supervisor and above).
use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{delete, get},
    Json, Router,
};

use super::{json::ok, parse_id, ApiJson, Created, Id, JsonResult};
use app::{
    error::AppError,
    model::{DepartmentDto, Page, UserDto},
    server::{
        services::departments::{self, AddMember, DepartmentInput},
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/departments", get(list).post(create))
        .route("/departments/{id}", get(show).put(update).patch(update).delete(remove))
        .route("/departments/{id}/users", get(members).post(add_member))
        .route("/departments/{id}/users/{user_id}", delete(remove_member))
}

async fn list(
    State(state): State<AppState>,
    ctx: TenantContext,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Page<DepartmentDto>>, AppError> {
    Ok(Json(departments::list(&state, &ctx, &params).await?))
}

async fn create(
    ctx: TenantContext,
    ApiJson(input): ApiJson<DepartmentInput>,
) -> Result<Created<DepartmentDto>, AppError> {
    Ok(Created(departments::create(&ctx, input).await?))
}

async fn show(ctx: TenantContext, Id(id): Id) -> JsonResult<DepartmentDto> {
    Ok(ok(departments::get(&ctx, id).await?))
}

async fn update(ctx: TenantContext, Id(id): Id, ApiJson(input): ApiJson<DepartmentInput>) -> JsonResult<DepartmentDto> {
    Ok(ok(departments::update(&ctx, id, input).await?))
}

async fn remove(ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    departments::delete(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn members(ctx: TenantContext, Id(id): Id) -> JsonResult<Vec<UserDto>> {
    Ok(ok(departments::members(&ctx, id).await?))
}

async fn add_member(
    ctx: TenantContext,
    Id(id): Id,
    ApiJson(input): ApiJson<AddMember>,
) -> Result<Created<DepartmentDto>, AppError> {
    Ok(Created(departments::add_member(&ctx, id, input).await?))
}

async fn remove_member(
    ctx: TenantContext,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    departments::remove_member(&ctx, parse_id(&id)?, parse_id(&user_id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
