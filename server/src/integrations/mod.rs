//! Outbound I/O: every connection the server opens to someone else, under one egress policy.

pub mod egress;
pub mod health_checks;
pub mod mail;
pub mod oidc;
pub mod outbound;
