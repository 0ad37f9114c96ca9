//! The tenant boundary under random traffic. From a seed, apps with random permissions are
//! installed (some suspended) on random tenants and the agency, and jobs are given random
//! runners; then thousands of random (caller, operation, target) triples go through the real
//! router: bots call every REST route the router serves, people call server functions aimed at
//! another tenant's records. Every bot answer must be the one core's `BotAccess::decide` gives
//! for the generated installs, every cross-tenant call by a person must be refused, and every
//! refusal must leave the database as it was. The seed is printed, and `BOUNDARY_SEED` replays
//! it; `BOUNDARY_CALLS` sets how many calls each backend makes (10,000 by default).

use crate::harness::{router_of, services_over, Reply, TestApp, ADMIN, ANALYST, HOST, OWNER_A};
use crate::on_both_backends;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use leptos::server_fn::ServerFn;
use portcullis_app::api::{
    ApproveInstall, ChangeJob, DeleteJob, DeleteUser, EditUser, LoadJob, RevokeUser, SwitchTenant,
    UninstallApp,
};
use portcullis_core::api_catalog::OPERATIONS;
use portcullis_core::apps::{BotAccess, Install, Permission, Target};
use portcullis_core::ids::{AgencyId, AppId, InstallId, JobId, TenantId, TokenId};
use portcullis_server::crypto::secrets::token_hash;
use sqlx::Row;
use std::collections::BTreeSet;

/// A small deterministic generator (xorshift64*), so a seed replays the same run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn bytes(&mut self) -> [u8; 16] {
        let (a, b) = (self.next().to_be_bytes(), self.next().to_be_bytes());
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&a);
        out[8..].copy_from_slice(&b);
        out
    }
}

struct Bot {
    app: AppId,
    bearer: String,
    /// What the generator installed, as core models it.
    access: BotAccess,
}

struct Job {
    id: String,
    tenant: TenantId,
    runner: AppId,
}

/// Everything the calls aim at.
struct World {
    acme: TenantId,
    globex: TenantId,
    orbit: AgencyId,
    bots: Vec<Bot>,
    jobs: Vec<Job>,
    /// Campaigns with their tenant.
    campaigns: Vec<(String, TenantId)>,
    boards: Vec<String>,
    /// Installs with their tenant (agency installs are left out).
    installs: Vec<(String, TenantId)>,
}

async fn scalar(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db.pool)
        .await
        .expect(sql)
}

async fn exec(app: &TestApp, sql: &str) {
    sqlx::query(sql).execute(&app.db.pool).await.expect(sql);
}

/// Generates apps, tokens, installs (some suspended) and jobs from `rng`.
async fn world(app: &TestApp, rng: &mut Rng) -> World {
    let acme =
        TenantId::parse(&scalar(app, "SELECT id FROM tenants WHERE name = 'Acme Retail'").await)
            .unwrap();
    let globex =
        TenantId::parse(&scalar(app, "SELECT id FROM tenants WHERE name = 'Globex Foods'").await)
            .unwrap();
    let orbit =
        AgencyId::parse(&scalar(app, "SELECT id FROM agencies WHERE name = 'Orbit Media'").await)
            .unwrap();
    let owner = scalar(
        app,
        &format!("SELECT id FROM users WHERE email = '{ADMIN}'"),
    )
    .await;
    // Both tenants belong to Orbit Media, so an agency install may reach them.
    let agency_tenants = vec![
        (orbit.clone(), acme.clone()),
        (orbit.clone(), globex.clone()),
    ];
    let targets = [
        Target::Tenant(acme.clone()),
        Target::Tenant(globex.clone()),
        Target::Agency(orbit.clone()),
    ];
    let mut bots = Vec::new();
    let mut installs = Vec::new();
    for n in 0..8 {
        let app_id = AppId::from_bytes(rng.bytes());
        exec(app, &format!("INSERT INTO apps (id, owner_id, name, description, created_at, updated_at) VALUES ('{app_id}', '{owner}', 'Boundary {n}', '', 0, 0)")).await;
        let asked: BTreeSet<Permission> = Permission::ALL
            .iter()
            .copied()
            .filter(|_| rng.chance(50))
            .collect();
        for p in &asked {
            exec(app, &format!("INSERT INTO app_permissions (app_id, permission, why) VALUES ('{app_id}', '{}', 'boundary')", p.code())).await;
        }
        let token = TokenId::from_bytes(rng.bytes());
        let (public, secret) = (
            format!("pct_boundary{n}"),
            format!("boundary-secret-{n}-{}", rng.next()),
        );
        exec(app, &format!("INSERT INTO bot_tokens (id, app_id, name, public_token, secret_hash, created_by, created_at) VALUES ('{token}', '{app_id}', 't', '{public}', '{}', '{owner}', 0)", token_hash(&secret))).await;
        let mut access = BotAccess {
            app_permissions: asked.clone(),
            installs: Vec::new(),
            agency_tenants: Vec::new(),
        };
        for target in &targets {
            if !rng.chance(55) {
                continue;
            }
            let id = InstallId::from_bytes(rng.bytes());
            let (column, place) = match target {
                Target::Tenant(t) => ("tenant_id", t.to_string()),
                Target::Agency(a) => ("agency_id", a.to_string()),
            };
            let suspended = rng.chance(15);
            let reason = if suspended { "'owner removed'" } else { "NULL" };
            exec(app, &format!("INSERT INTO installs (id, app_id, {column}, installed_by, created_at, suspended_reason) VALUES ('{id}', '{app_id}', '{place}', '{owner}', 0, {reason})")).await;
            // Grants: mostly what the app asks for, sometimes what it no longer asks for.
            let granted: BTreeSet<Permission> = Permission::ALL
                .iter()
                .copied()
                .filter(|p| rng.chance(if asked.contains(p) { 70 } else { 10 }))
                .collect();
            for p in &granted {
                exec(
                    app,
                    &format!(
                        "INSERT INTO install_grants (install_id, permission) VALUES ('{id}', '{}')",
                        p.code()
                    ),
                )
                .await;
            }
            if let Target::Tenant(t) = target {
                installs.push((id.to_string(), t.clone()));
            }
            if suspended {
                continue;
            }
            if matches!(target, Target::Agency(_)) {
                access.agency_tenants = agency_tenants.clone();
            }
            access.installs.push(Install {
                id,
                target: target.clone(),
                granted,
            });
        }
        bots.push(Bot {
            app: app_id,
            bearer: format!("Bearer {public}:{secret}"),
            access,
        });
    }
    let mut jobs = Vec::new();
    for (n, tenant) in [&acme, &acme, &globex, &globex].into_iter().enumerate() {
        let id = JobId::from_bytes(rng.bytes()).to_string();
        let runner = rng.pick(&bots).app.clone();
        exec(app, &format!("INSERT INTO jobs (id, tenant_id, authorization_id, name, job_type, status, status_detail, created_by, created_at, updated_at, name_sort, app_id) VALUES ('{id}', '{tenant}', NULL, 'Boundary job {n}', 'send_email', 'sleeping', '', '{owner}', 0, 0, 'boundary job {n}', '{runner}')")).await;
        jobs.push(Job {
            id,
            tenant: tenant.clone(),
            runner,
        });
    }
    let mut campaigns = Vec::new();
    for r in sqlx::query("SELECT id, tenant_id FROM campaigns")
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
    {
        campaigns.push((
            r.get::<String, _>("id"),
            TenantId::parse(&r.get::<String, _>("tenant_id")).unwrap(),
        ));
    }
    let globex_campaign = portcullis_core::ids::CampaignId::from_bytes(rng.bytes()).to_string();
    exec(app, &format!("INSERT INTO campaigns (id, tenant_id, name, status, daily_budget_cents, created_at, updated_at) VALUES ('{globex_campaign}', '{globex}', 'Globex launch', 'draft', 100, 0, 0)")).await;
    campaigns.push((globex_campaign, globex.clone()));
    let boards = sqlx::query_scalar("SELECT id FROM boards")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    World {
        acme,
        globex,
        orbit,
        bots,
        jobs,
        campaigns,
        boards,
        installs,
    }
}

/// What a refusal must leave untouched: every table a call could change, in one reading.
async fn fingerprint(app: &TestApp) -> Vec<i64> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM activity_events) AS a, (SELECT COUNT(*) FROM memberships) AS m, \
         (SELECT COUNT(*) FROM assignments) AS s, (SELECT COUNT(*) FROM installs) AS i, \
         (SELECT COUNT(*) FROM installs WHERE suspended_reason IS NULL) AS ia, \
         (SELECT COUNT(*) FROM install_grants) AS g, (SELECT COUNT(*) FROM users) AS u, \
         (SELECT COUNT(*) FROM tenants) AS t, (SELECT COUNT(*) FROM campaigns) AS c, \
         (SELECT CAST(COALESCE(SUM(updated_at), 0) AS BIGINT) FROM campaigns) AS cu, \
         (SELECT COUNT(*) FROM jobs) AS j, (SELECT CAST(COALESCE(SUM(updated_at), 0) AS BIGINT) FROM jobs) AS ju, \
         (SELECT COUNT(*) FROM content_items) AS ci, (SELECT COUNT(*) FROM data_feeds) AS df, \
         (SELECT CAST(COALESCE(SUM(updated_at), 0) AS BIGINT) FROM boards) AS bu, \
         (SELECT COUNT(*) FROM placements) AS p, (SELECT COUNT(*) FROM board_days) AS bd",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("fingerprint");
    [
        "a", "m", "s", "i", "ia", "g", "u", "t", "c", "cu", "j", "ju", "ci", "df", "bu", "p", "bd",
    ]
    .iter()
    .map(|c| row.get::<i64, _>(*c))
    .collect()
}

/// Every (method, path) the REST router serves, found by asking it: a method the router does
/// not serve on a path answers 405.
async fn routed(router: &Router) -> Vec<(Method, &'static str)> {
    let mut out = Vec::new();
    for path in portcullis_server::api::route_paths() {
        let concrete = path
            .split('/')
            .map(|s| if s.starts_with('{') { "x" } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for method in [
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ] {
            let req = Request::builder()
                .method(method.clone())
                .uri(&concrete)
                .header(header::HOST, HOST)
                .header(header::AUTHORIZATION, "Bearer pct_nobody:nothing")
                .body(Body::empty())
                .unwrap();
            let status = tower::ServiceExt::oneshot(router.clone(), req)
                .await
                .unwrap()
                .status();
            if status != StatusCode::METHOD_NOT_ALLOWED {
                out.push((method, path));
            }
        }
    }
    out
}

/// The status core's decision gives for a refused bot, or `None` when it allows the call.
fn expected(access: &BotAccess, permission: Permission, target: &Target) -> Option<u16> {
    access
        .decide(permission, target)
        .into_result()
        .err()
        .map(|p| p.status())
}

fn fill(path: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(path.to_owned(), |p, (name, v)| {
        p.replace(&format!("{{{name}}}"), v)
    })
}

async fn rest_call(
    router: &Router,
    method: &Method,
    uri: &str,
    bearer: &str,
    body: &str,
) -> StatusCode {
    let req = Request::builder()
        .method(method.clone())
        .uri(uri)
        .header(header::HOST, HOST)
        .header(header::AUTHORIZATION, bearer)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    tower::ServiceExt::oneshot(router.clone(), req)
        .await
        .unwrap()
        .status()
}

/// One bot call on a random REST route: checks the answer against core, and a refusal
/// against the fingerprint. Answers whether it was refused.
async fn bot_call(
    app: &TestApp,
    router: &Router,
    w: &World,
    routes: &[(Method, &'static str)],
    rng: &mut Rng,
    seed: u64,
) -> bool {
    let bot = rng.pick(&w.bots);
    let (method, path) = rng.pick(routes);
    let op = OPERATIONS
        .iter()
        .find(|o| o.method == method.as_str() && format!("/api/v1{}", o.path) == *path)
        .unwrap_or_else(|| {
            panic!("{method} {path} is served but not in core's catalog (seed {seed})")
        });
    let tenants = [w.acme.clone(), w.globex.clone()];
    let account = rng.pick(&tenants).clone();
    let (campaign, campaign_tenant) = rng.pick(&w.campaigns).clone();
    let job = rng.pick(&w.jobs);
    let board = if w.boards.is_empty() {
        "brd_x".to_owned()
    } else {
        rng.pick(&w.boards).clone()
    };
    let uri = fill(
        path,
        &[
            ("account_id", account.to_string()),
            ("agency_id", w.orbit.to_string()),
            ("campaign_id", campaign.clone()),
            ("board_id", board),
            ("job_id", job.id.clone()),
        ],
    );
    let body = match (op.path, method.as_str()) {
        (p, "PATCH") if p.contains("campaign_id") => r#"{"name": "Boundary rename"}"#,
        (p, _) if p.ends_with("/status") => r#"{"status": "running", "detail": "boundary"}"#,
        _ => "{}",
    };
    // A bad or missing token now and then: always 401.
    let bearer = if rng.chance(3) {
        "Bearer pct_boundary0:wrong".to_owned()
    } else {
        bot.bearer.clone()
    };
    let before = fingerprint(app).await;
    let status = rest_call(router, method, &uri, &bearer, body).await;
    let what = format!("{method} {uri} by {} (seed {seed})", bot.app);
    let want = match op.permission {
        _ if op.path == "/health" => None,
        _ if bearer != bot.bearer => Some(401),
        None => None,
        Some(p) if op.path.starts_with("/jobs/") => {
            let target = Target::Tenant(job.tenant.clone());
            let runs =
                job.runner == bot.app && bot.access.installs.iter().any(|i| i.target == target);
            if runs {
                expected(&bot.access, p, &target)
            } else {
                Some(404)
            }
        }
        Some(p) if op.path.starts_with("/agencies/") => {
            expected(&bot.access, p, &Target::Agency(w.orbit.clone()))
        }
        Some(p) => {
            let refused = expected(&bot.access, p, &Target::Tenant(account.clone()));
            // A record of another tenant under an account the bot may act on is not there.
            if refused.is_none() && op.path.contains("{campaign_id}") && campaign_tenant != account
            {
                Some(404)
            } else {
                refused
            }
        }
    };
    assert!(!status.is_server_error(), "{what} answered {status}");
    match want {
        Some(code) => assert_eq!(status.as_u16(), code, "{what}: core says {code}"),
        None => assert!(
            ![401, 403].contains(&status.as_u16()),
            "{what}: core allows it, the server answered {status}"
        ),
    }
    let refused = status.is_client_error();
    if refused {
        assert_eq!(
            fingerprint(app).await,
            before,
            "{what} was refused ({status}) but changed something"
        );
    }
    refused
}

/// One person's call aimed at a record of a tenant they are not working in: must be refused
/// with nothing changed.
async fn person_call(
    app: &TestApp,
    w: &World,
    sessions: &[(String, TenantId)],
    rng: &mut Rng,
    seed: u64,
) {
    let (cookie, current) = rng.pick(sessions);
    let other = if current == &w.acme {
        &w.globex
    } else {
        &w.acme
    };
    let foreign_job = w
        .jobs
        .iter()
        .filter(|j| &j.tenant == other)
        .map(|j| j.id.clone())
        .collect::<Vec<_>>();
    let foreign_install = w
        .installs
        .iter()
        .filter(|i| &i.1 == other)
        .map(|i| i.0.clone())
        .collect::<Vec<_>>();
    let outsider = if other == &w.acme {
        OWNER_A
    } else {
        "admin@globex.example"
    };
    let outsider = scalar(
        app,
        &format!("SELECT id FROM users WHERE email = '{outsider}'"),
    )
    .await;
    let job = if foreign_job.is_empty() {
        "job_x".to_owned()
    } else {
        rng.pick(&foreign_job).clone()
    };
    let install = if foreign_install.is_empty() {
        "ins_x".to_owned()
    } else {
        rng.pick(&foreign_install).clone()
    };
    let calls: [(&str, Vec<(&str, String)>); 9] = [
        (LoadJob::PATH, vec![("id", job.clone())]),
        (
            ChangeJob::PATH,
            vec![("id", job.clone()), ("change", "pause".into())],
        ),
        (DeleteJob::PATH, vec![("id", job)]),
        (
            RevokeUser::PATH,
            vec![("user_id", outsider.clone()), ("version", "1".into())],
        ),
        (
            DeleteUser::PATH,
            vec![("user_id", outsider.clone()), ("version", "1".into())],
        ),
        (
            EditUser::PATH,
            vec![
                ("user_id", outsider),
                ("version", "1".into()),
                ("name", "Renamed".into()),
                ("assignments", format!("pol_{z}/rg_{z}", z = "0".repeat(26))),
            ],
        ),
        (UninstallApp::PATH, vec![("install_id", install.clone())]),
        (ApproveInstall::PATH, vec![("install_id", install)]),
        (
            SwitchTenant::PATH,
            vec![("tenant_id", format!("tnt_{}", "0".repeat(26)))],
        ),
    ];
    let (path, fields) = rng.pick(&calls);
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let before = fingerprint(app).await;
    let reply: Reply =
        crate::harness::call_path_reply(&app.router, path, Some(cookie), &fields).await;
    let what = format!("{path} {fields:?} from {current} (seed {seed})");
    assert!(
        [403, 404].contains(&reply.status.as_u16()),
        "{what}: answered {} {}",
        reply.status,
        reply.body
    );
    assert_eq!(
        fingerprint(app).await,
        before,
        "{what} was refused but changed something"
    );
}

on_both_backends! {
    /// Random callers, operations and targets through the real router; every answer is core's,
    /// every refusal changes nothing, and every REST route the router serves is in the catalog.
    async fn random_calls_never_cross_a_tenant(app) {
        let seed = std::env::var("BOUNDARY_SEED").ok().and_then(|s| s.parse().ok())
            .unwrap_or_else(|| u64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % u128::from(u64::MAX)).unwrap() | 1);
        let calls: usize = std::env::var("BOUNDARY_CALLS").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000);
        eprintln!("boundary: seed {seed}");
        let mut rng = Rng(seed);
        let w = world(&app, &mut rng).await;
        // The suite's own router, without the per-token rate limit that would refuse a burst.
        let router = router_of(portcullis_server::services::Services {
            bot_rate_limit: u32::MAX,
            metrics_allow: Vec::new(),
            ..services_over(&app.db, Default::default())
        });
        let routes = routed(&router).await;
        for op in OPERATIONS {
            assert!(routes.iter().any(|(m, p)| m.as_str() == op.method && *p == format!("/api/v1{}", op.path)),
                "{} {} is in the catalog but the router does not serve it", op.method, op.path);
        }
        let guarded: Vec<(Method, &'static str)> = routes.iter().filter(|(_, p)| !p.ends_with("/openapi.json")).cloned().collect();
        let mut sessions = Vec::new();
        for (who, tenant) in [(ADMIN, &w.acme), ("admin@globex.example", &w.globex), (OWNER_A, &w.acme), (ANALYST, &w.acme)] {
            sessions.push((app.sign_in(who).await, tenant.clone()));
        }
        let (mut bot_calls, mut refused, mut person_calls) = (0, 0, 0);
        for _ in 0..calls {
            if rng.chance(85) {
                bot_calls += 1;
                if bot_call(&app, &router, &w, &guarded, &mut rng, seed).await {
                    refused += 1;
                }
            } else {
                person_calls += 1;
                person_call(&app, &w, &sessions, &mut rng, seed).await;
            }
        }
        eprintln!("boundary: {calls} calls ({bot_calls} by bots, {refused} of them refused; {person_calls} by people across tenants) over {} routes, seed {seed}", guarded.len());
        assert!(refused > 0 && refused < bot_calls, "the run exercised only one kind of answer");
    }
}
