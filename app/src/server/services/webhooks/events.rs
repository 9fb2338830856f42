//! Emitting an event: inside the transaction of the change it reports, one delivery row per
//! active endpoint subscribed to it, so the event exists exactly when the change commits (a
//! rolled-back change sends nothing; a crash after the commit loses nothing).
use serde::Serialize;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};
use uuid::Uuid;

use crate::server::{
    db::{
        public::webhook_deliveries::{self, NewDelivery},
        tenant::webhooks,
    },
    tenancy::{db::TenantTx, tenant::Tenant},
    webhooks::Event,
};

/// The body every endpoint receives: `{id, event, timestamp, tenant, data}`.
#[derive(Serialize)]
struct Payload<'a, T: Serialize> {
    id: Uuid,
    event: &'static str,
    timestamp: String,
    tenant: &'a str,
    data: T,
}

/// Queues `event` for every subscribed endpoint of the tenant. Nothing when the plan has no
/// webhooks or nobody subscribed (one indexed read of a small table).
pub async fn emit<T: Serialize>(tx: &mut TenantTx, tenant: &Tenant, event: Event, data: T) -> Result<(), sqlx::Error> {
    if !tenant.webhooks_enabled {
        return Ok(());
    }
    let endpoints = webhooks::subscribed(tx, event.name()).await?;
    if endpoints.is_empty() {
        return Ok(());
    }
    queue(tx, tenant, &endpoints, event, data).await.map(|_| ())
}

/// An event queued: its id and one delivery id per endpoint.
pub struct Queued {
    pub event_id: Uuid,
    pub deliveries: Vec<Uuid>,
}

/// Queues `event` for exactly `endpoints`.
pub async fn queue<T: Serialize>(
    tx: &mut TenantTx,
    tenant: &Tenant,
    endpoints: &[Uuid],
    event: Event,
    data: T,
) -> Result<Queued, sqlx::Error> {
    let event_id = Uuid::new_v4();
    let payload = Payload {
        id: event_id,
        event: event.name(),
        timestamp: OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_default(),
        tenant: tenant.slug.as_str(),
        data,
    };
    let body = serde_json::to_string(&payload).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let mut ids = Vec::with_capacity(endpoints.len());
    for webhook_id in endpoints {
        let id = Uuid::new_v4();
        let delivery = NewDelivery {
            id,
            tenant_id: tenant.id,
            webhook_id: *webhook_id,
            event_id,
            event: event.name(),
            payload: &body,
        };
        webhook_deliveries::enqueue(tx.conn(), &delivery).await?;
        ids.push(id);
    }
    crate::server::metrics::webhook_queued(event.name(), endpoints.len());
    Ok(Queued { event_id, deliveries: ids })
}
