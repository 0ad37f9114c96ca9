//! The first operator: from the environment or through the one-time setup link.

use crate::harness::{app_over, call_on, TestApp};
use axum::http::StatusCode;
use portcullis_app::api::{CompleteSetup, CurrentViewer};
use portcullis_server::services::bootstrap::{self, Bootstrap, BootstrapError};

#[tokio::test]
async fn setup_link_creates_the_first_operator_once() {
    let (db, _dir) = TestApp::empty_sqlite().await;
    let Bootstrap::SetupLink(link) = bootstrap::setup_link_if_empty(&db, "http://127.0.0.1:3000")
        .await
        .expect("link")
    else {
        panic!("an empty database gets a setup link");
    };
    let token = link
        .split("token=")
        .nth(1)
        .expect("token in link")
        .to_owned();
    let router = app_over(&db);
    let fields = [
        ("token", token.as_str()),
        ("name", "Ada Ops"),
        ("email", "ada@portcullis.dev"),
        ("password", "a long enough passphrase"),
    ];

    let weak = call_on::<CompleteSetup>(
        &router,
        None,
        &[fields[0], fields[1], fields[2], ("password", "short")],
    )
    .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.body["field"], "password");

    let ok = call_on::<CompleteSetup>(&router, None, &fields).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let cookie = ok.session_cookie().expect("signed in");
    let me = call_on::<CurrentViewer>(&router, Some(&cookie), &[]).await;
    assert_eq!(me.body["email"], "ada@portcullis.dev");
    assert_eq!(me.body["operator"], true);

    let again = call_on::<CompleteSetup>(
        &router,
        None,
        &[
            fields[0],
            fields[1],
            ("email", "eve@portcullis.dev"),
            fields[3],
        ],
    )
    .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(again.body["code"], "setup_link_invalid");
    assert_eq!(
        bootstrap::setup_link_if_empty(&db, "http://x")
            .await
            .expect("checked"),
        Bootstrap::Existing
    );
}

#[tokio::test]
async fn environment_operator_is_checked_by_core() {
    let (db, _dir) = TestApp::empty_sqlite().await;
    let weak = bootstrap::from_environment(&db, Some("ops@portcullis.dev"), Some("short")).await;
    assert!(matches!(weak, Err(BootstrapError::Password(_))), "{weak:?}");
    let half = bootstrap::from_environment(&db, Some("ops@portcullis.dev"), None).await;
    assert!(matches!(half, Err(BootstrapError::Incomplete)));
    let made = bootstrap::from_environment(
        &db,
        Some("Ops@Portcullis.dev"),
        Some("a long enough passphrase"),
    )
    .await
    .expect("created");
    assert_eq!(
        made.map(|e| e.to_string()).as_deref(),
        Some("ops@portcullis.dev")
    );
    // Users exist now: a second start does nothing.
    let second = bootstrap::from_environment(
        &db,
        Some("other@portcullis.dev"),
        Some("a long enough passphrase"),
    )
    .await
    .expect("ok");
    assert!(second.is_none());
}

#[tokio::test]
async fn migrations_are_idempotent() {
    let (db, _dir) = TestApp::empty_sqlite().await;
    db.migrate()
        .await
        .expect("second run applies nothing and succeeds");
}

/// The token of a fresh setup link for `db`.
async fn setup_token(db: &portcullis_server::store::Db) -> String {
    let Bootstrap::SetupLink(link) = bootstrap::setup_link_if_empty(db, "http://127.0.0.1:3000")
        .await
        .expect("link")
    else {
        panic!("an empty database gets a setup link");
    };
    link.split("token=").nth(1).expect("token").to_owned()
}

/// Completes setup through `router` with the link's `token`, as `email`.
async fn complete_setup(router: &axum::Router, token: &str, email: &str) -> crate::harness::Reply {
    call_on::<CompleteSetup>(
        router,
        None,
        &[
            ("token", token),
            ("name", "Ops"),
            ("email", email),
            ("password", "a long enough passphrase"),
        ],
    )
    .await
}

/// Creates the first operator as `PORTCULLIS_ADMIN_EMAIL`/`_PASSWORD` would.
async fn operator_from_environment(db: &portcullis_server::store::Db) {
    bootstrap::from_environment(
        db,
        Some("ops@portcullis.dev"),
        Some("a long enough passphrase"),
    )
    .await
    .expect("created");
}

async fn operators(db: &portcullis_server::store::Db) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE operator = 1")
        .fetch_one(&db.pool)
        .await
        .expect("count")
}

/// Links printed at earlier starts die with the first operator: neither a second link from
/// the same empty period nor an old link after an operator came from the environment works.
#[tokio::test]
async fn a_setup_link_works_once_and_never_after_an_operator_exists() {
    let (db, _dir) = TestApp::empty_sqlite().await;
    let (first, second) = (setup_token(&db).await, setup_token(&db).await);
    let router = app_over(&db);
    assert_eq!(
        complete_setup(&router, &first, "ada@portcullis.dev")
            .await
            .status,
        StatusCode::OK
    );
    let late = complete_setup(&router, &second, "eve@portcullis.dev").await;
    assert_eq!(
        late.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        late.body
    );
    assert_eq!(operators(&db).await, 1);

    let (db, _dir) = TestApp::empty_sqlite().await;
    let old = setup_token(&db).await;
    operator_from_environment(&db).await;
    let after = complete_setup(&app_over(&db), &old, "eve@portcullis.dev").await;
    assert_eq!(
        after.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        after.body
    );
    assert_eq!(
        operators(&db).await,
        1,
        "the old link made a second operator"
    );
}

/// The demo (and its published password) goes only into an empty database or its own.
#[tokio::test]
async fn the_demo_refuses_a_database_that_holds_other_data() {
    use portcullis_server::demo;
    let (db, _dir) = TestApp::empty_sqlite().await;
    operator_from_environment(&db).await;
    let refused = demo::load(&db)
        .await
        .expect_err("a database with people is refused");
    assert_eq!(refused.code, "database_not_empty");
    assert!(
        refused.message.contains("DATABASE_URL"),
        "{}",
        refused.message
    );
    let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await
        .expect("count");
    assert_eq!(users, 1, "nothing was loaded");
    assert!(!demo::holds_demo(&db).await.expect("checked"));

    let (db, _dir) = TestApp::empty_sqlite().await;
    assert!(demo::load(&db)
        .await
        .expect("an empty database takes the demo"));
    assert!(
        !demo::load(&db).await.expect("the demo's own database"),
        "loaded twice"
    );
    assert!(demo::holds_demo(&db).await.expect("checked"));
}
