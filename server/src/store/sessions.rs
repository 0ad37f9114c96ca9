//! Sessions, stored so that any replica can serve any request, and failed sign-in attempts.

use crate::db::{from_millis, stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::email::Email;
use portcullis_core::ids::{TenantId, UserId};
use sqlx::{Any, Executor, Row};

/// A live or expired session, as stored.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user_id: UserId,
    pub tenant_id: Option<TenantId>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: DateTime<Utc>,
}

/// A session to create; only the token's hash is stored.
#[derive(Debug, Clone)]
pub struct NewSessionRow<'a> {
    pub token_hash: &'a str,
    pub user_id: &'a UserId,
    pub tenant_id: Option<&'a TenantId>,
    pub now: DateTime<Utc>,
    pub origin_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

/// Stores a new session.
pub async fn insert<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    s: NewSessionRow<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, tenant_id, created_at, last_used_at, origin_ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(s.token_hash)
    .bind(s.user_id.as_str())
    .bind(s.tenant_id.map(|t| t.as_str().to_owned()))
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
) -> Result<Option<SessionRecord>, sqlx::Error> {
    let row = sqlx::query(
        "SELECT user_id, tenant_id, created_at, last_used_at FROM sessions WHERE token_hash = $1",
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
) -> Result<u64, sqlx::Error> {
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
) -> Result<(), sqlx::Error> {
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
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET tenant_id = $1 WHERE token_hash = $2")
        .bind(tenant.as_str())
        .bind(token_hash)
        .execute(ex)
        .await?;
    Ok(())
}

/// Failed sign-ins for an address since `since`.
pub async fn failures_since<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    email: &Email,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, sqlx::Error> {
    let rows = sqlx::query("SELECT at FROM sign_in_failures WHERE email = $1 AND at > $2")
        .bind(email.as_str())
        .bind(to_millis(since))
        .fetch_all(ex)
        .await?;
    rows.iter()
        .map(|r| Ok(from_millis(r.try_get("at")?)))
        .collect()
}

/// Notes a failed sign-in for an address.
pub async fn record_failure<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    email: &Email,
    at: DateTime<Utc>,
    origin_ip: Option<&str>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sign_in_failures (email, at, origin_ip) VALUES ($1, $2, $3)")
        .bind(email.as_str())
        .bind(to_millis(at))
        .bind(origin_ip.map(str::to_owned))
        .execute(ex)
        .await?;
    Ok(())
}

/// Forgets an address's failures after it signs in successfully.
pub async fn clear_failures<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    email: &Email,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sign_in_failures WHERE email = $1")
        .bind(email.as_str())
        .execute(ex)
        .await?;
    Ok(())
}
