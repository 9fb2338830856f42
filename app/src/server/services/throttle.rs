//! Request limits counted in PostgreSQL (`public.rate_counters`), so that every app process
//! enforces one limit: per client address on `/api/auth/*`, the visitor forms that check a secret
//! and the signup steps; per address and per account on password recovery; per workspace on
//! resent confirmation emails. Over a limit: 429 with the seconds until the window ends.
use std::time::Duration;

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    error::AppError,
    server::{db::public::rate_counters, metrics, state::Core},
};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// Recovery requests per client address and per account, and confirmation emails per workspace,
/// in an hour. The counters' purge (`lockout::purge`) keeps two hours, longer than this window.
const RECOVERY_PER_ADDRESS: u32 = 20;
const RECOVERY_PER_ACCOUNT: u32 = 3;
const VERIFICATION_RESENDS: u32 = 5;

async fn take(core: &Core, limiter: &'static str, key: String, limit: u32) -> Result<(), AppError> {
    take_in(core, limiter, key, limit, MINUTE).await
}

async fn take_in(
    core: &Core,
    limiter: &'static str,
    key: String,
    limit: u32,
    window: Duration,
) -> Result<(), AppError> {
    match rate_counters::take(&core.pool, &key, limit, window).await? {
        Ok(_) => Ok(()),
        Err(retry_after_secs) => {
            metrics::limited(limiter);
            Err(AppError::RateLimited { retry_after_secs })
        }
    }
}

/// One request to `/api/auth/*` (or a visitor form that checks a password, token or code).
pub async fn auth(core: &Core, address: &str) -> Result<(), AppError> {
    take(core, "auth", format!("auth:{address}"), core.settings.auth_requests_per_minute).await
}

/// One request to `/api/signup/*` or a step of the signup pages.
pub async fn signup(core: &Core, address: &str) -> Result<(), AppError> {
    take(core, "signup", format!("signup:{address}"), core.settings.signup_requests_per_minute).await
}

/// An account (workspace and email) as a counter key that names neither the company nor the
/// person (the counters live in the shared schema).
pub fn account_key(tenant: &str, email: &str) -> String {
    let digest = Sha256::digest(format!("{}\0{}", tenant.trim().to_lowercase(), email.trim().to_lowercase()));
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// One password-recovery request from `address` for the account `email` of workspace `tenant`.
pub async fn recovery(core: &Core, address: &str, tenant: &str, email: &str) -> Result<(), AppError> {
    take_in(core, "recovery", format!("recovery:{address}"), RECOVERY_PER_ADDRESS, HOUR).await?;
    let account = account_key(tenant, email);
    take_in(core, "recovery", format!("recovery-account:{account}"), RECOVERY_PER_ACCOUNT, HOUR).await
}

/// One confirmation email sent again for a workspace.
pub async fn verification_resend(core: &Core, tenant: Uuid) -> Result<(), AppError> {
    take_in(core, "verification", format!("verification:{tenant}"), VERIFICATION_RESENDS, HOUR).await
}
