//! The server: configuration, the JSON API, the router and the command line. The Leptos UI and the
//! backend core live in the `app` crate.
pub mod api;
pub mod cli;
pub mod config;
pub mod demo;
pub mod metrics;
pub mod startup;
