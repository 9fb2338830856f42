//! The loop an outbox worker (mail, webhooks) runs in every app process: handle due work while
//! batches come back full, otherwise wait the poll interval; purge old rows now and then.
//! Database trouble is logged and waited out, never ends the loop.
use std::{future::Future, time::Duration};

use uuid::Uuid;

/// Old rows are purged this often.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

pub struct Worker {
    /// `mail`, `webhook`: for logs.
    pub name: &'static str,
    /// A batch this size means more may be waiting: the next one is claimed at once.
    pub batch: usize,
    pub poll_interval: Duration,
}

/// Spawns the loop. `deliver` claims and handles one batch as the given worker id and answers how
/// many items it handled; `purge` deletes old rows and answers how many.
pub fn spawn<D, DF, P, PF>(worker: Worker, mut deliver: D, mut purge: P)
where
    D: FnMut(Uuid) -> DF + Send + 'static,
    DF: Future<Output = Result<usize, String>> + Send,
    P: FnMut() -> PF + Send + 'static,
    PF: Future<Output = Result<u64, String>> + Send,
{
    tokio::spawn(async move {
        let id = Uuid::new_v4();
        tracing::info!(worker = %id, kind = worker.name, "outbox worker started");
        let mut last_purge: Option<tokio::time::Instant> = None;
        loop {
            if last_purge.is_none_or(|at| at.elapsed() >= PURGE_EVERY) {
                match purge().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(purged = n, kind = worker.name, "old outbox rows purged"),
                    Err(err) => tracing::warn!(error = %err, kind = worker.name, "outbox purge failed"),
                }
                last_purge = Some(tokio::time::Instant::now());
            }
            match deliver(id).await {
                Ok(n) if n == worker.batch => continue,
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, kind = worker.name, "outbox worker: database unavailable"),
            }
            tokio::time::sleep(worker.poll_interval).await;
        }
    });
}
