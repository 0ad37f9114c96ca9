//! Sessions: renewed at sign-in, ended at sign-out, shared through the database.

use crate::harness::{app_over, call_on, OPERATOR};
use crate::on_both_backends;
use axum::http::StatusCode;
use portcullis_app::api::{CurrentViewer, LoadOverview, SignIn, SignOut};

on_both_backends! {
    /// Signing in with a session cookie already present replaces it (no session fixation).
    async fn sign_in_renews_the_session_id(app) {
        let first = app.sign_in(OPERATOR).await;
        let reply = app
            .call::<SignIn>(Some(&first), &[("email", OPERATOR), ("password", portcullis_server::demo::DEMO_PASSWORD)])
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let second = reply.session_cookie().expect("new cookie");
        assert_ne!(first, second);
        assert_eq!(app.count("sessions", "1 = 1").await, 1, "the old session is gone");
        let old = app.call::<CurrentViewer>(Some(&first), &[]).await;
        assert_eq!(old.body, serde_json::Value::Null);
    }

    /// Sign-out ends the session on the server: the old cookie opens nothing afterwards.
    async fn sign_out_ends_the_session_on_the_server(app) {
        let cookie = app.sign_in(OPERATOR).await;
        let out = app.call::<SignOut>(Some(&cookie), &[]).await;
        assert_eq!(out.status, StatusCode::OK);
        assert!(out.set_cookies().iter().any(|c| c.starts_with("portcullis_session=;") && c.contains("Max-Age=0")));
        assert_eq!(app.count("sessions", "1 = 1").await, 0);
        assert_eq!(app.count("activity_events", "event_type = 'session/end'").await, 1);
        let after = app.call::<LoadOverview>(Some(&cookie), &[]).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED);
        assert_eq!(after.body["code"], "unauthenticated");
    }

    /// A session opened through one replica is honoured by another over the same database.
    async fn sessions_are_shared_between_replicas(app) {
        let cookie = app.sign_in(OPERATOR).await;
        let other_replica = app_over(&app.db);
        let me = call_on::<CurrentViewer>(&other_replica, Some(&cookie), &[]).await;
        assert_eq!(me.body["email"], OPERATOR);
    }

    /// Without a session, server functions that need one answer 401.
    async fn no_session_is_refused(app) {
        let r = app.call::<LoadOverview>(None, &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let r = app.call::<LoadOverview>(Some("portcullis_session=forged"), &[]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
}
