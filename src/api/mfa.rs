//! `/api/v1/users/me/mfa` (the signed-in user's second factor) and `/api/v1/users/{id}/mfa` (a
//! manager resets someone's). The sign-in's second step is `/api/auth/mfa/verify` (`auth.rs`).

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode},
};
use utoipa_axum::routes;

use super::{json::ok, ApiJson, ApiRouter, Data, Id, JsonResult};
use app::server::web::client::ClientAddress;
use app::{
    error::AppError,
    server::{
        services::mfa::{self, ConfirmMfa, DisableMfa, Enrolment, RecoveryCodes},
        state::AppState,
        tenancy::context::TenantContext,
    },
};

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(enrol, disable)).routes(routes!(confirm)).routes(routes!(reset))
}

/// A new secret to add to an authenticator app; two-step sign-in is on once a code confirms it.
#[utoipa::path(post, path = "/users/me/mfa", tag = "mfa", responses((status = 200, body = Data<Enrolment>)))]
async fn enrol(ctx: TenantContext) -> JsonResult<Enrolment> {
    Ok(ok(mfa::enrol(&ctx).await?))
}

/// Confirms the secret with a code: two-step sign-in is on; the recovery codes, shown once.
#[utoipa::path(post, path = "/users/me/mfa/confirm", tag = "mfa", request_body = ConfirmMfa,
    responses((status = 200, body = Data<RecoveryCodes>)))]
async fn confirm(
    State(state): State<AppState>,
    ctx: TenantContext,
    ApiJson(input): ApiJson<ConfirmMfa>,
) -> JsonResult<RecoveryCodes> {
    Ok(ok(mfa::confirm(&state, &ctx, input).await?))
}

/// Turns two-step sign-in off, with the password or a code.
#[utoipa::path(delete, path = "/users/me/mfa", tag = "mfa", request_body = DisableMfa,
    responses((status = 204, description = "Off")))]
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

/// A manager turns someone's two-step sign-in off (not above their own role); they are told.
#[utoipa::path(delete, path = "/users/{id}/mfa", tag = "mfa", params(super::IdParam),
    responses((status = 204, description = "Reset")))]
async fn reset(State(state): State<AppState>, ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    mfa::reset(&state, &ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
