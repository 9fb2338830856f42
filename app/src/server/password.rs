//! Argon2id password hashing (OWASP minimum: m=19456 KiB, t=2, p=1), always off the async runtime,
//! and never on more than half the cores: each hash takes a permit first, so a burst of sign-ins
//! queues instead of starving every other request of CPU, and one that would wait too long answers
//! 503 with Retry-After.
use std::{sync::OnceLock, time::Duration};

use tokio::sync::{Semaphore, SemaphorePermit};

use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Algorithm, Argon2, Params, Version,
};

use super::error::internal;
use crate::error::AppError;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Verified against when the account does not exist, so that the answer takes as long as for a
/// real account with a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(b"no such user, no such password", &salt).expect("hash").to_string()
    })
}

/// Computes the dummy hash up front so the first failed login is not faster or slower than others.
pub fn warm_up() {
    let _ = dummy_hash();
}

/// Hashes at once: half the cores, at least one.
fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Semaphore::new((cores / 2).max(1))
    })
}

/// How long a hash may wait for a permit before the request answers 503.
const MAX_WAIT: Duration = Duration::from_secs(5);

/// A permit of `permits`, or [`AppError::Busy`] after `wait`.
async fn permit(permits: &Semaphore, wait: Duration) -> Result<SemaphorePermit<'_>, AppError> {
    match tokio::time::timeout(wait, permits.acquire()).await {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(AppError::Busy { retry_after_secs: 1 }),
    }
}

pub async fn hash(password: String) -> Result<String, AppError> {
    let _permit = permit(permits(), MAX_WAIT).await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(|e| internal("password hashing task", e))?
    .map_err(|e| internal("password hashing", e))
}

/// `false` for a wrong password, and also when `stored` is `None` (unknown user, or an invited user
/// without a password yet) after doing the same amount of work.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let _permit = permit(permits(), MAX_WAIT).await?;
    tokio::task::spawn_blocking(move || {
        let real = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
        let Ok(parsed) = PasswordHash::new(&stored) else { return false };
        let ok = argon2().verify_password(password.as_bytes(), &parsed).is_ok();
        ok && real
    })
    .await
    .map_err(|e| internal("password verification task", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_with_owasp_parameters_and_verifies() {
        let hash = hash("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{hash}");
        assert!(verify("correct horse battery".into(), Some(hash.clone())).await.unwrap());
        assert!(!verify("wrong".into(), Some(hash)).await.unwrap());
    }

    #[tokio::test]
    async fn a_hash_waits_for_a_permit_and_gives_up_with_busy() {
        let permits = Semaphore::new(1);
        let held = permit(&permits, Duration::from_millis(10)).await.unwrap();
        let refused = permit(&permits, Duration::from_millis(30)).await.unwrap_err();
        assert_eq!(refused, AppError::Busy { retry_after_secs: 1 });
        assert_eq!(refused.status_code(), 503);
        drop(held);
        assert!(permit(&permits, Duration::from_millis(30)).await.is_ok(), "free again");
    }

    #[tokio::test]
    async fn unknown_user_never_verifies() {
        assert!(!verify("no such user, no such password".into(), None).await.unwrap());
    }
}
