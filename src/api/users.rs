//! `/api/v1/users`: the signed-in user's profile, and the company's users (manager and above).
use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    middleware,
    response::{IntoResponse, Response},
    routing::{get, put},
    Json, Router,
};
use serde::Serialize;

use super::{json::ok, ApiJson, Data, Id, JsonResult};
use app::server::web::{auth::people_only, client::ClientAddress};
use app::{
    error::AppError,
    model::{Page, UserDto},
    server::{
        services::{
            auth::{self, TokenPair},
            profile::{self, UpdateMe},
            users::{self, CreateUser, UpdateUser},
        },
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> Router<AppState> {
    // Who am I, for a person or an API key; changing a profile (a password among it) is a person's.
    let me = get(me).merge(put(update_me).route_layer(middleware::from_fn(people_only)));
    Router::new()
        .route("/users/me", me)
        .route("/users", get(list).post(create))
        .route("/users/{id}", get(show).put(update).patch(update))
}

async fn me(ctx: TenantContext) -> Json<Data<UserDto>> {
    ok(ctx.user.to_dto())
}

/// The answer to a profile change: the user, and a fresh token pair after a password change.
#[derive(Serialize)]
struct UpdatedMe {
    data: UserDto,
    #[serde(skip_serializing_if = "Option::is_none")]
    tokens: Option<TokenPair>,
}

/// A password change ends every other token and session of the user, this one included; the
/// answer carries a fresh pair so the caller stays signed in.
async fn update_me(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    ctx: TenantContext,
    ApiJson(input): ApiJson<UpdateMe>,
) -> Result<Json<UpdatedMe>, AppError> {
    let changes_password = input.password.is_some();
    let client = super::client(address, &headers);
    let user = profile::update_me(&state, &ctx, input, &client, None).await?;
    let tokens = match changes_password {
        true => Some(auth::issue_tokens(&state, &ctx.with_user(user.clone()), &client).await?.0),
        false => None,
    };
    Ok(Json(UpdatedMe { data: user.to_dto(), tokens }))
}

/// `page` (1..), `page_size` (1..100, default 20; larger is a 422, not silently clamped),
/// `sort_by` name|email|role|inserted_at, `sort_order` asc|desc, `search`, `role`, `active`.
async fn list(
    State(state): State<AppState>,
    ctx: TenantContext,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Page<UserDto>>, AppError> {
    Ok(Json(users::list(&state, &ctx, &params).await?))
}

/// `201 {"data": user}`, with `invitation_path` beside it when the user was invited.
#[derive(Serialize)]
struct CreatedUser {
    data: UserDto,
    #[serde(skip_serializing_if = "Option::is_none")]
    invitation_path: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(input): ApiJson<CreateUser>,
) -> Result<Response, AppError> {
    let created = users::create(&state, &ctx, input).await?;
    let body = CreatedUser { data: created.user, invitation_path: created.invitation_path };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn show(ctx: TenantContext, Id(id): Id) -> JsonResult<UserDto> {
    Ok(ok(users::get(&ctx, id).await?))
}

async fn update(
    State(state): State<AppState>,
    ctx: TenantContext,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateUser>,
) -> JsonResult<UserDto> {
    Ok(ok(users::update(&state, &ctx, id, input).await?))
}
