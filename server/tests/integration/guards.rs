//! Request guards: cross-site requests and security headers.

use crate::harness::{HOST, OPERATOR};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use leptos::server_fn::ServerFn;
use portcullis_app::api::SignIn;

fn sign_in_request(extra: &[(&'static str, &str)]) -> Request<Body> {
    let body = format!(
        "email={OPERATOR}&password={}",
        portcullis_server::demo::DEMO_PASSWORD
    );
    let mut req = Request::post(<SignIn as ServerFn>::PATH)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .expect("request");
    for (k, v) in extra {
        req.headers_mut()
            .insert(*k, v.parse().expect("header value"));
    }
    req
}

on_both_backends! {
    /// A browser POST from another site is refused before it reaches the server function.
    async fn cross_site_posts_are_refused(app) {
        for headers in [
            vec![("sec-fetch-site", "cross-site")],
            vec![("origin", "https://evil.example")],
            vec![("origin", "null")],
            // A DNS-rebinding page: its origin matches the Host header it makes the browser
            // send, but not the console's configured address.
            vec![("origin", "http://rebound.example"), ("host", "rebound.example")],
            // The right host on another scheme or port is another origin.
            vec![("origin", &format!("https://{HOST}"))],
            vec![("origin", "http://console.test:1")],
            // An Origin that cannot be read is refused, not skipped.
            vec![("origin", "not a url")],
        ] {
            let reply = crate::harness::Reply::read(app.send(sign_in_request(&headers)).await).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{headers:?}");
            assert_eq!(reply.body["error"]["code"], "cross_site_request");
        }
        assert_eq!(app.count("sessions", "1 = 1").await, 0, "nothing was signed in");
    }

    /// The same request from the console's own origin goes through.
    async fn same_origin_posts_pass(app) {
        let origin = format!("http://{HOST}");
        let reply = crate::harness::Reply::read(
            app.send(sign_in_request(&[("origin", origin.as_str()), ("sec-fetch-site", "same-origin")])).await,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }

    /// Pages carry headers that stop framing and content sniffing, allow only this response's
    /// scripts, and keep no copy; API answers allow nothing to run.
    async fn pages_carry_security_headers(app) {
        let res = app.send(Request::get("/signin").header(header::HOST, HOST).body(Body::empty()).expect("request")).await;
        assert_eq!(res.status(), StatusCode::OK);
        let headers = res.headers().clone();
        assert_eq!(headers["x-frame-options"], "DENY");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["cache-control"], "no-store");
        assert!(headers["permissions-policy"].to_str().unwrap().contains("camera=()"));
        assert!(!headers.contains_key("strict-transport-security"), "HSTS over plain http");
        let csp = headers["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce");
        assert!(nonce.len() >= 16, "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        let body = crate::harness::body_text(res).await;
        let scripts = body.matches("<script").count();
        assert!(scripts > 0);
        assert_eq!(body.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "a script without this response's nonce");
        // Another response has another nonce.
        let again = app.send(Request::get("/signin").header(header::HOST, HOST).body(Body::empty()).expect("request")).await;
        assert!(!again.headers()["content-security-policy"].to_str().unwrap().contains(nonce));

        let api = app.send(Request::get("/api/v1/health").header(header::HOST, HOST).body(Body::empty()).expect("request")).await;
        assert_eq!(api.headers()["content-security-policy"], "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
        assert_eq!(api.headers()["cache-control"], "no-store");
    }

    /// The activity download records an event, so a link or image on another site must not
    /// start one: it answers only POST, which the same-origin guard checks.
    async fn the_download_is_not_a_get(app) {
        let admin = app.sign_in(crate::harness::ADMIN).await;
        let before = app.count("activity_events", "event_type = 'activity/download'").await;
        let res = app.send(Request::get("/activity/events.csv").header(header::HOST, HOST).header(header::COOKIE, &admin).body(Body::empty()).expect("request")).await;
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        let res = app.send(Request::post("/activity/events.csv").header(header::HOST, HOST).header(header::COOKIE, &admin).header("origin", "https://evil.example").body(Body::empty()).expect("request")).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.count("activity_events", "event_type = 'activity/download'").await, before, "a refused download was recorded");
    }
}

/// Over TLS (secure cookies), browsers are told to keep to it.
#[tokio::test]
async fn secure_sites_send_hsts() {
    let app = crate::harness::TestApp::sqlite().await;
    let mut services = crate::harness::services_over(&app.db, Default::default());
    services.secure_cookies = true;
    let router = crate::harness::router_of(services);
    let res = tower::ServiceExt::oneshot(
        router,
        Request::get("/signin")
            .header(header::HOST, HOST)
            .body(Body::empty())
            .expect("request"),
    )
    .await
    .unwrap();
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}
