//! Policies, resource groups, databases and assignments: the access data of a tenant.

use crate::db::to_millis;
use chrono::{DateTime, Utc};
use portcullis_core::ids::{DatabaseId, PolicyId, ResourceGroupId, TenantId, UserId};
use sqlx::{Any, Executor};

/// Stores a policy of a tenant.
pub async fn insert_policy<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    id: &PolicyId,
    tenant: &TenantId,
    name: &str,
    description: &str,
    builtin: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO policies (id, tenant_id, name, description, builtin, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(id.as_str())
        .bind(tenant.as_str())
        .bind(name)
        .bind(description)
        .bind(i64::from(builtin))
        .bind(to_millis(now))
        .execute(ex)
        .await?;
    Ok(())
}

/// Stores a resource group of a tenant.
pub async fn insert_resource_group<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    id: &ResourceGroupId,
    tenant: &TenantId,
    name: &str,
    description: &str,
    builtin: bool,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO resource_groups (id, tenant_id, name, description, builtin, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.as_str())
    .bind(tenant.as_str())
    .bind(name)
    .bind(description)
    .bind(i64::from(builtin))
    .bind(to_millis(now))
    .execute(ex)
    .await?;
    Ok(())
}

/// A database to store, in at most one custom resource group.
#[derive(Debug, Clone)]
pub struct NewDatabase<'a> {
    pub id: &'a DatabaseId,
    pub tenant: &'a TenantId,
    pub name: &'a str,
    pub description: &'a str,
    pub resource_group: Option<&'a ResourceGroupId>,
}

/// Stores a database.
pub async fn insert_database<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    db: NewDatabase<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO databases (id, tenant_id, name, description, resource_group_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(db.id.as_str())
    .bind(db.tenant.as_str())
    .bind(db.name)
    .bind(db.description)
    .bind(db.resource_group.map(|g| g.as_str().to_owned()))
    .bind(to_millis(now))
    .execute(ex)
    .await?;
    Ok(())
}

/// Stores a table of a database, its columns as JSON.
pub async fn insert_table<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    database: &DatabaseId,
    name: &str,
    columns_json: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO database_tables (database_id, name, columns) VALUES ($1, $2, $3)")
        .bind(database.as_str())
        .bind(name)
        .bind(columns_json)
        .execute(ex)
        .await?;
    Ok(())
}

/// One (policy, resource group) assignment of a user in a tenant.
#[derive(Debug, Clone)]
pub struct NewAssignment<'a> {
    pub tenant: &'a TenantId,
    pub user: &'a UserId,
    pub policy: &'a PolicyId,
    pub resource_group: &'a ResourceGroupId,
    /// `manual` or `sso`: SSO sign-ins replace only their own.
    pub source: &'a str,
}

/// Stores an assignment.
pub async fn insert_assignment<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    a: NewAssignment<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO assignments (tenant_id, user_id, policy_id, resource_group_id, source, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(a.tenant.as_str())
    .bind(a.user.as_str())
    .bind(a.policy.as_str())
    .bind(a.resource_group.as_str())
    .bind(a.source)
    .bind(to_millis(now))
    .execute(ex)
    .await?;
    Ok(())
}
