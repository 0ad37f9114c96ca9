//! Bot permissions over the REST records: each of the 25 permissions guards real operations.
//! With the permission a token's call succeeds; without it the same call is a 403 naming it and
//! changes nothing. Bodies are read strictly; bots never reach where their app is not installed, except
//! an agency's accounts through `agency.updateDeleteAllAgencyAccounts`.

use crate::harness::{TestApp, ADMIN, HOST};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use portcullis_app::api::{CreateApp, CreateToken, InstallApp, SetAppPermissions};
use portcullis_core::api_catalog::{Operation, OPERATIONS};
use portcullis_core::apps::Permission;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const AGENCY_MEMBER: &str = "ops@orbit.example";

/// Calls the API with a bot token.
async fn api(
    app: &TestApp,
    bearer: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    api_raw(app, bearer, method, path, body.map(Value::to_string)).await
}

/// Like [`api`], with the body's bytes as given.
async fn api_raw(
    app: &TestApp,
    bearer: &str,
    method: &str,
    path: &str,
    body: Option<String>,
) -> (StatusCode, Value) {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("/api/v1{path}"))
        .header(header::HOST, HOST)
        .header(header::AUTHORIZATION, bearer);
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let body = body.map(Body::from).unwrap_or_else(Body::empty);
    let res = app.send(req.body(body).unwrap()).await;
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn scalar(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

/// The demo's ids an operation's path names.
struct Fixture {
    acme: String,
    globex: String,
    orbit: String,
    board: String,
    campaign: String,
    pending: String,
}

impl Fixture {
    async fn load(app: &TestApp) -> Fixture {
        Fixture {
            acme: scalar(app, "SELECT id FROM tenants WHERE name = 'Acme Retail'").await,
            globex: scalar(app, "SELECT id FROM tenants WHERE name = 'Globex Foods'").await,
            orbit: scalar(app, "SELECT id FROM agencies WHERE name = 'Orbit Media'").await,
            board: scalar(app, "SELECT MIN(p.board_id) FROM placements p JOIN campaigns c ON c.id = p.campaign_id WHERE c.name = 'New Store Openings'").await,
            campaign: scalar(app, "SELECT id FROM campaigns WHERE name = 'Holiday Sale 2026'").await,
            pending: scalar(app, "SELECT id FROM campaigns WHERE name = 'New Store Openings'").await,
        }
    }

    /// The path of `op` on the demo's records, and a valid body; `n` keeps created names apart.
    fn request(&self, op: &Operation, n: usize) -> (String, Option<Value>) {
        let path = op
            .path
            .replace(
                "{account_id}",
                if op.id == "renameAgencyAccount" {
                    &self.globex
                } else {
                    &self.acme
                },
            )
            .replace("{agency_id}", &self.orbit)
            .replace("{board_id}", &self.board)
            .replace("{campaign_id}", &self.campaign);
        let today = chrono::Utc::now().date_naive().to_string();
        let body = match op.id {
            "createCampaign" => {
                json!({"name": format!("Spring push {n}"), "status": "active", "daily_budget_cents": 1200})
            }
            "updateCampaign" => json!({"status": "paused", "ends_on": null}),
            "createChildAccount" => json!({"name": format!("Acme Outlet {n}")}),
            "createContent" => {
                json!({"kind": "post", "title": "Open late", "body": "Open until 10pm"})
            }
            "createFeed" => {
                json!({"name": "Prices", "url": "https://data.acme.example/prices.json", "format": "json"})
            }
            "createAgencyAccount" => json!({"name": format!("Orbit Client {n}")}),
            "renameAgencyAccount" => json!({"name": format!("Globex Foods {n}")}),
            "updateBoard" => json!({"location": "Moved across the street"}),
            "setBoardImage" => json!({"image_url": "https://cdn.orbit.example/boards/new.png"}),
            "createAgencyCampaign" => {
                json!({"account_id": self.acme, "name": format!("Board takeover {n}"), "board_ids": [self.board]})
            }
            "decideAd" => {
                json!({"board_id": self.board, "campaign_id": self.pending, "decision": "approved"})
            }
            "publishStats" => {
                json!({"board_id": self.board, "day": today, "plays": 120, "impressions": 5400})
            }
            _ => return (path, None),
        };
        (path, Some(body))
    }
}

/// Signs in `email`, makes an app asking for `permissions` and a token; returns the app id, the
/// developer's cookie and the token's `Bearer` header.
async fn app_with(
    app: &TestApp,
    email: &str,
    name: &str,
    permissions: &[Permission],
) -> (String, String, String) {
    let dev = app.sign_in(email).await;
    let lines: Vec<String> = permissions
        .iter()
        .map(|p| format!("{}: the test needs it", p.code()))
        .collect();
    let made = app
        .call::<CreateApp>(
            Some(&dev),
            &[
                ("name", name),
                ("description", "REST test"),
                ("permissions", &lines.join("\n")),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    let app_id = made.body.as_str().unwrap().to_owned();
    let token = app
        .call::<CreateToken>(Some(&dev), &[("app_id", &app_id), ("name", "runner")])
        .await;
    let bearer = format!(
        "Bearer {}:{}",
        token.body["token"]["public_token"].as_str().unwrap(),
        token.body["secret"].as_str().unwrap()
    );
    (app_id, dev, bearer)
}

fn set_permissions(permissions: &[Permission]) -> String {
    permissions
        .iter()
        .map(|p| format!("{}: the test needs it", p.code()))
        .collect::<Vec<_>>()
        .join("\n")
}

on_both_backends! {
    /// For each of the 25 permissions, every operation it guards answers 403 naming it
    /// (and changes nothing) while the app does not hold it, and succeeds once it does; each
    /// change is recorded with the token as principal.
    async fn each_permission_guards_its_operations(app) {
        let f = Fixture::load(&app).await;
        let (app_id, dev, bearer) = app_with(&app, ADMIN, "Everything", Permission::ALL).await;
        let admin = app.sign_in(ADMIN).await;
        let on_tenant = app.call::<InstallApp>(Some(&admin), &[("app_id", &app_id)]).await;
        assert_eq!(on_tenant.status, StatusCode::OK, "{}", on_tenant.body);
        let member = app.sign_in(AGENCY_MEMBER).await;
        let on_agency = app.call::<InstallApp>(Some(&member), &[("app_id", &app_id), ("agency_id", &f.orbit)]).await;
        assert_eq!(on_agency.status, StatusCode::OK, "an agency member installs on the agency: {}", on_agency.body);
        let token_id = scalar(&app, "SELECT id FROM bot_tokens WHERE name = 'runner'").await;

        let mut guarded = BTreeSet::new();
        for (n, op) in OPERATIONS.iter().enumerate() {
            let Some(permission) = op.permission else { continue };
            if op.path.starts_with("/jobs/") {
                continue; // job_runners.rs covers the runner's routes on real jobs
            }
            let (path, body) = f.request(op, n);
            // The agency rule would stand in for any account permission, so it goes too.
            let stands_in = Permission::AgencyUpdateDeleteAllAgencyAccounts;
            let without: Vec<Permission> = Permission::ALL.iter().copied()
                .filter(|p| *p != permission && (*p != stands_in || op.path.starts_with("/agencies/")))
                .collect();
            let dropped = app.call::<SetAppPermissions>(Some(&dev), &[("app_id", &app_id), ("version", &app.version_of("apps", &app_id).await), ("permissions", &set_permissions(&without))]).await;
            assert_eq!(dropped.status, StatusCode::OK, "{}", dropped.body);
            let events = app.count("activity_events", "1 = 1").await;
            let (status, refused) = api(&app, &bearer, op.method, &path, body.as_ref()).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{} {path} without {}: {refused}", op.method, permission.code());
            assert_eq!(refused["error"]["missing_permission"], permission.code(), "{}", op.id);
            assert_eq!(app.count("activity_events", "1 = 1").await, events, "a refused {} records nothing", op.id);

            let restored = app.call::<SetAppPermissions>(Some(&dev), &[("app_id", &app_id), ("version", &app.version_of("apps", &app_id).await), ("permissions", &set_permissions(Permission::ALL))]).await;
            assert_eq!(restored.status, StatusCode::OK, "{}", restored.body);
            let by_token = format!("principal_id = '{token_id}' AND source = 'api'");
            let recorded = app.count("activity_events", &by_token).await;
            let (status, answer) = api(&app, &bearer, op.method, &path, body.as_ref()).await;
            assert!(status.is_success(), "{} {path} with {}: {status} {answer}", op.method, permission.code());
            if op.method != "GET" {
                assert_eq!(app.count("activity_events", &by_token).await, recorded + 1, "{} is recorded once, with the token as principal", op.id);
            }
            if op.list {
                assert!(answer["items"].as_array().is_some_and(|i| !i.is_empty()), "{} lists the demo's records: {answer}", op.id);
                assert!(answer.get("next").is_some());
            }
            guarded.insert(permission);
        }
        assert_eq!(guarded.len(), 25, "every permission was exercised");

        // What the successful writes left behind.
        assert_eq!(app.count("campaigns", "status = 'paused'").await, 1);
        assert_eq!(app.count("placements", &format!("campaign_id = '{}' AND board_id = '{}' AND approval = 'approved'", f.pending, f.board)).await, 1);
        assert_eq!(app.count("boards", "location = 'Moved across the street' AND image_url = 'https://cdn.orbit.example/boards/new.png'").await, 1);
        assert_eq!(app.count("tenants", &format!("parent_id = '{}'", f.acme)).await, 1);
        assert_eq!(app.count("campaign_pulls", "1 = 1").await, 1);
        assert!(app.count("activity_events", &format!("principal_id = '{token_id}' AND event_type = 'campaign/pull'")).await == 1);
    }

    /// The agency rule and tenant isolation: an app installed on Acme alone never reaches Globex
    /// (404, as if it did not exist); installed on Orbit Media with
    /// `agency.updateDeleteAllAgencyAccounts`, it reaches every account Orbit owns.
    async fn bots_reach_only_where_installed_or_through_their_agency(app) {
        let f = Fixture::load(&app).await;
        let (tenant_app, _, tenant_bot) = app_with(&app, ADMIN, "Acme only", &[Permission::AccountViewCampaigns]).await;
        let admin = app.sign_in(ADMIN).await;
        assert_eq!(app.call::<InstallApp>(Some(&admin), &[("app_id", &tenant_app)]).await.status, StatusCode::OK);
        // Whole answers as snapshots, so a change to their shape shows as a diff; what differs
        // from run to run (ids, tokens, times, dates relative to today) is redacted.
        let (status, me) = api(&app, &tenant_bot, "GET", "/me", None).await;
        assert_eq!(status, StatusCode::OK, "{me}");
        insta::assert_json_snapshot!("me", me, {".token.id" => "[id]", ".token.public_token" => "[token]", ".app.id" => "[id]"});
        let (status, campaigns) = api(&app, &tenant_bot, "GET", &format!("/accounts/{}/campaigns", f.acme), None).await;
        assert_eq!(status, StatusCode::OK);
        insta::assert_json_snapshot!("account_campaigns", campaigns, {
            ".items[].id" => "[id]", ".items[].account_id" => "[id]",
            ".items[].starts_on" => "[date]", ".items[].ends_on" => "[date]",
            ".items[].created_at" => "[time]", ".items[].updated_at" => "[time]",
        });
        let (status, body) = api(&app, &tenant_bot, "GET", &format!("/accounts/{}/campaigns", f.globex), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_eq!(api(&app, &tenant_bot, "GET", &format!("/agencies/{}/boards", f.orbit), None).await.0, StatusCode::NOT_FOUND);

        let (agency_app, _, agency_bot) = app_with(&app, ADMIN, "Orbit manager", &[Permission::AgencyUpdateDeleteAllAgencyAccounts]).await;
        assert_eq!(api(&app, &agency_bot, "GET", &format!("/accounts/{}/campaigns", f.globex), None).await.0, StatusCode::NOT_FOUND, "not installed yet");
        let member = app.sign_in(AGENCY_MEMBER).await;
        let consent = app.call::<portcullis_app::api::LoadConsent>(Some(&member), &[("app_id", &agency_app), ("agency_id", &f.orbit)]).await;
        assert_eq!(consent.body["target_name"], "Orbit Media", "{}", consent.body);
        assert_eq!(consent.body["grants"][0]["permission"], "agency.updateDeleteAllAgencyAccounts");
        let outsider = app.call::<InstallApp>(Some(&admin), &[("app_id", &agency_app), ("agency_id", &f.orbit)]).await;
        assert_eq!(outsider.status, StatusCode::NOT_FOUND, "only the agency's members install on it");
        assert_eq!(app.call::<InstallApp>(Some(&member), &[("app_id", &agency_app), ("agency_id", &f.orbit)]).await.status, StatusCode::OK);
        let (status, body) = api(&app, &agency_bot, "GET", &format!("/accounts/{}/campaigns", f.globex), None).await;
        assert_eq!(status, StatusCode::OK, "through the agency: {body}");
        let (status, account) = api(&app, &agency_bot, "GET", &format!("/accounts/{}", f.globex), None).await;
        assert_eq!(status, StatusCode::OK, "{account}");
        insta::assert_json_snapshot!("agency_account", account, {".id" => "[id]", ".agency_id" => "[id]"});
        let (status, body) = api(&app, &agency_bot, "POST", &format!("/accounts/{}/campaigns", f.acme), Some(&json!({"name": "Agency-made"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["status"], "draft");
        let rename = format!("/agencies/{}/accounts/{}", f.orbit, f.globex);
        let (status, body) = api(&app, &agency_bot, "PATCH", &rename, Some(&json!({"name": "Acme Retail"}))).await;
        assert_eq!(status, StatusCode::CONFLICT, "account names are unique: {body}");
        assert_eq!(body["error"]["field"], "name");
        let (status, body) = api(&app, &agency_bot, "PATCH", &rename, Some(&json!({"name": "Globex Foods"}))).await;
        assert_eq!(status, StatusCode::OK, "keeping its own name is no conflict: {body}");
        // A name another owner uses is not this agency's concern: a 409 would tell the agency's
        // bot what accounts exist elsewhere on the platform.
        sqlx::query("INSERT INTO tenants (id, name, agency_id, parent_id, created_at) VALUES ('tnt_00000000000000000000000099', 'Elsewhere Inc', NULL, NULL, 0)")
            .execute(&app.db.pool).await.unwrap();
        let (status, body) = api(&app, &agency_bot, "PATCH", &rename, Some(&json!({"name": "Elsewhere Inc"}))).await;
        assert_eq!(status, StatusCode::OK, "another owner's name refused: {body}");
        let acme = format!("/agencies/{}/accounts/{}", f.orbit, f.acme);
        let (status, body) = api(&app, &agency_bot, "PATCH", &acme, Some(&json!({"name": "Elsewhere Inc"}))).await;
        assert_eq!(status, StatusCode::CONFLICT, "unique within the agency: {body}");
    }

    /// Every operation of the catalog is routed and authenticates first: without a token, or
    /// with a wrong secret, each answers 401 in the envelope (never the router's 404).
    async fn every_operation_needs_a_token(app) {
        let f = Fixture::load(&app).await;
        for (n, op) in OPERATIONS.iter().enumerate() {
            if op.permission.is_none() && op.id != "me" {
                continue;
            }
            let (path, body) = f.request(op, n);
            for bearer in ["", "Bearer pct_nobody:0000"] {
                let (status, answer) = api(&app, bearer, op.method, &path, body.as_ref()).await;
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{} {path}: {answer}", op.method);
                assert_eq!(answer["error"]["code"], "unauthenticated", "{}", op.id);
            }
        }
    }

    /// API.md: a body or query that breaks a rule is a 422 naming the field, and nothing changes.
    async fn bad_input_names_the_field(app) {
        let f = Fixture::load(&app).await;
        let (app_id, _, bot) = app_with(&app, ADMIN, "Writer", &[Permission::AccountCreateCampaigns, Permission::AccountViewCampaigns]).await;
        let admin = app.sign_in(ADMIN).await;
        assert_eq!(app.call::<InstallApp>(Some(&admin), &[("app_id", &app_id)]).await.status, StatusCode::OK);
        let before = app.count("campaigns", "1 = 1").await;
        let path = format!("/accounts/{}/campaigns", f.acme);
        for (body, field) in [
            (json!({"name": "x", "owner": "me"}), "owner"),
            (json!({"status": "active"}), "name"),
            (json!({"name": "  "}), "name"),
            (json!({"name": "x", "status": "flying"}), "status"),
            (json!({"name": "x", "starts_on": "2026-05-01", "ends_on": "2026-04-01"}), "ends_on"),
            (json!({"name": "x", "daily_budget_cents": -5}), "daily_budget_cents"),
        ] {
            let (status, answer) = api(&app, &bot, "POST", &path, Some(&body)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
            assert_eq!(answer["error"]["field"], field, "{body}: {answer}");
        }
        // An unknown key that is long and breaks lines is named neither as a field nor in full.
        let long_key = format!("evil\n{}", "k".repeat(5000));
        let (status, answer) = api(&app, &bot, "POST", &path, Some(&json!({"name": "x", long_key: 1}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["field"], "body", "{answer}");
        let message = answer["error"]["message"].as_str().unwrap();
        assert!(message.chars().count() <= 260 && !message.contains('\n'), "{message}");
        // A second value after the body is refused, not ignored.
        let (status, answer) = api_raw(&app, &bot, "POST", &path, Some(r#"{"name": "first"} {"name": "second"}"#.to_owned())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(answer["error"]["code"], "trailing_data");
        assert_eq!(answer["error"]["field"], "body");
        assert_eq!(app.count("campaigns", "1 = 1").await, before, "nothing was stored");
        let (status, answer) = api(&app, &bot, "GET", &format!("{path}?limit=500"), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(answer["error"]["field"], "limit");
        let (_, first) = api(&app, &bot, "GET", &format!("{path}?limit=2"), None).await;
        let next = first["next"].as_str().expect("a second page").to_owned();
        let (_, second) = api(&app, &bot, "GET", &format!("{path}?limit=2&after={next}"), None).await;
        assert_eq!(second["items"].as_array().unwrap().len(), 1, "three demo campaigns: 2 + 1");
        assert!(second["next"].is_null());
    }

    /// The OpenAPI document lists exactly the catalog's operations, each guarded one with its
    /// permission, and matches the committed snapshot (`INSTA_UPDATE=always` rewrites it).
    async fn the_openapi_document_follows_the_catalog(app) {
        let req = Request::get("/api/v1/openapi.json").header(header::HOST, HOST).body(Body::empty()).unwrap();
        let res = app.send(req).await;
        assert_eq!(res.status(), StatusCode::OK);
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        for op in OPERATIONS {
            let entry = &doc["paths"][format!("/api/v1{}", op.path)][op.method.to_lowercase()];
            assert_eq!(entry["operationId"], op.id, "{} {}", op.method, op.path);
            if let Some(p) = op.permission {
                assert!(entry["description"].as_str().unwrap().contains(p.code()));
                assert!(entry["responses"].get("403").is_some());
            }
        }
        insta::assert_json_snapshot!("openapi", doc);
    }

    /// The README's permission table is core's catalog, word for word.
    async fn the_readme_table_follows_the_catalog(app) {
        let _ = &app;
        let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md")).unwrap();
        assert!(readme.contains(&portcullis_core::api_catalog::permission_table()), "README.md's permission table is stale");
    }
}
