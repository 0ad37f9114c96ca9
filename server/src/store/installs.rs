//! Installs of apps on tenants and agencies and what each grants. Every query names
//! its tenant or agency, except loading a bot's installs, which by definition spans the places
//! its app is in.

use crate::store::columns::{Columns, FromColumns};
use crate::store::reads::Snapshot;
use crate::store::StoreError;
use crate::store::{from_millis, stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::apps::{BotAccess, Install, Permission, Target};
use portcullis_core::ids::{AgencyId, AppId, InstallId, TenantId, UserId};
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::{BTreeMap, BTreeSet};

/// An install as stored, with its app.
pub struct InstallRecord {
    pub id: InstallId,
    pub app: AppId,
    pub app_name: String,
    pub installed_by: String,
    pub created_at: DateTime<Utc>,
    pub granted: BTreeSet<Permission>,
    /// Why the install stopped working, until the tenant re-approves it.
    pub suspended: Option<String>,
}

async fn grants(pool: &AnyPool, install: &InstallId) -> Result<BTreeSet<Permission>, StoreError> {
    Ok(
        sqlx::query("SELECT permission FROM install_grants WHERE install_id = $1")
            .bind(install.as_str())
            .fetch_all(pool)
            .await?
            .iter()
            .filter_map(|r| {
                Permission::parse("permission", &r.try_get::<String, _>("permission").ok()?).ok()
            })
            .collect(),
    )
}

/// The column and id that hold an install's target.
fn target_column(target: &Target) -> (&'static str, &str) {
    match target {
        Target::Tenant(t) => ("tenant_id", t.as_str()),
        Target::Agency(a) => ("agency_id", a.as_str()),
    }
}

/// The installs on a tenant or an agency, oldest first.
pub async fn of_target(pool: &AnyPool, target: &Target) -> Result<Vec<InstallRecord>, StoreError> {
    let (column, id) = target_column(target);
    let rows = sqlx::query(&format!(
        "SELECT i.id, i.app_id, a.name AS app_name, COALESCE(u.email, i.installed_by) AS installed_by, \
         i.created_at, i.suspended_reason \
         FROM installs i JOIN apps a ON a.id = i.app_id LEFT JOIN users u ON u.id = i.installed_by \
         WHERE i.{column} = $1 ORDER BY i.created_at, i.id"
    ))
    .bind(id.to_owned())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = stored_id(r.try_get("id")?, InstallId::parse)?;
        out.push(InstallRecord {
            granted: grants(pool, &id).await?,
            id,
            app: stored_id(r.try_get("app_id")?, AppId::parse)?,
            app_name: r.try_get("app_name")?,
            installed_by: r.try_get("installed_by")?,
            created_at: from_millis(r.try_get("created_at")?),
            suspended: r.try_get("suspended_reason")?,
        });
    }
    Ok(out)
}

/// One install on a tenant or an agency.
pub async fn find(
    pool: &AnyPool,
    target: &Target,
    install: &InstallId,
) -> Result<Option<InstallRecord>, StoreError> {
    Ok(of_target(pool, target)
        .await?
        .into_iter()
        .find(|i| &i.id == install))
}

/// Whether `app` is installed on `target`.
pub async fn is_installed(
    pool: &AnyPool,
    target: &Target,
    app: &AppId,
) -> Result<bool, StoreError> {
    let (column, id) = target_column(target);
    Ok(sqlx::query(&format!(
        "SELECT 1 FROM installs WHERE {column} = $1 AND app_id = $2"
    ))
    .bind(id.to_owned())
    .bind(app.as_str())
    .fetch_optional(pool)
    .await?
    .is_some())
}

/// Stores an install on a tenant or an agency.
pub async fn insert(
    conn: &mut AnyConnection,
    id: &InstallId,
    app: &AppId,
    target: &Target,
    by: &UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (column, target_id) = target_column(target);
    sqlx::query(&format!(
        "INSERT INTO installs (id, app_id, {column}, installed_by, created_at) VALUES ($1, $2, $3, $4, $5)"
    ))
    .bind(id.as_str())
    .bind(app.as_str())
    .bind(target_id.to_owned())
    .bind(by.as_str())
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds grants to an install.
pub async fn grant(
    conn: &mut AnyConnection,
    install: &InstallId,
    permissions: &[Permission],
) -> Result<(), StoreError> {
    for p in permissions {
        sqlx::query("INSERT INTO install_grants (install_id, permission) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(install.as_str())
            .bind(p.code())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Removes an install on a tenant or an agency (its grants go with it).
pub async fn delete(
    conn: &mut AnyConnection,
    target: &Target,
    install: &InstallId,
) -> Result<bool, StoreError> {
    let (column, target_id) = target_column(target);
    sqlx::query(&format!(
        "DELETE FROM install_grants WHERE install_id = (SELECT id FROM installs WHERE id = $1 AND {column} = $2)"
    ))
    .bind(install.as_str())
    .bind(target_id.to_owned())
    .execute(&mut *conn)
    .await?;
    Ok(sqlx::query(&format!(
        "DELETE FROM installs WHERE id = $1 AND {column} = $2"
    ))
    .bind(install.as_str())
    .bind(target_id.to_owned())
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1)
}

/// Suspends the installs on `tenant` of the apps `owner` owns, with `reason`; answers each
/// suspended install with its app's name.
pub async fn suspend_owned_by(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    owner: &UserId,
    reason: &str,
) -> Result<Vec<(InstallId, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT i.id, a.name FROM installs i JOIN apps a ON a.id = i.app_id \
         WHERE i.tenant_id = $1 AND a.owner_id = $2 AND i.suspended_reason IS NULL",
    )
    .bind(tenant.as_str())
    .bind(owner.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = stored_id(r.try_get("id")?, InstallId::parse)?;
        sqlx::query("UPDATE installs SET suspended_reason = $1 WHERE id = $2")
            .bind(reason)
            .bind(id.as_str())
            .execute(&mut *conn)
            .await?;
        out.push((id, r.try_get("name")?));
    }
    Ok(out)
}

/// Every install of the apps `owner` owns, with where it is (to record their removal in
/// each place a deletion reaches).
pub async fn of_owner(
    conn: &mut AnyConnection,
    owner: &UserId,
) -> Result<Vec<(InstallId, Option<TenantId>, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT i.id, i.tenant_id, a.name FROM installs i JOIN apps a ON a.id = i.app_id WHERE a.owner_id = $1",
    )
    .bind(owner.as_str())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                stored_id(r.try_get("id")?, InstallId::parse)?,
                r.try_get::<Option<String>, _>("tenant_id")?
                    .map(|t| stored_id(t, TenantId::parse))
                    .transpose()?,
                r.try_get("name")?,
            ))
        })
        .collect()
}

/// Resumes a suspended install on `target`; false when it was not suspended.
pub async fn resume(
    conn: &mut AnyConnection,
    target: &Target,
    install: &InstallId,
) -> Result<bool, StoreError> {
    let (column, target_id) = target_column(target);
    Ok(sqlx::query(&format!(
        "UPDATE installs SET suspended_reason = NULL WHERE id = $1 AND {column} = $2 AND suspended_reason IS NOT NULL"
    ))
    .bind(install.as_str())
    .bind(target_id.to_owned())
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// One row of [`access_of_app`]'s union: an app permission (no install), or an install with
/// one of its grants (or none).
struct AccessRow {
    permission: Option<String>,
    id: Option<String>,
    tenant_id: Option<String>,
    agency_id: Option<String>,
}

impl FromColumns for AccessRow {
    fn from_columns(r: &impl Columns) -> Result<Self, StoreError> {
        Ok(AccessRow {
            permission: r.get("permission")?,
            id: r.get("id")?,
            tenant_id: r.get("tenant_id")?,
            agency_id: r.get("agency_id")?,
        })
    }
}

/// A tenant of an agency the app is installed on.
struct AgencyTenant {
    agency: AgencyId,
    tenant: TenantId,
}

impl FromColumns for AgencyTenant {
    fn from_columns(r: &impl Columns) -> Result<Self, StoreError> {
        Ok(AgencyTenant {
            agency: stored_id(r.get("agency_id")?, AgencyId::parse)?,
            tenant: stored_id(r.get("id")?, TenantId::parse)?,
        })
    }
}

/// What core's bot decision reads for `app`: the permissions the app asks for now, its
/// installs with their grants, and the tenants of the agencies it is installed on (for
/// `agency.updateDeleteAllAgencyAccounts`). Read with the token, when a call's reader does
/// not recall it (`store::memo`): one query (the app's permissions and its installs' grants as
/// one union), and a second only when the app is installed on an agency.
pub async fn access_of_app(reads: &Snapshot, app: &AppId) -> Result<BotAccess, StoreError> {
    let rows: Vec<AccessRow> = reads.fetch_all(
        "SELECT permission, NULL AS id, NULL AS tenant_id, NULL AS agency_id FROM app_permissions WHERE app_id = $1 \
         UNION ALL \
         SELECT g.permission, i.id, i.tenant_id, i.agency_id FROM installs i \
         LEFT JOIN install_grants g ON g.install_id = i.id WHERE i.app_id = $1 AND i.suspended_reason IS NULL",
        &[app.as_str()],
    )
    .await?;
    let mut access = BotAccess::default();
    let mut installs: BTreeMap<InstallId, Install> = BTreeMap::new();
    for r in rows {
        let permission = r
            .permission
            .and_then(|p| Permission::parse("permission", &p).ok());
        let Some(id) = r.id else {
            access.app_permissions.extend(permission);
            continue;
        };
        let id = stored_id(id, InstallId::parse)?;
        if !installs.contains_key(&id) {
            let target = match (r.tenant_id, r.agency_id) {
                (Some(t), _) => Target::Tenant(stored_id(t, TenantId::parse)?),
                (None, a) => Target::Agency(stored_id(a.unwrap_or_default(), AgencyId::parse)?),
            };
            installs.insert(
                id.clone(),
                Install {
                    id: id.clone(),
                    target,
                    granted: BTreeSet::new(),
                },
            );
        }
        if let (Some(p), Some(install)) = (permission, installs.get_mut(&id)) {
            install.granted.insert(p);
        }
    }
    access.installs = installs.into_values().collect();
    if access
        .installs
        .iter()
        .any(|i| matches!(i.target, Target::Agency(_)))
    {
        let rows: Vec<AgencyTenant> = reads
            .fetch_all(
            "SELECT t.agency_id, t.id FROM tenants t JOIN installs i ON i.agency_id = t.agency_id WHERE i.app_id = $1",
            &[app.as_str()],
        )
        .await?;
        access
            .agency_tenants
            .extend(rows.into_iter().map(|r| (r.agency, r.tenant)));
    }
    Ok(access)
}
