//! Every authenticated request reads its user (is it still active, is the credential's security
//! version still current?). Under load many of those reads arrive together; instead of one round
//! trip each, the reads for one tenant that arrive while a lookup is in flight are answered by the
//! next single `WHERE id = ANY($1)` query. Each answer is read after its request arrived, so nothing
//! is served stale; an idle server answers a lone request with one query as before.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::oneshot;
use uuid::Uuid;

use super::users::{self, UserRow};
use crate::{
    error::AppError,
    server::{error::internal, tenant::TenantDb},
};

type Reply = oneshot::Sender<Result<Option<UserRow>, ()>>;

#[derive(Default)]
struct Queue {
    waiting: Vec<(Uuid, Reply)>,
    /// A flush task is running for this schema and will pick up `waiting`.
    flushing: bool,
}

#[derive(Clone, Default)]
pub struct UserLoader {
    queues: Arc<Mutex<HashMap<String, Queue>>>,
}

/// Upper bound on ids per query, so one statement never grows without limit.
const MAX_BATCH: usize = 256;

impl UserLoader {
    pub async fn load(&self, db: &TenantDb, id: Uuid) -> Result<Option<UserRow>, AppError> {
        let (reply, answer) = oneshot::channel();
        let start_flush = {
            let mut queues = self.queues.lock().expect("loader lock");
            let queue = queues.entry(db.schema().as_str().to_string()).or_default();
            queue.waiting.push((id, reply));
            !std::mem::replace(&mut queue.flushing, true)
        };
        if start_flush {
            // A task of its own, so a request that goes away cannot strand the others.
            tokio::spawn(self.clone().flush(db.clone()));
        }
        match answer.await {
            Ok(Ok(user)) => Ok(user),
            _ => Err(AppError::Internal),
        }
    }

    async fn flush(self, db: TenantDb) {
        let key = db.schema().as_str().to_string();
        loop {
            let batch: Vec<(Uuid, Reply)> = {
                let mut queues = self.queues.lock().expect("loader lock");
                let Some(queue) = queues.get_mut(&key) else { return };
                if queue.waiting.is_empty() {
                    queues.remove(&key);
                    return;
                }
                let n = queue.waiting.len().min(MAX_BATCH);
                queue.waiting.drain(..n).collect()
            };
            let mut ids: Vec<Uuid> = batch.iter().map(|(id, _)| *id).collect();
            ids.sort_unstable();
            ids.dedup();
            match users::find_many(&db, &ids).await {
                Ok(rows) => {
                    for (id, reply) in batch {
                        let _ = reply.send(Ok(rows.iter().find(|u| u.id == id).cloned()));
                    }
                }
                Err(err) => {
                    let _ = internal("loading users", err);
                    for (_, reply) in batch {
                        let _ = reply.send(Err(()));
                    }
                }
            }
        }
    }
}
