//! The JSON API: `/api/auth/*` (public, rate limited) and `/api/v1/*` (tenant-scoped; the tenant
//! middleware has already authenticated the request). One module per resource, thin handlers
//! over `app::server::services`.
mod auth;
mod company;
mod departments;
mod json;
mod users;

use axum::{
    extract::{ConnectInfo, DefaultBodyLimit, Request, State},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use std::net::SocketAddr;

use app::{error::AppError, server::AppState};

pub use json::ApiJson;

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
        .nest("/auth", auth::router().layer(middleware::from_fn_with_state(state, per_client_limit)))
        .nest("/v1", users::router().merge(departments::router()).merge(company::router()))
        .fallback(|| async { AppError::NotFound })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// The bound on all `/api/auth/*` requests from one client address.
async fn per_client_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ip =
        req.extensions().get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(a)| a.ip().to_string()).unwrap_or_default();
    if let Err(retry_after_secs) = state.auth_limiter.hit(&ip) {
        return AppError::RateLimited { retry_after_secs }.into_response();
    }
    next.run(req).await
}
