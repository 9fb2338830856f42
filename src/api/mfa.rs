//! `/api/v1/users/me/mfa` (the signed-in user's second factor) and `/api/v1/users/{id}/mfa` (a
//! manager resets someone's). The sign-in's second step is `/api/auth/mfa/verify` (`auth.rs`).

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::{delete, post},
    Router,
};

use super::{json::ok, ApiJson, Id, JsonResult};
use app::server::web::client::ClientAddress;
use app::{
    error::AppError,
    server::{
        services::mfa::{self, ConfirmMfa, DisableMfa, Enrolment, RecoveryCodes},
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/me/mfa", post(enrol).delete(disable))
        .route("/users/me/mfa/confirm", post(confirm))
        .route("/users/{id}/mfa", delete(reset))
}

/// A new secret to add to an authenticator app; two-step sign-in is on once a code confirms it.
async fn enrol(ctx: TenantContext) -> JsonResult<Enrolment> {
    Ok(ok(mfa::enrol(&ctx).await?))
}

async fn confirm(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(input): ApiJson<ConfirmMfa>,
) -> JsonResult<RecoveryCodes> {
    Ok(ok(mfa::confirm(&state, &ctx, input).await?))
}

async fn disable(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    ctx: TenantContext,
    ApiJson(input): ApiJson<DisableMfa>,
) -> Result<StatusCode, AppError> {
    mfa::disable(&state, &ctx, input, &super::client(address, &headers)).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn reset(State(state): State<AppState>, ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    mfa::reset(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
