//! Sign-in: passwords, cookies, failed attempts, activity.

use crate::harness::{OPERATOR, OWNER_A};
use crate::on_both_backends;
use axum::http::StatusCode;
use portcullis_app::api::{CurrentViewer, SignIn};

on_both_backends! {
    /// A right password opens a session in an HttpOnly, SameSite cookie and records it.
    async fn right_password_opens_a_session(app) {
        let reply = app.call::<SignIn>(None, &[("email", "  Operator@Portcullis.dev "), ("password", portcullis_server::demo::DEMO_PASSWORD)]).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let cookie = reply.set_cookies().into_iter().find(|c| c.starts_with("portcullis_session=")).expect("cookie");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        let token = reply.session_cookie().expect("cookie").trim_start_matches("portcullis_session=").to_owned();
        // Only the token's hash is stored.
        assert_eq!(app.count("sessions", &format!("token_hash = '{token}'")).await, 0);
        assert_eq!(app.count("sessions", "1 = 1").await, 1);
        assert_eq!(app.count("activity_events", "event_type = 'session/create'").await, 1);

        let me = app.call::<CurrentViewer>(reply.session_cookie().as_deref(), &[]).await;
        assert_eq!(me.body["email"], OPERATOR);
        assert_eq!(me.body["operator"], true);
        assert_eq!(me.body["tenants"].as_array().map(Vec::len), Some(2));
    }

    /// A wrong password answers 401 naming the password field, sets no cookie, opens no session.
    async fn wrong_password_opens_nothing(app) {
        let reply = app.call::<SignIn>(None, &[("email", OPERATOR), ("password", "not-the-password")]).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.body["code"], "invalid_credentials");
        assert_eq!(reply.body["field"], "password");
        assert!(reply.session_cookie().is_none());
        assert_eq!(app.count("sessions", "1 = 1").await, 0);
        assert_eq!(app.count("sign_in_failures", &format!("email = '{OPERATOR}'")).await, 1);
    }

    /// An unknown email gets the same answer as a wrong password: no account discovery.
    async fn unknown_email_looks_like_a_wrong_password(app) {
        let reply = app.call::<SignIn>(None, &[("email", "nobody@acme.example"), ("password", "whatever-it-is")]).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.body["code"], "invalid_credentials");
    }

    /// Bad input is refused by core's rules before storage is touched, naming the field.
    async fn malformed_email_names_the_field(app) {
        let reply = app.call::<SignIn>(None, &[("email", "ana@localhost"), ("password", "x")]).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(reply.body["field"], "email");
        assert_eq!(reply.body["code"], "email_domain_shape");
        assert_eq!(app.count("sign_in_failures", "1 = 1").await, 0);
    }

    /// After five failures the address is locked for a while, even with the right password.
    async fn five_failures_lock_the_address(app) {
        for _ in 0..5 {
            let r = app.call::<SignIn>(None, &[("email", OWNER_A), ("password", "wrong-password-1")]).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        }
        let r = app.call::<SignIn>(None, &[("email", OWNER_A), ("password", portcullis_server::demo::DEMO_PASSWORD)]).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
        assert_eq!(r.body["code"], "too_many_attempts");
        assert!(r.body["retry_after_secs"].as_u64().is_some_and(|s| s > 0 && s <= 900));
        assert_eq!(app.count("sessions", "1 = 1").await, 0);
        // Other addresses are unaffected.
        app.sign_in(OPERATOR).await;
    }
}
