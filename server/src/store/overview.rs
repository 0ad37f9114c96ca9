//! What a tenant holds, counted for its home page. Every query is bound to one tenant.

use crate::store::stored_id;
use crate::store::StoreError;
use portcullis_core::ids::{DatabaseId, TenantId};
use portcullis_core::wire::DatabaseSummary;
use sqlx::{AnyPool, Row};

/// Tenant-wide counts: users, policies, resource groups.
pub async fn counts(pool: &AnyPool, tenant: &TenantId) -> Result<(i64, i64, i64), StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM memberships WHERE tenant_id = $1) AS users, \
                (SELECT COUNT(*) FROM policies WHERE tenant_id = $1) AS policies, \
                (SELECT COUNT(*) FROM resource_groups WHERE tenant_id = $1) AS groups",
    )
    .bind(tenant.as_str())
    .fetch_one(pool)
    .await?;
    Ok((
        row.try_get("users")?,
        row.try_get("policies")?,
        row.try_get("groups")?,
    ))
}

/// The tenant's databases that `keep` lets through, with their custom group and number of tables.
pub async fn databases(
    pool: &AnyPool,
    tenant: &TenantId,
    keep: impl Fn(&DatabaseId) -> bool,
) -> Result<Vec<DatabaseSummary>, StoreError> {
    let rows = sqlx::query(
        "SELECT d.id, d.name, d.description, d.resource_group_id, g.name AS group_name, \
                (SELECT COUNT(*) FROM database_tables dt WHERE dt.database_id = d.id) AS tables \
         FROM databases d LEFT JOIN resource_groups g ON g.id = d.resource_group_id AND g.tenant_id = d.tenant_id \
         WHERE d.tenant_id = $1 ORDER BY d.name",
    )
    .bind(tenant.as_str())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id = stored_id(r.try_get("id")?, DatabaseId::parse)?;
        if !keep(&id) {
            continue;
        }
        out.push(DatabaseSummary {
            id,
            name: r.try_get("name")?,
            description: r.try_get("description")?,
            resource_group: r.try_get("group_name")?,
            tables: r.try_get("tables")?,
        });
    }
    Ok(out)
}
