//! The one error shape of Portcullis.
//!
//! Server functions and the REST API both answer with a [`Problem`]; the REST layer wraps it in
//! the `{"error": {...}}` envelope of `shared/API.md`, server functions send it as is, and the
//! UI shows `message` next to the field named by `field`.

use serde::{Deserialize, Serialize};

/// What kind of failure this is; decides the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// Not signed in, or the credentials are wrong (401).
    Unauthenticated,
    /// Signed in but not allowed (403).
    Forbidden,
    /// Does not exist, or exists outside the caller's tenant (404): never reveal which.
    NotFound,
    /// The action conflicts with the current state, for example a delete with dependents (409).
    Conflict,
    /// The request itself cannot be read: not UTF-8, or not a form at all (400).
    BadRequest,
    /// The request's body is larger than this endpoint reads (413).
    TooLarge,
    /// The input breaks a rule; `field` names it (422).
    Invalid,
    /// Too many attempts; `retry_after_secs` says when to come back (429).
    RateLimited,
    /// The storage or another dependency is down (503).
    Unavailable,
    /// A bug or an unexpected failure; details go to the log, never to the client (500).
    Internal,
}

impl ProblemKind {
    /// The HTTP status code that carries this kind of problem.
    pub fn status(self) -> u16 {
        match self {
            ProblemKind::Unauthenticated => 401,
            ProblemKind::Forbidden => 403,
            ProblemKind::NotFound => 404,
            ProblemKind::Conflict => 409,
            ProblemKind::BadRequest => 400,
            ProblemKind::TooLarge => 413,
            ProblemKind::Invalid => 422,
            ProblemKind::RateLimited => 429,
            ProblemKind::Unavailable => 503,
            ProblemKind::Internal => 500,
        }
    }
}

/// Something that stands in the way of a change (a running job blocking a delete, say).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocker {
    pub kind: String,
    pub id: String,
    pub name: String,
}

/// A failure a person can act on: a stable machine code, one sentence, and what caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Stable snake_case code for programs (`invalid_email`, `session_expired`, …).
    pub code: String,
    /// One lowercase-started sentence a person can act on; no type names, no line breaks.
    pub message: String,
    /// The input field the problem is about, when there is one.
    pub field: Option<String>,
    /// The permission that was missing, on a 403 caused by one.
    pub missing_permission: Option<String>,
    /// What blocks a conflicting change.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blockers: Vec<Blocker>,
    /// Seconds until a rate-limited caller may try again.
    pub retry_after_secs: Option<u64>,
}

impl Problem {
    /// A problem of `kind` with a stable `code` and a sentence for people.
    pub fn new(kind: ProblemKind, code: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            kind,
            code: code.into(),
            message: message.into(),
            field: None,
            missing_permission: None,
            blockers: Vec::new(),
            retry_after_secs: None,
        }
    }

    /// Input that breaks a rule: names the field and the rule.
    pub fn invalid(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Problem::new(ProblemKind::Invalid, code, message).with_field(field)
    }

    /// The caller is not signed in (or the session ended).
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Problem::new(ProblemKind::Unauthenticated, "unauthenticated", message)
    }

    /// The caller is known but may not do this; `why` says what is missing.
    pub fn forbidden(code: impl Into<String>, why: impl Into<String>) -> Self {
        Problem::new(ProblemKind::Forbidden, code, why)
    }

    /// The record changed since the caller read it: their edit was made from a stale view.
    pub fn stale(what: &str) -> Self {
        Problem::new(
            ProblemKind::Conflict,
            "stale_version",
            format!("someone else changed this {what} since you opened it; review their change and try again"),
        )
        .with_field("version")
    }

    /// Nothing by that id that the caller may see.
    pub fn not_found(what: &str) -> Self {
        Problem::new(
            ProblemKind::NotFound,
            "not_found",
            format!("no {what} with that id"),
        )
    }

    /// An unexpected failure: the client learns only that something went wrong.
    pub fn internal() -> Self {
        Problem::new(
            ProblemKind::Internal,
            "internal",
            "something went wrong on our side; the details are in the server log",
        )
    }

    /// The storage is unreachable: worth retrying later.
    pub fn unavailable() -> Self {
        Problem::new(
            ProblemKind::Unavailable,
            "unavailable",
            "the service is temporarily unavailable; try again in a moment",
        )
    }

    /// Names the field the problem is about.
    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// The HTTP status that carries this problem.
    pub fn status(&self) -> u16 {
        self.kind.status()
    }
}

/// The most characters of a client's input that a message repeats.
pub const ECHO_MAX_CHARS: usize = 40;

/// A client's input as a message repeats it: quoted, escaped onto one line and cut after
/// [`ECHO_MAX_CHARS`] characters. Messages built with it stay one short line whatever a client
/// sends, so a pasted megabyte or a line break cannot reach a response or a log line verbatim.
pub fn echo(input: &str) -> String {
    let quoted = format!("{input:?}");
    if quoted.chars().count() <= ECHO_MAX_CHARS + 2 {
        return quoted;
    }
    let mut cut: String = quoted.chars().take(ECHO_MAX_CHARS + 1).collect();
    cut.push_str("…\"");
    cut
}

/// The field a serde message names in backquotes (`unknown field `x``, `missing field `x``);
/// only a name that could be a field, since serde quotes offending values the same way.
pub fn field_named_in(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message.get(start..)?.find('`')?;
    message
        .get(start..start + len)
        .filter(|f| is_field_name(f))
        .map(str::to_owned)
}

/// Whether `name` could be one of the API's field paths (`name`, `items[0].name`): a key the
/// caller made up, or a value serde quotes, is not named back as a field.
pub fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'[' | b']'))
        && !name.bytes().all(|b| b.is_ascii_digit())
}

/// A decoder's message on one line and at most 200 characters: it repeats the caller's input.
pub fn one_short_line(message: &str) -> String {
    let line: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if line.chars().count() <= 200 {
        return line;
    }
    line.chars().take(199).collect::<String>() + "…"
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Problem {}
