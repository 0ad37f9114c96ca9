//! One-time setup links for the first operator.

use crate::store::to_millis;
use crate::store::StoreError;
use chrono::{DateTime, Utc};
use sqlx::{Any, Executor};

/// Stores a setup token's hash, valid until `expires_at`.
pub async fn insert<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    token_hash: &str,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
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

/// Uses up a setup token; `false` when it is unknown, used or expired, or when an operator
/// exists already. One conditional UPDATE spends every live token at once, so of two links
/// used concurrently only one sees changed rows, and no link printed earlier works afterwards.
pub async fn claim<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE setup_tokens SET used_at = $1 WHERE used_at IS NULL \
         AND EXISTS (SELECT 1 FROM setup_tokens t WHERE t.token_hash = $2 AND t.used_at IS NULL AND t.expires_at > $1) \
         AND NOT EXISTS (SELECT 1 FROM users WHERE operator = 1)",
    )
    .bind(to_millis(now))
    .bind(token_hash)
    .execute(ex)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Whether a setup link could still be used: live, unused, and no operator exists yet.
pub async fn is_live<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "SELECT 1 FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
         AND NOT EXISTS (SELECT 1 FROM users WHERE operator = 1)",
    )
    .bind(token_hash)
    .bind(to_millis(now))
    .fetch_optional(ex)
    .await?
    .is_some())
}
