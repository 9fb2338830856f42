//! Use cases, called by JSON API handlers and server functions alike: validation, authorisation
//! and limits live here, data access in `db`. Each takes the [`crate::server::state::Core`]
//! and, for a signed-in request, its [`crate::server::tenancy::context::TenantContext`].
pub mod api_keys;
pub mod auth;
pub mod authz;
pub mod billing;
pub mod company;
pub mod dashboard;
pub mod departments;
pub mod invitations;
pub mod limits;
pub mod listing;
pub mod lockout;
pub mod mail;
pub mod mfa;
pub mod profile;
pub mod provisioning;
pub mod quota;
pub mod recovery;
pub mod sessions;
pub mod signup;
pub mod throttle;
pub mod users;
pub mod verification;
pub mod webhooks;
pub mod worker;
