//! Sign-in rules: the form, the failed-attempt limit and session lifetimes.

use crate::email::Email;
use crate::error::{Problem, ProblemKind};
use crate::password::check_sign_in_password;
use chrono::{DateTime, Duration, Utc};

/// Failed attempts allowed for one email address within [`FAILURE_WINDOW_MINUTES`].
pub const MAX_FAILURES: usize = 5;
/// The window failed attempts are counted in.
pub const FAILURE_WINDOW_MINUTES: i64 = 15;
/// A session ends this long after its last use.
pub const SESSION_IDLE_HOURS: i64 = 12;
/// A session ends this long after sign-in, however busy.
pub const SESSION_ABSOLUTE_DAYS: i64 = 7;

/// A sign-in form as typed, checked before any storage is touched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInForm {
    pub email: Email,
}

/// Checks the sign-in form; the error names the field so the UI can show it beside it.
pub fn check_sign_in(email: &str, password: &str) -> Result<SignInForm, Problem> {
    let email = Email::parse(email).map_err(|e| e.into_problem("email"))?;
    check_sign_in_password(password)?;
    Ok(SignInForm { email })
}

/// Whether another attempt may be made, given the times of recent failures for the address.
///
/// Counting per address (and not per IP) stops a password-guessing run against one account
/// from any number of machines; the lock lifts by itself when the oldest failure leaves the
/// window, so an attacker cannot lock a person out for longer than that.
pub fn attempt_allowed(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Result<(), Problem> {
    let window = Duration::minutes(FAILURE_WINDOW_MINUTES);
    let mut recent: Vec<DateTime<Utc>> = failures
        .iter()
        .copied()
        .filter(|t| *t > now - window && *t <= now)
        .collect();
    if recent.len() < MAX_FAILURES {
        return Ok(());
    }
    recent.sort();
    // The attempt is allowed again once enough failures have aged out of the window.
    let unlock_at = recent
        .get(recent.len() - MAX_FAILURES)
        .map(|t| *t + window)
        .unwrap_or(now);
    let secs = (unlock_at - now).num_seconds().max(1) as u64;
    let minutes = secs.div_ceil(60);
    let mut p = Problem::new(
        ProblemKind::RateLimited,
        "too_many_attempts",
        format!("too many failed sign-ins for this address; try again in {minutes} minute(s)"),
    )
    .with_field("email");
    p.retry_after_secs = Some(secs);
    Err(p)
}

/// When a session that was created at `created` and last used at `last_used` ends.
pub fn session_expires_at(created: DateTime<Utc>, last_used: DateTime<Utc>) -> DateTime<Utc> {
    let idle = last_used + Duration::hours(SESSION_IDLE_HOURS);
    let absolute = created + Duration::days(SESSION_ABSOLUTE_DAYS);
    idle.min(absolute)
}

/// Whether a session is still valid at `now`.
pub fn session_valid(created: DateTime<Utc>, last_used: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now < session_expires_at(created, last_used)
}
