//! The backend core: compiled only with the `ssr` feature, never into the wasm bundle.
//! API handlers (in the server binary) and server functions both reach data through
//! `services`, which take a [`tenant::TenantContext`] obtained from the one tenant middleware.
pub mod db;
pub mod error;
pub mod fault;
pub mod migrate;
pub mod password;
pub mod payments;
pub mod rate_limit;
pub mod request;
pub mod services;
pub mod state;
pub mod tenant;
pub mod text;
pub mod tokens;
pub mod web_session;

pub use state::{AppState, Settings};
