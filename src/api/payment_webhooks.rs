//! `/api/webhooks/asaas`: payment events, authenticated by the `asaas-access-token` header.
//! Asaas counts only HTTP 200 as delivered, so every authenticated, well-formed event (also an
//! unknown or replayed one) answers 200.
use axum::{body::Bytes, extract::State, http::HeaderMap, routing::post, Router};
use serde::Serialize;

use super::{json::ok, JsonResult};
use app::server::{services::billing::webhook, state::AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/asaas", post(asaas))
}

#[derive(Serialize)]
struct Received {
    received: bool,
    outcome: &'static str,
}

async fn asaas(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> JsonResult<Received> {
    let token = headers.get("asaas-access-token").map(|v| v.as_bytes());
    let outcome = webhook::receive(&state, token, &body).await?;
    Ok(ok(Received { received: true, outcome: outcome.as_str() }))
}
