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
    /// The absolute end of a browser session after sign-in, whatever its activity.
    pub browser_session_max_age: Duration,
    /// The absolute end of an API refresh family after its login.
    pub refresh_family_max_age: Duration,
    /// All `/api/auth/*` requests from one client address per minute.
    pub auth_requests_per_minute: u32,
    /// Failed sign-ins of one account (tenant + email) from one client address per minute.
    pub login_failures_per_minute: u32,
    /// Failed sign-ins of one account from all addresses together per hour: the ceiling that
    /// holds against guesses spread over many addresses, high enough that a stranger cannot use
    /// it to keep the owner out for long.
    pub login_failures_per_hour: u32,
    /// All `/api/signup/*` requests (and signup forms) from one client address per minute.
    pub signup_requests_per_minute: u32,
    /// The app's own origin (`scheme://host[:port]`): checkout redirects must stay on it.
    pub public_url: String,
    /// Proxies whose `X-Forwarded-For` / `Forwarded` is believed (`ATRIUM_TRUSTED_PROXIES`); empty:
    /// the client address is the TCP peer.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub trial_days: i64,
    /// Days a workspace stays writable past the end of its paid period while no payment for the
    /// next one is confirmed.
    pub billing_grace_days: i64,
    /// How often each process looks for subscriptions to reconcile with the provider
    /// (`ATRIUM_BILLING_RECONCILE_SECS`, 300).
    pub billing_reconcile_interval: Duration,
    /// A subscription not checked for this long is asked about (`ATRIUM_BILLING_STALE_SECS`, 3600).
    pub billing_stale_after: Duration,
    /// Ready-made tenant schemas kept for signups (0: create each schema at signup).
    pub spare_schemas: usize,
    pub payments: PaymentSettings,
    pub mail: MailSettings,
    pub webhooks: WebhookSettings,
    /// `GET /metrics` on the main address needs `Authorization: Bearer <this>`
    /// (`ATRIUM_METRICS_TOKEN`); without a token it answers 404 there.
    pub metrics_token: Option<String>,
    /// A second listener serving only `/metrics`, without a token (`ATRIUM_METRICS_ADDR`, e.g.
    /// 127.0.0.1:9464 or a private interface the monitoring system reaches).
    pub metrics_addr: Option<std::net::SocketAddr>,
}

/// Where mail goes and how the outbox retries it.
#[derive(Clone)]
pub struct MailSettings {
    /// `smtp://host:port` (plain, or `?tls=required` for STARTTLS), `smtps://user:pass@host:465`.
    /// None in development: messages stay in the outbox, shown at the development mailbox.
    pub smtp_url: Option<String>,
    /// The `From` of every message, e.g. `Atrium <no-reply@example.com>`.
    pub from: String,
    /// How often an idle worker looks for due messages.
    pub poll_interval: Duration,
    /// A claimed message is taken over by another process when its sender has not finished
    /// within this time (it died); longer than the SMTP timeout.
    pub claim_lease: Duration,
    /// The first retry's delay; each further one doubles it, up to an hour.
    pub retry_base: Duration,
    /// Attempts before a temporarily failing message is given up as `failed`.
    pub max_attempts: i32,
    /// Sent and failed messages are deleted after this long.
    pub retention: Duration,
}

impl std::fmt::Debug for MailSettings {
    /// The SMTP URL may hold a password: only its scheme and host are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let server = self.smtp_url.as_deref().map(|url| {
            let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
            let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://{host}")
        });
        f.debug_struct("MailSettings").field("smtp", &server).field("from", &self.from).finish_non_exhaustive()
    }
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            smtp_url: None,
            from: "Atrium <no-reply@localhost>".into(),
            poll_interval: Duration::from_secs(2),
            claim_lease: Duration::from_secs(120),
            retry_base: Duration::from_secs(30),
            max_attempts: 10,
            retention: Duration::from_secs(30 * 24 * 3600),
        }
    }
}

/// How outbound webhooks are delivered and retried.
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// One attempt's limit, connection and answer included (`ATRIUM_WEBHOOK_TIMEOUT_SECS`, 10).
    pub timeout: Duration,
    /// The first retry's delay; each further one doubles it, up to an hour.
    pub retry_base: Duration,
    /// A delivery still failing this long after its event is given up as `failed`.
    pub give_up_after: Duration,
    /// An endpoint whose every attempt has failed for this long is switched off and its owners
    /// are told (`ATRIUM_WEBHOOK_DISABLE_AFTER_DAYS`, 3).
    pub disable_after: Duration,
    /// How often an idle worker looks for due deliveries.
    pub poll_interval: Duration,
    /// A claimed delivery is taken over by another process when its sender has not finished
    /// within this time (it died); longer than `timeout`.
    pub claim_lease: Duration,
    /// Endpoints may point at loopback, private and link-local addresses: development's local
    /// receivers. Never in production (`ATRIUM_ENV=production` forces it off).
    pub allow_private_addresses: bool,
    /// Delivered and failed deliveries are deleted after this long.
    pub retention: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            timeout: Duration::from_secs(10),
            retry_base: Duration::from_secs(15),
            give_up_after: Duration::from_secs(24 * 3600),
            disable_after: Duration::from_secs(3 * 24 * 3600),
            poll_interval: Duration::from_secs(1),
            claim_lease: Duration::from_secs(60),
            allow_private_addresses: true,
            retention: Duration::from_secs(30 * 24 * 3600),
        }
    }
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
            browser_session_max_age: Duration::from_secs(30 * 24 * 3600),
            refresh_family_max_age: Duration::from_secs(30 * 24 * 3600),
            auth_requests_per_minute: 30,
            login_failures_per_minute: 5,
            login_failures_per_hour: 100,
            signup_requests_per_minute: 30,
            public_url: "http://127.0.0.1:3000".into(),
            trusted_proxies: Vec::new(),
            trial_days: 14,
            billing_grace_days: 7,
            billing_reconcile_interval: Duration::from_secs(300),
            billing_stale_after: Duration::from_secs(3600),
            spare_schemas: 4,
            payments: PaymentSettings { provider: ProviderSettings::Local, webhook_token: String::new() },
            mail: MailSettings::default(),
            webhooks: WebhookSettings::default(),
            metrics_token: None,
            metrics_addr: None,
        }
    }
}
