//! Policies, resource groups, databases and assignments: the access data of a tenant.

use crate::store::StoreError;
use crate::store::{stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::actions::{builtin_policy_actions, Action};
use portcullis_core::decide::{AccessSnapshot, Assignment, Database, Group, Policy};
use portcullis_core::ids::{DatabaseId, PolicyId, ResourceGroupId, TenantId, UserId};
use portcullis_core::pii::Column;
use portcullis_core::wire::{DatabaseView, GroupRow, PolicyRow};
use sqlx::{Any, AnyConnection, AnyPool, Executor, Row};

/// A policy to store. A custom policy stores its space-separated action codes; built-ins take
/// theirs from core and store none.
#[derive(Debug, Clone)]
pub struct NewPolicy<'a> {
    pub id: &'a PolicyId,
    pub tenant: &'a TenantId,
    pub name: &'a str,
    pub description: &'a str,
    pub builtin: bool,
    pub actions: &'a str,
}

/// Stores a policy of a tenant.
pub async fn insert_policy<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    p: NewPolicy<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO policies (id, tenant_id, name, description, builtin, actions, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(p.id.as_str())
        .bind(p.tenant.as_str())
        .bind(p.name)
        .bind(p.description)
        .bind(i64::from(p.builtin))
        .bind(p.actions)
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
) -> Result<(), StoreError> {
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
) -> Result<(), StoreError> {
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
) -> Result<(), StoreError> {
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
) -> Result<(), StoreError> {
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

/// A tenant's access data as core decides over it. With `user`, only that person's membership
/// and assignments are loaded (all a decision about them needs); policies, groups and databases
/// are the tenant's own, every one of them.
pub async fn snapshot(
    pool: &AnyPool,
    tenant: &TenantId,
    user: Option<&UserId>,
) -> Result<AccessSnapshot, StoreError> {
    let policies = policies(pool, tenant)
        .await?
        .into_iter()
        .map(|p| Policy {
            id: p.id,
            name: p.name,
            actions: p.actions.into_iter().collect(),
        })
        .collect();
    let groups = sqlx::query("SELECT id, name, builtin FROM resource_groups WHERE tenant_id = $1")
        .bind(tenant.as_str())
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Group {
                id: stored_id(r.try_get("id")?, ResourceGroupId::parse)?,
                name: r.try_get("name")?,
                all: r.try_get::<i64, _>("builtin")? != 0,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let databases =
        sqlx::query("SELECT id, name, resource_group_id FROM databases WHERE tenant_id = $1")
            .bind(tenant.as_str())
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(Database {
                    id: stored_id(r.try_get("id")?, DatabaseId::parse)?,
                    name: r.try_get("name")?,
                    group: r
                        .try_get::<Option<String>, _>("resource_group_id")?
                        .map(|g| stored_id(g, ResourceGroupId::parse))
                        .transpose()?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
    let user_filter = if user.is_some() {
        " AND user_id = $2"
    } else {
        ""
    };
    let members_sql = format!("SELECT user_id FROM memberships WHERE tenant_id = $1{user_filter}");
    let members = bind_user(sqlx::query(&members_sql).bind(tenant.as_str()), user)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| stored_id(r.try_get("user_id")?, UserId::parse))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let assignments_sql = format!(
        "SELECT user_id, policy_id, resource_group_id FROM assignments WHERE tenant_id = $1{user_filter}"
    );
    let assignments = bind_user(sqlx::query(&assignments_sql).bind(tenant.as_str()), user)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Assignment {
                user: stored_id(r.try_get("user_id")?, UserId::parse)?,
                policy: stored_id(r.try_get("policy_id")?, PolicyId::parse)?,
                group: stored_id(r.try_get("resource_group_id")?, ResourceGroupId::parse)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(AccessSnapshot {
        tenant: tenant.clone(),
        members,
        operators: Vec::new(),
        policies,
        groups,
        databases,
        assignments,
    })
}

/// Binds the user of a query narrowed to one person.
fn bind_user<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    user: Option<&'q UserId>,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    match user {
        Some(u) => q.bind(u.as_str()),
        None => q,
    }
}

/// The tenant's policies with their actions and how many people hold each.
pub async fn policies(pool: &AnyPool, tenant: &TenantId) -> Result<Vec<PolicyRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.description, p.builtin, p.actions, \
                (SELECT COUNT(DISTINCT a.user_id) FROM assignments a WHERE a.tenant_id = p.tenant_id AND a.policy_id = p.id) AS users \
         FROM policies p WHERE p.tenant_id = $1 ORDER BY p.builtin DESC, p.name",
    )
    .bind(tenant.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let name: String = r.try_get("name")?;
            let builtin = r.try_get::<i64, _>("builtin")? != 0;
            // Built-ins take their actions from core, so they follow the code that defines them.
            let actions = if builtin {
                builtin_policy_actions(&name).to_vec()
            } else {
                r.try_get::<String, _>("actions")?
                    .split_whitespace()
                    .filter_map(Action::from_code)
                    .collect()
            };
            Ok(PolicyRow {
                id: stored_id(r.try_get("id")?, PolicyId::parse)?,
                name,
                description: r.try_get("description")?,
                builtin,
                actions,
                users: r.try_get("users")?,
            })
        })
        .collect()
}

/// The tenant's resource groups with the databases in each and how many people are on each.
pub async fn groups(pool: &AnyPool, tenant: &TenantId) -> Result<Vec<GroupRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT g.id, g.name, g.description, g.builtin, \
                (SELECT COUNT(DISTINCT a.user_id) FROM assignments a WHERE a.tenant_id = g.tenant_id AND a.resource_group_id = g.id) AS users \
         FROM resource_groups g WHERE g.tenant_id = $1 ORDER BY g.builtin DESC, g.name",
    )
    .bind(tenant.as_str())
    .fetch_all(pool)
    .await?;
    let dbs = sqlx::query(
        "SELECT name, resource_group_id FROM databases WHERE tenant_id = $1 AND resource_group_id IS NOT NULL ORDER BY name",
    )
    .bind(tenant.as_str())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id = stored_id(r.try_get("id")?, ResourceGroupId::parse)?;
        let mut databases = Vec::new();
        for d in &dbs {
            if d.try_get::<String, _>("resource_group_id")? == id.as_str() {
                databases.push(d.try_get("name")?);
            }
        }
        out.push(GroupRow {
            id,
            name: r.try_get("name")?,
            description: r.try_get("description")?,
            builtin: r.try_get::<i64, _>("builtin")? != 0,
            databases,
            users: r.try_get("users")?,
        });
    }
    Ok(out)
}

/// Deletes a custom group of a tenant (built-ins are never matched).
pub async fn delete_group(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    group: &ResourceGroupId,
) -> Result<u64, StoreError> {
    let done =
        sqlx::query("DELETE FROM resource_groups WHERE tenant_id = $1 AND id = $2 AND builtin = 0")
            .bind(tenant.as_str())
            .bind(group.as_str())
            .execute(conn)
            .await?;
    Ok(done.rows_affected())
}

/// Moves a database of a tenant into a custom group, or out of every custom group (`None`).
pub async fn set_database_group(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    database: &DatabaseId,
    group: Option<&ResourceGroupId>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE databases SET resource_group_id = $1 WHERE tenant_id = $2 AND id = $3")
        .bind(group.map(|g| g.as_str().to_owned()))
        .bind(tenant.as_str())
        .bind(database.as_str())
        .execute(conn)
        .await?;
    Ok(())
}

/// The tenant's databases with their custom group and table names.
pub async fn databases(pool: &AnyPool, tenant: &TenantId) -> Result<Vec<DatabaseView>, StoreError> {
    let rows = sqlx::query(
        "SELECT d.id, d.name, d.description, d.resource_group_id, d.version, g.name AS group_name \
         FROM databases d LEFT JOIN resource_groups g ON g.id = d.resource_group_id AND g.tenant_id = d.tenant_id \
         WHERE d.tenant_id = $1 ORDER BY d.name",
    )
    .bind(tenant.as_str())
    .fetch_all(pool)
    .await?;
    let tables = sqlx::query(
        "SELECT t.database_id, t.name FROM database_tables t JOIN databases d ON d.id = t.database_id \
         WHERE d.tenant_id = $1 ORDER BY t.name",
    )
    .bind(tenant.as_str())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in &rows {
        let id = stored_id(r.try_get("id")?, DatabaseId::parse)?;
        let mut names = Vec::new();
        for t in &tables {
            if t.try_get::<String, _>("database_id")? == id.as_str() {
                names.push(t.try_get("name")?);
            }
        }
        out.push(DatabaseView {
            id,
            name: r.try_get("name")?,
            description: r.try_get("description")?,
            group_id: r
                .try_get::<Option<String>, _>("resource_group_id")?
                .map(|g| stored_id(g, ResourceGroupId::parse))
                .transpose()?,
            group: r.try_get("group_name")?,
            tables: names,
            version: r.try_get("version")?,
        });
    }
    Ok(out)
}

/// A table of a database of a tenant: its columns and first `limit` rows.
pub async fn table(
    pool: &AnyPool,
    tenant: &TenantId,
    database: &DatabaseId,
    name: &str,
    limit: i64,
) -> Result<Option<(Vec<Column>, Vec<Vec<String>>)>, StoreError> {
    let Some(row) = sqlx::query(
        "SELECT t.columns FROM database_tables t JOIN databases d ON d.id = t.database_id \
         WHERE d.tenant_id = $1 AND t.database_id = $2 AND t.name = $3",
    )
    .bind(tenant.as_str())
    .bind(database.as_str())
    .bind(name)
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let columns: Vec<Column> = serde_json::from_str(&row.try_get::<String, _>("columns")?)
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    let rows = sqlx::query(
        "SELECT cells FROM table_rows WHERE database_id = $1 AND table_name = $2 ORDER BY position LIMIT $3",
    )
    .bind(database.as_str())
    .bind(name)
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        serde_json::from_str::<Vec<String>>(&r.try_get::<String, _>("cells")?)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))
    })
    .collect::<Result<Vec<_>, _>>()?;
    Ok(Some((columns, rows)))
}

/// Stores one row of a table (demo data and imports).
pub async fn insert_row<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    database: &DatabaseId,
    table: &str,
    position: i64,
    cells: &[String],
) -> Result<(), StoreError> {
    let cells = serde_json::to_string(cells).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    sqlx::query(
        "INSERT INTO table_rows (database_id, table_name, position, cells) VALUES ($1, $2, $3, $4)",
    )
    .bind(database.as_str())
    .bind(table)
    .bind(position)
    .bind(cells)
    .execute(ex)
    .await?;
    Ok(())
}
