//! The server's integration tests: one binary, organised by area, a fresh database per test.
//!
//! Every test runs twice, on SQLite and on PostgreSQL. PostgreSQL tests need
//! `TEST_DATABASE_URL` (for example `postgres://postgres@127.0.0.1:5432/test`); each test creates
//! its own database there and drops it afterwards. Without the variable they say so and pass,
//! unless `PORTCULLIS_REQUIRE_POSTGRES` is set (scripts/test.sh sets it in CI): then they fail.
//! With `PORTCULLIS_BACKEND_LOG` naming a file, each half appends a line saying it ran or was
//! skipped, which scripts/test.sh sums up after the suites.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a test's helpers fail the test by panicking"
)]

mod harness;

mod activity;
mod apps;
mod authorization_matrix;
mod authorizations;
mod bootstrap;
mod boundary;
mod compression;
mod concurrency;
mod customer_360;
mod domains;
mod egress;
mod fake_oidc;
mod fake_provider;
mod guards;
mod health;
mod job_runners;
mod logs;
mod mail;
mod metrics_route;
mod people;
mod reads;
mod request_ids;
mod request_origin;
mod rest;
mod rest_records;
mod secrets;
mod server_fn_bodies;
mod sessions;
mod sign_in;
mod site_files;
mod sso;
mod stale_edits;
mod tenancy;
