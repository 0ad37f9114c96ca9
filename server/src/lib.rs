#![recursion_limit = "256"]
//! Portcullis server: storage, services behind the browser app, REST API and CLI.
//!
//! All SQL of the project lives in this crate (under `store`). Every request path reads the
//! clock once and passes the time into `portcullis-core`, which decides.

pub mod activity;
pub mod activity_read;
pub mod apps;
pub mod audit_verify;
pub mod authorizations;
#[cfg(feature = "bench-comparators")]
pub mod bench_support;
pub mod bootstrap;
pub mod config;
pub mod console;
pub mod db;
pub mod demo;
pub mod demo_authorizations;
pub mod demo_platform;
pub mod egress;
pub mod health_checks;
pub mod http;
pub mod invitations;
pub mod jobs;
pub mod key_rotation;
pub mod logging;
pub mod mailer;
pub mod metrics;
pub mod oauth;
pub mod openapi;
pub mod outbound;
pub mod people;
pub mod provision;
pub mod rate_limits;
pub mod request_id;
pub mod rest;
pub mod rest_accounts;
pub mod rest_agencies;
pub mod rest_call;
pub mod rest_jobs;
pub mod secrets;
pub mod server_fn_body;
pub mod sso;
pub mod sso_callback;
pub mod sso_discovery;
pub mod store;
pub mod vault;
