//! Settings the core needs; built by the binary's configuration from the environment.
use std::time::Duration;

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
    /// All `/api/signup/*` requests (and signup forms) from one client address per minute.
    pub signup_requests_per_minute: u32,
    /// The app's own origin (`scheme://host[:port]`): checkout redirects must stay on it.
    pub public_url: String,
    pub trial_days: i64,
    /// Ready-made tenant schemas kept for signups (0: create each schema at signup).
    pub spare_schemas: usize,
    pub payments: PaymentSettings,
}

/// Which payment provider takes checkouts, and the token its webhooks must carry.
#[derive(Clone)]
pub struct PaymentSettings {
    pub provider: ProviderSettings,
    pub webhook_token: String,
}

#[derive(Clone)]
pub enum ProviderSettings {
    /// The app's own checkout page (development and tests only).
    Local,
    Asaas {
        base_url: String,
        api_key: String,
    },
}

impl std::fmt::Debug for PaymentSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let provider = match &self.provider {
            ProviderSettings::Local => "local".to_string(),
            ProviderSettings::Asaas { base_url, .. } => format!("asaas ({base_url})"),
        };
        f.debug_struct("PaymentSettings").field("provider", &provider).finish_non_exhaustive()
    }
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
            signup_requests_per_minute: 30,
            public_url: "http://127.0.0.1:3000".into(),
            trial_days: 14,
            spare_schemas: 4,
            payments: PaymentSettings { provider: ProviderSettings::Local, webhook_token: String::new() },
        }
    }
}
