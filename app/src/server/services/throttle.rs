//! Requests per client address, counted in PostgreSQL (`public.rate_counters`), so that every app
//! process enforces one limit: `/api/auth/*` and the visitor forms that check a secret, and the
//! signup steps. Over the limit: 429 with the seconds until the window ends.
use std::time::Duration;

use crate::{
    error::AppError,
    server::{db::public::rate_counters, state::Core},
};

const MINUTE: Duration = Duration::from_secs(60);

async fn take(core: &Core, key: String, limit: u32) -> Result<(), AppError> {
    match rate_counters::take(&core.pool, &key, limit, MINUTE).await? {
        Ok(_) => Ok(()),
        Err(retry_after_secs) => Err(AppError::RateLimited { retry_after_secs }),
    }
}

/// One request to `/api/auth/*` (or a visitor form that checks a password, token or code).
pub async fn auth(core: &Core, address: &str) -> Result<(), AppError> {
    take(core, format!("auth:{address}"), core.settings.auth_requests_per_minute).await
}

/// One request to `/api/signup/*` or a step of the signup pages.
pub async fn signup(core: &Core, address: &str) -> Result<(), AppError> {
    take(core, format!("signup:{address}"), core.settings.signup_requests_per_minute).await
}
