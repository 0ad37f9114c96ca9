//! Request guards: cross-site requests and security headers.

use crate::harness::{HOST, OPERATOR};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use leptos::server_fn::ServerFn;
use portcullis_app::api::SignIn;

fn sign_in_request(extra: &[(&str, &str)]) -> Request<Body> {
    let body = format!(
        "email={OPERATOR}&password={}",
        portcullis_server::demo::DEMO_PASSWORD
    );
    let mut req = Request::post(<SignIn as ServerFn>::PATH)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.body(Body::from(body)).expect("request")
}

on_both_backends! {
    /// A browser POST from another site is refused before it reaches the server function.
    async fn cross_site_posts_are_refused(app) {
        for headers in [
            vec![("sec-fetch-site", "cross-site")],
            vec![("origin", "https://evil.example")],
            vec![("origin", "null")],
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

    /// Pages carry headers that stop framing and content sniffing.
    async fn pages_carry_security_headers(app) {
        let res = app.send(Request::get("/signin").header(header::HOST, HOST).body(Body::empty()).expect("request")).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["x-frame-options"], "DENY");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    }
}
