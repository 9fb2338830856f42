//! Repositories of the shared `public` schema. `tenants` is the only module that writes the
//! registry (`public.tenants`).
pub mod api_usage;
pub mod charges;
pub mod outbox;
pub mod payment_events;
pub mod plans;
pub mod rate_counters;
pub mod spares;
pub mod tenants;
pub mod webhook_deliveries;
