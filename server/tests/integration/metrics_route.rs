//! `/metrics`: Prometheus' text format, for the peers the operator allows and no one else.

use crate::harness::{body_text, from_peer, get, TestApp};
use crate::on_both_backends;
use axum::http::StatusCode;

/// The sum of `name`'s samples whose labels include every one of `labels`.
fn sample(text: &str, name: &str, labels: &[&str]) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) && labels.iter().all(|x| l.contains(x)))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// `/metrics` as a loopback peer reads it.
async fn scrape(app: &TestApp) -> String {
    let res = app
        .send(from_peer(get("/metrics"), "127.0.0.1:50000"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    body_text(res).await
}

on_both_backends! {
    /// `/metrics` answers an allowed peer in Prometheus' text format, and its counters move
    /// with the requests served, labelled by matched route rather than raw path.
    async fn metrics_count_requests_by_route(app) {
        let route = "route=\"/api/v1/accounts/{account_id}\"";
        let before = scrape(&app).await;
        let res = app.send(get("/api/v1/accounts/tnt_0000000000000000000000000")).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let after = scrape(&app).await;
        let counted = |text: &str| sample(text, "portcullis_http_requests_total", &[route, "status=\"401\"", "method=\"GET\""]);
        assert!(counted(&after) >= counted(&before) + 1.0, "the request was counted:\n{after}");
        let timed = |text: &str| sample(text, "portcullis_http_request_duration_seconds_count", &[route]);
        assert!(timed(&after) >= timed(&before) + 1.0, "the request was timed:\n{after}");
        assert!(!after.contains("tnt_0000000000000000000000000"), "no raw path in a label");
        assert!(after.contains("# TYPE portcullis_http_request_duration_seconds histogram"));
        assert!(after.contains("portcullis_db_connections{state=\"idle\"}"), "{after}");
        assert!(after.contains("portcullis_db_connections{state=\"in_use\"}"), "{after}");
    }

    /// Other peers find nothing at `/metrics`, whatever `X-Forwarded-For` claims; so does an
    /// in-process call, which has no peer to judge.
    async fn metrics_are_hidden_from_other_peers(app) {
        let outside = app.send(from_peer(get("/metrics"), "203.0.113.9:40000")).await;
        assert_eq!(outside.status(), StatusCode::NOT_FOUND);
        let mut forged = from_peer(get("/metrics"), "203.0.113.9:40000");
        forged.headers_mut().insert("x-forwarded-for", "127.0.0.1".parse().unwrap());
        assert_eq!(app.send(forged).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.send(get("/metrics")).await.status(), StatusCode::NOT_FOUND);
        let v6 = app.send(from_peer(get("/metrics"), "[::1]:40000")).await;
        assert_eq!(v6.status(), StatusCode::OK);
        let mapped = app.send(from_peer(get("/metrics"), "[::ffff:127.0.0.1]:40000")).await;
        assert_eq!(mapped.status(), StatusCode::OK, "an IPv4 loopback peer on a dual-stack socket");
        // A reverse proxy on the same host connects from loopback on anyone's behalf.
        for header in ["x-forwarded-for", "forwarded", "x-real-ip"] {
            let mut relayed = from_peer(get("/metrics"), "127.0.0.1:40000");
            relayed.headers_mut().insert(header, "for=198.51.100.4".parse().unwrap());
            assert_eq!(app.send(relayed).await.status(), StatusCode::NOT_FOUND, "relayed with {header}");
        }
    }

    /// A client may send any token as a method; each would otherwise become a label kept for
    /// good, so unknown methods are counted together.
    async fn unknown_methods_share_one_label(app) {
        let odd = format!("M{}", "A".repeat(200));
        let req = axum::http::Request::builder()
            .method(odd.as_str())
            .uri("/api/v1/health")
            .header("host", crate::harness::HOST)
            .body(axum::body::Body::empty())
            .unwrap();
        app.send(req).await;
        let text = scrape(&app).await;
        assert!(!text.contains(&odd), "the raw method became a label");
        assert!(text.contains("method=\"other\""), "{text}");
    }
}
