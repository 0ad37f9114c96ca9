//! Applications and bot tokens: apps ask for permissions with reasons; a token's
//! secret is shown once and stored only as a hash; the REST API authenticates it, records its
//! use, and refuses it once revoked.

use crate::harness::{TestApp, ADMIN, HOST, OWNER_A};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use portcullis_app::api::{
    AddUser, AnswerInvitation, ApproveInstall, CreateApp, CreateToken, DeleteUser, InstallApp,
    LoadApps, LoadConsent, LoadInstalls, RevokeToken, RevokeUser, SetAppPermissions, UninstallApp,
};
use serde_json::Value;

async fn me(app: &TestApp, authorization: Option<&str>) -> (StatusCode, Value) {
    let mut req = Request::get("/api/v1/me").header(header::HOST, HOST);
    if let Some(a) = authorization {
        req = req.header(header::AUTHORIZATION, a);
    }
    let res = app.send(req.body(Body::empty()).unwrap()).await;
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn basic(pair: &str) -> String {
    const DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in pair.as_bytes().chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(DIGITS[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

on_both_backends! {
    /// Every permission needs its reason; the app lists what it asks for.
    async fn an_app_asks_for_permissions_with_reasons(app) {
        let dev = app.sign_in(ADMIN).await;
        let no_why = app.call::<CreateApp>(Some(&dev), &[("name", "Reporter"), ("description", "Weekly reports"), ("permissions", "account.viewAnalytics:  ")]).await;
        assert_eq!(no_why.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(no_why.body["field"], "why.account.viewAnalytics");
        let unknown = app.call::<CreateApp>(Some(&dev), &[("name", "Reporter"), ("description", ""), ("permissions", "account.fly: to fly")]).await;
        assert_eq!(unknown.body["code"], "unknown_permission");
        assert_eq!(app.count("apps", "1 = 1").await, 0, "a refused app is not stored");

        let made = app.call::<CreateApp>(Some(&dev), &[("name", "Reporter"), ("description", "Weekly reports"),
            ("permissions", "account.viewAnalytics: View campaign performance data\naccount.viewCampaigns: Access campaign information")]).await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
        let id = made.body.as_str().unwrap().to_owned();
        let mine = app.call::<LoadApps>(Some(&dev), &[]).await;
        assert_eq!(mine.body[0]["name"], "Reporter");
        assert_eq!(mine.body[0]["permissions"][0]["permission"], "account.viewAnalytics");
        assert_eq!(mine.body[0]["permissions"][1]["why"], "Access campaign information");
        assert_eq!(app.count("activity_events", &format!("event_type = 'app/create' AND object_id = '{id}'")).await, 1);

        let changed = app.call::<SetAppPermissions>(Some(&dev), &[("app_id", &id), ("version", &app.version_of("apps", &id).await), ("permissions", "agency.viewBoards: show screens")]).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
        let mine = app.call::<LoadApps>(Some(&dev), &[]).await;
        assert_eq!(mine.body[0]["permissions"].as_array().unwrap().len(), 1);

        let other = app.sign_in(OWNER_A).await;
        assert_eq!(app.call::<LoadApps>(Some(&other), &[]).await.body, serde_json::json!([]), "apps are their owner's");
        let foreign = app.call::<SetAppPermissions>(Some(&other), &[("app_id", &id), ("version", &app.version_of("apps", &id).await), ("permissions", "")]).await;
        assert_eq!(foreign.status, StatusCode::NOT_FOUND);
    }

    /// The secret is shown once, kept only as a hash, authenticates Bearer and Basic,
    /// records its last use, and is refused once revoked.
    async fn a_token_is_shown_once_and_can_be_revoked(app) {
        let dev = app.sign_in(ADMIN).await;
        let made = app.call::<CreateApp>(Some(&dev), &[("name", "Bot"), ("description", ""), ("permissions", "account.view: read the account")]).await;
        let app_id = made.body.as_str().unwrap().to_owned();
        let blank = app.call::<CreateToken>(Some(&dev), &[("app_id", &app_id), ("name", " ")]).await;
        assert_eq!(blank.body["field"], "name");
        let token = app.call::<CreateToken>(Some(&dev), &[("app_id", &app_id), ("name", "nightly sync")]).await;
        assert_eq!(token.status, StatusCode::OK, "{}", token.body);
        let public = token.body["token"]["public_token"].as_str().unwrap().to_owned();
        let secret = token.body["secret"].as_str().unwrap().to_owned();
        assert!(public.starts_with("pct_"));
        assert_eq!(secret.len(), 64);

        let listed = app.call::<LoadApps>(Some(&dev), &[]).await;
        assert!(!listed.body.to_string().contains(&secret), "the secret is never listed");
        assert_eq!(app.count("bot_tokens", &format!("secret_hash = '{secret}'")).await, 0, "only a hash is stored");
        assert_eq!(listed.body[0]["tokens"][0]["last_used"], Value::Null);

        let (status, body) = me(&app, Some(&format!("Bearer {public}:{secret}"))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["app"]["name"], "Bot");
        assert_eq!(body["app"]["permissions"][0], "account.view");
        let (status, _) = me(&app, Some(&basic(&format!("{public}:{secret}")))).await;
        assert_eq!(status, StatusCode::OK);
        let listed = app.call::<LoadApps>(Some(&dev), &[]).await;
        assert_ne!(listed.body[0]["tokens"][0]["last_used"], Value::Null, "last use is shown");

        let (status, body) = me(&app, Some(&format!("Bearer {public}:{}", "0".repeat(64)))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["error"]["code"], "unauthenticated");
        assert_eq!(me(&app, None).await.0, StatusCode::UNAUTHORIZED);

        let token_id = token.body["token"]["id"].as_str().unwrap().to_owned();
        let other = app.sign_in(OWNER_A).await;
        assert_eq!(app.call::<RevokeToken>(Some(&other), &[("token_id", &token_id)]).await.status, StatusCode::NOT_FOUND);
        assert_eq!(me(&app, Some(&format!("Bearer {public}:{secret}"))).await.0, StatusCode::OK, "still valid");
        let revoked = app.call::<RevokeToken>(Some(&dev), &[("token_id", &token_id)]).await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
        assert_eq!(me(&app, Some(&format!("Bearer {public}:{secret}"))).await.0, StatusCode::UNAUTHORIZED, "refused on the next call");
        assert_eq!(app.call::<RevokeToken>(Some(&dev), &[("token_id", &token_id)]).await.status, StatusCode::CONFLICT);
        assert_eq!(app.count("activity_events", &format!("event_type = 'token/revoke' AND object_id = '{token_id}'")).await, 1);
    }

    /// Consent lists what Allow grants; the bot reaches only where installed; what the
    /// app asks for later waits for approval (403 naming it until then); uninstall cuts it off.
    async fn installs_grant_what_consent_listed(app) {
        let dev = app.sign_in(OWNER_A).await;
        let made = app.call::<CreateApp>(Some(&dev), &[("name", "Account reader"), ("description", "Reads account details"),
            ("permissions", "account.viewCampaigns: list campaigns\nagency.viewBoards: show screens")]).await;
        let app_id = made.body.as_str().unwrap().to_owned();
        let token = app.call::<CreateToken>(Some(&dev), &[("app_id", &app_id), ("name", "reader")]).await;
        let bearer = format!("Bearer {}:{}", token.body["token"]["public_token"].as_str().unwrap(), token.body["secret"].as_str().unwrap());
        let acme: String = sqlx::query_scalar("SELECT id FROM tenants WHERE name = 'Acme Retail'").fetch_one(&app.db.pool).await.unwrap();
        let account = |a: &TestApp, id: String, auth: String| {
            let req = Request::get(format!("/api/v1/accounts/{id}")).header(header::HOST, HOST).header(header::AUTHORIZATION, auth).body(Body::empty()).unwrap();
            let router = a.router.clone();
            async move {
                let res = tower::ServiceExt::oneshot(router, req).await.unwrap();
                let status = res.status();
                let bytes = res.into_body().collect().await.unwrap().to_bytes();
                (status, serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null))
            }
        };
        assert_eq!(account(&app, acme.clone(), bearer.clone()).await.0, StatusCode::NOT_FOUND, "not installed: not revealed");

        let admin = app.sign_in(ADMIN).await;
        let consent = app.call::<LoadConsent>(Some(&admin), &[("app_id", &app_id)]).await;
        assert_eq!(consent.status, StatusCode::OK, "{}", consent.body);
        let listed: Vec<&str> = consent.body["grants"].as_array().unwrap().iter().map(|g| g["permission"].as_str().unwrap()).collect();
        assert_eq!(listed, ["account.viewCampaigns"], "a tenant install lists the account permissions only");
        assert_eq!(consent.body["developer"], "Nora Northwind");
        let analyst = app.sign_in(crate::harness::ANALYST).await;
        let refused = app.call::<InstallApp>(Some(&analyst), &[("app_id", &app_id)]).await;
        assert_eq!(refused.body["missing_permission"], "manage_apps");
        let installed = app.call::<InstallApp>(Some(&admin), &[("app_id", &app_id)]).await;
        assert_eq!(installed.status, StatusCode::OK, "{}", installed.body);
        let install_id = installed.body.as_str().unwrap().to_owned();
        assert_eq!(app.call::<InstallApp>(Some(&admin), &[("app_id", &app_id)]).await.status, StatusCode::CONFLICT);

        let (status, body) = account(&app, acme.clone(), bearer.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["error"]["missing_permission"], "account.view", "P6 names the permission");

        let more = app.call::<SetAppPermissions>(Some(&dev), &[("app_id", &app_id), ("version", &app.version_of("apps", &app_id).await), ("permissions", "account.viewCampaigns: list campaigns\naccount.view: show the account's name")]).await;
        assert_eq!(more.status, StatusCode::OK, "{}", more.body);
        let (status, body) = account(&app, acme.clone(), bearer.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "asked for, not yet approved: {body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("not approved"), "{body}");
        let listed = app.call::<LoadInstalls>(Some(&admin), &[]).await;
        assert_eq!(listed.body[0]["pending"][0]["permission"], "account.view");
        let approved = app.call::<ApproveInstall>(Some(&admin), &[("install_id", &install_id)]).await;
        assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
        let (status, body) = account(&app, acme.clone(), bearer.clone()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["name"], "Acme Retail");
        let globex: String = sqlx::query_scalar("SELECT id FROM tenants WHERE name = 'Globex Foods'").fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(account(&app, globex, bearer.clone()).await.0, StatusCode::NOT_FOUND, "never where it is not installed");

        let gone = app.call::<UninstallApp>(Some(&admin), &[("install_id", &install_id)]).await;
        assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
        assert_eq!(account(&app, acme, bearer).await.0, StatusCode::NOT_FOUND, "uninstalled: refused on the next call");
        assert_eq!(app.count("activity_events", "event_type IN ('install/create', 'install/approve', 'install/delete')").await, 3);
    }

    /// The per-token rate limit: past the minute's allowance a token gets 429 with
    /// Retry-After; another token is unaffected.
    async fn a_token_is_rate_limited(app) {
        let dev = app.sign_in(ADMIN).await;
        let made = app.call::<CreateApp>(Some(&dev), &[("name", "Chatty"), ("description", ""), ("permissions", "")]).await;
        let app_id = made.body.as_str().unwrap().to_owned();
        let mut bearers = Vec::new();
        for name in ["busy", "calm"] {
            let t = app.call::<CreateToken>(Some(&dev), &[("app_id", &app_id), ("name", name)]).await;
            bearers.push(format!("Bearer {}:{}", t.body["token"]["public_token"].as_str().unwrap(), t.body["secret"].as_str().unwrap()));
        }
        // Within two windows at most (the minute may turn once during the loop).
        let limit = portcullis_core::apps::BOT_REQUESTS_PER_MINUTE as usize;
        let mut admitted = 0;
        let mut refused = None;
        for _ in 0..(2 * limit + 1) {
            let req = Request::get("/api/v1/me").header(header::HOST, HOST).header(header::AUTHORIZATION, &bearers[0]).body(Body::empty()).unwrap();
            let res = app.send(req).await;
            if res.status() == StatusCode::TOO_MANY_REQUESTS {
                refused = Some(res);
                break;
            }
            assert_eq!(res.status(), StatusCode::OK);
            admitted += 1;
        }
        let refused = refused.expect("the busy token was limited");
        assert!(admitted >= limit, "{admitted} calls were admitted before the limit");
        let wait: u64 = refused.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(me(&app, Some(&bearers[1])).await.0, StatusCode::OK, "the limit is per token");
    }

    /// Allowances hold across replicas: a token's calls on two replicas count together, an
    /// app's tokens share the app's allowance, and an app may hold only so many tokens.
    async fn limits_hold_across_replicas_and_tokens(app) {
        let replica = |limit: u32| {
            let mut services = crate::harness::services_over(&app.db, Default::default());
            services.bot_rate_limit = limit;
            crate::harness::router_of(services)
        };
        let (a, b) = (replica(2), replica(2));
        let dev = app.sign_in(ADMIN).await;
        let made = app.call::<CreateApp>(Some(&dev), &[("name", "Spread"), ("description", ""), ("permissions", "")]).await;
        let app_id = made.body.as_str().unwrap().to_owned();
        let mut bearers = Vec::new();
        for i in 0..portcullis_core::apps::MAX_TOKENS_PER_APP {
            let t = app.call::<CreateToken>(Some(&dev), &[("app_id", &app_id), ("name", &format!("t{i}"))]).await;
            assert_eq!(t.status, StatusCode::OK, "{}", t.body);
            bearers.push(format!("Bearer {}:{}", t.body["token"]["public_token"].as_str().unwrap(), t.body["secret"].as_str().unwrap()));
        }
        let one_more = app.call::<CreateToken>(Some(&dev), &[("app_id", &app_id), ("name", "one too many")]).await;
        assert_eq!(one_more.status, StatusCode::CONFLICT, "{}", one_more.body);
        assert_eq!(one_more.body["field"], "name");
        assert_eq!(app.count("bot_tokens", &format!("app_id = '{app_id}'")).await, i64::from(portcullis_core::apps::MAX_TOKENS_PER_APP));

        let call = |router: &axum::Router, bearer: &str| {
            let req = Request::get("/api/v1/me").header(header::HOST, HOST).header(header::AUTHORIZATION, bearer).body(Body::empty()).unwrap();
            let router = router.clone();
            async move { tower::ServiceExt::oneshot(router, req).await.unwrap().status() }
        };
        // Retried from the top if the minute turns mid-way, which would reset the windows.
        for _attempt in 0..2 {
            let minute = chrono::Utc::now().timestamp() / 60;
            let first = [call(&a, &bearers[0]).await, call(&b, &bearers[0]).await, call(&a, &bearers[0]).await];
            // Five tokens' allowances (10 calls) for the whole app, of which token 0's three
            // calls (one refused, still a call) used three: tokens 1.. get the other seven.
            let mut statuses = Vec::new();
            for bearer in &bearers[1..6] {
                statuses.push(call(&b, bearer).await);
                statuses.push(call(&a, bearer).await);
            }
            if chrono::Utc::now().timestamp() / 60 != minute {
                continue;
            }
            assert_eq!(first, [StatusCode::OK, StatusCode::OK, StatusCode::TOO_MANY_REQUESTS], "a token's calls on two replicas count together");
            let admitted = statuses.iter().filter(|s| **s == StatusCode::OK).count();
            assert_eq!(admitted, 7, "the app's allowance is shared by its tokens: {statuses:?}");
            return;
        }
        panic!("the minute turned twice during the test");
    }

    /// An address that keeps sending invalid tokens is refused before any token is looked up,
    /// on every replica; a bot that authenticated from it moments ago keeps working.
    async fn an_invalid_token_flood_is_refused_by_address(app) {
        let dev = app.sign_in(ADMIN).await;
        let made = app.call::<CreateApp>(Some(&dev), &[("name", "Victim"), ("description", ""), ("permissions", "")]).await;
        let app_id = made.body.as_str().unwrap().to_owned();
        let mut bearers = Vec::new();
        for name in ["working", "fresh"] {
            let t = app.call::<CreateToken>(Some(&dev), &[("app_id", &app_id), ("name", name)]).await;
            bearers.push(format!("Bearer {}:{}", t.body["token"]["public_token"].as_str().unwrap(), t.body["secret"].as_str().unwrap()));
        }
        let (working, fresh) = (&bearers[0], &bearers[1]);
        let other_replica = crate::harness::router_of(crate::harness::services_over(&app.db, Default::default()));
        // Every call from one client address, as the listening server sees it.
        let send = |router: &axum::Router, bearer: &str| {
            let mut req = Request::get("/api/v1/me").header(header::HOST, HOST).header(header::AUTHORIZATION, bearer).body(Body::empty()).unwrap();
            req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from(([203, 0, 113, 9], 40_000))));
            let router = router.clone();
            async move { tower::ServiceExt::oneshot(router, req).await.unwrap() }
        };
        for _attempt in 0..2 {
            let minute = chrono::Utc::now().timestamp() / 60;
            let before = send(&app.router, working).await.status();
            let mut last = StatusCode::OK;
            for _ in 0..portcullis_core::apps::INVALID_CALLS_PER_ADDRESS_MINUTE {
                last = send(&app.router, "Bearer pct_nope:guess").await.status();
            }
            let flooded = send(&app.router, "Bearer pct_nope:guess").await;
            let refused = send(&app.router, fresh).await.status();
            let still_working = send(&app.router, working).await.status();
            // The other replica learns of the flood from the shared counter at its first miss.
            let _ = send(&other_replica, "Bearer pct_nope:guess").await;
            let elsewhere = send(&other_replica, fresh).await.status();
            if chrono::Utc::now().timestamp() / 60 != minute {
                continue;
            }
            assert_eq!((before, last), (StatusCode::OK, StatusCode::UNAUTHORIZED));
            assert_eq!(flooded.status(), StatusCode::TOO_MANY_REQUESTS);
            assert!(flooded.headers().contains_key(header::RETRY_AFTER));
            assert_eq!(refused, StatusCode::TOO_MANY_REQUESTS, "a token unseen here is refused before any lookup");
            assert_eq!(still_working, StatusCode::OK, "a bot that authenticated here keeps working");
            assert_eq!(elsewhere, StatusCode::TOO_MANY_REQUESTS, "the flood's count is shared");
            return;
        }
        panic!("the minute turned twice during the test");
    }

    /// A former member's apps stop acting in the tenant that removed them: the install is
    /// suspended with the reason, tokens minted afterwards do not reach it either, and an
    /// administrator's re-approval resumes it. Deleting the owner records the lost install in
    /// the tenant's log.
    async fn a_revoked_owners_installs_are_suspended(app) {
        let dev = app.sign_in(OWNER_A).await;
        let made = app.call::<CreateApp>(Some(&dev), &[("name", "Leftover"), ("description", "Reads the account"),
            ("permissions", "account.view: show the account's name")]).await;
        let app_id = made.body.as_str().unwrap().to_owned();
        let admin = app.sign_in(ADMIN).await;
        let install_id = app.call::<InstallApp>(Some(&admin), &[("app_id", &app_id)]).await.body.as_str().unwrap().to_owned();
        let mint = |name: &'static str| {
            let (app, dev, app_id) = (&app, dev.clone(), app_id.clone());
            async move {
                let t = app.call::<CreateToken>(Some(&dev), &[("app_id", &app_id), ("name", name)]).await;
                format!("Bearer {}:{}", t.body["token"]["public_token"].as_str().unwrap(), t.body["secret"].as_str().unwrap())
            }
        };
        let old = mint("before").await;
        let acme: String = sqlx::query_scalar("SELECT id FROM tenants WHERE name = 'Acme Retail'").fetch_one(&app.db.pool).await.unwrap();
        let account = |auth: String| {
            let req = Request::get(format!("/api/v1/accounts/{acme}")).header(header::HOST, HOST).header(header::AUTHORIZATION, auth).body(Body::empty()).unwrap();
            let router = app.router.clone();
            async move { tower::ServiceExt::oneshot(router, req).await.unwrap().status() }
        };
        assert_eq!(account(old.clone()).await, StatusCode::OK);

        let nora: String = sqlx::query_scalar(&format!("SELECT id FROM users WHERE email = '{OWNER_A}'")).fetch_one(&app.db.pool).await.unwrap();
        assert_eq!(app.call::<RevokeUser>(Some(&admin), &[("user_id", &nora), ("version", &app.version_of("users", &nora).await)]).await.status, StatusCode::OK);
        assert_eq!(account(old.clone()).await, StatusCode::NOT_FOUND, "an old token still reached the tenant");
        let new = mint("after").await;
        assert_eq!(account(new.clone()).await, StatusCode::NOT_FOUND, "a token minted afterwards reached the tenant");
        let listed = app.call::<LoadInstalls>(Some(&admin), &[]).await;
        let row = listed.body.as_array().unwrap().iter().find(|i| i["app_name"] == "Leftover").unwrap().clone();
        assert!(row["suspended"].as_str().unwrap().contains(OWNER_A), "{row}");
        assert_eq!(app.count("activity_events", &format!("event_type = 'install/suspend' AND tenant_id = '{acme}'")).await, 1);

        assert_eq!(app.call::<ApproveInstall>(Some(&admin), &[("install_id", &install_id)]).await.status, StatusCode::OK);
        assert_eq!(account(new).await, StatusCode::OK, "re-approved, the app acts again");

        // Deleting the owner: every tenant that loses an install records it.
        let p = app.directory_id(&admin, "policies", "Viewer").await;
        let g = app.directory_id(&admin, "groups", "All resource groups").await;
        app.call::<AddUser>(Some(&admin), &[("name", "Nora"), ("email", OWNER_A), ("policy_id", &p), ("group_id", &g), ("send_welcome", "false")]).await;
        let accepted = app.call::<AnswerInvitation>(Some(&dev), &[("tenant_id", &acme), ("accept", "true")]).await;
        assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
        let deleted = app.call::<DeleteUser>(Some(&admin), &[("user_id", &nora), ("version", &app.version_of("users", &nora).await)]).await;
        assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
        assert_eq!(app.count("activity_events", &format!("event_type = 'install/delete' AND tenant_id = '{acme}' AND object_id = '{install_id}'")).await, 1);
        assert_eq!(account(old).await, StatusCode::UNAUTHORIZED);
    }
}
