//! Every authenticated request reads its user (is it still active, is the credential's security
//! version still current?) and its session (has it ended?). Under load many of those reads arrive together; instead of one round
//! trip each, the reads for one tenant that arrive while a lookup is in flight are answered by the
//! next single query for all of them. Each answer is read after its request arrived, so nothing
//! is served stale; an idle server answers a lone request with one query as before.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::oneshot;
use uuid::Uuid;

use super::users::{self, SignedInUser};
use crate::{
    error::AppError,
    server::tenancy::db::{TenantConn, TenantDb},
};

type Reply = oneshot::Sender<Result<Option<SignedInUser>, AppError>>;

/// A user and the session their credential names.
type Key = (Uuid, Uuid);

#[derive(Default)]
struct Queue {
    waiting: Vec<(Key, Reply)>,
    /// A flush task is running for this schema and will pick up `waiting`.
    flushing: bool,
}

#[derive(Clone, Default)]
pub struct UserLoader {
    queues: Arc<Mutex<HashMap<String, Queue>>>,
}

/// Upper bound on ids per query, so one statement never grows without limit.
const MAX_BATCH: usize = 256;

/// Batches one flush runs on a connection before it returns it to the pool.
const MAX_BATCHES_PER_CONNECTION: usize = 64;

impl UserLoader {
    /// The user `id` and whether `session` (theirs) is live; `None` when the user is gone.
    pub async fn load(&self, db: &TenantDb, id: Uuid, session: Uuid) -> Result<Option<SignedInUser>, AppError> {
        let (reply, answer) = oneshot::channel();
        let start_flush = {
            let mut queues = self.queues.lock().expect("loader lock");
            let schema = db.schema().as_str();
            if !queues.contains_key(schema) {
                queues.insert(schema.to_string(), Queue::default());
            }
            let queue = queues.get_mut(schema).expect("inserted above");
            queue.waiting.push(((id, session), reply));
            !std::mem::replace(&mut queue.flushing, true)
        };
        if start_flush {
            // A task of its own, so a request that goes away cannot strand the others.
            tokio::spawn(self.clone().flush(db.clone()));
        }
        answer.await.unwrap_or(Err(AppError::Internal))
    }

    async fn flush(self, db: TenantDb) {
        let key = db.schema().as_str().to_string();
        // While batches keep coming, they share one connection: a checkout and its return cost a
        // round trip of their own, as much as the query.
        let mut held: Option<TenantConn> = None;
        let mut batches_on_held = 0;
        loop {
            let batch: Vec<(Key, Reply)> = {
                let mut queues = self.queues.lock().expect("loader lock");
                let Some(queue) = queues.get_mut(&key) else { return };
                if queue.waiting.is_empty() {
                    queues.remove(&key);
                    return;
                }
                let n = queue.waiting.len().min(MAX_BATCH);
                queue.waiting.drain(..n).collect()
            };
            let mut keys: Vec<Key> = batch.iter().map(|(key, _)| *key).collect();
            keys.sort_unstable();
            keys.dedup();
            if batches_on_held == MAX_BATCHES_PER_CONNECTION {
                // Give the connection back now and then, so a busy tenant cannot keep one forever.
                held = None;
                batches_on_held = 0;
            }
            let result = match held.as_mut() {
                Some(conn) => users::find_signed_in_on(conn, &keys).await,
                None => match db.acquire().await {
                    Ok(conn) => users::find_signed_in_on(held.insert(conn), &keys).await,
                    Err(err) => Err(err),
                },
            };
            batches_on_held += 1;
            match result {
                Ok(rows) => {
                    for ((id, session), reply) in batch {
                        let found = rows.iter().find(|r| r.user.id == id && r.session_id == session).cloned();
                        let _ = reply.send(Ok(found));
                    }
                }
                Err(err) => {
                    held = None;
                    // Converted (and logged) once for the whole batch: a lost database answers 503.
                    let error = AppError::from(err);
                    for (_, reply) in batch {
                        let _ = reply.send(Err(error.clone()));
                    }
                }
            }
        }
    }
}
