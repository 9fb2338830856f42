//! `/api/v1/users`: the signed-in user's profile, and the company's users (manager and above).
use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::{json::ok, ApiJson, ApiRouter, Data, Id, JsonResult};
use app::server::web::{auth::Person, client::ClientAddress};
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

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(me, update_me)).routes(routes!(list, create)).routes(routes!(show, update))
}

/// Who is calling: the signed-in user, or the API key acting with its role.
#[utoipa::path(get, path = "/users/me", tag = "users", responses((status = 200, body = Data<UserDto>)))]
async fn me(ctx: TenantContext) -> Json<Data<UserDto>> {
    ok(ctx.user.to_dto())
}

/// The answer to a profile change: the user, and a fresh token pair after a password change.
#[derive(Serialize, ToSchema)]
struct UpdatedMe {
    data: UserDto,
    #[serde(skip_serializing_if = "Option::is_none")]
    tokens: Option<TokenPair>,
}

/// Changes the caller's name, language or password (people only). A password change ends every
/// other token and session of the user, this one included; the answer carries a fresh pair so
/// the caller stays signed in.
#[utoipa::path(put, path = "/users/me", tag = "users", request_body = UpdateMe,
    responses((status = 200, body = UpdatedMe)))]
async fn update_me(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    Person(ctx): Person,
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

/// The company's users (manager+), a page at a time.
#[utoipa::path(get, path = "/users", tag = "users", params(super::ListParams, super::UserFilters),
    responses((status = 200, body = Page<UserDto>)))]
async fn list(
    State(state): State<AppState>,
    ctx: TenantContext,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Page<UserDto>>, AppError> {
    Ok(Json(users::list(&state, &ctx, &params).await?))
}

/// `201 {"data": user}`, with `invitation_path` beside it when the user was invited.
#[derive(Serialize, ToSchema)]
struct CreatedUser {
    data: UserDto,
    #[serde(skip_serializing_if = "Option::is_none")]
    invitation_path: Option<String>,
}

/// Adds a user (manager+); without a password the person is invited by email.
#[utoipa::path(post, path = "/users", tag = "users", request_body = CreateUser,
    responses((status = 201, body = CreatedUser)))]
async fn create(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(input): ApiJson<CreateUser>,
) -> Result<Response, AppError> {
    let created = users::create(&state, &ctx, input).await?;
    let body = CreatedUser { data: created.user, invitation_path: created.invitation_path };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(get, path = "/users/{id}", tag = "users", params(super::IdParam),
    responses((status = 200, body = Data<UserDto>)))]
async fn show(ctx: TenantContext, Id(id): Id) -> JsonResult<UserDto> {
    Ok(ok(users::get(&ctx, id).await?))
}

/// Changes a user (manager+); absent fields keep their value. Deactivating ends their sessions.
#[utoipa::path(method(put, patch), path = "/users/{id}", tag = "users", params(super::IdParam),
    request_body = UpdateUser, responses((status = 200, body = Data<UserDto>)))]
async fn update(
    State(state): State<AppState>,
    ctx: TenantContext,
    Id(id): Id,
    ApiJson(input): ApiJson<UpdateUser>,
) -> JsonResult<UserDto> {
    Ok(ok(users::update(&state, &ctx, id, input).await?))
}
