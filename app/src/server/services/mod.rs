//! Use cases, called by JSON API handlers and server functions alike: validation, authorisation
//! and limits live here, data access in `db`.
pub mod auth;
pub mod authz;
pub mod billing;
pub mod company;
pub mod departments;
pub mod limits;
pub mod listing;
pub mod provisioning;
pub mod signup;
pub mod team;
pub mod users;
