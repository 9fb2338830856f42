//! What every handler and server function can reach.
use std::{sync::Arc, time::Duration};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

use super::{db::user_loader::UserLoader, rate_limit::RateLimiter, tenant::TenantDirectory, tokens::TokenKeys};

/// Settings the core needs; built by the binary's config from the environment.
#[derive(Clone, Debug)]
pub struct Settings {
    pub production: bool,
    /// Cookies get `Secure` and the `__Host-` prefix when the app is served over HTTPS.
    pub https: bool,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub session_ttl: Duration,
    /// All `/api/auth/*` requests from one client address per minute.
    pub auth_requests_per_minute: u32,
    /// Failed logins of one account (tenant + email) per minute.
    pub login_failures_per_minute: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            production: false,
            https: false,
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(7 * 24 * 3600),
            session_ttl: Duration::from_secs(12 * 3600),
            auth_requests_per_minute: 30,
            login_failures_per_minute: 5,
        }
    }
}

/// Cloned for every request (axum's `State`), so it is one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<StateInner>);

pub struct StateInner {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub tokens: Arc<TokenKeys>,
    pub tenants: TenantDirectory,
    pub auth_limiter: Arc<RateLimiter>,
    pub login_failures: Arc<RateLimiter>,
    pub users: UserLoader,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, pool: PgPool, settings: Settings, jwt_secret: &[u8]) -> Self {
        let minute = Duration::from_secs(60);
        AppState(Arc::new(StateInner {
            tokens: Arc::new(TokenKeys::new(jwt_secret, settings.access_token_ttl)),
            tenants: TenantDirectory::new(pool.clone()),
            auth_limiter: Arc::new(RateLimiter::new(settings.auth_requests_per_minute, minute)),
            login_failures: Arc::new(RateLimiter::new(settings.login_failures_per_minute, minute)),
            users: UserLoader::default(),
            settings: Arc::new(settings),
            leptos_options,
            pool,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = StateInner;

    fn deref(&self) -> &StateInner {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
