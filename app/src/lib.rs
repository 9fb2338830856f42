//! Atrium's Leptos crate: pages, components and server functions (both targets), shared types,
//! and — behind the `ssr` feature — the server core in [`server`].
#![recursion_limit = "256"]

pub mod app;
pub mod components;
pub mod document;
pub mod error;
pub mod i18n;
pub mod model;
pub mod pages;
pub mod server_fns;
pub mod url;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
