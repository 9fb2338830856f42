//! Failed sign-ins, counted in PostgreSQL so that every app process enforces the same limits.
//!
//! Each attempt to prove a password (sign-in, the current password of a password change) takes
//! a unit of two allowances *before* the password is hashed, and gives it back when the password
//! was right, so parallel guesses can never exceed a limit:
//! - per account and client address, `login_failures_per_minute`: reaching it pauses that
//!   address only, so a stranger guessing cannot lock the real owner out (the owner is told);
//! - per account from all addresses, `login_failures_per_hour`: a ceiling, much higher, against
//!   guesses spread over many addresses.
use std::time::Duration;

use crate::{
    error::AppError,
    server::{db::public::rate_counters, metrics, services::throttle, state::Core},
};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// An attempt in progress, holding one unit of each allowance.
#[must_use = "say how the attempt ended: succeeded() gives the units back"]
pub struct Attempt {
    by_address: String,
    by_account: String,
    /// Failures of this account from this address in the window, this attempt included.
    address_count: i64,
    address_limit: u32,
}

/// Takes one unit of the account's allowances for an attempt from `address`; 429 with the wait
/// when either is used up.
pub async fn begin(core: &Core, tenant: &str, email: &str, address: &str) -> Result<Attempt, AppError> {
    let account = throttle::account_key(tenant, email);
    let by_address = format!("signin:{account}:{address}");
    let by_account = format!("signin:{account}");
    let limit = core.settings.login_failures_per_minute;
    let address_count = match rate_counters::take(&core.pool, &by_address, limit, MINUTE).await? {
        Ok(count) => count,
        Err(retry_after_secs) => {
            metrics::limited("sign_in");
            return Err(AppError::RateLimited { retry_after_secs });
        }
    };
    if let Err(retry_after_secs) =
        rate_counters::take(&core.pool, &by_account, core.settings.login_failures_per_hour, HOUR).await?
    {
        rate_counters::give_back(&core.pool, &by_address).await?;
        metrics::limited("sign_in");
        return Err(AppError::RateLimited { retry_after_secs });
    }
    Ok(Attempt { by_address, by_account, address_count, address_limit: limit })
}

impl Attempt {
    /// The password was right: the attempt does not count.
    pub async fn succeeded(self, core: &Core) -> Result<(), AppError> {
        rate_counters::give_back(&core.pool, &self.by_address).await?;
        rate_counters::give_back(&core.pool, &self.by_account).await?;
        Ok(())
    }

    /// The password was wrong: the attempt counts. Answers whether this failure used up the
    /// address's allowance (the moment to tell the account's owner).
    pub fn failed(self) -> bool {
        metrics::login_failed();
        self.address_count == i64::from(self.address_limit)
    }
}

/// Forgets counters of windows long gone.
pub async fn purge(core: &Core) -> Result<u64, sqlx::Error> {
    rate_counters::purge(&core.pool, 2 * HOUR).await
}
