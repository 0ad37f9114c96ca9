//! Portcullis core: the domain shared by the browser (compiled to wasm) and the server.
//!
//! Everything here is pure: no I/O, no async runtime, no clock reads. Time is always an
//! argument, so the same inputs give the same answers on every target. The browser calls
//! these functions to validate forms as the user types; the server calls the very same
//! functions before it stores anything, so the two can never disagree.

// Core judges input from outside (forms, API bodies, headers); a panic while doing so is a
// denial of service, so indexing and narrowing casts must say what happens when they miss.
#![deny(clippy::indexing_slicing, clippy::cast_possible_truncation)]

#[macro_use]
mod codes;
pub mod access;
pub mod actions;
pub mod api_catalog;
pub mod apps;
pub mod audit;
pub mod authorizations;
pub mod base64;
pub mod boards;
pub mod campaigns;
pub mod cookies;
pub mod decide;
pub mod edits;
pub mod email;
pub mod error;
pub mod health;
mod id_table;
pub mod ids;
pub mod jobs;
pub mod metrics;
pub mod oauth;
pub mod password;
pub mod people;
pub mod pii;
pub mod providers;
pub mod signin;
pub mod sso;
pub mod synthetic;
pub mod tenancy;
pub mod time_text;
pub mod wire;

pub use error::{Blocker, Problem, ProblemKind};
