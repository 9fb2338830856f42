//! The JSON API: `/api/auth/*` (public, rate limited) and `/api/v1/*` (tenant-scoped; the tenant
//! middleware has already authenticated the request). One module per resource, thin handlers
//! over `app::server::services`.
mod auth;
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

/// Request bodies larger than this answer 413.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .nest("/auth", auth::router().layer(middleware::from_fn_with_state(state, per_client_limit)))
        .nest("/v1", users::router())
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
