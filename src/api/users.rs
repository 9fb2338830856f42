//! `/api/v1/users`: the signed-in user's profile, and the team (manager and above).
use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::IntoResponse,
    routing::get,
    Json, Router,
};
use serde::Deserialize;
use serde_json::json;

use super::{parse_id, ApiJson, Data};
use app::{
    error::AppError,
    model::UserDto,
    server::{
        services::{auth, team, users},
        tenant::TenantContext,
        AppState,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/me", get(me).put(update_me))
        .route("/users", get(list).post(create))
        .route("/users/{id}", get(show).put(update).patch(update))
}

async fn me(ctx: TenantContext) -> Json<Data<UserDto>> {
    Json(Data { data: ctx.user.to_dto() })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateMeBody {
    name: Option<String>,
    locale: Option<String>,
    current_password: Option<String>,
    password: Option<String>,
}

/// A password change ends every other token and session of the user, this one included; the
/// answer carries a fresh pair so the caller stays signed in.
async fn update_me(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(body): ApiJson<UpdateMeBody>,
) -> Result<impl IntoResponse, AppError> {
    let changes_password = body.password.is_some();
    let input = users::UpdateMe {
        name: body.name,
        locale: body.locale,
        current_password: body.current_password,
        password: body.password,
    };
    let user = users::update_me(&ctx, input).await?;
    if !changes_password {
        return Ok(Json(json!({ "data": user.to_dto() })));
    }
    let fresh = TenantContext { user: user.clone(), ..ctx };
    let tokens = auth::issue_tokens(&state, &fresh).await?;
    Ok(Json(json!({ "data": user.to_dto(), "tokens": tokens })))
}

/// `page` (1..), `page_size` (1..100, default 20; larger is a 422, not silently clamped),
/// `sort_by` name|email|role|inserted_at, `sort_order` asc|desc, `search`, `role`, `active`.
async fn list(
    ctx: TenantContext,
    Query(params): Query<HashMap<String, String>>,
) -> Result<impl IntoResponse, AppError> {
    Ok(Json(team::list(&ctx, &params).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: Option<String>,
    email: Option<String>,
    role: Option<String>,
    password: Option<String>,
    locale: Option<String>,
}

async fn create(ctx: TenantContext, ApiJson(b): ApiJson<CreateBody>) -> Result<impl IntoResponse, AppError> {
    let input = team::NewMember { name: b.name, email: b.email, role: b.role, password: b.password, locale: b.locale };
    let created = team::create(&ctx, input).await?;
    let mut body = json!({ "data": created.user });
    if let Some(path) = created.invitation_path {
        body["invitation_path"] = json!(path);
    }
    Ok((StatusCode::CREATED, Json(body)))
}

async fn show(ctx: TenantContext, Path(id): Path<String>) -> Result<impl IntoResponse, AppError> {
    Ok(Json(json!({ "data": team::get(&ctx, parse_id(&id)?).await? })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    name: Option<String>,
    email: Option<String>,
    role: Option<String>,
    active: Option<bool>,
    locale: Option<String>,
}

async fn update(
    ctx: TenantContext,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<UpdateBody>,
) -> Result<impl IntoResponse, AppError> {
    let id = parse_id(&id)?;
    let change = team::MemberChange { name: b.name, email: b.email, role: b.role, active: b.active, locale: b.locale };
    Ok(Json(json!({ "data": team::update(&ctx, id, change).await? })))
}
