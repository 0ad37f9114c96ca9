//! Sign-in: passwords, cookies, failed attempts, activity.

use crate::harness::{TestApp, HOST, OPERATOR, OWNER_A};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request};
use portcullis_server::demo::DEMO_PASSWORD;

/// Signs in from the client address `ip`; answers the status.
async fn sign_in_from(app: &TestApp, email: &str, password: &str, ip: &str) -> StatusCode {
    let body = serde_urlencoded::to_string([("email", email), ("password", password)]).unwrap();
    let mut req = Request::post(<SignIn as leptos::server_fn::ServerFn>::PATH)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json")
        .body(Body::from(body))
        .unwrap();
    let addr: std::net::SocketAddr = format!("{ip}:40000").parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(addr));
    app.send(req).await.status()
}

async fn password_checks(app: &TestApp) -> i64 {
    app.count(
        "activity_events",
        "event_type IN ('session/sign_in_failed', 'session/create')",
    )
    .await
}
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
        assert_eq!(app.count("activity_events", &format!("event_type = 'session/sign_in_failed' AND object_name = '{OPERATOR}'")).await, 1);
        let recorded: Vec<String> = sqlx::query_scalar("SELECT COALESCE(object_name, '') || principal_name FROM activity_events WHERE event_type = 'session/sign_in_failed'")
            .fetch_all(&app.db.pool).await.unwrap();
        assert!(recorded.iter().all(|r| !r.contains("not-the-password")), "the password was recorded");
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
        assert_eq!(app.count("rate_counters", "1 = 1").await, 0);
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
        let header = r.headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
        assert_eq!(header, r.body["retry_after_secs"].as_u64(), "Retry-After carries the wait");
        assert_eq!(app.count("sessions", "1 = 1").await, 0);
        // Other addresses are unaffected.
        app.sign_in(OPERATOR).await;
    }

    /// Parallel guesses cannot pass the limit: each attempt is counted in one statement before
    /// its password is checked, so of twenty at once only five reach the check.
    async fn parallel_guesses_cannot_exceed_the_limit(app) {
        let guesses = (0..20).map(|i| {
            let app = &app;
            async move { sign_in_from(app, OWNER_A, &format!("guess-number-{i}"), "198.51.100.7").await }
        });
        let answers = futures_util::future::join_all(guesses).await;
        let refused = answers.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
        let wrong = answers.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
        assert_eq!((wrong, refused), (5, 15), "{answers:?}");
        assert_eq!(password_checks(&app).await, 5, "only five passwords were checked");
        assert_eq!(app.count("activity_events", "event_type = 'session/locked'").await, 1, "the lockout is recorded once");
    }

    /// A person a guesser locked out signs in from their own address; the guesser's address
    /// stays locked, and no number of guessing addresses locks the account for longer than a
    /// window.
    async fn a_targeted_person_still_signs_in_from_another_address(app) {
        for i in 0..6 {
            sign_in_from(&app, OWNER_A, &format!("guess-{i}"), "198.51.100.7").await;
        }
        assert_eq!(sign_in_from(&app, OWNER_A, DEMO_PASSWORD, "198.51.100.7").await, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(sign_in_from(&app, OWNER_A, DEMO_PASSWORD, "203.0.113.9").await, StatusCode::OK);
        // Many guessing addresses together lock the account, for one window at most.
        for attacker in 0..5 {
            for i in 0..5 {
                sign_in_from(&app, OWNER_A, &format!("guess-{i}"), &format!("198.51.100.{}", 20 + attacker)).await;
            }
        }
        assert_eq!(sign_in_from(&app, OWNER_A, DEMO_PASSWORD, "203.0.113.9").await, StatusCode::TOO_MANY_REQUESTS);
        let window_end: i64 = sqlx::query_scalar(&format!("SELECT window_start FROM rate_counters WHERE key = 'account {OWNER_A}'"))
            .fetch_one(&app.db.pool).await.unwrap();
        // Pretend the window passed: the lock lifts, and later refusals did not move it.
        sqlx::query(&format!("UPDATE rate_counters SET window_start = {} WHERE key LIKE 'account {OWNER_A}%'", window_end - 16 * 60 * 1000))
            .execute(&app.db.pool).await.unwrap();
        assert_eq!(sign_in_from(&app, OWNER_A, DEMO_PASSWORD, "203.0.113.9").await, StatusCode::OK);
    }

    /// An unauthenticated flood from one address is refused before any password is hashed,
    /// whichever accounts it names.
    async fn a_flood_from_one_address_is_refused_before_hashing(app) {
        for i in 0..30 {
            let status = sign_in_from(&app, &format!("nobody{i}@acme.example"), "some-guess-1", "192.0.2.44").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
        let checked = password_checks(&app).await;
        for i in 30..40 {
            let status = sign_in_from(&app, &format!("nobody{i}@acme.example"), "some-guess-1", "192.0.2.44").await;
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        }
        assert_eq!(password_checks(&app).await, checked, "a refused attempt was hashed");
        // Expired counters are swept.
        sqlx::query("UPDATE rate_counters SET window_start = 0").execute(&app.db.pool).await.unwrap();
        assert_eq!(sign_in_from(&app, "someone@acme.example", "some-guess-1", "192.0.2.45").await, StatusCode::UNAUTHORIZED);
        assert!(app.count("rate_counters", "window_start = 0").await == 0, "old counters stay");
    }
}
