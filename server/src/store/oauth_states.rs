//! OAuth consents under way: one row per started consent, taken exactly once.

use crate::store::StoreError;
use crate::store::{stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::ids::{AuthorizationId, TenantId, UserId};
use sqlx::{AnyConnection, Row};

/// A consent someone started.
pub struct Started {
    pub tenant: TenantId,
    pub authorization: AuthorizationId,
    pub user: UserId,
    pub sealed_verifier: String,
}

/// Remembers a started consent until `expires_at`.
pub async fn insert(
    conn: &mut AnyConnection,
    state_hash: &str,
    started: &Started,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    Ok(sqlx::query(
        "INSERT INTO oauth_states (state, tenant_id, authorization_id, user_id, sealed_verifier, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(state_hash)
    .bind(started.tenant.as_str())
    .bind(started.authorization.as_str())
    .bind(started.user.as_str())
    .bind(&started.sealed_verifier)
    .bind(to_millis(expires_at))
    .execute(conn)
    .await
    .map(|_| ())?)
}

/// Takes a consent's state if it is still valid: deleted in the same statement, so a state
/// (and its code) cannot be replayed. Expired states are swept on the way.
pub async fn take(
    conn: &mut AnyConnection,
    state_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<Started>, StoreError> {
    sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
        .bind(to_millis(now))
        .execute(&mut *conn)
        .await?;
    let row = sqlx::query(
        "DELETE FROM oauth_states WHERE state = $1 \
         RETURNING tenant_id, authorization_id, user_id, sealed_verifier",
    )
    .bind(state_hash)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(Started {
            tenant: stored_id(r.try_get("tenant_id")?, TenantId::parse)?,
            authorization: stored_id(r.try_get("authorization_id")?, AuthorizationId::parse)?,
            user: stored_id(r.try_get("user_id")?, UserId::parse)?,
            sealed_verifier: r.try_get("sealed_verifier")?,
        })
    })
    .transpose()
}
