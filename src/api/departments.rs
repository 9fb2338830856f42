//! `/api/v1/departments` and their members (supervisor and above).
use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    Json,
};
use utoipa_axum::routes;

use super::{json::ok, parse_id, ApiJson, ApiRouter, Created, Data, Id, JsonResult};
use app::{
    error::AppError,
    model::{DepartmentDto, Page, UserDto},
    server::{
        services::departments::{self, AddMember, CreateDepartment, DepartmentInput},
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> ApiRouter {
    ApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(show, update, remove))
        .routes(routes!(members, add_member))
        .routes(routes!(remove_member))
}

/// A department and a member of it.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
struct MemberParams {
    id: uuid::Uuid,
    user_id: uuid::Uuid,
}

/// The company's departments (supervisor+), a page at a time.
#[utoipa::path(get, path = "/departments", tag = "departments", params(super::ListParams, super::DepartmentFilters),
    responses((status = 200, body = Page<DepartmentDto>)))]
async fn list(
    State(state): State<AppState>,
    ctx: TenantContext,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Page<DepartmentDto>>, AppError> {
    Ok(Json(departments::list(&state, &ctx, &params).await?))
}

/// A new department (supervisor+); the identifier is made from the name when absent.
#[utoipa::path(post, path = "/departments", tag = "departments", request_body = CreateDepartment,
    responses((status = 201, body = Data<DepartmentDto>)))]
async fn create(
    ctx: TenantContext,
    ApiJson(input): ApiJson<CreateDepartment>,
) -> Result<Created<DepartmentDto>, AppError> {
    Ok(Created(departments::create(&ctx, input.into()).await?))
}

#[utoipa::path(get, path = "/departments/{id}", tag = "departments", params(super::IdParam),
    responses((status = 200, body = Data<DepartmentDto>)))]
async fn show(ctx: TenantContext, Id(id): Id) -> JsonResult<DepartmentDto> {
    Ok(ok(departments::get(&ctx, id).await?))
}

/// Changes a department (supervisor+); absent fields keep their value, `null` clears.
#[utoipa::path(method(put, patch), path = "/departments/{id}", tag = "departments", params(super::IdParam),
    request_body = DepartmentInput, responses((status = 200, body = Data<DepartmentDto>)))]
async fn update(ctx: TenantContext, Id(id): Id, ApiJson(input): ApiJson<DepartmentInput>) -> JsonResult<DepartmentDto> {
    Ok(ok(departments::update(&ctx, id, input).await?))
}

#[utoipa::path(delete, path = "/departments/{id}", tag = "departments", params(super::IdParam),
    responses((status = 204, description = "Deleted")))]
async fn remove(ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    departments::delete(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The department's members.
#[utoipa::path(get, path = "/departments/{id}/users", tag = "departments", params(super::IdParam),
    responses((status = 200, body = Data<Vec<UserDto>>)))]
async fn members(ctx: TenantContext, Id(id): Id) -> JsonResult<Vec<UserDto>> {
    Ok(ok(departments::members(&ctx, id).await?))
}

/// Adds a user of the company to the department.
#[utoipa::path(post, path = "/departments/{id}/users", tag = "departments", params(super::IdParam),
    request_body = AddMember, responses((status = 201, body = Data<DepartmentDto>)))]
async fn add_member(
    ctx: TenantContext,
    Id(id): Id,
    ApiJson(input): ApiJson<AddMember>,
) -> Result<Created<DepartmentDto>, AppError> {
    Ok(Created(departments::add_member(&ctx, id, input).await?))
}

#[utoipa::path(delete, path = "/departments/{id}/users/{user_id}", tag = "departments", params(MemberParams),
    responses((status = 204, description = "Removed")))]
async fn remove_member(
    ctx: TenantContext,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    departments::remove_member(&ctx, parse_id(&id)?, parse_id(&user_id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
