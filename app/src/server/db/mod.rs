//! Repositories, mirroring `migrations/`: `public` for the shared tables (registry, plans,
//! charges, payment events, spare schemas), `tenant` for each tenant's tables, which take only a
//! `TenantDb`/`TenantConn`/`TenantTx`. Rows are `sqlx::FromRow` types; services turn them into
//! the DTOs of `crate::model`.
pub mod health;
pub mod keyset;
pub mod public;
pub mod tenant;
