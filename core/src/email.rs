//! Email addresses as sign-in names: syntax and normalisation.
//!
//! The rules are deliberately narrower than RFC 5322: a console login is typed by a person, so
//! quoted local parts, comments and IP-literal domains are refused rather than half-supported.
//! Addresses are lower-cased as a whole: no mail system an enterprise uses today treats
//! `Ana@x.com` and `ana@x.com` as two people, and two accounts differing only by case would be a
//! trap for administrators.

use crate::error::Problem;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest address SMTP can carry (RFC 5321 path limit less the brackets).
pub const MAX_LEN: usize = 254;
/// The longest local part (RFC 5321).
pub const MAX_LOCAL_LEN: usize = 64;
/// The longest domain label (RFC 1035).
pub const MAX_LABEL_LEN: usize = 63;

/// Which rule an address breaks; each has a stable code and a sentence for the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, strum::IntoStaticStr)]
#[strum(prefix = "email_", serialize_all = "snake_case")]
pub enum EmailError {
    #[error("enter an email address")]
    #[strum(serialize = "required")]
    Empty,
    #[error("an email address has at most 254 characters")]
    TooLong,
    #[error("an email address has exactly one @ between a name and a domain")]
    NotOneAt,
    #[error("the part before @ has 1 to 64 characters")]
    LocalLength,
    #[error("the part before @ may use letters, digits and . _ % + - ' only")]
    LocalCharacter,
    #[error("the part before @ cannot start or end with a dot or have two dots in a row")]
    LocalDots,
    #[error("the domain needs at least two parts separated by a dot, like example.com")]
    DomainShape,
    #[error("each part of the domain has 1 to 63 letters, digits or hyphens and no hyphen at either end")]
    DomainLabel,
    #[error("the last part of the domain is made of at least two letters")]
    TopLevelDomain,
}

impl EmailError {
    /// Stable machine code for the rule.
    pub fn code(self) -> &'static str {
        self.into()
    }

    /// The problem to show next to the field called `field`.
    pub fn into_problem(self, field: &str) -> Problem {
        Problem::invalid(field, self.code(), self.to_string())
    }
}

/// A syntactically valid, normalised (trimmed, lower-case) email address.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Checks and normalises what a person typed.
    pub fn parse(input: &str) -> Result<Email, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        let normalised = trimmed.to_ascii_lowercase();
        if normalised.chars().count() > MAX_LEN {
            return Err(EmailError::TooLong);
        }
        let mut parts = normalised.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(EmailError::NotOneAt);
        };
        check_local(local)?;
        check_domain(domain)?;
        Ok(Email(normalised))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`.
    pub fn local_part(&self) -> &str {
        self.0.split('@').next().unwrap_or_default()
    }

    /// The domain, the unit of the allowlist.
    pub fn domain(&self) -> &str {
        self.0.rsplit('@').next().unwrap_or_default()
    }
}

fn check_local(local: &str) -> Result<(), EmailError> {
    if local.is_empty() || local.chars().count() > MAX_LOCAL_LEN {
        return Err(EmailError::LocalLength);
    }
    let allowed =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-' | '\'');
    if !local.chars().all(allowed) {
        return Err(EmailError::LocalCharacter);
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(EmailError::LocalDots);
    }
    Ok(())
}

fn check_domain(domain: &str) -> Result<(), EmailError> {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(EmailError::DomainShape);
    }
    for label in &labels {
        let ok_len = !label.is_empty() && label.len() <= MAX_LABEL_LEN;
        let ok_chars = label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        let ok_ends = !label.starts_with('-') && !label.ends_with('-');
        if !(ok_len && ok_chars && ok_ends) {
            return Err(EmailError::DomainLabel);
        }
    }
    let tld = labels.last().copied().unwrap_or_default();
    if tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(EmailError::TopLevelDomain);
    }
    Ok(())
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, EmailError> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Email({})", self.0)
    }
}
