//! Sessions, stored so that any replica can serve any request, and failed sign-in attempts.

use crate::store::StoreError;
use crate::store::{from_millis, stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::ids::{TenantId, UserId};
use sqlx::{Any, AnyConnection, Executor, Row};

/// A live or expired session, as stored.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user_id: UserId,
    pub tenant_id: Option<TenantId>,
    /// Set when a tenant's identity provider opened the session: it enters that tenant only.
    pub sso_tenant_id: Option<TenantId>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}

/// A session to create; only the token's hash is stored.
#[derive(Debug, Clone)]
pub struct NewSessionRow<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a UserId,
    pub tenant_id: Option<&'a TenantId>,
    /// The tenant whose identity provider vouched for the person, for an SSO session.
    pub sso_tenant_id: Option<&'a TenantId>,
    pub now: DateTime<Utc>,
    pub origin_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// Stores a new session.
pub async fn insert<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    s: NewSessionRow<'_>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, tenant_id, sso_tenant_id, created_at, last_used_at, origin_ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(s.token_hash)
    .bind(s.user_id.as_str())
    .bind(s.tenant_id.map(|t| t.as_str().to_owned()))
    .bind(s.sso_tenant_id.map(|t| t.as_str().to_owned()))
    .bind(to_millis(s.now))
    .bind(to_millis(s.now))
    .bind(s.origin_ip.map(str::to_owned))
    .bind(s.user_agent.map(str::to_owned))
    .execute(ex)
    .await?;
    Ok(())
}

/// The session with this token hash.
pub async fn find<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    token_hash: &str,
) -> Result<Option<SessionRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT user_id, tenant_id, sso_tenant_id, created_at, last_used_at FROM sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(ex)
    .await?;
    row.map(|r| {
        Ok(SessionRecord {
            user_id: stored_id(r.try_get("user_id")?, UserId::parse)?,
            tenant_id: r
                .try_get::<Option<String>, _>("tenant_id")?
                .map(|t| stored_id(t, TenantId::parse))
                .transpose()?,
            sso_tenant_id: r
                .try_get::<Option<String>, _>("sso_tenant_id")?
                .map(|t| stored_id(t, TenantId::parse))
                .transpose()?,
            created_at: from_millis(r.try_get("created_at")?),
            last_used_at: from_millis(r.try_get("last_used_at")?),
        })
    })
    .transpose()
}

/// Ends a session.
pub async fn delete<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    token_hash: &str,
) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(ex)
        .await?
        .rows_affected())
}

/// Notes that the session was used (keeps an idle session alive).
pub async fn touch<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET last_used_at = $1 WHERE token_hash = $2")
        .bind(to_millis(now))
        .bind(token_hash)
        .execute(ex)
        .await?;
    Ok(())
}

/// Moves the session into another tenant.
pub async fn set_tenant<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    token_hash: &str,
    tenant: &TenantId,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE sessions SET tenant_id = $1 WHERE token_hash = $2")
        .bind(tenant.as_str())
        .bind(token_hash)
        .execute(ex)
        .await?;
    Ok(())
}

/// Counts one sign-in attempt against `key` in its fixed window (a new window when the last
/// began at or before `window_floor`). One statement, so parallel attempts each get their own
/// count. Answers the attempts in the window, this one included, and when the window began.
pub async fn count_attempt<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    key: &str,
    now: DateTime<Utc>,
    window_floor: DateTime<Utc>,
) -> Result<(u32, DateTime<Utc>), StoreError> {
    let row = sqlx::query(
        "INSERT INTO rate_counters (key, attempts, window_start) VALUES ($1, 1, $2) \
         ON CONFLICT (key) DO UPDATE SET \
         attempts = CASE WHEN rate_counters.window_start <= $3 THEN 1 ELSE rate_counters.attempts + 1 END, \
         window_start = CASE WHEN rate_counters.window_start <= $3 THEN $2 ELSE rate_counters.window_start END \
         RETURNING attempts, window_start",
    )
    .bind(key)
    .bind(to_millis(now))
    .bind(to_millis(window_floor))
    .fetch_one(ex)
    .await?;
    let attempts: i64 = row.try_get("attempts")?;
    Ok((
        u32::try_from(attempts).unwrap_or(u32::MAX),
        from_millis(row.try_get("window_start")?),
    ))
}

/// Forgets the counters under `keys` (an account's, after it signed in).
pub async fn forget_attempts(conn: &mut AnyConnection, keys: &[String]) -> Result<(), StoreError> {
    for key in keys {
        sqlx::query("DELETE FROM rate_counters WHERE key = $1")
            .bind(key)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Takes back one counted attempt under `key`: a sign-in that succeeded is no guess.
pub async fn refund_attempt(conn: &mut AnyConnection, key: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE rate_counters SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0")
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops counters whose window began at or before `window_floor`: they count nothing any more.
pub async fn sweep_attempts<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    window_floor: DateTime<Utc>,
) -> Result<u64, StoreError> {
    Ok(
        sqlx::query("DELETE FROM rate_counters WHERE window_start <= $1")
            .bind(to_millis(window_floor))
            .execute(ex)
            .await?
            .rows_affected(),
    )
}
