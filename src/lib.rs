//! The server: configuration, the JSON API, the router and the command line. The Leptos UI and the
//! backend core live in the `app` crate.
// The page views are deeply nested types; rendering them here (server side) needs the same room
// as the `app` crate gives them.
#![recursion_limit = "256"]
pub mod api;
pub mod cli;
pub mod config;
pub mod demo;
pub mod metrics;
pub mod startup;
