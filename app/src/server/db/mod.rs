//! Repositories: one module per aggregate. Tenant repositories take a `TenantDb`/`TenantTx`;
//! `tenants` reads the shared registry.
pub mod billing;
pub mod company;
pub mod departments;
pub mod invitations;
pub mod plans;
pub mod refresh_tokens;
pub mod tenants;
pub mod user_loader;
pub mod users;
