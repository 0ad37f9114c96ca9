//! `GET /api/v1/health`: whether a replica may be sent traffic.

use crate::harness::{get, Reply};
use crate::on_both_backends;
use axum::http::StatusCode;

on_both_backends! {
    /// Health says the database answers and holds every migration this binary embeds.
    async fn health_reports_a_current_schema(app) {
        let reply = Reply::read(app.send(get("/api/v1/health")).await).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body, serde_json::json!({"status": "ok", "database": "ok", "migrations": "current"}));
        assert_eq!(app.db.pending_migrations().await.unwrap(), 0);
    }

    /// A database missing the newest migration is not healthy: a replica newer than its
    /// schema must not be sent traffic.
    async fn health_refuses_a_schema_behind_the_binary(app) {
        sqlx::query("DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
            .execute(&app.db.pool)
            .await
            .unwrap();
        let reply = Reply::read(app.send(get("/api/v1/health")).await).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{}", reply.body);
        assert_eq!(reply.body["error"]["code"], "migrations_behind");
        assert!(reply.body["error"]["message"].as_str().unwrap().contains("lacks 1 "), "{}", reply.body);
    }

    /// A database that does not answer is a 503 saying so.
    async fn health_refuses_an_unreachable_database(app) {
        app.db.pool.close().await;
        let reply = Reply::read(app.send(get("/api/v1/health")).await).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{}", reply.body);
        assert_eq!(reply.body["error"]["code"], "unavailable");
        assert_eq!(reply.body["error"]["message"], "the database does not answer");
    }
}
