//! One-time setup links for the first operator.

use crate::db::to_millis;
use chrono::{DateTime, Utc};
use sqlx::{Any, Executor};

/// Stores a setup token's hash, valid until `expires_at`.
pub async fn insert<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(to_millis(now))
    .bind(to_millis(expires_at))
    .execute(ex)
    .await?;
    Ok(())
}

/// Uses up a setup token; `false` when it is unknown, used or expired. Claiming with one
/// conditional UPDATE makes two concurrent uses impossible: only one sees a changed row.
pub async fn claim<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE setup_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(to_millis(now))
    .bind(token_hash)
    .bind(to_millis(now))
    .execute(ex)
    .await?;
    Ok(done.rows_affected() == 1)
}
