//! A call's reads (`store::reads::Snapshot`): on SQLite they all see one committed state, and
//! the next call sees every change committed before it began, on both backends.

use crate::on_both_backends;
use portcullis_core::ids::TenantId;
use portcullis_server::store::reads::Snapshot;
use portcullis_server::store::tenants;
use portcullis_server::store::Backend;

on_both_backends! {
    /// A rename committed while a call is under way is not seen by that call on SQLite, and is
    /// seen by the next call, which may reuse the same read-only connection.
    async fn a_call_reads_one_state_and_the_next_call_sees_every_change(app) {
        let tenant = acme(&app).await;
        let id = tenant.as_str();

        let call = Snapshot::begin(&app.db).unwrap();
        let before = tenants::summary(&call, &tenant).await.unwrap().unwrap();
        assert_eq!(before.name, "Acme Retail");
        sqlx::query("UPDATE tenants SET name = 'Acme Renamed' WHERE id = $1")
            .bind(id)
            .execute(&app.db.pool)
            .await
            .unwrap();
        let during = tenants::summary(&call, &tenant).await.unwrap().unwrap();
        if app.db.backend == Backend::Sqlite {
            assert_eq!(during.name, "Acme Retail", "a call's reads see the state it began with");
        }
        drop(call);

        let next = Snapshot::begin(&app.db).unwrap();
        let after = tenants::summary(&next, &tenant).await.unwrap().unwrap();
        assert_eq!(after.name, "Acme Renamed");
    }
}

on_both_backends! {
    /// What a call remembers on a SQLite reader (`store::memo`) is recalled by the next call
    /// only while nothing was committed since: a change from any other connection, the CLI's
    /// included, makes the next call read again. PostgreSQL's calls recall nothing.
    async fn a_call_recalls_only_what_no_change_has_outdated(app) {
        let first = Snapshot::begin(&app.db).unwrap();
        assert!(first.recall::<String>("key").is_none());
        first.remember("key", std::sync::Arc::new("read before".to_owned()));
        drop(first);

        let second = Snapshot::begin(&app.db).unwrap();
        let recalled = second.recall::<String>("key");
        drop(second);
        match app.db.backend {
            Backend::Sqlite => assert_eq!(recalled.as_deref().map(String::as_str), Some("read before")),
            Backend::Postgres => assert!(recalled.is_none(), "PostgreSQL reads every time"),
        }

        sqlx::query("UPDATE tenants SET name = 'Acme Renamed' WHERE name = 'Acme Retail'")
            .execute(&app.db.pool)
            .await
            .unwrap();
        let third = Snapshot::begin(&app.db).unwrap();
        assert!(third.recall::<String>("key").is_none(), "a commit since makes the next call read again");
    }
}

/// The server keeps one read transaction open on its SQLite file so that calls' read locks
/// stay in the process (`store::read_pin`). It renews that transaction, so it never keeps the
/// WAL from being copied back and started over: a truncating checkpoint, which waits for every
/// reader of the WAL, finishes and leaves an empty WAL while the pin runs.
#[tokio::test]
async fn the_read_pin_lets_the_wal_be_copied_back_and_started_over() {
    let app = crate::harness::TestApp::sqlite().await;
    let id = acme(&app).await;
    // Calls under way, so the readers (and their pin) are in use.
    for _ in 0..3 {
        let call = Snapshot::begin(&app.db).unwrap();
        assert!(tenants::summary(&call, &id).await.unwrap().is_some());
    }
    sqlx::query("UPDATE tenants SET name = 'Acme Renamed' WHERE name = 'Acme Retail'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let wal = app.db.sqlite_file.clone().unwrap().with_extension("db-wal");
    assert!(
        std::fs::metadata(&wal).unwrap().len() > 0,
        "the change is in the WAL"
    );

    let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(busy, 0, "no reader kept the checkpoint from finishing");
    assert_eq!(
        std::fs::metadata(&wal).unwrap().len(),
        0,
        "the WAL started over"
    );

    let next = Snapshot::begin(&app.db).unwrap();
    assert_eq!(
        tenants::summary(&next, &id).await.unwrap().unwrap().name,
        "Acme Renamed"
    );
}

/// The demo's Acme Retail tenant.
async fn acme(app: &crate::harness::TestApp) -> TenantId {
    let id: String = sqlx::query_scalar("SELECT id FROM tenants WHERE name = 'Acme Retail'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    TenantId::parse(&id).unwrap()
}

/// The pin must not keep the WAL from starting over, which a reader one commit behind would do
/// for good: within a second of a change the pin has copied it back into the database, so the
/// next change starts the WAL over (its header's checkpoint sequence and salts change) instead
/// of growing it.
#[tokio::test]
async fn a_change_a_second_after_the_last_starts_the_wal_over() {
    let app = crate::harness::TestApp::sqlite().await;
    let wal = app.db.sqlite_file.clone().unwrap().with_extension("db-wal");
    // Bytes 12..24 of a WAL's header: its checkpoint sequence number and two salts.
    let header = || std::fs::read(&wal).unwrap()[12..24].to_vec();
    let rename = |name: &'static str| {
        sqlx::query("UPDATE tenants SET name = $1 WHERE id = (SELECT MIN(id) FROM tenants)")
            .bind(name)
            .execute(&app.db.pool)
    };
    // Calls under way, so the readers and their pin are in use.
    let call = Snapshot::begin(&app.db).unwrap();
    drop(call);

    rename("First").await.unwrap();
    let before = header();
    let shm = wal.with_extension("db-shm");
    crate::harness::eventually(
        std::time::Duration::from_secs(10),
        "the read pin to copy the WAL back into the database",
        || wal_copied_back(&shm),
    )
    .await;
    rename("Second").await.unwrap();
    assert_ne!(
        header(),
        before,
        "the WAL started over for the second change"
    );
}

/// Whether every frame of the WAL has been copied back into the database, read from the
/// wal-index in the `-shm` file (sqlite.org/walformat.html): the checkpoint's `nBackfill`
/// (offset 96) has reached the header's `mxFrame` (offset 16), both native-endian.
fn wal_copied_back(shm: &std::path::Path) -> bool {
    let index = std::fs::read(shm).unwrap();
    let word = |at: usize| u32::from_ne_bytes(index[at..at + 4].try_into().unwrap());
    word(96) == word(16)
}
