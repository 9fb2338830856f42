//! `/api/v1/users`: for now the signed-in user's own profile.
use axum::{extract::State, response::IntoResponse, routing::get, Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::ApiJson;
use app::{
    error::AppError,
    server::{
        services::{auth, users},
        tenant::TenantContext,
        AppState,
    },
};

pub fn router() -> Router<AppState> {
    Router::new().route("/users/me", get(me).put(update_me))
}

async fn me(ctx: TenantContext) -> Json<serde_json::Value> {
    Json(json!({ "data": ctx.user.to_dto() }))
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
