//! The demo's marker, and whether a database is empty enough to take the demo.

use crate::store::to_millis;
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use sqlx::{AnyConnection, AnyPool, Row};

/// Whether the demo loader made this database.
pub async fn marked(pool: &AnyPool) -> Result<bool, StoreError> {
    Ok(sqlx::query("SELECT 1 FROM demo_marker LIMIT 1")
        .fetch_optional(pool)
        .await?
        .is_some())
}

/// Whether the database holds no people and no tenants.
pub async fn is_empty(pool: &AnyPool) -> Result<bool, StoreError> {
    let row =
        sqlx::query("SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM tenants) AS n")
            .fetch_one(pool)
            .await?;
    Ok(row.try_get::<i64, _>("n")? == 0)
}

/// Marks the database as the demo's.
pub async fn mark(conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<(), StoreError> {
    Ok(
        sqlx::query("INSERT INTO demo_marker (loaded_at) VALUES ($1)")
            .bind(to_millis(now))
            .execute(conn)
            .await
            .map(|_| ())?,
    )
}
