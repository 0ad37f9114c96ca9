//! Authorizations: the wizard's configuration checked on the server, secrets sealed and
//! never returned, health checked against local fake providers, the delete guard, a check that
//! runs once across replicas, and the OAuth consent with PKCE.

use crate::fake_provider::{FakeProvider, GOOD_SENDGRID_KEY, GOOD_TOKEN};
use crate::harness::{call_on, router_of, services_over, TestApp, ADMIN, ANALYST, HOST, OWNER_A};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use portcullis_app::api::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Creates an authorization through the server function; answers its id.
pub async fn create(
    app: &TestApp,
    cookie: &str,
    provider: &str,
    method: &str,
    label: &str,
    config: Value,
) -> String {
    let made = app
        .call::<CreateAuthorization>(
            Some(cookie),
            &[
                ("provider", provider),
                ("method", method),
                ("label", label),
                ("description", "made by a test"),
                ("config", &config.to_string()),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{:?}", made.body);
    made.body.as_str().unwrap().to_owned()
}

/// A generic bearer-token authorization against the fake's `path`.
pub async fn bearer_on(
    app: &TestApp,
    cookie: &str,
    fake: &FakeProvider,
    path: &str,
    token: &str,
    label: &str,
) -> String {
    create(
        app,
        cookie,
        "http_api",
        "bearer",
        label,
        json!({"base_url": format!("{}{path}", fake.url), "token": token}),
    )
    .await
}

fn all_text(v: &Value) -> String {
    v.to_string()
}

on_both_backends! {
    /// The server checks the configuration like the wizard; secrets are sealed at rest
    /// and no answer carries them; the creation is recorded.
    async fn the_configuration_is_checked_and_secrets_never_come_back(app) {
        let owner = app.sign_in(OWNER_A).await;
        let call = |fields: Vec<(&'static str, String)>| {
            let owner = owner.clone();
            let app = &app;
            async move {
                let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                app.call::<CreateAuthorization>(Some(&owner), &f).await
            }
        };
        let base = |provider: &str, method: &str, config: Value| vec![
            ("provider", provider.to_owned()), ("method", method.to_owned()),
            ("label", "Mail".to_owned()), ("description", String::new()), ("config", config.to_string()),
        ];
        let missing = call(base("sendgrid", "api_key", json!({}))).await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(missing.body["field"], "api_key");
        let wrong = call(base("sendgrid", "api_key", json!({"api_key": "not-a-key"}))).await;
        assert_eq!(wrong.body["field"], "api_key");
        assert!(wrong.body["message"].as_str().unwrap().contains("SG."));
        let extra = call(base("sendgrid", "api_key", json!({"api_key": "SG.x1", "region": "eu"}))).await;
        assert_eq!(extra.body["field"], "region");
        let unknown = call(base("myspace", "api_key", json!({}))).await;
        assert_eq!(unknown.body["field"], "provider");
        let mut blank_label = base("sendgrid", "api_key", json!({"api_key": "SG.x1"}));
        blank_label[2].1 = "  ".into();
        assert_eq!(call(blank_label).await.body["field"], "label");
        assert_eq!(app.count("authorizations", "1 = 1").await, 0, "a refused authorization is not stored");

        let secret = "SG.very-secret-value-42";
        let id = create(&app, &owner, "sendgrid", "api_key", "Newsletters", json!({"api_key": secret})).await;
        let summary = app.call::<LoadAuthorization>(Some(&owner), &[("id", &id)]).await;
        assert_eq!(summary.status, StatusCode::OK);
        assert_eq!(summary.body["config"]["api_key"], portcullis_core::pii::MASK);
        assert_eq!(summary.body["row"]["health"], "unknown");
        assert_eq!(summary.body["row"]["created_by"], "Nora Northwind");
        let list = app.call::<ListAuthorizations>(Some(&owner), &[("sort", "label"), ("order", "asc")]).await;
        for answer in [&summary.body, &list.body] {
            assert!(!all_text(answer).contains(secret), "an answer carries the secret");
        }
        let stored: (String, String) = sqlx::query_as("SELECT settings, sealed FROM authorizations")
            .fetch_one(&app.db.pool).await.unwrap();
        assert!(!stored.0.contains(secret) && !stored.1.contains(secret), "the secret is stored in plaintext");
        assert!(stored.1.starts_with("v1."));
        assert_eq!(app.count("activity_events", &format!("event_type = 'authorization/create' AND object_id = '{id}'")).await, 1);

        // Edit changes label and description only.
        let edited = app.call::<EditAuthorization>(Some(&owner), &[("id", &id), ("version", &app.version_of("authorizations", &id).await), ("label", "Newsletters (EU)"), ("description", "weekly")]).await;
        assert_eq!(edited.status, StatusCode::OK);
        let after = app.call::<LoadAuthorization>(Some(&owner), &[("id", &id)]).await;
        assert_eq!(after.body["row"]["label"], "Newsletters (EU)");
        assert_eq!(after.body["row"]["provider"], "sendgrid");

        // Another tenant's people and those without the action are refused.
        let analyst = app.sign_in(ANALYST).await;
        let refused = app.call::<DeleteAuthorization>(Some(&analyst), &[("id", &id), ("version", &app.version_of("authorizations", &id).await)]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let globex = app.sign_in("admin@globex.example").await;
        assert_eq!(app.call::<LoadAuthorization>(Some(&globex), &[("id", &id)]).await.status, StatusCode::NOT_FOUND);
    }

    /// A check reads the provider's answer: accepted is Healthy, rejected Unhealthy, no
    /// answer Unknown. Changes are recorded, secrets in the answer are blotted out, and every
    /// check counts as a request.
    async fn health_follows_what_the_provider_answers(app) {
        let fake = FakeProvider::start().await;
        let owner = app.sign_in(OWNER_A).await;
        let good = bearer_on(&app, &owner, &fake, "/ok", GOOD_TOKEN, "Good").await;
        let bad = bearer_on(&app, &owner, &fake, "/ok", "revoked-token-9876", "Bad").await;
        let slow = bearer_on(&app, &owner, &fake, "/slow", GOOD_TOKEN, "Slow").await;

        let checked = app.call::<CheckAuthorization>(Some(&owner), &[("id", &good)]).await;
        assert_eq!(checked.status, StatusCode::OK, "{:?}", checked.body);
        assert_eq!(checked.body["row"]["health"], "healthy");
        assert!(checked.body["answer"].as_str().unwrap().starts_with("HTTP 200"));
        assert!(checked.body["checked_at"].is_string());

        let rejected = app.call::<CheckAuthorization>(Some(&owner), &[("id", &bad)]).await;
        assert_eq!(rejected.body["row"]["health"], "unhealthy");
        let answer = rejected.body["answer"].as_str().unwrap();
        assert!(answer.starts_with("HTTP 401"), "{answer}");
        assert!(!answer.contains("revoked-token-9876"), "the provider's echo of the secret is shown: {answer}");

        let timed_out = app.call::<CheckAuthorization>(Some(&owner), &[("id", &slow)]).await;
        assert_eq!(timed_out.body["row"]["health"], "unknown");
        assert!(timed_out.body["answer"].as_str().unwrap().contains("no answer"));

        assert_eq!(app.count("activity_events", "event_type = 'authorization/health'").await, 2, "two health changes");
        assert_eq!(app.count("activity_events", "event_type = 'authorization/check'").await, 1, "the unchanged one is recorded as a check");
        let now = chrono::Utc::now().timestamp_millis();
        let metrics = app.call::<AuthorizationMetrics>(Some(&owner), &[("id", &good), ("from", &(now - 86_400_000).to_string()), ("to", &(now + 3_600_000).to_string()), ("step", "hour")]).await;
        let total: u64 = metrics.body.as_array().unwrap().iter().map(|b| b["requests"].as_u64().unwrap()).sum();
        assert_eq!(total, 1, "the check counted as one request");
        let too_wide = app.call::<AuthorizationMetrics>(Some(&owner), &[("id", &good), ("from", "0"), ("to", &now.to_string()), ("step", "hour")]).await;
        assert_eq!(too_wide.body["field"], "granularity");

        // PostgreSQL is checked with SELECT 1 against the database itself (when one is here).
        if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
            let (server, _) = url.rsplit_once('/').unwrap();
            let live = create(&app, &owner, "postgresql", "connection_url", "Warehouse", json!({"url": format!("{server}/postgres")})).await;
            let checked = app.call::<CheckAuthorization>(Some(&owner), &[("id", &live)]).await;
            assert_eq!(checked.body["row"]["health"], "healthy", "{:?}", checked.body);
            let missing = create(&app, &owner, "postgresql", "connection_url", "Gone", json!({"url": format!("{server}/no_such_database_here")})).await;
            let checked = app.call::<CheckAuthorization>(Some(&owner), &[("id", &missing)]).await;
            assert_eq!(checked.body["row"]["health"], "unhealthy", "{:?}", checked.body);
            assert!(checked.body["answer"].as_str().unwrap().contains("3D000"));
        } else {
            crate::harness::postgres_missing("authorizations: the PostgreSQL provider check");
        }

        // SendGrid's real endpoint path, on the fake through PORTCULLIS_PROVIDER_URLS.
        let sendgrid = create(&app, &owner, "sendgrid", "api_key", "Mail", json!({"api_key": GOOD_SENDGRID_KEY})).await;
        let router = router_of(services_over(&app.db, BTreeMap::from([("sendgrid".to_owned(), fake.url.clone())])));
        let via_fake = call_on::<CheckAuthorization>(&router, Some(&owner), &[("id", &sendgrid)]).await;
        assert_eq!(via_fake.body["row"]["health"], "healthy");
        assert_eq!(fake.hits("/v3/scopes"), 1);
    }

    /// A job that is running, sleeping or paused, or an active imported experience, blocks
    /// the delete, and the refusal lists them; once they are gone the delete goes through.
    async fn a_delete_waits_for_jobs_and_experiences(app) {
        let fake = FakeProvider::start().await;
        let owner = app.sign_in(OWNER_A).await;
        let auth = bearer_on(&app, &owner, &fake, "/ok", GOOD_TOKEN, "Webhook").await;
        let wrong_type = app.call::<CreateJob>(Some(&owner), &[("name", "Pub/Sub"), ("job_type", "import_pub_sub"), ("authorization", &auth)]).await;
        assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(wrong_type.body["code"], "unsupported_job_type");
        let job = app.call::<CreateJob>(Some(&owner), &[("name", "Nightly push"), ("job_type", "send_webhook"), ("authorization", &auth)]).await;
        assert_eq!(job.status, StatusCode::OK, "{:?}", job.body);
        let job = job.body.as_str().unwrap().to_owned();

        let blocked = app.call::<DeleteAuthorization>(Some(&owner), &[("id", &auth), ("version", &app.version_of("authorizations", &auth).await)]).await;
        assert_eq!(blocked.status, StatusCode::CONFLICT);
        assert_eq!(blocked.body["blockers"][0]["id"], job.as_str());
        assert_eq!(blocked.body["blockers"][0]["kind"], "job");

        assert_eq!(app.call::<ChangeJob>(Some(&owner), &[("id", &job), ("change", "pause")]).await.status, StatusCode::OK);
        let still = app.call::<DeleteAuthorization>(Some(&owner), &[("id", &auth), ("version", &app.version_of("authorizations", &auth).await)]).await;
        assert_eq!(still.status, StatusCode::CONFLICT, "a paused job still holds it");
        assert_eq!(app.call::<DeleteJob>(Some(&owner), &[("id", &job)]).await.status, StatusCode::OK);

        let exp = app.call::<ImportExperience>(Some(&owner), &[("name", "Spring banner"), ("authorization", &auth)]).await;
        let exp = exp.body.as_str().unwrap().to_owned();
        let by_experience = app.call::<DeleteAuthorization>(Some(&owner), &[("id", &auth), ("version", &app.version_of("authorizations", &auth).await)]).await;
        assert_eq!(by_experience.body["blockers"][0]["kind"], "experience");
        assert_eq!(app.count("authorizations", "1 = 1").await, 1, "a refused delete changes nothing");
        assert_eq!(app.call::<RetireExperience>(Some(&owner), &[("id", &exp)]).await.status, StatusCode::OK);

        let deleted = app.call::<DeleteAuthorization>(Some(&owner), &[("id", &auth), ("version", &app.version_of("authorizations", &auth).await)]).await;
        assert_eq!(deleted.status, StatusCode::OK, "{:?}", deleted.body);
        assert_eq!(app.count("authorizations", "1 = 1").await, 0);
        for event in ["job/create", "job/pause", "job/delete", "experience/import", "experience/retire", "authorization/delete"] {
            assert_eq!(app.count("activity_events", &format!("event_type = '{event}'")).await, 1, "{event} is recorded");
        }
    }

    /// The dashboard and the jobs tables sort by each column, page by keyset, and
    /// never repeat or skip a row.
    async fn tables_sort_and_page_without_gaps(app) {
        let fake = FakeProvider::start().await;
        let owner = app.sign_in(OWNER_A).await;
        let mut ids = Vec::new();
        for label in ["delta", "Alpha", "charlie", "bravo", "echo", "Foxtrot", "golf"] {
            let id = bearer_on(&app, &owner, &fake, "/ok", GOOD_TOKEN, label).await;
            app.call::<CreateJob>(Some(&owner), &[("name", &format!("job {label}")), ("job_type", "import_http"), ("authorization", &id)]).await;
            ids.push(id);
        }
        for (sort, order) in [("label", "asc"), ("label", "desc"), ("last_modified", "desc"), ("provider", "asc"), ("status", "asc"), ("created_by", "asc"), ("description", "desc")] {
            let mut seen = Vec::new();
            let mut after = String::new();
            loop {
                let page = app.call::<ListAuthorizations>(Some(&owner), &[("sort", sort), ("order", order), ("after", &after), ("limit", "3")]).await;
                assert_eq!(page.status, StatusCode::OK, "{:?}", page.body);
                for item in page.body["items"].as_array().unwrap() {
                    seen.push((item["label"].as_str().unwrap().to_lowercase(), item["id"].as_str().unwrap().to_owned()));
                }
                match page.body["next"].as_str() { Some(n) => after = n.to_owned(), None => break }
            }
            assert_eq!(seen.len(), 7, "{sort} {order}: every row once");
            let mut unique: Vec<&String> = seen.iter().map(|(_, id)| id).collect();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), 7);
            if sort == "label" {
                let labels: Vec<&str> = seen.iter().map(|(l, _)| l.as_str()).collect();
                let mut sorted = labels.clone();
                sorted.sort();
                if order == "desc" { sorted.reverse(); }
                assert_eq!(labels, sorted, "label {order}");
            }
        }
        let bad = app.call::<ListAuthorizations>(Some(&owner), &[("sort", "secret"), ("order", "asc")]).await;
        assert_eq!(bad.body["field"], "sort");

        let jobs = app.call::<ListJobs>(Some(&owner), &[("authorization", ""), ("sort", "name"), ("order", "desc"), ("limit", "4")]).await;
        let names: Vec<&str> = jobs.body["items"].as_array().unwrap().iter().map(|j| j["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["job golf", "job Foxtrot", "job echo", "job delta"]);
        let one = app.call::<ListJobs>(Some(&owner), &[("authorization", &ids[0]), ("sort", "created"), ("order", "asc")]).await;
        assert_eq!(one.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(one.body["items"][0]["authorization"][1], "delta");
    }

    /// With two replicas on one database, each due check runs once.
    async fn a_due_check_runs_on_one_replica(app) {
        let fake = FakeProvider::start().await;
        let owner = app.sign_in(OWNER_A).await;
        for n in 0..6 {
            bearer_on(&app, &owner, &fake, "/ok", GOOD_TOKEN, &format!("Replica {n}")).await;
        }
        let a = services_over(&app.db, BTreeMap::new());
        let b = services_over(&app.db, BTreeMap::new());
        let now = chrono::Utc::now();
        let (ran_a, ran_b) = tokio::join!(a.run_due_checks(now), b.run_due_checks(now));
        let (ran_a, ran_b) = (ran_a.unwrap(), ran_b.unwrap());
        assert_eq!(ran_a + ran_b, 6, "every due check ran once ({ran_a} + {ran_b})");
        assert_eq!(fake.hits("/ok"), 6, "the provider was asked once per authorization");
        assert_eq!(app.count("authorizations", "health = 'healthy'").await, 6);
        // Checked today, none is due again until tomorrow.
        assert_eq!(a.run_due_checks(chrono::Utc::now()).await.unwrap(), 0);
        assert_eq!(app.count("activity_events", "event_type = 'authorization/health' AND principal_name = 'Health check scheduler'").await, 6);
    }

    /// An OAuth method goes through the provider's consent with PKCE; the tokens are sealed,
    /// the state is used once, and tokens are refreshed before they expire.
    async fn oauth_consent_stores_tokens_with_pkce(app) {
        let fake = FakeProvider::start().await;
        let owner = app.sign_in(OWNER_A).await;
        let id = create(&app, &owner, "salesforce", "oauth", "CRM", json!({"instance_url": fake.url, "client_id": "portcullis", "client_secret": "sf-client-secret"})).await;
        let pending = app.call::<LoadAuthorization>(Some(&owner), &[("id", &id)]).await;
        assert_eq!(pending.body["oauth_pending"], true);

        let started = app.call::<StartOauth>(Some(&owner), &[("id", &id)]).await;
        assert_eq!(started.status, StatusCode::OK, "{:?}", started.body);
        let url = started.body.as_str().unwrap().to_owned();
        assert!(url.starts_with(&format!("{}/services/oauth2/authorize?", fake.url)));
        let query: BTreeMap<String, String> = serde_urlencoded::from_str(url.split_once('?').unwrap().1).unwrap();
        assert_eq!(query["code_challenge_method"], "S256");
        fake.consent("code-1", &query["code_challenge"]);

        let callback = |state: String, cookie: String| {
            let app = &app;
            async move {
                let uri = format!("/authorizations/oauth/callback?code=code-1&state={state}");
                app.send(Request::get(uri).header(header::HOST, HOST).header(header::COOKIE, cookie).body(Body::empty()).unwrap()).await
            }
        };
        let other = app.sign_in(ADMIN).await;
        assert_eq!(callback(query["state"].clone(), other).await.status(), StatusCode::UNPROCESSABLE_ENTITY, "another person cannot finish the consent");
        // The state was taken by that attempt: start again.
        let again = app.call::<StartOauth>(Some(&owner), &[("id", &id)]).await;
        let query: BTreeMap<String, String> = serde_urlencoded::from_str(again.body.as_str().unwrap().split_once('?').unwrap().1).unwrap();
        fake.consent("code-1", &query["code_challenge"]);
        let done = callback(query["state"].clone(), owner.clone()).await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(done.headers()[header::LOCATION], format!("/authorizations/{id}?connected=1").as_str());
        assert_eq!(callback(query["state"].clone(), owner.clone()).await.status(), StatusCode::UNPROCESSABLE_ENTITY, "a state is used once");

        let connected = app.call::<CheckAuthorization>(Some(&owner), &[("id", &id)]).await;
        assert_eq!(connected.body["oauth_pending"], false);
        assert_eq!(connected.body["row"]["health"], "healthy", "{:?}", connected.body);
        assert!(!all_text(&connected.body).contains("sf-access"), "the access token came back");
        let sealed: String = sqlx::query_scalar("SELECT sealed FROM authorizations").fetch_one(&app.db.pool).await.unwrap();
        assert!(!sealed.contains("sf-access"));

        // The token expires in five minutes: the scheduler refreshes it now.
        let services = services_over(&app.db, BTreeMap::new());
        assert_eq!(services.refresh_due_tokens(chrono::Utc::now()).await.unwrap(), 1);
        assert_eq!(app.count("activity_events", "event_type = 'authorization/refresh'").await, 1);
        assert_eq!(app.count("activity_events", "event_type = 'authorization/connect'").await, 1);
    }
}

/// Types that carry secrets print none of them, so a log line or a panic message cannot leak
/// one.
#[test]
fn secret_holders_print_no_secret() {
    use portcullis_app::services::{NewAuthorization, SsoProviderInput};
    const SECRET: &str = "planted-secret-4f1c9";
    let new = NewAuthorization {
        provider: "sendgrid".into(),
        method: "api_key".into(),
        label: "Mail".into(),
        description: String::new(),
        config: [("api_key".to_owned(), SECRET.to_owned())].into(),
    };
    let sso = SsoProviderInput {
        issuer: "https://idp.example".into(),
        client_id: "console".into(),
        client_secret: SECRET.into(),
        groups_claim: "groups".into(),
        domains: "acme.example".into(),
        version: 0,
    };
    let credential = portcullis_server::services::jobs::Credential {
        job_id: portcullis_core::ids::JobId::from_bytes([1; 16]),
        authorization_id: portcullis_core::ids::AuthorizationId::from_bytes([2; 16]),
        provider: "sendgrid".into(),
        method: "api_key".into(),
        config: [("api_key".to_owned(), SECRET.to_owned())].into(),
    };
    for printed in [
        format!("{new:?}"),
        format!("{sso:?}"),
        format!("{credential:?}"),
    ] {
        assert!(!printed.contains(SECRET), "{printed}");
        assert!(printed.len() > 20, "prints something useful: {printed}");
    }
}
