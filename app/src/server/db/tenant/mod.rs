//! Repositories of a tenant's own tables (`migrations/tenant`): statements name the schema as
//! `{t}` and run through the handle they are given.
pub mod api_keys;
pub mod company;
pub mod departments;
pub mod invitations;
pub mod mfa;
pub mod refresh_tokens;
pub mod sessions;
pub mod user_loader;
pub mod user_tokens;
pub mod users;
pub mod webhooks;
