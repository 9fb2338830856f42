//! `/api/v1/departments` and their members (supervisor and above).
use std::collections::HashMap;

use axum::{
    extract::{Path, Query},
    http::StatusCode,
    response::IntoResponse,
    routing::{delete, get},
    Json, Router,
};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::{nullable, parse_id, ApiJson};
use app::{
    error::AppError,
    server::{
        services::departments::{self as service, DepartmentInput},
        tenant::TenantContext,
        AppState,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/departments", get(list).post(create))
        .route("/departments/{id}", get(show).put(update).patch(update).delete(remove))
        .route("/departments/{id}/users", get(members).post(add_member))
        .route("/departments/{id}/users/{user_id}", delete(remove_member))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    name: Option<String>,
    identifier: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
    active: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    max_queue_size: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    max_wait_time: Option<Option<i32>>,
}

impl From<Body> for DepartmentInput {
    fn from(b: Body) -> Self {
        DepartmentInput {
            name: b.name,
            identifier: b.identifier,
            description: b.description,
            active: b.active,
            max_queue_size: b.max_queue_size,
            max_wait_time: b.max_wait_time,
        }
    }
}

async fn list(
    ctx: TenantContext,
    Query(params): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(service::list(&ctx, &params).await?))
}

async fn create(ctx: TenantContext, ApiJson(body): ApiJson<Body>) -> Result<impl IntoResponse, AppError> {
    Ok((StatusCode::CREATED, Json(json!({ "data": service::create(&ctx, body.into()).await? }))))
}

async fn show(ctx: TenantContext, Path(id): Path<String>) -> Result<impl IntoResponse, AppError> {
    Ok(Json(json!({ "data": service::get(&ctx, parse_id(&id)?).await? })))
}

async fn update(
    ctx: TenantContext,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Body>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(json!({ "data": service::update(&ctx, parse_id(&id)?, body.into()).await? })))
}

async fn remove(ctx: TenantContext, Path(id): Path<String>) -> Result<impl IntoResponse, AppError> {
    service::delete(&ctx, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn members(ctx: TenantContext, Path(id): Path<String>) -> Result<impl IntoResponse, AppError> {
    Ok(Json(json!({ "data": service::members(&ctx, parse_id(&id)?).await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberBody {
    user_id: Option<String>,
}

async fn add_member(
    ctx: TenantContext,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MemberBody>,
) -> Result<impl IntoResponse, AppError> {
    let id = parse_id(&id)?;
    let user_id = match b.user_id {
        None => None,
        Some(raw) => Some(raw.parse::<Uuid>().map_err(|_| AppError::NotFound)?),
    };
    Ok((StatusCode::CREATED, Json(json!({ "data": service::add_member(&ctx, id, user_id).await? }))))
}

async fn remove_member(
    ctx: TenantContext,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<impl IntoResponse, AppError> {
    service::remove_member(&ctx, parse_id(&id)?, parse_id(&user_id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
