#![recursion_limit = "256"]
//! Portcullis server: storage, services behind the browser app, REST API and CLI.
//!
//! All SQL of the project lives in this crate (under `store`). Every request path reads the
//! clock once and passes the time into `portcullis-core`, which decides.

// Layers, top to bottom; a layer imports only from those below it (scripts/layers.py checks).
pub mod api;
pub mod cli;
pub mod config;
pub mod crypto;
pub mod demo;
pub mod http;
pub mod integrations;
pub mod logging;
pub mod metrics;
pub mod services;
pub mod store;
pub mod web;
