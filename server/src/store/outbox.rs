//! The outbox's delivery side: messages waiting for the relay, each claimed by one replica,
//! then emptied once delivered or released for another attempt.

use crate::store::{to_millis, StoreError};
use chrono::{DateTime, Utc};
use sqlx::{AnyPool, Row};

/// A message waiting to be sent.
pub struct Pending {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Up to 50 unsent messages that have failed fewer than `max_attempts` times, oldest first.
pub async fn pending(pool: &AnyPool, max_attempts: i64) -> Result<Vec<Pending>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, to_email, subject, body FROM outbox WHERE sent_at IS NULL AND attempts < $1 \
         ORDER BY created_at LIMIT 50",
    )
    .bind(max_attempts)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(Pending {
            id: r.try_get("id")?,
            to: r.try_get("to_email")?,
            subject: r.try_get("subject")?,
            body: r.try_get("body")?,
        });
    }
    Ok(out)
}

/// Marks message `id` as being sent; false when another replica claimed it first.
pub async fn claim(pool: &AnyPool, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let claimed = sqlx::query("UPDATE outbox SET sent_at = $1 WHERE id = $2 AND sent_at IS NULL")
        .bind(to_millis(now))
        .bind(id)
        .execute(pool)
        .await?;
    Ok(claimed.rows_affected() == 1)
}

/// Forgets a delivered message's body: its link lives in the recipient's mailbox only.
pub async fn delivered(pool: &AnyPool, id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox SET body = '' WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    Ok(())
}

/// Releases a claimed message for another attempt, keeping why this one failed.
pub async fn failed(pool: &AnyPool, id: &str, error: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE outbox SET sent_at = NULL, attempts = attempts + 1, last_error = $1 WHERE id = $2",
    )
    .bind(error)
    .bind(id)
    .execute(pool)
    .await?;
    Ok(())
}
