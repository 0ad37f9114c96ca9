//! SSO: each tenant's provider, its email domains, its group mappings, sign-ins under
//! way, and the SSO-sourced assignments a sign-in replaces. Every query names its tenant, except
//! finding the tenant of an email domain and taking a sign-in's state, which is how a tenant is
//! found in the first place.

use crate::store::StoreError;
use crate::store::{stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::ids::{PolicyId, ResourceGroupId, TenantId, UserId};
use portcullis_core::people::AssignmentPair;
use portcullis_core::sso::GroupMapping;
use portcullis_core::wire::MappingRow;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::BTreeSet;

/// A tenant's provider as stored.
pub struct StoredProvider {
    pub issuer: String,
    pub client_id: String,
    pub sealed_secret: String,
    pub groups_claim: String,
    pub domains: Vec<String>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The tenant's provider, if one is configured.
pub async fn provider(
    pool: &AnyPool,
    tenant: &TenantId,
) -> Result<Option<StoredProvider>, StoreError> {
    let Some(r) = sqlx::query(
        "SELECT issuer, client_id, sealed_secret, groups_claim, updated_at, version FROM sso_providers \
         WHERE tenant_id = $1",
    )
    .bind(tenant.as_str())
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let domains =
        sqlx::query("SELECT domain FROM sso_domains WHERE tenant_id = $1 ORDER BY domain")
            .bind(tenant.as_str())
            .fetch_all(pool)
            .await?
            .iter()
            .map(|d| d.try_get("domain"))
            .collect::<Result<_, _>>()?;
    Ok(Some(StoredProvider {
        issuer: r.try_get("issuer")?,
        client_id: r.try_get("client_id")?,
        sealed_secret: r.try_get("sealed_secret")?,
        groups_claim: r.try_get("groups_claim")?,
        domains,
        updated_at: crate::store::from_millis(r.try_get("updated_at")?),
        version: r.try_get("version")?,
    }))
}

/// Stores the tenant's provider (replacing it) and the domains it signs in.
pub async fn save_provider(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    p: &StoredProvider,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sso_providers (tenant_id, issuer, client_id, sealed_secret, groups_claim, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tenant_id) DO UPDATE SET issuer = $2, \
         client_id = $3, sealed_secret = $4, groups_claim = $5, updated_at = $6",
    )
    .bind(tenant.as_str())
    .bind(&p.issuer)
    .bind(&p.client_id)
    .bind(&p.sealed_secret)
    .bind(&p.groups_claim)
    .bind(to_millis(p.updated_at))
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM sso_domains WHERE tenant_id = $1")
        .bind(tenant.as_str())
        .execute(&mut *conn)
        .await?;
    for d in &p.domains {
        sqlx::query("INSERT INTO sso_domains (domain, tenant_id) VALUES ($1, $2)")
            .bind(d)
            .bind(tenant.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Of `domains`, those another tenant's provider signs in already.
pub async fn domains_taken(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    domains: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut taken = Vec::new();
    for d in domains {
        let other = sqlx::query("SELECT 1 FROM sso_domains WHERE domain = $1 AND tenant_id <> $2")
            .bind(d)
            .bind(tenant.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        if other.is_some() {
            taken.push(d.clone());
        }
    }
    Ok(taken)
}

/// The tenant whose provider signs in people of `domain`.
pub async fn tenant_of_domain(
    pool: &AnyPool,
    domain: &str,
) -> Result<Option<TenantId>, StoreError> {
    sqlx::query("SELECT tenant_id FROM sso_domains WHERE domain = $1")
        .bind(domain)
        .fetch_optional(pool)
        .await?
        .map(|r| stored_id(r.try_get("tenant_id")?, TenantId::parse))
        .transpose()
}

/// The tenant's mappings with the names of their policy and group, by group.
pub async fn mappings(pool: &AnyPool, tenant: &TenantId) -> Result<Vec<MappingRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT m.idp_group, m.policy_id, p.name AS policy, m.resource_group_id, g.name AS grp \
         FROM sso_mappings m JOIN policies p ON p.id = m.policy_id \
         JOIN resource_groups g ON g.id = m.resource_group_id \
         WHERE m.tenant_id = $1 ORDER BY m.idp_group, p.name, g.name",
    )
    .bind(tenant.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MappingRow {
                mapping: GroupMapping {
                    idp_group: r.try_get("idp_group")?,
                    pair: (
                        stored_id(r.try_get("policy_id")?, PolicyId::parse)?,
                        stored_id(r.try_get("resource_group_id")?, ResourceGroupId::parse)?,
                    ),
                },
                policy: r.try_get("policy")?,
                group: r.try_get("grp")?,
            })
        })
        .collect()
}

/// Adds a mapping; false when it exists already.
pub async fn add_mapping(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    m: &GroupMapping,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO sso_mappings (tenant_id, idp_group, policy_id, resource_group_id, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(tenant.as_str())
    .bind(&m.idp_group)
    .bind(m.pair.0.as_str())
    .bind(m.pair.1.as_str())
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes a mapping; false when there was none.
pub async fn remove_mapping(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    m: &GroupMapping,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "DELETE FROM sso_mappings WHERE tenant_id = $1 AND idp_group = $2 AND policy_id = $3 \
         AND resource_group_id = $4",
    )
    .bind(tenant.as_str())
    .bind(&m.idp_group)
    .bind(m.pair.0.as_str())
    .bind(m.pair.1.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A person's assignments in the tenant, split by source: (through SSO, by hand).
pub async fn assignments_by_source(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    user: &UserId,
) -> Result<(BTreeSet<AssignmentPair>, BTreeSet<AssignmentPair>), StoreError> {
    let rows = sqlx::query(
        "SELECT policy_id, resource_group_id, source FROM assignments \
         WHERE tenant_id = $1 AND user_id = $2",
    )
    .bind(tenant.as_str())
    .bind(user.as_str())
    .fetch_all(conn)
    .await?;
    let (mut sso, mut manual) = (BTreeSet::new(), BTreeSet::new());
    for r in &rows {
        let pair = (
            stored_id(r.try_get("policy_id")?, PolicyId::parse)?,
            stored_id(r.try_get("resource_group_id")?, ResourceGroupId::parse)?,
        );
        if r.try_get::<String, _>("source")? == "sso" {
            sso.insert(pair);
        } else {
            manual.insert(pair);
        }
    }
    Ok((sso, manual))
}

/// Removes one SSO-sourced assignment (never a hand-given one).
pub async fn remove_sso_assignment(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    user: &UserId,
    pair: &AssignmentPair,
) -> Result<(), StoreError> {
    Ok(sqlx::query(
        "DELETE FROM assignments WHERE tenant_id = $1 AND user_id = $2 AND policy_id = $3 \
         AND resource_group_id = $4 AND source = 'sso'",
    )
    .bind(tenant.as_str())
    .bind(user.as_str())
    .bind(pair.0.as_str())
    .bind(pair.1.as_str())
    .execute(conn)
    .await
    .map(|_| ())?)
}

/// Remembers a sign-in under way until `expires_at`, bound to the browser that started it
/// through the hash of a cookie only that browser holds.
pub async fn insert_state(
    conn: &mut AnyConnection,
    state_hash: &str,
    browser_hash: &str,
    tenant: &TenantId,
    sealed: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    Ok(sqlx::query(
        "INSERT INTO sso_states (state, browser_hash, tenant_id, sealed, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(state_hash)
    .bind(browser_hash)
    .bind(tenant.as_str())
    .bind(sealed)
    .bind(to_millis(expires_at))
    .execute(conn)
    .await
    .map(|_| ())?)
}

/// A sign-in's state, taken.
pub struct TakenState {
    pub tenant: TenantId,
    pub sealed: String,
    /// The hash of the cookie the starting browser was given.
    pub browser_hash: String,
}

/// Takes a sign-in's state once, if still valid; sweeps expired ones.
pub async fn take_state(
    conn: &mut AnyConnection,
    state_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<TakenState>, StoreError> {
    sweep_states(&mut *conn, now).await?;
    sqlx::query("DELETE FROM sso_states WHERE state = $1 RETURNING tenant_id, sealed, browser_hash")
        .bind(state_hash)
        .fetch_optional(conn)
        .await?
        .map(|r| {
            Ok(TakenState {
                tenant: stored_id(r.try_get("tenant_id")?, TenantId::parse)?,
                sealed: r.try_get("sealed")?,
                browser_hash: r.try_get("browser_hash")?,
            })
        })
        .transpose()
}

/// Forgets sign-ins that were started and never finished.
pub async fn sweep_states(conn: &mut AnyConnection, now: DateTime<Utc>) -> Result<u64, StoreError> {
    Ok(sqlx::query("DELETE FROM sso_states WHERE expires_at < $1")
        .bind(to_millis(now))
        .execute(conn)
        .await?
        .rows_affected())
}

/// The person linked to the identity `(issuer, subject)` within `tenant`.
pub async fn identity_user(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    issuer: &str,
    subject: &str,
) -> Result<Option<UserId>, StoreError> {
    sqlx::query(
        "SELECT user_id FROM sso_identities WHERE tenant_id = $1 AND issuer = $2 AND subject = $3",
    )
    .bind(tenant.as_str())
    .bind(issuer)
    .bind(subject)
    .fetch_optional(conn)
    .await?
    .map(|r| stored_id(r.try_get("user_id")?, UserId::parse))
    .transpose()
}

/// Links the identity `(issuer, subject)` within `tenant` to `user`.
pub async fn link_identity(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    issuer: &str,
    subject: &str,
    user: &UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Ok(sqlx::query(
        "INSERT INTO sso_identities (tenant_id, issuer, subject, user_id, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(tenant.as_str())
    .bind(issuer)
    .bind(subject)
    .bind(user.as_str())
    .bind(to_millis(now))
    .execute(conn)
    .await
    .map(|_| ())?)
}

/// Whether `tenant`'s provider signs in `domain` and an operator approved that domain for the
/// tenant.
pub async fn domain_vouched(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    domain: &str,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "SELECT 1 FROM sso_domains d JOIN domain_requests r \
         ON r.domain = d.domain AND r.tenant_id = d.tenant_id AND r.status = 'approved' \
         WHERE d.tenant_id = $1 AND d.domain = $2 LIMIT 1",
    )
    .bind(tenant.as_str())
    .bind(domain)
    .fetch_optional(conn)
    .await?
    .is_some())
}

/// Of `domains`, those no operator has approved for `tenant`.
pub async fn domains_unapproved(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    domains: &[String],
) -> Result<Vec<String>, StoreError> {
    let mut unapproved = Vec::new();
    for d in domains {
        let approved = sqlx::query(
            "SELECT 1 FROM domain_requests WHERE tenant_id = $1 AND domain = $2 AND status = 'approved' LIMIT 1",
        )
        .bind(tenant.as_str())
        .bind(d)
        .fetch_optional(&mut *conn)
        .await?;
        if approved.is_none() {
            unapproved.push(d.clone());
        }
    }
    Ok(unapproved)
}
