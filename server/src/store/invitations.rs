//! Invitations of people who have an account already: a tenant offers one assignment, and the
//! person joins only by accepting. Every query names its tenant or the invited person.

use crate::store::StoreError;
use crate::store::{from_millis, stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::ids::{PolicyId, ResourceGroupId, TenantId, UserId};
use portcullis_core::wire::Invitation;
use sqlx::{AnyConnection, Row};

/// An invitation about to be stored.
pub struct NewInvitation<'a> {
    pub tenant: &'a TenantId,
    pub user: &'a UserId,
    pub policy: &'a PolicyId,
    pub group: &'a ResourceGroupId,
    pub by: &'a UserId,
    pub now: DateTime<Utc>,
}

/// Stores an invitation; false when the person is invited to this tenant already.
pub async fn insert(conn: &mut AnyConnection, i: NewInvitation<'_>) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO invitations (tenant_id, user_id, policy_id, resource_group_id, invited_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id, user_id) DO NOTHING",
    )
    .bind(i.tenant.as_str())
    .bind(i.user.as_str())
    .bind(i.policy.as_str())
    .bind(i.group.as_str())
    .bind(i.by.as_str())
    .bind(to_millis(i.now))
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The person's open invitations, newest first.
pub async fn of_user(
    conn: &mut AnyConnection,
    user: &UserId,
) -> Result<Vec<Invitation>, StoreError> {
    sqlx::query(
        "SELECT i.tenant_id, t.name AS tenant_name, u.email AS invited_by, p.name AS policy, \
         g.name AS grp, i.created_at FROM invitations i JOIN tenants t ON t.id = i.tenant_id \
         JOIN users u ON u.id = i.invited_by JOIN policies p ON p.id = i.policy_id \
         JOIN resource_groups g ON g.id = i.resource_group_id \
         WHERE i.user_id = $1 ORDER BY i.created_at DESC, i.tenant_id",
    )
    .bind(user.as_str())
    .fetch_all(conn)
    .await?
    .iter()
    .map(|r| {
        Ok(Invitation {
            tenant_id: stored_id(r.try_get("tenant_id")?, TenantId::parse)?,
            tenant_name: r.try_get("tenant_name")?,
            invited_by: r.try_get("invited_by")?,
            access: format!(
                "{} on {}",
                r.try_get::<String, _>("policy")?,
                r.try_get::<String, _>("grp")?
            ),
            created_at: from_millis(r.try_get("created_at")?),
        })
    })
    .collect()
}

/// An invitation taken once: what it offered and who made it.
pub struct Taken {
    pub policy: PolicyId,
    pub group: ResourceGroupId,
    pub by: UserId,
}

/// Takes the person's invitation to `tenant` (DELETE … RETURNING, so it is answered once).
pub async fn take(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    user: &UserId,
) -> Result<Option<Taken>, StoreError> {
    sqlx::query(
        "DELETE FROM invitations WHERE tenant_id = $1 AND user_id = $2 \
         RETURNING policy_id, resource_group_id, invited_by",
    )
    .bind(tenant.as_str())
    .bind(user.as_str())
    .fetch_optional(conn)
    .await?
    .map(|r| {
        Ok(Taken {
            policy: stored_id(r.try_get("policy_id")?, PolicyId::parse)?,
            group: stored_id(r.try_get("resource_group_id")?, ResourceGroupId::parse)?,
            by: stored_id(r.try_get("invited_by")?, UserId::parse)?,
        })
    })
    .transpose()
}

/// Whether `tenant` has invited `user` and the invitation is still open.
pub async fn is_invited(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    user: &UserId,
) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("SELECT 1 FROM invitations WHERE tenant_id = $1 AND user_id = $2")
            .bind(tenant.as_str())
            .bind(user.as_str())
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}
