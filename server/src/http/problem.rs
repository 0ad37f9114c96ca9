//! The one JSON error envelope: how every route that is not a server function answers a refusal.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portcullis_core::Problem;
use serde_json::json;

/// A [`Problem`] answered over REST, in the `{"error": {...}}` envelope of `shared/API.md`.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let p = self.0;
        let status = StatusCode::from_u16(p.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = json!({
            "error": {
                "code": p.code,
                "message": p.message,
                "field": p.field,
                "missing_permission": p.missing_permission,
            }
        });
        if !p.blockers.is_empty() {
            body["error"]["blockers"] = json!(p.blockers);
        }
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = p.retry_after_secs {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        response
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError(p)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError(crate::store::problem(e))
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError(e.into())
    }
}
