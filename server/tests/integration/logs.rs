//! Log lines: JSON when asked for, each with the request it was written for.

use crate::harness::{get, Reply};
use crate::on_both_backends;
use axum::http::StatusCode;
use portcullis_server::logging::LogFormat;
use std::sync::{Arc, Mutex};

on_both_backends! {
    /// A 5xx answer (here: the database is gone) is logged at error level, as a JSON line
    /// with the request's id, route and status.
    async fn a_server_error_is_logged_with_its_request_id(app) {
        let (lines, dispatch) = captured(LogFormat::Json);
        let _logging = tracing::dispatcher::set_default(&dispatch);
        app.db.pool.close().await;
        let reply = Reply::read(app.send(get("/api/v1/health")).await).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{}", reply.body);
        let id = reply.headers.get("x-request-id").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let text = String::from_utf8(lines.lock().unwrap().clone()).unwrap();
        let logged: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
        let failure = logged
            .iter()
            .find(|l| l["level"] == "ERROR" && l["status"] == 503)
            .unwrap_or_else(|| panic!("no error line for the 503:\n{text}"));
        assert_eq!(failure["span"]["request_id"], id.as_str(), "{failure}");
        assert_eq!(failure["span"]["route"], "/api/v1/health", "{failure}");
        assert_eq!(failure["span"]["method"], "GET", "{failure}");
        assert!(!id.is_empty());
    }

    /// By default lines stay text for people, the request's span before the message.
    async fn text_lines_carry_the_request_span(app) {
        let (lines, dispatch) = captured(LogFormat::default());
        let _logging = tracing::dispatcher::set_default(&dispatch);
        app.db.pool.close().await;
        let reply = Reply::read(app.send(get("/api/v1/health")).await).await;
        let id = reply.headers.get("x-request-id").unwrap().to_str().unwrap().to_owned();
        let text = String::from_utf8(lines.lock().unwrap().clone()).unwrap();
        let line = text.lines().find(|l| l.contains("ERROR") && l.contains("status=503")).unwrap_or_else(|| panic!("no error line:\n{text}"));
        assert!(line.contains(&format!("request_id={id}")), "{line}");
        assert!(line.contains("route=/api/v1/health"), "{line}");
        assert!(serde_json::from_str::<serde_json::Value>(line).is_err(), "{line}");
    }
}

/// Logging in `format` at info level into a buffer the test reads back.
fn captured(format: LogFormat) -> (Arc<Mutex<Vec<u8>>>, tracing::Dispatch) {
    let lines = Arc::new(Mutex::new(Vec::<u8>::new()));
    let writer = {
        let lines = lines.clone();
        move || Captured(lines.clone())
    };
    let filter = tracing_subscriber::EnvFilter::new("info");
    let dispatch = portcullis_server::logging::dispatch(format, filter, writer, false);
    (lines, dispatch)
}

/// A log sink the test reads back.
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
