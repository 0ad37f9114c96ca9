//! Request ids and the span every request is answered in: each answer carries `x-request-id`,
//! and every line logged while answering names it, with the method and the matched route.

use crate::web::metrics::{method_label, route_of};
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::Router;
use std::time::Duration;
use tower::ServiceBuilder;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

/// The header that carries a request's id, in and out.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id a client may choose; a longer one is replaced.
pub const MAX_LEN: usize = 64;

/// Whether a client's own request id may be kept: short, and only letters, digits, `.`, `_`
/// and `-`, so it cannot break a log line or pose as another field.
pub fn is_acceptable(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_LEN
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Drops an incoming id that is not acceptable (or is sent twice), so a fresh one is made.
fn drop_unusable(mut req: Request) -> Request {
    let mut ids = req.headers().get_all(&REQUEST_ID).iter();
    let keep = match (ids.next(), ids.next()) {
        (None, _) => true,
        (Some(id), None) => is_acceptable(id),
        (Some(_), Some(_)) => false,
    };
    if !keep {
        req.headers_mut().remove(&REQUEST_ID);
    }
    req
}

/// The span a request is answered in. At error level so that the id stays on every line the
/// request logs, whatever level the filter lets through.
fn span_of(req: &Request) -> tracing::Span {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::error_span!(
        "request",
        request_id = %id,
        method = method_label(req.method()),
        route = %route_of(req),
    )
}

/// Every 5xx answer is an error in the log, in the request's span (so with its id and route).
fn on_failure(failure: ServerErrorsFailureClass, latency: Duration, _: &tracing::Span) {
    let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    match failure {
        ServerErrorsFailureClass::StatusCode(status) => {
            tracing::error!(
                status = status.as_u16(),
                latency_ms,
                "answered with a server error"
            );
        }
        ServerErrorsFailureClass::Error(error) => {
            tracing::error!(%error, latency_ms, "request failed");
        }
    }
}

/// `router` with request ids and request spans around every route, the fallback included.
pub fn around(router: Router) -> Router {
    router.layer(
        ServiceBuilder::new()
            .map_request(drop_unusable)
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(span_of)
                    .on_failure(on_failure),
            )
            .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
    )
}
