//! Installs of apps on tenants and what each grants (P4, P5). Every query names its tenant,
//! except loading a bot's installs, which by definition spans the tenants its app is in.

use crate::db::{from_millis, stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::apps::{Install, Permission, Target};
use portcullis_core::ids::{AppId, InstallId, TenantId, UserId};
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::BTreeSet;

/// An install as stored, with its app.
pub struct InstallRecord {
    pub id: InstallId,
    pub app: AppId,
    pub app_name: String,
    pub installed_by: String,
    pub created_at: DateTime<Utc>,
    pub granted: BTreeSet<Permission>,
}

async fn grants(pool: &AnyPool, install: &InstallId) -> Result<BTreeSet<Permission>, sqlx::Error> {
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

/// The installs of a tenant, oldest first.
pub async fn of_tenant(
    pool: &AnyPool,
    tenant: &TenantId,
) -> Result<Vec<InstallRecord>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT i.id, i.app_id, a.name AS app_name, COALESCE(u.email, i.installed_by) AS installed_by, i.created_at \
         FROM installs i JOIN apps a ON a.id = i.app_id LEFT JOIN users u ON u.id = i.installed_by \
         WHERE i.tenant_id = $1 ORDER BY i.created_at, i.id",
    )
    .bind(tenant.as_str())
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
        });
    }
    Ok(out)
}

/// One install of a tenant.
pub async fn find(
    pool: &AnyPool,
    tenant: &TenantId,
    install: &InstallId,
) -> Result<Option<InstallRecord>, sqlx::Error> {
    Ok(of_tenant(pool, tenant)
        .await?
        .into_iter()
        .find(|i| &i.id == install))
}

/// Whether `app` is installed on `tenant`.
pub async fn is_installed(
    pool: &AnyPool,
    tenant: &TenantId,
    app: &AppId,
) -> Result<bool, sqlx::Error> {
    Ok(
        sqlx::query("SELECT 1 FROM installs WHERE tenant_id = $1 AND app_id = $2")
            .bind(tenant.as_str())
            .bind(app.as_str())
            .fetch_optional(pool)
            .await?
            .is_some(),
    )
}

/// Stores an install.
pub async fn insert(
    conn: &mut AnyConnection,
    id: &InstallId,
    app: &AppId,
    tenant: &TenantId,
    by: &UserId,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO installs (id, app_id, tenant_id, installed_by, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(id.as_str())
        .bind(app.as_str())
        .bind(tenant.as_str())
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
) -> Result<(), sqlx::Error> {
    for p in permissions {
        sqlx::query("INSERT INTO install_grants (install_id, permission) VALUES ($1, $2) ON CONFLICT DO NOTHING")
            .bind(install.as_str())
            .bind(p.code())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Removes an install of a tenant (its grants go with it).
pub async fn delete(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    install: &InstallId,
) -> Result<bool, sqlx::Error> {
    sqlx::query("DELETE FROM install_grants WHERE install_id = (SELECT id FROM installs WHERE id = $1 AND tenant_id = $2)")
        .bind(install.as_str())
        .bind(tenant.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(
        sqlx::query("DELETE FROM installs WHERE id = $1 AND tenant_id = $2")
            .bind(install.as_str())
            .bind(tenant.as_str())
            .execute(&mut *conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// Every install of `app`, as core's bot decision reads them.
pub async fn of_app(pool: &AnyPool, app: &AppId) -> Result<Vec<Install>, sqlx::Error> {
    let rows = sqlx::query("SELECT id, tenant_id FROM installs WHERE app_id = $1")
        .bind(app.as_str())
        .fetch_all(pool)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id = stored_id(r.try_get("id")?, InstallId::parse)?;
        out.push(Install {
            granted: grants(pool, &id).await?,
            id,
            target: Target::Tenant(stored_id(r.try_get("tenant_id")?, TenantId::parse)?),
        });
    }
    Ok(out)
}
