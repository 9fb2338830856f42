//! The per-tenant quota on the JSON API (`/api/v1`): the plan's requests per minute, one limit for
//! every app process.
//!
//! Asking PostgreSQL on every request would add a round trip (and a hot row per tenant) to every
//! API call. Instead each node counts in memory and, every [`SYNC_EVERY`], adds what it admitted
//! to `public.api_usage` in one statement for all tenants, learning the total of all nodes in
//! return. The first request of a minute for a tenant reads that total before deciding. Windows
//! are calendar minutes of the wall clock, so every node agrees on them (clocks kept by NTP).
//!
//! Error bound: a node decides on the total it last heard, so a tenant can exceed its quota by
//! what the *other* nodes admit for it within one sync interval. With N nodes each serving r
//! requests/s of one tenant, at most (N − 1) · r · 0.25 s extra per minute (e.g. two nodes at
//! 100 req/s: ≤ 25 requests over the quota). One node alone never exceeds it.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use sqlx::PgPool;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::server::db::public::api_usage;

pub const SYNC_EVERY: Duration = Duration::from_millis(250);

/// What the `RateLimit-*` headers say after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window ends (and the quota is whole again).
    pub reset_secs: u64,
    pub admitted: bool,
}

#[derive(Clone, Copy)]
struct Window {
    minute: i64,
    /// The total of all nodes as last heard (including this node's synced requests).
    shared: u32,
    /// Admitted here since the last sync.
    pending: u32,
}

#[derive(Clone)]
pub struct ApiQuota {
    pool: PgPool,
    windows: Arc<Mutex<HashMap<Uuid, Window>>>,
}

fn now_secs() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn window_start(minute: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(minute * 60).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl ApiQuota {
    pub fn new(pool: PgPool) -> Self {
        ApiQuota { pool, windows: Arc::default() }
    }

    /// Counts one request of `tenant` against `limit` per minute.
    pub async fn take(&self, tenant: Uuid, limit: u32) -> Result<Allowance, sqlx::Error> {
        let now = now_secs();
        let minute = now.div_euclid(60);
        let reset_secs = (60 - now.rem_euclid(60)) as u64;
        if let Some(allowance) = self.decide(tenant, minute, limit, reset_secs) {
            return Ok(allowance);
        }
        // This node's first request of the minute for this tenant: start from the shared total.
        let shared = api_usage::count(&self.pool, tenant, window_start(minute)).await?;
        {
            let mut windows = self.windows.lock().expect("quota lock");
            let window = windows.entry(tenant).or_insert(Window { minute, shared, pending: 0 });
            if window.minute != minute {
                *window = Window { minute, shared, pending: 0 };
            } else {
                window.shared = window.shared.max(shared);
            }
        }
        Ok(self.decide(tenant, minute, limit, reset_secs).expect("the window was just made"))
    }

    /// `None` when this node has no window of this minute for the tenant yet.
    fn decide(&self, tenant: Uuid, minute: i64, limit: u32, reset_secs: u64) -> Option<Allowance> {
        let mut windows = self.windows.lock().expect("quota lock");
        let window = windows.get_mut(&tenant).filter(|w| w.minute == minute)?;
        let used = window.shared.saturating_add(window.pending);
        if used >= limit {
            return Some(Allowance { limit, remaining: 0, reset_secs, admitted: false });
        }
        window.pending += 1;
        Some(Allowance { limit, remaining: limit - used - 1, reset_secs, admitted: true })
    }

    /// Adds this node's counts to the shared ones and learns the totals, also of the tenants it
    /// admitted none of since the last sync. On failure the counts stay pending for the next sync
    /// (meanwhile this node goes on deciding alone).
    pub async fn sync(&self) -> Result<(), sqlx::Error> {
        let current = now_secs().div_euclid(60);
        let (batch, idle): (Vec<(Uuid, i64, u32)>, Vec<Uuid>) = {
            let mut windows = self.windows.lock().expect("quota lock");
            windows.retain(|_, w| w.minute >= current - 1);
            let idle = windows.iter().filter(|(_, w)| w.pending == 0 && w.minute == current).map(|(t, _)| *t).collect();
            let batch = windows
                .iter_mut()
                .filter(|(_, w)| w.pending > 0)
                .map(|(tenant, w)| {
                    let taken = std::mem::take(&mut w.pending);
                    w.shared = w.shared.saturating_add(taken);
                    (*tenant, w.minute, taken)
                })
                .collect();
            (batch, idle)
        };
        if batch.is_empty() && idle.is_empty() {
            return Ok(());
        }
        let rows: Vec<_> = batch.iter().map(|(t, m, n)| (*t, window_start(*m), *n)).collect();
        match api_usage::add(&self.pool, &rows, &idle, window_start(current)).await {
            Ok(totals) => {
                let mut windows = self.windows.lock().expect("quota lock");
                for (tenant, start, total) in totals {
                    if let Some(w) = windows.get_mut(&tenant).filter(|w| window_start(w.minute) == start) {
                        w.shared = w.shared.max(total);
                    }
                }
                Ok(())
            }
            Err(err) => {
                let mut windows = self.windows.lock().expect("quota lock");
                for (tenant, minute, taken) in batch {
                    if let Some(w) = windows.get_mut(&tenant).filter(|w| w.minute == minute) {
                        w.shared = w.shared.saturating_sub(taken);
                        w.pending += taken;
                    }
                }
                Err(err)
            }
        }
    }

    /// Syncs every [`SYNC_EVERY`] and forgets old windows now and then, for the life of the process.
    pub fn run_in_background(&self) {
        let quota = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(SYNC_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut ticks: u64 = 0;
            loop {
                tick.tick().await;
                if let Err(err) = quota.sync().await {
                    tracing::debug!(error = %err, "API usage not synced; retrying");
                }
                ticks += 1;
                if ticks % 240 == 0 {
                    if let Err(err) = api_usage::purge(&quota.pool).await {
                        tracing::debug!(error = %err, "old API usage not purged");
                    }
                }
            }
        });
    }
}
