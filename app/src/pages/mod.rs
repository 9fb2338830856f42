//! One module per page (or family of pages), named as the server functions and services behind it.
pub mod api_keys;
pub mod billing;
pub mod checkout;
pub mod company;
pub mod dashboard;
pub mod departments;
pub mod invitation;
pub mod login;
pub mod mfa;
pub mod not_found;
pub mod profile;
pub mod recovery;
pub mod signup;
pub mod users;
pub mod webhooks;

/// A segment of the current route's path (`/invitation/:token` → `token`), as it was when the page
/// was opened; empty when absent.
pub fn path_param(name: &str) -> String {
    use leptos::prelude::WithUntracked;
    leptos_router::hooks::use_params_map().with_untracked(|p| p.get(name)).unwrap_or_default()
}
