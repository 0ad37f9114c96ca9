//! A job's runner fetches its credential and reports status over REST with a bot token.
//! The fetch needs `account.viewFeeds` on the job's tenant, the report `account.createFeeds`;
//! every fetch counts as a request of the authorization and is recorded with the bot as actor.

use crate::authorizations::bearer_on;
use crate::fake_provider::{FakeProvider, GOOD_TOKEN};
use crate::harness::{TestApp, ADMIN, HOST, OWNER_A};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use portcullis_app::api::{ChangeJob, CreateApp, CreateJob, CreateToken, InstallApp};
use serde_json::Value;

async fn rest(
    app: &TestApp,
    method: &str,
    path: &str,
    bearer: &str,
    body: &str,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, HOST)
        .header(header::AUTHORIZATION, bearer)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    let res = app.send(req).await;
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A bot of an app asking for `permissions`, installed on Acme by its user administrator:
/// answers the app's id and the bot's `Authorization` header.
async fn installed_bot(app: &TestApp, permissions: &str) -> (String, String) {
    let dev = app.sign_in(OWNER_A).await;
    let made = app
        .call::<CreateApp>(
            Some(&dev),
            &[
                ("name", "Runner"),
                ("description", "Runs jobs"),
                ("permissions", permissions),
            ],
        )
        .await;
    let app_id = made.body.as_str().unwrap().to_owned();
    let token = app
        .call::<CreateToken>(Some(&dev), &[("app_id", &app_id), ("name", "worker-1")])
        .await;
    let admin = app.sign_in(ADMIN).await;
    assert_eq!(
        app.call::<InstallApp>(Some(&admin), &[("app_id", &app_id)])
            .await
            .status,
        StatusCode::OK
    );
    let bearer = format!(
        "Bearer {}:{}",
        token.body["token"]["public_token"].as_str().unwrap(),
        token.body["secret"].as_str().unwrap()
    );
    (app_id, bearer)
}

on_both_backends! {
    /// The runner gets the whole configuration of its job's authorization; the fetch is counted
    /// and recorded; a paused job gets nothing; reports move the job. Only the job's own app
    /// runs it: another app's bot, whatever it may read in the tenant, gets 404.
    async fn a_runner_fetches_its_credential_and_reports(app) {
        let fake = FakeProvider::start().await;
        let owner = app.sign_in(OWNER_A).await;
        let auth = bearer_on(&app, &owner, &fake, "/ok", GOOD_TOKEN, "Webhook").await;
        let (reader_app, reader) = installed_bot(&app, "account.viewFeeds: read the job's credential").await;
        let (writer_app, writer) = installed_bot(&app, "account.viewFeeds: read\naccount.createFeeds: report status").await;
        let create = |runner: String| {
            let (app, owner, auth) = (&app, owner.clone(), auth.clone());
            async move {
                let made = app.call::<CreateJob>(Some(&owner), &[("name", "Push"), ("job_type", "send_webhook"), ("authorization", &auth), ("runner", &runner)]).await;
                assert_eq!(made.status, StatusCode::OK, "{}", made.body);
                made.body.as_str().unwrap().to_owned()
            }
        };
        let job = create(writer_app.clone()).await;
        let read_job = create(reader_app).await;

        let (status, _) = rest(&app, "GET", &format!("/api/v1/jobs/{job}/credential"), &reader, "").await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another app's bot read the job's credential");
        assert_eq!(app.count("activity_events", "event_type = 'authorization/fetch'").await, 0);
        let (status, body) = rest(&app, "GET", &format!("/api/v1/jobs/{job}/credential"), &writer, "").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["config"]["token"], GOOD_TOKEN);
        assert_eq!(body["authorization_id"], auth.as_str());
        assert_eq!(app.count("activity_events", &format!("event_type = 'authorization/fetch' AND object_id = '{auth}' AND principal_name LIKE 'Runner%'")).await, 1);
        let requests: i64 = sqlx::query_scalar("SELECT CAST(SUM(requests) AS BIGINT) FROM authorization_requests").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(requests, 1, "the fetch counted as one request");

        let (status, body) = rest(&app, "POST", &format!("/api/v1/jobs/{read_job}/status"), &reader, r#"{"status": "running"}"#).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "reporting needs account.createFeeds: {body}");
        assert_eq!(body["error"]["missing_permission"], "account.createFeeds");
        let (status, _) = rest(&app, "POST", &format!("/api/v1/jobs/{job}/status"), &reader, r#"{"status": "failed"}"#).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another app's bot reported on the job");

        let (status, body) = rest(&app, "POST", &format!("/api/v1/jobs/{job}/status"), &writer, r#"{"status": "running", "detail": "batch 1 of 3"}"#).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "running");
        assert_eq!(body["status_detail"], "batch 1 of 3");
        let (status, body) = rest(&app, "POST", &format!("/api/v1/jobs/{job}/status"), &writer, r#"{"status": "running", "config": {}}"#).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {body}");
        let (status, _) = rest(&app, "POST", &format!("/api/v1/jobs/{job}/status"), &writer, r#"{"status": "paused"}"#).await;
        assert_eq!(status, StatusCode::CONFLICT, "only a person pauses a job");

        assert_eq!(app.call::<ChangeJob>(Some(&owner), &[("id", &job), ("change", "pause")]).await.status, StatusCode::OK);
        let (status, _) = rest(&app, "GET", &format!("/api/v1/jobs/{job}/credential"), &writer, "").await;
        assert_eq!(status, StatusCode::CONFLICT, "a paused job gets no credential");

        let (status, _) = rest(&app, "GET", "/api/v1/jobs/job_00000000000000000000000000/credential", &writer, "").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = rest(&app, "GET", &format!("/api/v1/jobs/{job}/credential"), "Bearer pct_nobody:secret", "").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}
