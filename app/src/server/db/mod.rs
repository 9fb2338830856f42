//! Repositories: one module per aggregate. Tenant repositories take a `TenantDb`/`TenantTx`;
//! `tenants` reads the shared registry.
pub mod refresh_tokens;
pub mod tenants;
pub mod user_loader;
pub mod users;
