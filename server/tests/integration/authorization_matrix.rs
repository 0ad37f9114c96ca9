//! The authorization matrix: every server function the router serves, called anonymously, from
//! the wrong tenant and without the needed action. None of those calls succeeds or changes
//! anything, and a server function missing from the matrix fails the test.

use crate::harness::{TestApp, ANALYST, OWNER_A};
use crate::on_both_backends;
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use portcullis_app::api::*;

/// How a server function is guarded.
enum Guard {
    /// Open to anyone: sign-in and its relatives carry their own credential.
    Public,
    /// Needs a signed-in caller; nothing more (tenant-scoped data, or the caller's own).
    Caller,
    /// Needs a member of the tenant aimed at: a caller of another tenant is refused.
    Member,
    /// Needs a caller allowed to act: brand A's owner must be refused (403); `cross` says
    /// whether a caller of another tenant, aiming at Acme's ids, must be refused too.
    Action { cross: bool },
    /// Like `Action`, for what a data administrator may do (brand A's owner is one): the
    /// analyst, who may only look, must be refused.
    DataAction { cross: bool },
}

struct Row {
    path: &'static str,
    guard: Guard,
    fields: Vec<(&'static str, String)>,
}

fn row<F: ServerFn>(guard: Guard, fields: Vec<(&'static str, String)>) -> Row {
    Row {
        path: F::PATH,
        guard,
        fields,
    }
}

async fn id(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar(sql)
        .fetch_one(&app.db.pool)
        .await
        .expect(sql)
}

/// Every server function with fields aimed at Acme Retail's records.
async fn matrix(app: &TestApp) -> Vec<Row> {
    let nora = id(
        app,
        "SELECT id FROM users WHERE email = 'owner.a@acme.example'",
    )
    .await;
    let acme = id(app, "SELECT id FROM tenants WHERE name = 'Acme Retail'").await;
    let brand_a = id(
        app,
        "SELECT id FROM resource_groups WHERE name = 'Brand A: Northwind'",
    )
    .await;
    let brand_b = id(
        app,
        "SELECT id FROM resource_groups WHERE name = 'Brand B: Southwind'",
    )
    .await;
    let south = id(
        app,
        "SELECT id FROM databases WHERE name = 'Southwind C360'",
    )
    .await;
    let north = id(
        app,
        "SELECT id FROM databases WHERE name = 'Northwind C360'",
    )
    .await;
    let viewer = id(
        app,
        &format!("SELECT id FROM policies WHERE name = 'Viewer' AND tenant_id = '{acme}'"),
    )
    .await;
    let pair = format!("{viewer}/{brand_a}");
    // An app of Acme's user administrator, with a token, for the app functions to aim at.
    let admin = id(
        app,
        "SELECT id FROM users WHERE email = 'admin@acme.example'",
    )
    .await;
    let app_id = portcullis_core::ids::AppId::from_bytes([7; 16]).to_string();
    let token_id = portcullis_core::ids::TokenId::from_bytes([7; 16]).to_string();
    sqlx::query(&format!("INSERT INTO apps (id, owner_id, name, description, created_at, updated_at) VALUES ('{app_id}', '{admin}', 'Matrix app', '', 0, 0)"))
        .execute(&app.db.pool).await.expect("app");
    sqlx::query(&format!("INSERT INTO bot_tokens (id, app_id, name, public_token, secret_hash, created_by, created_at) VALUES ('{token_id}', '{app_id}', 'matrix', 'pct_matrix', 'x', '{admin}', 0)"))
        .execute(&app.db.pool).await.expect("token");
    let install_id = portcullis_core::ids::InstallId::from_bytes([7; 16]).to_string();
    sqlx::query(&format!("INSERT INTO installs (id, app_id, tenant_id, installed_by, created_at) VALUES ('{install_id}', '{app_id}', '{acme}', '{admin}', 0)"))
        .execute(&app.db.pool).await.expect("install");
    // An authorization of Acme with a paused job and an active experience.
    let auth_id = portcullis_core::ids::AuthorizationId::from_bytes([7; 16]).to_string();
    sqlx::query(&format!("INSERT INTO authorizations (id, tenant_id, provider, provider_name, method, label, description, settings, sealed, health, health_answer, checked_at, next_check_at, lease_until, created_by, created_by_name, created_at, updated_at, label_sort, description_sort, provider_sort, creator_sort) VALUES ('{auth_id}', '{acme}', 'sendgrid', 'SendGrid', 'api_key', 'Matrix mail', '', '{{}}', 'v1.x.y.z', 'unknown', '', NULL, 9000000000000, 0, '{admin}', 'Alex Admin', 0, 0, 'matrix mail', '', 'sendgrid', 'alex admin')"))
        .execute(&app.db.pool).await.expect("authorization");
    let job_id = portcullis_core::ids::JobId::from_bytes([7; 16]).to_string();
    sqlx::query(&format!("INSERT INTO jobs (id, tenant_id, authorization_id, name, job_type, status, status_detail, created_by, created_at, updated_at, name_sort) VALUES ('{job_id}', '{acme}', '{auth_id}', 'Matrix job', 'send_email', 'paused', '', '{admin}', 0, 0, 'matrix job')"))
        .execute(&app.db.pool).await.expect("job");
    let exp_id = portcullis_core::ids::ExperienceId::from_bytes([7; 16]).to_string();
    sqlx::query(&format!("INSERT INTO experiences (id, tenant_id, authorization_id, name, active, created_at) VALUES ('{exp_id}', '{acme}', '{auth_id}', 'Matrix experience', 1, 0)"))
        .execute(&app.db.pool).await.expect("experience");
    use Guard::*;
    let sorted = |sort: &str| vec![("sort", sort.to_owned()), ("order", "asc".to_owned())];
    vec![
        // Authorizations and jobs: everyone in the tenant may look; data administrators act.
        row::<ListAuthorizations>(Caller, sorted("label")),
        row::<LoadAuthorization>(Member, vec![("id", auth_id.clone())]),
        row::<AuthorizationMetrics>(
            Member,
            vec![
                ("id", auth_id.clone()),
                ("from", "0".into()),
                ("to", "86400000".into()),
                ("step", "day".into()),
            ],
        ),
        row::<AuthorizationsForJob>(Caller, vec![("job_type", "send_email".into())]),
        row::<CreateAuthorization>(
            DataAction { cross: false },
            vec![
                ("provider", "sendgrid".into()),
                ("method", "api_key".into()),
                ("label", "Sneaky".into()),
                ("description", String::new()),
                ("config", r#"{"api_key": "SG.sneaky"}"#.into()),
            ],
        ),
        row::<EditAuthorization>(
            DataAction { cross: true },
            vec![
                ("id", auth_id.clone()),
                ("version", "1".into()),
                ("label", "Hijacked".into()),
                ("description", String::new()),
            ],
        ),
        row::<DeleteAuthorization>(
            DataAction { cross: true },
            vec![("id", auth_id.clone()), ("version", "1".into())],
        ),
        row::<CheckAuthorization>(DataAction { cross: true }, vec![("id", auth_id.clone())]),
        row::<StartOauth>(DataAction { cross: true }, vec![("id", auth_id.clone())]),
        row::<ListJobs>(Caller, {
            let mut f = sorted("name");
            f.push(("authorization", String::new()));
            f
        }),
        row::<LoadJob>(Member, vec![("id", job_id.clone())]),
        row::<CreateJob>(
            DataAction { cross: true },
            vec![
                ("name", "Sneaky".into()),
                ("job_type", "send_email".into()),
                ("authorization", auth_id.clone()),
            ],
        ),
        row::<LoadJobRunners>(Caller, vec![]),
        row::<ChangeJob>(
            DataAction { cross: true },
            vec![("id", job_id.clone()), ("change", "resume".into())],
        ),
        row::<DeleteJob>(DataAction { cross: true }, vec![("id", job_id)]),
        row::<LoadExperiences>(Caller, vec![]),
        row::<ImportExperience>(
            DataAction { cross: true },
            vec![("name", "Sneaky".into()), ("authorization", auth_id)],
        ),
        row::<RetireExperience>(DataAction { cross: true }, vec![("id", exp_id)]),
        // Apps belong to a person: anyone else (here another tenant's admin) gets 404.
        row::<LoadApps>(Caller, vec![]),
        row::<CreateApp>(
            Caller,
            vec![
                ("name", "Sneaky".into()),
                ("description", String::new()),
                ("permissions", String::new()),
            ],
        ),
        row::<SetAppPermissions>(
            Member,
            vec![
                ("app_id", app_id.clone()),
                ("version", "1".into()),
                ("permissions", "account.view: read".into()),
            ],
        ),
        row::<CreateToken>(
            Member,
            vec![("app_id", app_id.clone()), ("name", "stolen".into())],
        ),
        row::<RevokeToken>(Member, vec![("token_id", token_id.clone())]),
        // Installing needs manage_apps in the tenant; listing needs view_apps.
        row::<LoadConsent>(Action { cross: false }, vec![("app_id", app_id.clone())]),
        row::<InstallApp>(Action { cross: false }, vec![("app_id", app_id.clone())]),
        row::<LoadInstalls>(Action { cross: false }, vec![]),
        row::<ApproveInstall>(
            Action { cross: true },
            vec![("install_id", install_id.clone())],
        ),
        row::<UninstallApp>(
            Action { cross: true },
            vec![("install_id", install_id.clone())],
        ),
        // SSO settings need manage_sso; starting an SSO sign-in is public.
        row::<LoadSsoSettings>(Action { cross: false }, vec![]),
        row::<SaveSsoProvider>(
            Action { cross: false },
            vec![
                ("issuer", "https://idp.evil.example".into()),
                ("client_id", "x".into()),
                ("client_secret", "y".into()),
                ("groups_claim", "groups".into()),
                ("domains", "acme.example".into()),
                ("version", "0".into()),
            ],
        ),
        row::<AddSsoMapping>(
            Action { cross: false },
            vec![
                ("idp_group", "everyone".into()),
                ("policy_id", viewer.clone()),
                ("group_id", brand_a.clone()),
            ],
        ),
        row::<RemoveSsoMapping>(
            Action { cross: false },
            vec![
                ("idp_group", "everyone".into()),
                ("policy_id", viewer.clone()),
                ("group_id", brand_a.clone()),
            ],
        ),
        row::<SsoUserAssignments>(
            Action { cross: false },
            vec![("email", "owner.a@acme.example".into())],
        ),
        row::<StartSso>(
            Public,
            vec![
                ("email", "someone@acme.example".into()),
                ("tenant", String::new()),
            ],
        ),
        row::<SignIn>(
            Public,
            vec![
                ("email", "nobody@acme.example".into()),
                ("password", "wrong password here".into()),
            ],
        ),
        row::<CompleteSetup>(
            Public,
            vec![
                ("token", "x".into()),
                ("name", "N".into()),
                ("email", "n@acme.example".into()),
                ("password", "a long enough passphrase 1".into()),
            ],
        ),
        row::<SetPassword>(
            Public,
            vec![
                ("token", "not-a-token".into()),
                ("password", "a long enough passphrase 1".into()),
            ],
        ),
        row::<CurrentViewer>(Public, vec![]),
        row::<SignOut>(Caller, vec![]),
        row::<SwitchTenant>(Member, vec![("tenant_id", acme.clone())]),
        row::<LoadOverview>(Caller, vec![]),
        row::<LoadDirectory>(Action { cross: false }, vec![]),
        row::<ListActivity>(
            Action { cross: false },
            vec![
                ("user", String::new()),
                ("action", String::new()),
                ("sort", "date".into()),
                ("order", "desc".into()),
            ],
        ),
        row::<ListUsers>(
            Action { cross: false },
            vec![
                ("search", String::new()),
                ("sort", "name".into()),
                ("order", "asc".into()),
            ],
        ),
        row::<LoadInvitations>(Caller, vec![]),
        // Nobody is invited: answering joins nothing (the fingerprint stays).
        row::<AnswerInvitation>(
            Caller,
            vec![("tenant_id", acme.clone()), ("accept", "true".into())],
        ),
        row::<AddUser>(
            Action { cross: true },
            vec![
                ("name", "Mallory".into()),
                ("email", "mallory@acme.example".into()),
                ("policy_id", viewer.clone()),
                ("group_id", brand_a.clone()),
                ("send_welcome", "false".into()),
            ],
        ),
        row::<EditUser>(
            Action { cross: true },
            vec![
                ("user_id", nora.clone()),
                ("version", "1".into()),
                ("name", "Hijacked".into()),
                ("assignments", pair),
            ],
        ),
        row::<DeleteUser>(
            Action { cross: true },
            vec![("user_id", nora.clone()), ("version", "1".into())],
        ),
        row::<RevokeUser>(
            Action { cross: true },
            vec![("user_id", nora), ("version", "1".into())],
        ),
        row::<CreatePolicy>(
            Action { cross: false },
            vec![
                ("name", "Sneaky".into()),
                ("description", String::new()),
                ("actions", "view_pii".into()),
            ],
        ),
        row::<CreateGroup>(
            Action { cross: false },
            vec![("name", "Sneaky".into()), ("description", String::new())],
        ),
        row::<DeleteGroup>(Action { cross: true }, vec![("group_id", brand_a)]),
        row::<RequestDomain>(
            Action { cross: false },
            vec![
                ("domain", "evil.example".into()),
                ("reason", "please let me in now".into()),
            ],
        ),
        row::<LoadDomainRequests>(Caller, vec![]),
        row::<ReviewDomain>(
            Action { cross: true },
            vec![("request_id", "dreq_x".into()), ("approve", "true".into())],
        ),
        row::<LoadOutbox>(Action { cross: true }, vec![]),
        row::<LoadCustomer360>(Caller, vec![]),
        row::<ChangeDatabaseGroup>(
            Action { cross: true },
            vec![
                ("database_id", north),
                ("version", "1".into()),
                ("group_id", brand_b),
            ],
        ),
        row::<PreviewTable>(
            Action { cross: true },
            vec![
                ("database_id", south),
                ("table", "Customer_360".into()),
                ("unmask", "true".into()),
            ],
        ),
        row::<LoadSources>(Caller, vec![]),
    ]
}

/// What must not change whatever the refused calls tried.
async fn fingerprint(app: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for (table, filter) in [
        ("users", "1 = 1"),
        ("memberships", "1 = 1"),
        ("assignments", "1 = 1"),
        ("resource_groups", "1 = 1"),
        ("policies", "1 = 1"),
        ("domain_requests", "1 = 1"),
        ("allowed_domains", "1 = 1"),
        ("databases", "resource_group_id IS NULL"),
        ("users", "name = 'Hijacked'"),
        ("activity_events", "event_type NOT LIKE 'session/%'"),
        ("app_permissions", "1 = 1"),
        ("bot_tokens", "revoked_at IS NULL"),
        ("installs", "1 = 1"),
        ("install_grants", "1 = 1"),
        ("authorizations", "label = 'Matrix mail'"),
        ("authorizations", "health = 'unknown'"),
        ("jobs", "status = 'paused'"),
        ("experiences", "active = 1"),
        ("oauth_states", "1 = 1"),
        ("sso_providers", "1 = 1"),
        ("sso_mappings", "1 = 1"),
    ] {
        out.push(app.count(table, filter).await);
    }
    out
}

fn fields(r: &Row) -> Vec<(&str, &str)> {
    r.fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

on_both_backends! {
    /// Every server function is in the matrix, and every guarded one refuses who it must.
    async fn every_server_function_refuses_the_wrong_caller(app) {
        let rows = matrix(&app).await;
        let served: Vec<&str> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p).collect();
        for path in &served {
            assert!(rows.iter().any(|r| r.path == *path), "server function {path} is missing from the authorization matrix");
        }
        assert_eq!(rows.len(), served.len(), "the matrix lists a function the router does not serve");
        let before = fingerprint(&app).await;

        let owner = app.sign_in(OWNER_A).await;
        let analyst = app.sign_in(ANALYST).await;
        let other_tenant = app.sign_in("admin@globex.example").await;
        for r in &rows {
            let f = fields(r);
            let anonymous = call_path(&app, r.path, None, &f).await;
            match r.guard {
                Guard::Public => assert_ne!(anonymous, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.path),
                _ => assert_eq!(anonymous, StatusCode::UNAUTHORIZED, "{} answers anonymous callers", r.path),
            }
            if let Guard::DataAction { .. } = r.guard {
                let refused = call_path(&app, r.path, Some(&analyst), &f).await;
                assert!(refused == StatusCode::FORBIDDEN || refused == StatusCode::NOT_FOUND,
                    "{} lets the analyst act without the action: {refused}", r.path);
            }
            let (needs_action, cross) = match r.guard {
                Guard::Action { cross } => (true, cross),
                Guard::DataAction { cross } => (false, cross),
                Guard::Member => (false, true),
                _ => (false, false),
            };
            if needs_action {
                let refused = call_path(&app, r.path, Some(&owner), &f).await;
                assert!(refused == StatusCode::FORBIDDEN || refused == StatusCode::NOT_FOUND,
                    "{} lets brand A's owner act without the action: {refused}", r.path);
            }
            if cross {
                let foreign = call_path(&app, r.path, Some(&other_tenant), &f).await;
                assert!(foreign.is_client_error(), "{} lets another tenant act on Acme: {foreign}", r.path);
            }
        }
        assert_eq!(fingerprint(&app).await, before, "a refused call changed something");
    }
}

async fn call_path(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> StatusCode {
    crate::harness::call_path_reply(&app.router, path, cookie, fields)
        .await
        .status
}
