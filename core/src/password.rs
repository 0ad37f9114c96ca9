//! Password rules for sign-in and for setting a password.
//!
//! Following NIST SP 800-63B: length matters, composition rules do not. A password has at least
//! 12 characters, at most 128 (the hash cost must stay bounded for anyone who posts a megabyte),
//! is not made of one repeated character, does not contain the account's own email name, and is
//! not one of the passwords every attacker tries first.

use crate::email::Email;
use crate::error::Problem;
use std::fmt;

/// Fewest characters a new password may have.
pub const MIN_LEN: usize = 12;
/// Most characters a password may have.
pub const MAX_LEN: usize = 128;

/// The passwords of at least 12 characters that lead every breached-password list.
const COMMON: &[&str] = &[
    "123456789012",
    "1234567890123",
    "password1234",
    "password12345",
    "passwordpassword",
    "qwertyuiop12",
    "qwertyuiopasdf",
    "iloveyou1234",
    "administrator",
    "letmein12345",
    "welcome12345",
    "changeme1234",
    "portcullis123",
];

/// Which rule a new password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(prefix = "password_", serialize_all = "snake_case")]
pub enum PasswordError {
    #[error("use at least 12 characters")]
    TooShort,
    #[error("use at most 128 characters")]
    TooLong,
    #[error("use more than one distinct character")]
    OneCharacter,
    #[error("do not use your email name in your password")]
    ContainsEmail,
    #[error("this password is among the most common ones; choose another")]
    Common,
}

impl PasswordError {
    /// Stable machine code for the rule.
    pub fn code(self) -> &'static str {
        self.into()
    }

    /// The problem to show next to the field called `field`.
    pub fn into_problem(self, field: &str) -> Problem {
        Problem::invalid(field, self.code(), self.to_string())
    }
}

/// A password in memory; its `Debug` prints nothing of it, so it cannot leak into a log.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wraps what was typed, unchecked (sign-in compares, it does not judge).
    pub fn new(s: impl Into<String>) -> Self {
        Password(s.into())
    }

    /// The characters, for hashing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

/// Checks a new password for the account with `email`.
pub fn check_new_password(password: &str, email: Option<&Email>) -> Result<(), PasswordError> {
    let count = password.chars().count();
    if count < MIN_LEN {
        return Err(PasswordError::TooShort);
    }
    if count > MAX_LEN {
        return Err(PasswordError::TooLong);
    }
    let mut chars = password.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first) {
        return Err(PasswordError::OneCharacter);
    }
    // What it is compared with (an email's local part, the common list) is ASCII, so ASCII
    // case folding finds the same matches without Unicode's case tables in the browser.
    let lowered = password.to_ascii_lowercase();
    if let Some(email) = email {
        let local = email.local_part();
        // A name of 1-3 letters would match by chance too often to mean anything.
        if local.len() >= 4 && lowered.contains(local) {
            return Err(PasswordError::ContainsEmail);
        }
    }
    if COMMON.contains(&lowered.as_str()) {
        return Err(PasswordError::Common);
    }
    Ok(())
}

/// Cheap checks before a sign-in attempt hashes anything: not empty, not absurdly long.
pub fn check_sign_in_password(password: &str) -> Result<(), Problem> {
    if password.is_empty() {
        return Err(Problem::invalid(
            "password",
            "password_required",
            "enter your password",
        ));
    }
    if password.chars().count() > MAX_LEN {
        return Err(PasswordError::TooLong.into_problem("password"));
    }
    Ok(())
}
