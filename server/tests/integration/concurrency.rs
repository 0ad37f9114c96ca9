//! Many administrators writing at once: every write is either acknowledged and stored, or
//! refused with a 4xx; none fails with a 5xx because another writer held the database.

use crate::harness::{call_on, Reply, TestApp, ADMIN};
use crate::on_both_backends;
use axum::http::StatusCode;
use portcullis_app::api::{AddUser, CreateGroup};
use tokio::task::JoinSet;

const WRITERS: usize = 40;

/// Starts `WRITERS` writes at once: new users and new resource groups, interleaved.
async fn write_all_at_once(app: &TestApp, cookie: &str) -> Vec<(usize, Reply)> {
    let policy = app.directory_id(cookie, "policies", "Viewer").await;
    let group = app
        .directory_id(cookie, "groups", "All resource groups")
        .await;
    let mut writes = JoinSet::new();
    for i in 0..WRITERS {
        let (router, cookie, policy, group) = (
            app.router.clone(),
            cookie.to_owned(),
            policy.clone(),
            group.clone(),
        );
        writes.spawn(async move {
            let reply = if i % 2 == 0 {
                let (name, email) = (format!("Writer {i}"), format!("writer{i}@acme.example"));
                let fields = [
                    ("name", name.as_str()),
                    ("email", email.as_str()),
                    ("policy_id", policy.as_str()),
                    ("group_id", group.as_str()),
                    ("send_welcome", "false"),
                ];
                call_on::<AddUser>(&router, Some(&cookie), &fields).await
            } else {
                let name = format!("Concurrent group {i}");
                call_on::<CreateGroup>(
                    &router,
                    Some(&cookie),
                    &[("name", &name), ("description", "")],
                )
                .await
            };
            (i, reply)
        });
    }
    writes.join_all().await
}

on_both_backends! {
    /// Forty writes started together all succeed, and each acknowledged one is stored.
    async fn concurrent_writers_queue_instead_of_failing(app) {
        let admin = app.sign_in(ADMIN).await;
        let replies = write_all_at_once(&app, &admin).await;
        let failed: Vec<String> = replies
            .iter()
            .filter(|(_, r)| r.status != StatusCode::OK)
            .map(|(i, r)| format!("write {i}: {} {}", r.status, r.body))
            .collect();
        assert!(failed.is_empty(), "{} of {WRITERS} writes failed: {failed:#?}", failed.len());
        for (i, _) in &replies {
            let stored = if i % 2 == 0 {
                app.count("users", &format!("email = 'writer{i}@acme.example'")).await
            } else {
                app.count("resource_groups", &format!("name = 'Concurrent group {i}'")).await
            };
            assert_eq!(stored, 1, "write {i} was acknowledged but is not stored");
        }
    }
}
