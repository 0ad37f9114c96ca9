//! Passwords and session tokens: how they are made, hashed and checked.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use portcullis_core::password::Password;
use portcullis_core::Problem;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes, OWASP's minimum).
pub async fn hash_password(password: &Password) -> Result<String, Problem> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| {
                tracing::error!(error = %e, "password hashing failed");
                Problem::internal()
            })
    })
    .await
    .map_err(|_| Problem::internal())?
}

/// A hash of a password nobody has, so unknown emails cost as much time as known ones.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"decoy password that nobody has", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// Checks a password against a stored hash; with no hash, burns the same time and says no.
pub async fn verify_password(password: &Password, stored: Option<String>) -> bool {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash_text = stored.unwrap_or_else(|| decoy_hash().to_owned());
        let Ok(hash) = PasswordHash::new(&hash_text) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.expose().as_bytes(), &hash)
            .is_ok();
        ok && known
    })
    .await
    .unwrap_or(false)
}

/// A fresh random token (256 bits, hex) for a session cookie or a one-time link.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What is stored for a token: its SHA-256, so a copy of the database opens no session.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
