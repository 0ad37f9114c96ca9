//! Where log lines go and in what form: readable text by default, or JSON lines
//! (`PORTCULLIS_LOG_FORMAT=json`) for a log collector, each with the request's span fields.

use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// For people: one line per event, the request's span before it.
    #[default]
    Text,
    /// One JSON object per line, the event's fields at the top level and the request's
    /// (`request_id`, `method`, `route`) under `span`.
    Json,
}

impl LogFormat {
    /// `PORTCULLIS_LOG_FORMAT`'s value: `text` or `json`.
    pub fn parse(value: &str) -> Option<LogFormat> {
        match value.trim() {
            "text" => Some(LogFormat::Text),
            "json" => Some(LogFormat::Json),
            _ => None,
        }
    }
}

/// The filter when `RUST_LOG` sets none.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// A logger writing `format` lines through `writer`, keeping what `filter` lets through.
/// Text is coloured only when `colour` says the writer is a terminal: escape codes in a file
/// or a collector's input are noise.
pub fn dispatch<W>(
    format: LogFormat,
    filter: EnvFilter,
    writer: W,
    colour: bool,
) -> tracing::Dispatch
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => tracing::Dispatch::new(builder.with_ansi(colour).finish()),
        LogFormat::Json => tracing::Dispatch::new(
            builder
                .with_ansi(false)
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_span_list(false)
                .finish(),
        ),
    }
}
