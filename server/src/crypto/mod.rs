//! Secrets: passwords and tokens as hashes, authorization secrets sealed under the master key.

pub mod secrets;
pub mod vault;
