//! Use cases, called by JSON API handlers and server functions alike: validation, authorisation
//! and limits live here, data access in `db`.
pub mod auth;
pub mod provisioning;
pub mod users;
