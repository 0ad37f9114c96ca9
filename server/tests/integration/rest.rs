//! The REST API's envelope and health endpoint.

use crate::harness::{Reply, HOST};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .header(header::HOST, HOST)
        .body(Body::empty())
        .expect("request")
}

on_both_backends! {
    /// A healthy replica says so.
    async fn health_is_ok(app) {
        let r = Reply::read(app.send(get("/api/v1/health")).await).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body["status"], "ok");
    }

    /// Unknown API routes answer in the one error envelope.
    async fn unknown_route_uses_the_envelope(app) {
        let r = Reply::read(app.send(get("/api/v1/no-such-thing")).await).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        assert_eq!(r.body["error"]["code"], "not_found");
        assert!(r.body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(r.body["error"].get("field").is_some());
        assert!(r.body["error"].get("missing_permission").is_some());
    }

    /// With its database gone, a replica answers 503 with the envelope, not a hang or a 500.
    async fn broken_database_answers_503(app) {
        app.db.pool.close().await;
        let r = Reply::read(app.send(get("/api/v1/health")).await).await;
        assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.body["error"]["code"], "unavailable");
    }
}
