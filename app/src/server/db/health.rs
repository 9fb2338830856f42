//! Connections that died with the database server. After a PostgreSQL restart (or failover) every
//! idle pooled connection is dead, but nothing says so until a statement fails on it. The first
//! request to meet one answers 503 (`AppError::Unavailable`) and records the loss here; from then
//! on, for a while, the pool pings each connection older than the loss before lending it
//! (`startup::connect`'s `before_acquire`), so the others are replaced instead of failing a
//! request each. Process-wide: one pool per process.
use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// When a connection was last found dead (milliseconds since the epoch; 0 = never).
static LAST_LOSS_MS: AtomicU64 = AtomicU64::new(0);

/// How long after a loss older connections are checked before use (longer than the pool keeps
/// an idle connection, so every connection from before the loss is either checked or closed).
const SUSPICION: Duration = Duration::from_secs(120);

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// The error says the database could not be reached or the connection is gone, not that the
/// statement was wrong: retrying later can succeed.
pub fn is_connection_lost(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // Class 08: connection exception; 57P01-03: shutting down, crashed, starting up;
        // 53300: too many connections.
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300")),
        _ => false,
    }
}

/// Records that a connection was found dead now.
pub fn connection_lost() {
    LAST_LOSS_MS.store(now_ms(), Ordering::Relaxed);
}

/// A connection of this age may have died with the server: it was opened before the last loss,
/// and that loss is recent.
pub fn suspect(age: Duration) -> bool {
    let last = LAST_LOSS_MS.load(Ordering::Relaxed);
    if last == 0 {
        return false;
    }
    let since = Duration::from_millis(now_ms().saturating_sub(last));
    since < SUSPICION && age >= since
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_connections_from_before_a_recent_loss_are_suspect() {
        connection_lost();
        std::thread::sleep(Duration::from_millis(20));
        assert!(suspect(Duration::from_secs(5)), "opened before the loss");
        assert!(!suspect(Duration::from_millis(1)), "opened after it");
        assert!(is_connection_lost(&sqlx::Error::PoolTimedOut));
        assert!(!is_connection_lost(&sqlx::Error::RowNotFound));
    }
}
