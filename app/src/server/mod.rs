//! The backend core: compiled only with the `ssr` feature, never into the wasm bundle.
//!
//! Floors, from the ground up (a module only uses the ones below it):
//! - `tenancy`: slugs, the tenant database handles, the registry cache, `TenantContext` and
//!   `resolve` (no HTTP);
//! - `db`: repositories of the shared (`db::public`) and tenant (`db::tenant`) tables;
//! - `state`: the `Core` that services take (pool, settings, tokens, directory, limiters, loader,
//!   payment provider); `AppState` adds the Leptos options for the web layer;
//! - `services`: the use cases, shared by the JSON API and the server functions;
//! - `payments`: payment providers behind a small trait (and the local checkout page);
//! - `web`: the HTTP side (the bearer and session middlewares, the browser session, request helpers).
pub mod cursor;
pub mod db;
pub mod domain;
pub mod error;
pub mod fault;
pub mod mail;
pub mod metrics;
pub mod migrate;
pub mod password;
pub mod payments;
pub mod services;
pub mod settings;
pub mod state;
pub mod tenancy;
pub mod text;
pub mod tokens;
pub mod web;
pub mod webhooks;
