//! `/api/webhooks/asaas`: payment events, authenticated by the `asaas-access-token` header.
//! Asaas counts only HTTP 200 as delivered, so every authenticated, well-formed event (also an
//! unknown or replayed one) answers 200.
use axum::{body::Bytes, extract::State, http::HeaderMap, response::IntoResponse, routing::post, Json, Router};
use serde_json::json;

use app::{
    error::AppError,
    server::{
        services::billing::{self, WebhookOutcome},
        AppState,
    },
};

pub fn router() -> Router<AppState> {
    Router::new().route("/asaas", post(asaas))
}

async fn asaas(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Result<impl IntoResponse, AppError> {
    let token = headers.get("asaas-access-token").map(|v| v.as_bytes());
    let outcome = billing::receive_webhook(&state, token, &body).await?;
    let outcome = match outcome {
        WebhookOutcome::Applied => "applied",
        WebhookOutcome::Duplicate => "duplicate",
        WebhookOutcome::Ignored => "ignored",
    };
    Ok(Json(json!({ "data": { "received": true, "outcome": outcome } })))
}
