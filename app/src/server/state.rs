//! What services reach ([`Core`]) and what the web layer adds to it ([`AppState`]).
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;

use super::{
    cursor::CursorKeys,
    db::tenant::user_loader::UserLoader,
    mail::MailTransport,
    payments::PaymentProvider,
    services::quota::ApiQuota,
    settings::Settings,
    tenancy::directory::TenantDirectory,
    tokens::TokenKeys,
    webhooks::{http::HttpTransport, WebhookTransport},
};

/// The application core: the pool, settings and the shared services every use case may need.
/// Cloned cheaply (one `Arc`); services take `&Core`.
#[derive(Clone)]
pub struct Core(Arc<CoreInner>);

pub struct CoreInner {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub tokens: Arc<TokenKeys>,
    /// Signs the keyset cursors of list endpoints.
    pub cursors: CursorKeys,
    pub tenants: TenantDirectory,
    pub users: UserLoader,
    /// The per-tenant quota on `/api/v1`, shared with the other nodes through PostgreSQL.
    pub quota: ApiQuota,
    pub payments: Arc<dyn PaymentProvider>,
    pub mail: Arc<dyn MailTransport>,
    /// Where webhook deliveries are POSTed through (HTTP; internal addresses refused in production).
    pub webhooks: Arc<dyn WebhookTransport>,
}

impl Core {
    /// `payments` and `mail` are chosen by the caller from the settings (the binary's start-up
    /// does it), so the core does not depend on their implementations.
    pub fn new(
        pool: PgPool,
        settings: Settings,
        jwt_secret: &[u8],
        jwt_secret_previous: Option<&[u8]>,
        payments: Arc<dyn PaymentProvider>,
        mail: Arc<dyn MailTransport>,
    ) -> Self {
        Core(Arc::new(CoreInner {
            tokens: Arc::new(TokenKeys::new(
                jwt_secret,
                jwt_secret_previous,
                &settings.public_url,
                settings.access_token_ttl,
            )),
            cursors: CursorKeys::new(jwt_secret),
            tenants: TenantDirectory::new(pool.clone(), time::Duration::days(settings.billing_grace_days)),
            users: UserLoader::default(),
            webhooks: Arc::new(HttpTransport::new(
                settings.webhooks.timeout,
                settings.webhooks.allow_private_addresses,
            )),
            quota: ApiQuota::new(pool.clone()),
            settings: Arc::new(settings),
            payments,
            mail,
            pool,
        }))
    }
}

impl std::ops::Deref for Core {
    type Target = CoreInner;

    fn deref(&self) -> &CoreInner {
        &self.0
    }
}

/// The router's state: the core plus what only the web layer needs (Leptos options). Derefs to
/// [`Core`], so a handler passes `&state` where a service asks for `&Core`. Cloned for every
/// request (axum's `State`), so it is one `Arc`.
#[derive(Clone)]
pub struct AppState(Arc<(Core, LeptosOptions)>);

impl AppState {
    pub fn new(core: Core, leptos_options: LeptosOptions) -> Self {
        AppState(Arc::new((core, leptos_options)))
    }

    pub fn leptos_options(&self) -> &LeptosOptions {
        &self.0 .1
    }
}

impl std::ops::Deref for AppState {
    type Target = Core;

    fn deref(&self) -> &Core {
        &self.0 .0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options().clone()
    }
}
