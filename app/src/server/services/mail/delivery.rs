//! The outbox worker, one per app process: claims due messages (skipping those another process
//! holds), sends each through the configured transport and records the outcome. A temporary
//! failure is retried with exponential backoff; a permanent one, or too many temporary ones,
//! leaves the message `failed` with the server's answer. A process that dies mid-send leaves its
//! claim to run out, and another process sends the message then.
use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;

use crate::server::{
    db::public::outbox,
    mail::{Outgoing, SendError},
    services::worker::{self, Worker},
    state::Core,
};

/// Messages claimed at once: small, so one slow server does not hold many others' messages.
const BATCH: i64 = 10;
/// The longest wait between two attempts of one message.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// The delay before attempt `attempts + 1`: `base`, doubled per attempt made, at most an hour.
pub fn backoff(base: Duration, attempts: i32) -> Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 16) as u32;
    base.saturating_mul(1 << doublings).min(MAX_BACKOFF)
}

/// Claims and sends one batch as `worker`; answers how many messages it handled.
pub async fn deliver_due(core: &Core, worker: Uuid) -> Result<usize, sqlx::Error> {
    let settings = &core.settings.mail;
    let batch = outbox::claim(&core.pool, worker, settings.claim_lease, BATCH).await?;
    for message in &batch {
        let outgoing = Outgoing {
            id: message.id,
            to: &message.recipient,
            subject: &message.subject,
            html: &message.html_body,
            text: &message.text_body,
        };
        match core.mail.send(&outgoing).await {
            Ok(()) => outbox::mark_sent(&core.pool, message.id, worker).await?,
            Err(err) => {
                let retry_at = match &err {
                    SendError::Temporary(_) if message.attempts < settings.max_attempts => {
                        let delay = backoff(settings.retry_base, message.attempts);
                        Some(OffsetDateTime::now_utc() + delay)
                    }
                    _ => None,
                };
                tracing::warn!(message = %message.id, attempts = message.attempts, error = %err,
                    retry = retry_at.is_some(), "mail not sent");
                outbox::mark_failed(&core.pool, message.id, worker, &err.to_string(), retry_at).await?;
            }
        }
    }
    Ok(batch.len())
}

/// Runs the worker until the process ends (`services::worker`).
pub fn run_in_background(core: &Core) {
    tracing::info!(transport = core.mail.name(), "mail transport");
    let (for_delivery, for_purge) = (core.clone(), core.clone());
    let worker = Worker { name: "mail", batch: BATCH as usize, poll_interval: core.settings.mail.poll_interval };
    worker::spawn(
        worker,
        move |id| {
            let core = for_delivery.clone();
            async move { deliver_due(&core, id).await.map_err(|e| e.to_string()) }
        },
        move || {
            let core = for_purge.clone();
            async move { outbox::purge(&core.pool, core.settings.mail.retention).await.map_err(|e| e.to_string()) }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let base = Duration::from_secs(30);
        assert_eq!(backoff(base, 1), Duration::from_secs(30));
        assert_eq!(backoff(base, 2), Duration::from_secs(60));
        assert_eq!(backoff(base, 4), Duration::from_secs(240));
        assert_eq!(backoff(base, 12), MAX_BACKOFF);
        assert_eq!(backoff(base, 0), base);
    }
}
