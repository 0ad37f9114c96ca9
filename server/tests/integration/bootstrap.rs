//! The first operator: from the environment or through the one-time setup link.

use crate::harness::{app_over, call_on, TestApp};
use axum::http::StatusCode;
use portcullis_app::api::{CompleteSetup, CurrentViewer};
use portcullis_server::bootstrap::{self, Bootstrap, BootstrapError};

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
