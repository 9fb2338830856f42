//! `/api/webhooks/asaas`: payment events, authenticated by the `asaas-access-token` header.
//! Asaas counts only HTTP 200 as delivered, so every authenticated, well-formed event (also an
//! unknown or replayed one) answers 200.
use axum::{body::Bytes, extract::State, http::HeaderMap};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::routes;

use super::{json::ok, ApiRouter, Data, JsonResult};
use app::server::{services::billing::webhook, state::AppState};

pub fn router() -> ApiRouter {
    ApiRouter::new().routes(routes!(asaas))
}

#[derive(Serialize, ToSchema)]
struct Received {
    received: bool,
    outcome: &'static str,
}

/// An Asaas event (`PAYMENT_CONFIRMED`, `PAYMENT_OVERDUE`, ...): each event id is processed once.
#[utoipa::path(post, path = "/asaas", tag = "payment-events", request_body(content = serde_json::Value, description = "The event as Asaas sends it"),
    responses((status = 200, body = Data<Received>)))]
async fn asaas(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> JsonResult<Received> {
    let token = headers.get("asaas-access-token").map(|v| v.as_bytes());
    let outcome = webhook::receive(&state, token, &body).await?;
    Ok(ok(Received { received: true, outcome: outcome.as_str() }))
}
