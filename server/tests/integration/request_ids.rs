//! Request ids: every answer carries one, and a client's own is kept only when it is safe.

use crate::harness::{get, Reply, HOST};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};

/// The answer's `x-request-id`.
fn request_id(reply: &Reply) -> String {
    reply
        .headers
        .get("x-request-id")
        .expect("every answer carries x-request-id")
        .to_str()
        .unwrap()
        .to_owned()
}

on_both_backends! {
    /// A fresh id on every answer (the guard's refusals and unknown paths too); a client's own
    /// id is kept only when it is short and plain, so it cannot forge a log line.
    async fn every_answer_carries_a_request_id(app) {
        let fresh = Reply::read(app.send(get("/api/v1/health")).await).await;
        let id = request_id(&fresh);
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "a made id is a UUID: {id}");
        let again = request_id(&Reply::read(app.send(get("/api/v1/health")).await).await);
        assert_ne!(id, again, "each request gets its own id");

        let mut own = get("/api/v1/health");
        own.headers_mut().insert("x-request-id", "lb-7f3a.2_x".parse().unwrap());
        assert_eq!(request_id(&Reply::read(app.send(own).await).await), "lb-7f3a.2_x");

        for bad in ["a".repeat(65), "id with spaces".to_owned(), "x\"}{level=ERROR".to_owned()] {
            let mut req = get("/api/v1/health");
            req.headers_mut().insert("x-request-id", bad.parse().unwrap());
            let kept = request_id(&Reply::read(app.send(req).await).await);
            assert_ne!(kept, bad);
            assert!(uuid::Uuid::parse_str(&kept).is_ok(), "replaced by a fresh id: {kept}");
        }

        let cross_site = Request::post("/api/v1/me")
            .header(header::HOST, HOST)
            .header("sec-fetch-site", "cross-site")
            .body(Body::empty())
            .unwrap();
        let refused = Reply::read(app.send(cross_site).await).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        request_id(&refused);
        request_id(&Reply::read(app.send(get("/no/such/page")).await).await);
    }
}
