//! `TestApp`: the real router over a fresh database, called without opening a port.

use axum::body::Body;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use http_body_util::BodyExt;
use leptos::server_fn::ServerFn;
use portcullis_server::services::Services;
use portcullis_server::store::{Backend, Db};
use portcullis_server::{demo, web};
use serde_json::Value;
use sqlx::Row;

pub const HOST: &str = "127.0.0.1:3000";
pub const OPERATOR: &str = "operator@portcullis.dev";
pub const OWNER_A: &str = "owner.a@acme.example";
pub const ADMIN: &str = "admin@acme.example";
pub const ANALYST: &str = "analytics@acme.example";
pub use portcullis_server::demo::DEMO_PASSWORD;

/// Runs the test body once on SQLite and once on PostgreSQL.
///
/// Each half records that it ran or was skipped ([`record_backend`]), so a run can say how
/// many tests each backend really saw. Without `TEST_DATABASE_URL` the PostgreSQL half says
/// it was skipped, or fails when `PORTCULLIS_REQUIRE_POSTGRES` is set (CI always has it).
#[macro_export]
macro_rules! on_both_backends {
    ($($(#[$doc:meta])* async fn $name:ident($app:ident) $body:block)*) => {$(
        $(#[$doc])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let $app = $crate::harness::TestApp::sqlite().await;
                $crate::harness::record_backend("sqlite", module_path!());
                $body
            }
            #[tokio::test]
            async fn postgres() {
                let Some($app) = $crate::harness::TestApp::postgres().await else {
                    $crate::harness::postgres_missing(module_path!());
                    return;
                };
                $crate::harness::record_backend("postgres", module_path!());
                $body
            }
        }
    )*};
}

/// Appends `<outcome> <test>` to the file named by `PORTCULLIS_BACKEND_LOG`, when set.
/// libtest has no end-of-run hook and hides a passing test's output, so scripts/test.sh counts
/// these lines after the suites to say how many dual tests ran on each backend.
pub fn record_backend(outcome: &str, test: &str) {
    use std::io::Write;
    let Some(path) = std::env::var_os("PORTCULLIS_BACKEND_LOG").filter(|p| !p.is_empty()) else {
        return;
    };
    // One short write in append mode, so lines from parallel tests never interleave.
    let line = format!("{outcome} {test}\n");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(line.as_bytes()))
        .unwrap_or_else(|e| panic!("cannot record the backend run in {path:?}: {e}"));
}

/// The PostgreSQL half of `test` without `TEST_DATABASE_URL`: fails when the run must cover
/// PostgreSQL, else says it was skipped and records that.
pub fn postgres_missing(test: &str) {
    let required =
        std::env::var("PORTCULLIS_REQUIRE_POSTGRES").is_ok_and(|v| !v.is_empty() && v != "0");
    assert!(
        !required,
        "{test}: PORTCULLIS_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not, \
         so this run cannot test PostgreSQL as it must"
    );
    eprintln!("skipped on PostgreSQL: TEST_DATABASE_URL is not set ({test})");
    record_backend("postgres-skipped", test);
}

/// Waits until `check` holds, asking again every 10 ms, and fails naming `what` if it still
/// does not after `within`: a test waits for the state it needs, never for a fixed time, so
/// it is neither slow when the state comes early nor flaky when it comes late.
pub async fn eventually(within: std::time::Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + within;
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited {within:?} for {what}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// A fresh database with the demo loaded, and the application over it.
pub struct TestApp {
    pub db: Db,
    pub router: Router,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

impl TestApp {
    /// On a new SQLite file in a temporary folder.
    pub async fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        let db = Db::open(&url).await.expect("open sqlite");
        TestApp::build(db, Some(dir), None).await
    }

    /// On a new PostgreSQL database, when `TEST_DATABASE_URL` names a server.
    pub async fn postgres() -> Option<TestApp> {
        let admin_url = std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        sqlx::any::install_default_drivers();
        let name = format!("portcullis_t_{}", uuid::Uuid::now_v7().simple());
        let admin = sqlx::AnyPool::connect(&admin_url)
            .await
            .expect("TEST_DATABASE_URL is set but PostgreSQL is unreachable");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&admin)
            .await
            .expect("create test database");
        admin.close().await;
        let (base, _) = admin_url.rsplit_once('/').expect("database url has a path");
        let db = Db::open(&format!("{base}/{name}"))
            .await
            .expect("open postgres");
        assert_eq!(db.backend, Backend::Postgres);
        Some(TestApp::build(db, None, Some((admin_url, name))).await)
    }

    /// An app over an empty database (no demo), for bootstrap tests.
    pub async fn empty_sqlite() -> (Db, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("empty.db").display()
        );
        (Db::open(&url).await.expect("open sqlite"), dir)
    }

    async fn build(
        db: Db,
        dir: Option<tempfile::TempDir>,
        pg_drop: Option<(String, String)>,
    ) -> TestApp {
        assert!(demo::load(&db).await.expect("demo loads"));
        let router = app_over(&db);
        TestApp {
            db,
            router,
            _dir: dir,
            pg_drop,
        }
    }

    /// Sends a request through the whole application.
    pub async fn send(&self, req: Request<Body>) -> Response<Body> {
        tower::ServiceExt::oneshot(self.router.clone(), req)
            .await
            .expect("router answers")
    }

    /// Calls server function `F` with form fields, as the browser's `ActionForm` does.
    pub async fn call<F: ServerFn>(&self, cookie: Option<&str>, fields: &[(&str, &str)]) -> Reply {
        call_on::<F>(&self.router, cookie, fields).await
    }

    /// Signs in and returns the `name=value` session cookie.
    pub async fn sign_in(&self, email: &str) -> String {
        let reply = self
            .call::<portcullis_app::api::SignIn>(
                None,
                &[("email", email), ("password", demo::DEMO_PASSWORD)],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{email} signs in: {}",
            reply.body
        );
        reply
            .session_cookie()
            .expect("sign-in sets the session cookie")
    }

    /// The id of the policy or resource group called `name` in the caller's tenant.
    pub async fn directory_id(&self, cookie: &str, list: &str, name: &str) -> String {
        let dir = self
            .call::<portcullis_app::api::LoadDirectory>(Some(cookie), &[])
            .await;
        assert_eq!(dir.status, StatusCode::OK, "directory: {}", dir.body);
        dir.body[list]
            .as_array()
            .expect("list")
            .iter()
            .find(|x| x["name"] == name)
            .unwrap_or_else(|| panic!("no {list} called {name}"))["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Moves the caller's session into the tenant called `name`.
    pub async fn enter(&self, cookie: &str, name: &str) {
        let me = self
            .call::<portcullis_app::api::CurrentViewer>(Some(cookie), &[])
            .await;
        let id = me.body["tenants"]
            .as_array()
            .expect("tenants")
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no tenant {name}"))["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let r = self
            .call::<portcullis_app::api::SwitchTenant>(Some(cookie), &[("tenant_id", &id)])
            .await;
        assert_eq!(r.status, StatusCode::OK, "switch: {}", r.body);
    }

    /// The version an edit of record `id` in `table` must name (tests only; literal table).
    pub async fn version_of(&self, table: &str, id: &str) -> String {
        let column = if table == "sso_providers" {
            "tenant_id"
        } else {
            "id"
        };
        let version: i64 =
            sqlx::query_scalar(&format!("SELECT version FROM {table} WHERE {column} = $1"))
                .bind(id)
                .fetch_optional(&self.db.pool)
                .await
                .expect("version query")
                .unwrap_or(0);
        version.to_string()
    }

    /// Counts rows of `table` matching `where_sql` (tests only; values are literals in the test).
    pub async fn count(&self, table: &str, where_sql: &str) -> i64 {
        let row = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE {where_sql}"
        ))
        .fetch_one(&self.db.pool)
        .await
        .expect("count query");
        row.try_get("n").expect("count")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg_drop.take() {
            // The test's runtime is finishing; drop on a fresh thread and runtime. `WITH (FORCE)`
            // ends the test's own connections, which belong to the finishing runtime.
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Runtime::new() else {
                    return;
                };
                rt.block_on(async move {
                    if let Ok(admin) = sqlx::AnyPool::connect(&admin_url).await {
                        let _ =
                            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                                .execute(&admin)
                                .await;
                    }
                });
            })
            .join();
        }
    }
}

/// The application over `db`, as `portcullis serve` builds it.
pub fn app_over(db: &Db) -> Router {
    router_of(services_over(db, Default::default()))
}

/// The services over `db`, with providers' endpoints replaced by `providers` (local fakes).
pub fn services_over(db: &Db, providers: std::collections::BTreeMap<String, String>) -> Services {
    services_with_egress(db, providers, loopback_fakes())
}

/// The services over `db` connecting out under `egress`.
pub fn services_with_egress(
    db: &Db,
    providers: std::collections::BTreeMap<String, String>,
    egress: portcullis_server::integrations::egress::Egress,
) -> Services {
    Services {
        db: db.clone(),
        secure_cookies: false,
        public_url: format!("http://{HOST}"),
        trusted_proxies: Vec::new(),
        vault: test_vault(),
        checker: portcullis_server::integrations::health_checks::Checker::new(
            providers,
            std::time::Duration::from_secs(2),
            egress,
        ),
        bot_rate_limit: portcullis_core::apps::BOT_REQUESTS_PER_MINUTE,
        metrics_allow: portcullis_server::integrations::egress::Egress::parse_allow(
            portcullis_server::metrics::DEFAULT_ALLOW,
        )
        .expect("default metrics allow-list parses"),
    }
}

/// A plain GET of `path`, as a browser or a monitor sends it.
pub fn get(path: &str) -> Request<Body> {
    Request::get(path)
        .header(header::HOST, HOST)
        .body(Body::empty())
        .expect("request")
}

/// `req` as if it came over a connection from `peer` (`ip:port`).
pub fn from_peer(mut req: Request<Body>, peer: &str) -> Request<Body> {
    let addr: std::net::SocketAddr = peer.parse().expect("peer address");
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    req
}

/// A response's body as text.
pub async fn body_text(res: Response<Body>) -> String {
    use http_body_util::BodyExt;
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The egress policy tests run under: public addresses, and loopback where the fakes listen.
pub fn loopback_fakes() -> portcullis_server::integrations::egress::Egress {
    portcullis_server::integrations::egress::Egress::allowing(
        portcullis_server::integrations::egress::Egress::loopback(),
    )
}

/// The application over `services`.
pub fn router_of(services: Services) -> Router {
    web::app(services, web::leptos_options(HOST.parse().expect("addr")))
}

/// Calls server function `F` on `router` (any replica) with form fields.
pub async fn call_on<F: ServerFn>(
    router: &Router,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> Reply {
    call_path_reply(router, F::PATH, cookie, fields).await
}

/// Calls the server function at `path` with form fields.
pub async fn call_path_reply(
    router: &Router,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> Reply {
    let body = serde_urlencoded::to_string(fields).expect("form encodes");
    let mut req = Request::post(path)
        .header(header::HOST, HOST)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res =
        tower::ServiceExt::oneshot(router.clone(), req.body(Body::from(body)).expect("request"))
            .await
            .expect("router answers");
    Reply::read(res).await
}

/// A response read whole.
pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub async fn read(res: Response<Body>) -> Reply {
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// The session cookie set by this response, as `name=value`.
    pub fn session_cookie(&self) -> Option<String> {
        self.cookie("portcullis_session")
    }

    /// The cookie `name` set by this response, as `name=value`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        let prefix = format!("{name}=");
        self.set_cookies()
            .into_iter()
            .find(|c| c.starts_with(&prefix))
            .map(|c| c.split(';').next().unwrap_or_default().to_owned())
    }

    /// Every `Set-Cookie` header of the response.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }
}

/// The vault every test server shares: a fixed key, so replicas over one database agree.
pub fn test_vault() -> std::sync::Arc<portcullis_server::crypto::vault::Vault> {
    std::sync::Arc::new(portcullis_server::crypto::vault::Vault::from_keys(
        [42; 32],
        &[],
    ))
}
