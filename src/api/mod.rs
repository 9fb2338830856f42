//! The JSON API: `/api/auth/*` (public, rate limited) and `/api/v1/*` (tenant-scoped; the tenant
//! middleware has already authenticated the request). One module per resource, thin handlers
//! over `app::server::services`.
mod auth;
mod billing;
mod company;
mod departments;
mod json;
mod signup;
mod users;
mod webhooks;

use axum::{
    extract::{ConnectInfo, DefaultBodyLimit, Request, State},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use std::net::SocketAddr;

use app::{error::AppError, server::AppState};

pub use json::ApiJson;

/// The `{"data": ...}` envelope of every successful answer, serialised straight from its type.
#[derive(serde::Serialize)]
pub struct Data<T> {
    pub data: T,
}

/// For optional fields where `null` clears and absence keeps: `Some(None)` vs `None`.
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(d).map(Some)
}

/// An id in a path that is not a UUID names nothing: 404, like any id this tenant does not have.
pub(crate) fn parse_id(raw: &str) -> Result<uuid::Uuid, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// Request bodies larger than this answer 413.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .nest("/auth", auth::router().layer(middleware::from_fn_with_state(state.clone(), per_client_limit)))
        .nest("/signup", signup::router().layer(middleware::from_fn_with_state(state, per_client_signup_limit)))
        .nest("/webhooks", webhooks::router())
        .nest("/v1", users::router().merge(departments::router()).merge(company::router()).merge(billing::router()))
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

fn client_ip(req: &Request) -> String {
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip().to_string()).unwrap_or_default()
}

/// The bound on all `/api/auth/*` requests from one client address.
async fn per_client_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Err(retry_after_secs) = state.auth_limiter.hit(&client_ip(&req)) {
        return AppError::RateLimited { retry_after_secs }.into_response();
    }
    next.run(req).await
}

/// The bound on all `/api/signup/*` requests from one client address (shared with the signup
/// pages, which count through the same limiter).
async fn per_client_signup_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Err(err) = app::server::services::signup::throttle(&state, &client_ip(&req)) {
        return err.into_response();
    }
    next.run(req).await
}
