//! A call's reads (`store::reads::Snapshot`): on SQLite they all see one committed state, and
//! the next call sees every change committed before it began, on both backends.

use crate::on_both_backends;
use portcullis_core::ids::TenantId;
use portcullis_server::db::Backend;
use portcullis_server::store::reads::Snapshot;
use portcullis_server::store::tenants;

on_both_backends! {
    /// A rename committed while a call is under way is not seen by that call on SQLite, and is
    /// seen by the next call, which may reuse the same read-only connection.
    async fn a_call_reads_one_state_and_the_next_call_sees_every_change(app) {
        let id: String = sqlx::query_scalar("SELECT id FROM tenants WHERE name = 'Acme Retail'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let tenant = TenantId::parse(&id).unwrap();

        let call = Snapshot::begin(&app.db).unwrap();
        let before = tenants::summary(&call, &tenant).await.unwrap().unwrap();
        assert_eq!(before.name, "Acme Retail");
        sqlx::query("UPDATE tenants SET name = 'Acme Renamed' WHERE id = $1")
            .bind(&id)
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
