//! `/api/v1/invitations`: invitations not accepted yet (manager and above): list, send again
//! with a new link, revoke.
use axum::{
    extract::State,
    http::StatusCode,
    routing::{delete, get, post},
    Router,
};
use serde::Serialize;

use super::{json::ok, Id, JsonResult};
use app::{
    error::AppError,
    model::InvitationDto,
    server::{services::invitations, state::AppState, tenancy::context::TenantContext},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/invitations", get(list))
        .route("/invitations/{id}", delete(revoke))
        .route("/invitations/{id}/resend", post(resend))
}

async fn list(ctx: TenantContext) -> JsonResult<Vec<InvitationDto>> {
    Ok(ok(invitations::list(&ctx).await?))
}

/// The invitation with its new link (the previous one no longer works).
#[derive(Serialize)]
struct Resent {
    #[serde(flatten)]
    invitation: InvitationDto,
    invitation_path: String,
}

async fn resend(State(state): State<AppState>, ctx: TenantContext, Id(id): Id) -> JsonResult<Resent> {
    let resent = invitations::resend(&state, &ctx, id).await?;
    Ok(ok(Resent { invitation: resent.invitation, invitation_path: resent.invitation_path }))
}

async fn revoke(ctx: TenantContext, Id(id): Id) -> Result<StatusCode, AppError> {
    invitations::revoke(&ctx, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
