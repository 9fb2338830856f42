//! Typed configuration from the environment. `.env.example` documents every setting, and
//! `atrium --help` prints it. Secrets are never logged.
use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{bail, Context};
use app::server::settings::{MailSettings, PaymentSettings, ProviderSettings, Settings, WebhookSettings};

pub struct Config {
    pub database_url: String,
    pub addr: SocketAddr,
    pub pool_size: u32,
    pub data_dir: PathBuf,
    pub jwt_secret: Secret,
    /// The secret being rotated out (`ATRIUM_JWT_SECRET_PREVIOUS`): still accepted for verifying
    /// access tokens and cursors, never used to sign.
    pub jwt_secret_previous: Option<Secret>,
    pub settings: Settings,
}

/// Bytes that never show up in `Debug` output or logs.
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Where the settings are read from: the process environment, or a map in tests.
struct Env<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Env<'_> {
    fn var(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    fn parse<T: std::str::FromStr>(&self, name: &str, default: T) -> anyhow::Result<T>
    where
        T::Err: std::fmt::Display,
    {
        match self.var(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|e| anyhow::anyhow!("{name}={v}: {e}")),
        }
    }

    /// A number of days (at least one) as a duration.
    fn days(&self, name: &str, default: Duration) -> anyhow::Result<Duration> {
        let days: u64 = self.parse(name, default.as_secs() / 86_400)?;
        Ok(Duration::from_secs(days.max(1) * 86_400))
    }
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        Config::from_lookup(&|name| std::env::var(name).ok())
    }

    /// The configuration the settings `lookup` gives. Fails closed: the environment must be
    /// stated, and production refuses every development convenience.
    pub fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Config> {
        let env = &Env(lookup);
        let production = match env.var("ATRIUM_ENV").as_deref() {
            Some("development") => false,
            Some("production") => true,
            None => bail!(
                "ATRIUM_ENV is not set: state the environment, ATRIUM_ENV=development or ATRIUM_ENV=production \
                 (scripts/run and scripts/test set development)"
            ),
            Some(other) => bail!("ATRIUM_ENV must be development or production, not {other:?}"),
        };
        let database_url = env.var("DATABASE_URL").context("DATABASE_URL is not set (scripts/run sets it for you)")?;
        let addr: SocketAddr = env.parse("ATRIUM_ADDR", env.parse("LEPTOS_SITE_ADDR", "127.0.0.1:3000".parse()?)?)?;
        let data_dir = PathBuf::from(env.var("ATRIUM_DATA_DIR").unwrap_or_else(|| ".data".into()));
        let public_url = match env.var("ATRIUM_PUBLIC_URL") {
            Some(url) if production && !url.starts_with("https://") => {
                bail!("ATRIUM_PUBLIC_URL must be an https:// URL in production (links in mail, cookies, redirects)")
            }
            Some(url) => url,
            None if production => bail!("ATRIUM_PUBLIC_URL is required in production (e.g. https://app.example.com)"),
            None => format!("http://{addr}"),
        };
        let jwt_secret = match env.var("ATRIUM_JWT_SECRET") {
            Some(s) => Secret(s.into_bytes()),
            None if production => bail!("ATRIUM_JWT_SECRET is required in production (at least 32 random bytes)"),
            None => kept_secret(&data_dir, "jwt-secret")?,
        };
        if production && !is_random_key(jwt_secret.expose()) {
            bail!("ATRIUM_JWT_SECRET is too weak: use at least 32 random bytes (e.g. `openssl rand -hex 32`)");
        }
        let jwt_secret_previous = env.var("ATRIUM_JWT_SECRET_PREVIOUS").map(|s| Secret(s.into_bytes()));
        if production && jwt_secret_previous.as_ref().is_some_and(|p| !is_random_key(p.expose())) {
            bail!("ATRIUM_JWT_SECRET_PREVIOUS is too weak: it must have been a key of at least 32 random bytes");
        }
        let payments = payment_settings(env, production, &data_dir)?;
        let mail = mail_settings(env, production)?;
        let webhooks = webhook_settings(env, production)?;
        let defaults = Settings::default();
        let settings = Settings {
            production,
            https: public_url.starts_with("https://"),
            auth_requests_per_minute: env
                .parse("ATRIUM_AUTH_RATE_LIMIT_PER_MINUTE", defaults.auth_requests_per_minute)?,
            login_failures_per_minute: env
                .parse("ATRIUM_LOGIN_FAILURES_PER_MINUTE", defaults.login_failures_per_minute)?,
            login_failures_per_hour: env.parse("ATRIUM_LOGIN_FAILURES_PER_HOUR", defaults.login_failures_per_hour)?,
            browser_session_max_age: env.days("ATRIUM_SESSION_MAX_AGE_DAYS", defaults.browser_session_max_age)?,
            refresh_family_max_age: env.days("ATRIUM_REFRESH_MAX_AGE_DAYS", defaults.refresh_family_max_age)?,
            access_token_ttl: Duration::from_secs(
                env.parse("ATRIUM_ACCESS_TOKEN_TTL_SECS", defaults.access_token_ttl.as_secs())?,
            ),
            signup_requests_per_minute: env
                .parse("ATRIUM_SIGNUP_RATE_LIMIT_PER_MINUTE", defaults.signup_requests_per_minute)?,
            public_url: public_url.trim_end_matches('/').to_string(),
            trusted_proxies: trusted_proxies(env)?,
            trial_days: env.parse("ATRIUM_TRIAL_DAYS", defaults.trial_days)?,
            billing_grace_days: env.parse("ATRIUM_BILLING_GRACE_DAYS", defaults.billing_grace_days)?,
            billing_reconcile_interval: Duration::from_secs(
                env.parse("ATRIUM_BILLING_RECONCILE_SECS", defaults.billing_reconcile_interval.as_secs())?.max(1),
            ),
            billing_stale_after: Duration::from_secs(
                env.parse("ATRIUM_BILLING_STALE_SECS", defaults.billing_stale_after.as_secs())?,
            ),
            spare_schemas: env.parse("ATRIUM_SPARE_SCHEMAS", defaults.spare_schemas)?,
            payments,
            mail,
            webhooks,
            metrics_token: metrics_token(env, production)?,
            metrics_addr: env
                .var("ATRIUM_METRICS_ADDR")
                .map(|a| a.parse())
                .transpose()
                .context("ATRIUM_METRICS_ADDR")?,
            ..defaults
        };
        Ok(Config {
            database_url,
            addr,
            pool_size: env.parse("ATRIUM_DB_POOL_SIZE", 16)?,
            data_dir,
            jwt_secret,
            jwt_secret_previous,
            settings,
        })
    }
}

/// `ATRIUM_METRICS_TOKEN`: in production a random key, like the JWT secret (it guards what the
/// metrics tell about the platform's traffic).
fn metrics_token(env: &Env, production: bool) -> anyhow::Result<Option<String>> {
    let token = env.var("ATRIUM_METRICS_TOKEN");
    if production && token.as_ref().is_some_and(|t| !is_random_key(t.as_bytes())) {
        bail!("ATRIUM_METRICS_TOKEN is too weak: use at least 32 random bytes (e.g. `openssl rand -hex 32`)");
    }
    Ok(token)
}

/// `ATRIUM_TRUSTED_PROXIES`: comma-separated CIDR ranges or single addresses.
fn trusted_proxies(env: &Env<'_>) -> anyhow::Result<Vec<ipnet::IpNet>> {
    let Some(list) = env.var("ATRIUM_TRUSTED_PROXIES") else { return Ok(Vec::new()) };
    list.split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| anyhow::anyhow!("ATRIUM_TRUSTED_PROXIES: {item:?} is not an address or a CIDR range"))
        })
        .collect()
}

/// `asaas` when an API key is configured, else the local checkout page (refused in production,
/// where an unpaid "payment" must never activate a plan).
fn payment_settings(env: &Env<'_>, production: bool, data_dir: &Path) -> anyhow::Result<PaymentSettings> {
    let api_key = env.var("ATRIUM_ASAAS_API_KEY");
    let provider = match (env.var("ATRIUM_PAYMENT_PROVIDER").as_deref(), api_key) {
        (Some("local"), _) if production => bail!("the local payment provider is for development only"),
        (Some("local"), _) => ProviderSettings::Local,
        (Some("asaas") | None, Some(api_key)) => ProviderSettings::Asaas {
            base_url: env.var("ATRIUM_ASAAS_BASE_URL").unwrap_or_else(|| "https://api-sandbox.asaas.com/v3".into()),
            api_key,
        },
        (Some("asaas"), None) => bail!("ATRIUM_PAYMENT_PROVIDER=asaas needs ATRIUM_ASAAS_API_KEY"),
        (None, None) if production => bail!("production needs ATRIUM_ASAAS_API_KEY (payments through Asaas)"),
        (None, None) => ProviderSettings::Local,
        (Some(other), _) => bail!("ATRIUM_PAYMENT_PROVIDER must be asaas or local, not {other:?}"),
    };
    let webhook_token = match env.var("ATRIUM_ASAAS_WEBHOOK_TOKEN") {
        Some(token) if production && !is_strong(token.as_bytes()) => {
            bail!("ATRIUM_ASAAS_WEBHOOK_TOKEN is too weak: use at least 32 random characters")
        }
        Some(token) => token,
        None if production => bail!("ATRIUM_ASAAS_WEBHOOK_TOKEN is required in production"),
        None => String::from_utf8(kept_secret(data_dir, "asaas-webhook-token")?.0)?,
    };
    Ok(PaymentSettings { provider, webhook_token })
}

/// SMTP in production (refused without it: password resets and invitations must reach people);
/// in development, without `ATRIUM_SMTP_URL`, messages stay in the outbox and show at the
/// development mailbox (`/dev/mailbox`).
fn mail_settings(env: &Env<'_>, production: bool) -> anyhow::Result<MailSettings> {
    let defaults = MailSettings::default();
    let smtp_url = env.var("ATRIUM_SMTP_URL");
    if let Some(url) = &smtp_url {
        if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
            bail!("ATRIUM_SMTP_URL must start with smtp:// or smtps://");
        }
    }
    let from = env.var("ATRIUM_MAIL_FROM");
    if production && (smtp_url.is_none() || from.is_none()) {
        bail!("production needs ATRIUM_SMTP_URL and ATRIUM_MAIL_FROM (mail reaches people through SMTP)");
    }
    let from = from.unwrap_or(defaults.from.clone());
    if from.parse::<app::server::mail::Mailbox>().is_err() {
        bail!("ATRIUM_MAIL_FROM is not an address (e.g. `Atrium <no-reply@example.com>`): {from:?}");
    }
    let retention_days: u64 = env.parse("ATRIUM_MAIL_RETENTION_DAYS", 30)?;
    Ok(MailSettings { smtp_url, from, retention: Duration::from_secs(retention_days.max(1) * 24 * 3600), ..defaults })
}

/// Outbound webhooks: endpoints on private or loopback addresses only in development (a local
/// receiver); production refuses them whatever is set, so a tenant cannot reach the internal
/// network through Atrium (SSRF).
fn webhook_settings(env: &Env<'_>, production: bool) -> anyhow::Result<WebhookSettings> {
    let defaults = WebhookSettings::default();
    let timeout = env.parse("ATRIUM_WEBHOOK_TIMEOUT_SECS", defaults.timeout.as_secs())?.clamp(1, 60);
    let allow_private = env.parse("ATRIUM_WEBHOOK_ALLOW_PRIVATE", !production)?;
    if production && allow_private {
        bail!("ATRIUM_WEBHOOK_ALLOW_PRIVATE cannot be true in production (webhooks to internal addresses)");
    }
    Ok(WebhookSettings {
        timeout: Duration::from_secs(timeout),
        claim_lease: Duration::from_secs(timeout * 6),
        disable_after: env.days("ATRIUM_WEBHOOK_DISABLE_AFTER_DAYS", defaults.disable_after)?,
        allow_private_addresses: allow_private,
        ..defaults
    })
}

fn is_strong(secret: &[u8]) -> bool {
    let distinct = secret.iter().collect::<std::collections::HashSet<_>>().len();
    secret.len() >= 32 && distinct >= 10
}

/// A signing key must carry at least 32 bytes of randomness: written as text (hex, base64), at
/// least 32 characters, no spaces, not only letters (a passphrase), and an estimated entropy of
/// the characters as they occur (Shannon, per character, times the length) of at least 190 bits —
/// 64 random hex digits give about 240, 43 base64 characters about 205, a sentence far less.
fn is_random_key(secret: &[u8]) -> bool {
    if secret.len() < 32 || secret.iter().any(u8::is_ascii_whitespace) || secret.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    let mut counts = std::collections::HashMap::new();
    for b in secret {
        *counts.entry(b).or_insert(0usize) += 1;
    }
    let n = secret.len() as f64;
    let per_char: f64 = counts.values().map(|&c| c as f64 / n).map(|p| -p * p.log2()).sum();
    per_char * n >= 190.0
}

/// In development a random secret is generated once and kept in the data folder, so sessions and
/// tokens survive restarts.
fn kept_secret(data_dir: &Path, name: &str) -> anyhow::Result<Secret> {
    let path = data_dir.join(name);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        if is_strong(existing.trim().as_bytes()) {
            return Ok(Secret(existing.trim().as_bytes().to_vec()));
        }
    }
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let secret: String = (0..64).map(|_| format!("{:x}", rand_nibble())).collect();
    std::fs::write(&path, &secret).with_context(|| format!("writing {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(Secret(secret.into_bytes()))
}

fn rand_nibble() -> u8 {
    // uuid v4 draws from the OS generator; four bits of it per call are plenty here.
    uuid::Uuid::new_v4().as_bytes()[0] & 0x0f
}

#[cfg(test)]
mod tests {
    #[test]
    fn weak_secrets_are_refused() {
        assert!(!super::is_strong(b"secret"));
        assert!(!super::is_strong(&[b'a'; 64]));
        assert!(super::is_strong(b"3f9a1c0e7b2d4a6f8e1c3b5d7f9a2c4e"));
    }

    #[test]
    fn signing_keys_need_32_random_bytes() {
        use super::is_random_key;
        // `openssl rand -hex 32` and `openssl rand -base64 32`.
        assert!(is_random_key(b"9c1f0be4d27a83e5f6b0c4d9e2a17f38b5c6d0e1f2a3b4c5d6e7f8091a2b3c4d"));
        assert!(is_random_key(b"q7Vx2LcP9sKfT3mWbE8nYz1RjH5uGd4AoI6eNt0Ck+w="));
        // 16 random bytes, a passphrase, a sentence, a repeated pattern.
        assert!(!is_random_key(b"3f9a1c0e7b2d4a6f8e1c3b5d7f9a2c4e"));
        assert!(!is_random_key(b"correcthorsebatterystaplecorrecthorse"));
        assert!(!is_random_key(b"this is my very secret jwt signing key 2026"));
        assert!(!is_random_key(b"abc123abc123abc123abc123abc123abc123abc123abc123"));
        assert!(!is_random_key(b"Secret-Secret-Secret-Secret-2026!"));
    }

    /// The configuration a set of variables gives (nothing read from the process environment).
    fn from(vars: &[(&str, &str)]) -> anyhow::Result<super::Config> {
        let map: std::collections::HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        super::Config::from_lookup(&move |name| map.get(name).cloned())
    }

    const KEY: &str = "9c1f0be4d27a83e5f6b0c4d9e2a17f38b5c6d0e1f2a3b4c5d6e7f8091a2b3c4d";
    const TOKEN: &str = "q7Vx2LcP9sKfT3mWbE8nYz1RjH5uGd4AoI6eNt0Ck";

    /// A complete production configuration but for what `without` leaves out, with `with` added.
    fn production(without: &str, with: &[(&'static str, &'static str)]) -> anyhow::Result<super::Config> {
        let mut vars = vec![
            ("ATRIUM_ENV", "production"),
            ("DATABASE_URL", "postgres://db/atrium"),
            ("ATRIUM_PUBLIC_URL", "https://app.example.com"),
            ("ATRIUM_JWT_SECRET", KEY),
            ("ATRIUM_ASAAS_API_KEY", "$aact_prod_key"),
            ("ATRIUM_ASAAS_WEBHOOK_TOKEN", TOKEN),
            ("ATRIUM_SMTP_URL", "smtps://mail.example.com:465"),
            ("ATRIUM_MAIL_FROM", "Atrium <no-reply@example.com>"),
        ];
        vars.retain(|(k, _)| *k != without);
        for (k, v) in with {
            vars.retain(|(key, _)| key != k);
            vars.push((k, v));
        }
        from(&vars)
    }

    fn refusal(result: anyhow::Result<super::Config>) -> String {
        match result {
            Ok(_) => panic!("accepted"),
            Err(err) => format!("{err:#}"),
        }
    }

    #[test]
    fn the_environment_must_be_stated() {
        let err = refusal(from(&[("DATABASE_URL", "postgres://db/atrium")]));
        assert!(err.contains("ATRIUM_ENV is not set"), "{err}");
        let err = refusal(from(&[("ATRIUM_ENV", "prod"), ("DATABASE_URL", "postgres://db/atrium")]));
        assert!(err.contains("development or production"), "{err}");
        let dir = std::env::temp_dir().join(format!("atrium-config-{}", std::process::id()));
        let dev = from(&[
            ("ATRIUM_ENV", "development"),
            ("DATABASE_URL", "postgres://db/atrium"),
            ("ATRIUM_DATA_DIR", dir.to_str().unwrap()),
        ])
        .unwrap();
        assert!(!dev.settings.production);
        assert_eq!(dev.settings.public_url, "http://127.0.0.1:3000");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn production_refuses_every_development_convenience() {
        let prod = production("", &[]).unwrap();
        assert!(prod.settings.production && prod.settings.https);
        assert!(!prod.settings.webhooks.allow_private_addresses, "no webhooks to internal addresses");
        for (without, with, expected) in [
            ("ATRIUM_PUBLIC_URL", vec![], "ATRIUM_PUBLIC_URL is required"),
            ("", vec![("ATRIUM_PUBLIC_URL", "http://app.example.com")], "must be an https:// URL"),
            ("ATRIUM_JWT_SECRET", vec![], "ATRIUM_JWT_SECRET is required"),
            ("", vec![("ATRIUM_JWT_SECRET", "correct horse battery staple 2026!")], "too weak"),
            ("", vec![("ATRIUM_JWT_SECRET_PREVIOUS", "old-secret")], "PREVIOUS is too weak"),
            ("", vec![("ATRIUM_PAYMENT_PROVIDER", "local")], "local payment provider"),
            ("ATRIUM_ASAAS_API_KEY", vec![], "ATRIUM_ASAAS_API_KEY"),
            ("ATRIUM_ASAAS_WEBHOOK_TOKEN", vec![], "WEBHOOK_TOKEN is required"),
            ("", vec![("ATRIUM_ASAAS_WEBHOOK_TOKEN", "short")], "WEBHOOK_TOKEN is too weak"),
            ("ATRIUM_SMTP_URL", vec![], "ATRIUM_SMTP_URL"),
            ("ATRIUM_MAIL_FROM", vec![], "ATRIUM_MAIL_FROM"),
            ("", vec![("ATRIUM_WEBHOOK_ALLOW_PRIVATE", "true")], "ATRIUM_WEBHOOK_ALLOW_PRIVATE"),
        ] {
            let err = refusal(production(without, &with));
            assert!(err.contains(expected), "without {without:?}, with {with:?}: {err}");
        }
    }
}
