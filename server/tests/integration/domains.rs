//! The email-domain allowlist: refused at sign-in, requested, reviewed by operators.

use crate::harness::{ADMIN, OPERATOR};
use crate::on_both_backends;
use axum::http::StatusCode;
use portcullis_app::api::{
    AddUser, LoadDomainRequests, LoadOutbox, RequestDomain, ReviewDomain, SignIn,
};

on_both_backends! {
    /// A request with a reason, approved by an operator, lets the user be added; the
    /// requester sees the outcome. Only operators review.
    async fn request_approve_then_add(app) {
        let admin = app.sign_in(ADMIN).await;
        let short = app.call::<RequestDomain>(Some(&admin), &[("domain", "partner.example"), ("reason", "pls")]).await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(short.body["field"], "reason");
        let bad = app.call::<RequestDomain>(Some(&admin), &[("domain", "not a domain"), ("reason", "our agency partner")]).await;
        assert_eq!(bad.body["field"], "domain");
        let r = app.call::<RequestDomain>(Some(&admin), &[("domain", "@Partner.Example"), ("reason", "our agency partner runs campaigns")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let mine = app.call::<LoadDomainRequests>(Some(&admin), &[]).await;
        assert_eq!(mine.body[0]["domain"], "partner.example");
        assert_eq!(mine.body[0]["status"], "pending");
        let id = mine.body[0]["id"].as_str().unwrap().to_owned();

        let not_operator = app.call::<ReviewDomain>(Some(&admin), &[("request_id", &id), ("approve", "true")]).await;
        assert_eq!(not_operator.status, StatusCode::FORBIDDEN);
        let outbox = app.call::<LoadOutbox>(Some(&admin), &[]).await;
        assert_eq!(outbox.status, StatusCode::FORBIDDEN);

        let operator = app.sign_in(OPERATOR).await;
        let ok = app.call::<ReviewDomain>(Some(&operator), &[("request_id", &id), ("approve", "true")]).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        let twice = app.call::<ReviewDomain>(Some(&operator), &[("request_id", &id), ("approve", "false")]).await;
        assert_eq!(twice.status, StatusCode::CONFLICT);
        assert_eq!(app.count("allowed_domains", "domain = 'partner.example'").await, 1);
        assert_eq!(app.count("activity_events", &format!("event_type = 'domain/approve' AND object_id = '{id}'")).await, 1);
        let mine = app.call::<LoadDomainRequests>(Some(&admin), &[]).await;
        assert_eq!(mine.body[0]["status"], "approved");
        assert_eq!(mine.body[0]["decided_by"], OPERATOR);

        let policy = app.directory_id(&admin, "policies", "Viewer").await;
        let group = app.directory_id(&admin, "groups", "All resource groups").await;
        let added = app.call::<AddUser>(Some(&admin), &[("name", "Pat Partner"), ("email", "pat@partner.example"), ("policy_id", &policy), ("group_id", &group), ("send_welcome", "false")]).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
        assert_eq!(app.count("outbox", "to_email = 'pat@partner.example'").await, 0, "no welcome when unticked");
    }

    /// A person whose domain is no longer allowed cannot sign in, and is told why.
    async fn sign_in_refused_for_unlisted_domain(app) {
        sqlx::query("DELETE FROM allowed_domains WHERE domain = 'globex.example'").execute(&app.db.pool).await.unwrap();
        let r = app.call::<SignIn>(None, &[("email", "admin@globex.example"), ("password", crate::harness::DEMO_PASSWORD)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert_eq!(r.body["code"], "domain_not_allowed");
        assert!(r.session_cookie().is_none());
        assert_eq!(app.count("sessions", "1 = 1").await, 0);
    }
}
