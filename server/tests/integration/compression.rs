//! What goes out compressed: pages do, to a browser that accepts brotli or gzip; JSON answers
//! (some carry a secret beside text the caller chose) and the streamed activity CSV do not.

use crate::harness::{TestApp, ADMIN, HOST};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;

on_both_backends! {
    /// A page comes compressed when the browser accepts it, and plain when it does not.
    async fn pages_go_out_compressed(app) {
        let (status, encoding, squeezed) = fetch(&app, Request::get("/signin"), None, "br, gzip").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(encoding.as_deref(), Some("br"));
        let (_, encoding, gzipped) = fetch(&app, Request::get("/signin"), None, "gzip").await;
        assert_eq!(encoding.as_deref(), Some("gzip"));
        let (_, encoding, plain) = fetch(&app, Request::get("/signin"), None, "identity").await;
        assert_eq!(encoding, None);
        assert!(squeezed < plain / 2 && gzipped < plain / 2, "br {squeezed}, gzip {gzipped}, plain {plain} bytes");
    }

    /// JSON answers and the activity CSV are sent as they are, whatever the browser accepts.
    async fn json_and_the_csv_stay_plain(app) {
        let (status, encoding, size) = fetch(&app, Request::get("/api/v1/openapi.json"), None, "br, gzip").await;
        assert_eq!(status, StatusCode::OK);
        assert!(size > 1024, "large enough to be compressed: {size} bytes");
        assert_eq!(encoding, None, "a JSON answer is not compressed");

        let admin = app.sign_in(ADMIN).await;
        let (status, encoding, _) = fetch(&app, Request::post("/activity/events.csv"), Some(&admin), "br, gzip").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(encoding, None, "the CSV stream is not compressed");
    }
}

/// Sends `req` (with `cookie`, accepting `accept`) and answers its status, its content
/// encoding and the bytes of its body as sent.
async fn fetch(
    app: &TestApp,
    req: axum::http::request::Builder,
    cookie: Option<&str>,
    accept: &str,
) -> (StatusCode, Option<String>, usize) {
    let mut req = req
        .header(header::HOST, HOST)
        .header(header::ACCEPT_ENCODING, accept);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = app.send(req.body(Body::empty()).expect("request")).await;
    let status = res.status();
    let encoding = res
        .headers()
        .get(header::CONTENT_ENCODING)
        .map(|v| v.to_str().expect("encoding").to_owned());
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    (status, encoding, bytes.len())
}
