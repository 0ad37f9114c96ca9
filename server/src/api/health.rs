//! `GET /health`: whether this replica can serve, for load balancers.

use crate::http::problem::ApiError;
use crate::store::{Db, StoreError};
use axum::extract::State;
use axum::Json;
use portcullis_core::Problem;
use serde_json::json;

/// Whether this replica can reach its database, and whether the database has every migration
/// this binary embeds: a load balancer sends nothing to a replica answering 503.
pub(crate) async fn health(State(db): State<Db>) -> Result<Json<serde_json::Value>, ApiError> {
    // The code stays the one every storage outage answers; the message says which part failed.
    let unreachable = |e: StoreError| {
        tracing::error!(error = %e, "health: the database does not answer");
        ApiError(Problem::new(
            portcullis_core::ProblemKind::Unavailable,
            "unavailable",
            "the database does not answer",
        ))
    };
    crate::store::ping(&db.pool).await.map_err(unreachable)?;
    let pending = db.pending_migrations().await.map_err(unreachable)?;
    if pending > 0 {
        return Err(ApiError(Problem::new(
            portcullis_core::ProblemKind::Unavailable,
            "migrations_behind",
            format!(
                "the database lacks {pending} of this server's migrations; run `portcullis migrate`"
            ),
        )));
    }
    Ok(Json(
        json!({"status": "ok", "database": "ok", "migrations": "current"}),
    ))
}
