//! `/api/v1/invitations`: invitations not accepted yet (manager and above): list, send again
//! with a new link, revoke.
use axum::{extract::State, http::StatusCode};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::{json::ok, ApiRouter, Data, Id, JsonResult};
use app::{
    error::AppError,
    model::InvitationDto,
    server::{services::invitations, state::AppState, tenancy::context::TenantContext},
};

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(list)).routes(routes!(revoke)).routes(routes!(resend))
}

/// Invitations not accepted yet, `pending` or `expired` (manager+).
#[utoipa::path(get, path = "/invitations", tag = "invitations", responses((status = 200, body = Data<Vec<InvitationDto>>)))]
async fn list(ctx: TenantContext) -> JsonResult<Vec<InvitationDto>> {
    Ok(ok(invitations::list(&ctx).await?))
}

/// The invitation with its new link (the previous one no longer works).
#[derive(Serialize, ToSchema)]
struct Resent {
    #[serde(flatten)]
    invitation: InvitationDto,
    invitation_path: String,
}

/// A new link, valid 7 more days, emailed again; the old one stops working (manager+).
#[utoipa::path(post, path = "/invitations/{id}/resend", tag = "invitations", params(super::IdParam),
    responses((status = 200, body = Data<Resent>)))]
async fn resend(State(state): State<AppState>, ctx: TenantContext, Id(id): Id) -> JsonResult<Resent> {
    let resent = invitations::resend(&state, &ctx, id).await?;
    Ok(ok(Resent { invitation: resent.invitation, invitation_path: resent.invitation_path }))
}

/// The link dies and the invited user is removed (manager+).
#[utoipa::path(delete, path = "/invitations/{id}", tag = "invitations", params(super::IdParam),
    responses((status = 204, description = "Revoked")))]
async fn revoke(ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    invitations::revoke(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
