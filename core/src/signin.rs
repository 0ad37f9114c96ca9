//! Sign-in rules: the form, the failed-attempt limit and session lifetimes.

use crate::email::Email;
use crate::error::{Problem, ProblemKind};
use crate::password::check_sign_in_password;
use chrono::{DateTime, Duration, Utc};

/// The fixed window sign-in attempts are counted in. A window starts at its first attempt and
/// is not moved by later ones, so a lock lifts at the latest this long after it began.
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

/// What a sign-in attempt is counted against. Each is checked in turn and counted only if the
/// ones before it let the attempt through, so one address cannot use up an account's allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counter {
    /// Every attempt from one client address, whatever the account: an unauthenticated flood
    /// is refused here before any password is hashed.
    Address,
    /// Attempts on one account from one address: a guesser is locked out, the person is not.
    AccountFromAddress,
    /// Attempts on one account from every address together: many guessers at once.
    Account,
    /// Single sign-on starts and returns from one client address: each reads a provider's
    /// discovery document, and a refused return is recorded in the tenant's log.
    SsoFromAddress,
}

impl Counter {
    /// In the order they are checked.
    pub const ALL: [Counter; 3] = [
        Counter::Address,
        Counter::AccountFromAddress,
        Counter::Account,
    ];

    /// Attempts allowed in one window.
    pub fn limit(self) -> u32 {
        match self {
            Counter::Address => 30,
            Counter::AccountFromAddress => 5,
            Counter::Account => 20,
            Counter::SsoFromAddress => 60,
        }
    }

    /// The key the counter is stored under; `address` is the client's, when known. The
    /// account counters need the email; without one they count under `unknown`.
    pub fn key(self, email: Option<&Email>, address: Option<&str>) -> String {
        let address = address.unwrap_or("unknown");
        let email = email.map_or("unknown", Email::as_str);
        match self {
            Counter::Address => format!("address {address}"),
            Counter::AccountFromAddress => format!("account {email} from {address}"),
            Counter::Account => format!("account {email}"),
            Counter::SsoFromAddress => format!("sso {address}"),
        }
    }

    /// Whether `attempts` is the first one past the limit (a lockout worth recording once).
    pub fn just_exceeded(self, attempts: u32) -> bool {
        attempts == self.limit().saturating_add(1)
    }
}

/// Whether an attempt may go on to the password check: `attempts` counts it, in the window
/// that began at `window_started`. Past the limit, the answer says when the window ends.
pub fn attempt_allowed(
    counter: Counter,
    attempts: u32,
    window_started: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), Problem> {
    if attempts <= counter.limit() {
        return Ok(());
    }
    let unlock_at = window_started + Duration::minutes(FAILURE_WINDOW_MINUTES);
    let secs = u64::try_from((unlock_at - now).num_seconds())
        .unwrap_or(0)
        .max(1);
    let minutes = secs.div_ceil(60);
    let what = match counter {
        Counter::Address | Counter::SsoFromAddress => "from your network",
        Counter::AccountFromAddress | Counter::Account => "for this address",
    };
    let mut p = Problem::new(
        ProblemKind::RateLimited,
        "too_many_attempts",
        format!(
            "too many sign-in attempts {what}; try again in {minutes} minute(s), or use a set-password link"
        ),
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
