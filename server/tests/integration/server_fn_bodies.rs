//! Server functions refuse a malformed request as the client's mistake (4xx, in the app's
//! error JSON), never as the server's (500).

use crate::harness::{Reply, HOST};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use leptos::server_fn::ServerFn;
use portcullis_app::api::SignIn;

fn sign_in_with(body: impl Into<Body>) -> Request<Body> {
    Request::post(SignIn::PATH)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(body.into())
        .unwrap()
}

on_both_backends! {
    /// A body past the limit is a 413 saying so, before any of it is decoded: just past it,
    /// and past what Leptos itself would buffer.
    async fn a_body_too_large_is_413(app) {
        for size in [3 * 1024 * 1024, portcullis_server::web::server_fn_body::FORM_LIMIT] {
            let padding = "a".repeat(size);
            let reply = Reply::read(app.send(sign_in_with(format!("email=x%40y.z&password={padding}"))).await).await;
            assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{size}: {}", reply.body);
            assert_eq!(reply.body["code"], "body_too_large");
            assert_eq!(reply.body["kind"], "too_large");
        }
    }

    /// A body that is not UTF-8 is a 400 saying so.
    async fn a_body_not_utf8_is_400(app) {
        let reply = Reply::read(app.send(sign_in_with(&b"email=\xff\xfe&password=x"[..])).await).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        assert_eq!(reply.body["code"], "not_utf8");
    }

    /// A form without a field the function takes is a 422 naming the field.
    async fn a_missing_field_is_422_naming_it(app) {
        let reply = Reply::read(app.send(sign_in_with("email=x%40y.z")).await).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.body);
        assert_eq!(reply.body["code"], "invalid_form");
        assert_eq!(reply.body["field"], "password");
    }

    /// A body that does not decode as a form at all is a 400.
    async fn an_undecodable_form_is_400(app) {
        let reply = Reply::read(app.send(sign_in_with("email[=x&password]=y")).await).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        assert_eq!(reply.body["code"], "bad_request");
    }

    /// A well-formed call still works once its body has been checked.
    async fn a_good_form_still_signs_in(app) {
        let body = serde_urlencoded::to_string([("email", crate::harness::OPERATOR), ("password", crate::harness::DEMO_PASSWORD)]).unwrap();
        let reply = Reply::read(app.send(sign_in_with(body)).await).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
}
