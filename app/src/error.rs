//! The server-function side of the one error type: [`Problem`] carried through Leptos.
//!
//! `AppError` only wraps [`Problem`] so that Leptos can encode it (the orphan rule forbids
//! implementing Leptos' trait on core's type directly); the REST API wraps the same `Problem`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use portcullis_core::error::{field_named_in, one_short_line};
use portcullis_core::{Problem, ProblemKind};
use serde::{Deserialize, Serialize};

/// A [`Problem`] returned by a server function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError(pub Problem);

impl AppError {
    /// The message to show beside `field`, if the problem is about that field.
    pub fn message_for(&self, field: &str) -> Option<String> {
        (self.0.field.as_deref() == Some(field)).then(|| self.0.message.clone())
    }

    /// Whether the save was refused because the record changed since the dialog opened.
    pub fn is_stale(&self) -> bool {
        self.0.code == "stale_version"
    }

    /// The message when it is not about one of `fields` (shown at the top of a form).
    pub fn general_message(&self, fields: &[&str]) -> Option<String> {
        match self.0.field.as_deref() {
            Some(f) if fields.contains(&f) => None,
            _ => Some(self.0.message.clone()),
        }
    }
}

impl From<Problem> for AppError {
    fn from(p: Problem) -> Self {
        AppError(p)
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let problem = match value {
            // The form decoded but does not fit the function: a field it names is a 422 beside
            // that field, anything else a 400.
            ServerFnErrorErr::Args(m) => {
                let m = one_short_line(&m);
                match field_named_in(&m) {
                    Some(field) => Problem::invalid(
                        field,
                        "invalid_form",
                        format!("the form does not fit this request: {m}"),
                    ),
                    None => Problem::new(
                        ProblemKind::BadRequest,
                        "bad_request",
                        format!("the request could not be read: {m}"),
                    ),
                }
            }
            ServerFnErrorErr::Deserialization(m) => Problem::new(
                ProblemKind::BadRequest,
                "bad_request",
                format!("the request could not be read: {}", one_short_line(&m)),
            ),
            ServerFnErrorErr::Request(_) => Problem::new(
                ProblemKind::Unavailable,
                "network",
                "the server could not be reached; check your connection and try again",
            ),
            _ => Problem::internal(),
        };
        // On the server the request is being answered: its status must say it was the
        // client's request that was wrong, not the server (Leptos would answer 500).
        #[cfg(feature = "ssr")]
        if matches!(problem.kind, ProblemKind::Invalid | ProblemKind::BadRequest) {
            if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                options.set_status(
                    http::StatusCode::from_u16(problem.status())
                        .unwrap_or(http::StatusCode::BAD_REQUEST),
                );
            }
        }
        AppError(problem)
    }
}
