#![recursion_limit = "256"]
//! Portcullis browser app: Leptos pages and server functions.
//!
//! Built twice: with `ssr` into the server (rendering pages, running server functions) and with
//! `hydrate` to wasm for the browser, which takes over the server-rendered page.

pub mod api;
pub mod components;
pub mod error;
// The wire types live in core, where the server's storage reads them without the UI crate.
pub use portcullis_core::wire as model;
pub mod pages;
mod root;
#[cfg(feature = "ssr")]
pub mod services;

pub use root::{shell, App, Stylesheet};

/// Entry point of the browser bundle: takes over the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Waits for the routed page's chunk when the bundle is split by page.
    leptos::mount::hydrate_lazy(App);
}
