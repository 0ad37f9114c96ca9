//! Tenants, agencies and memberships.

use crate::store::columns::{Columns, FromColumns};
use crate::store::reads::Snapshot;
use crate::store::StoreError;
use crate::store::{stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::ids::{AgencyId, TenantId, UserId};
use portcullis_core::tenancy::TenantSummary;
use sqlx::{Any, Executor, Row};

const SUMMARY_COLUMNS: &str = "t.id, t.name, t.agency_id, a.name AS agency_name";

fn row_summary(r: &impl Columns) -> Result<TenantSummary, StoreError> {
    Ok(TenantSummary {
        id: stored_id(r.get("id")?, TenantId::parse)?,
        name: r.get("name")?,
        agency_id: r
            .get::<Option<String>>("agency_id")?
            .map(|a| stored_id(a, AgencyId::parse))
            .transpose()?,
        agency_name: r.get("agency_name")?,
    })
}

/// A tenant summary as one row maps it (for `store::reads`).
struct SummaryRow(TenantSummary);

impl FromColumns for SummaryRow {
    fn from_columns(r: &impl Columns) -> Result<Self, StoreError> {
        row_summary(r).map(SummaryRow)
    }
}

/// One tenant with its agency (the record `GET /accounts/{id}` reads: `store::reads`).
pub async fn summary(
    reads: &Snapshot,
    tenant: &TenantId,
) -> Result<Option<TenantSummary>, StoreError> {
    Ok(reads
        .fetch_optional::<SummaryRow>(
            "SELECT t.id, t.name, t.agency_id, a.name AS agency_name FROM tenants t \
         LEFT JOIN agencies a ON a.id = t.agency_id WHERE t.id = $1",
            &[tenant.as_str()],
        )
        .await?
        .map(|r| r.0))
}

/// The tenants a person may enter, by name: every tenant for operators, else their memberships.
pub async fn enterable<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    user: &UserId,
    operator: bool,
) -> Result<Vec<TenantSummary>, StoreError> {
    let rows = if operator {
        sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM tenants t LEFT JOIN agencies a ON a.id = t.agency_id ORDER BY t.name"
        ))
        .fetch_all(ex)
        .await?
    } else {
        sqlx::query(&format!(
            "SELECT {SUMMARY_COLUMNS} FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
             LEFT JOIN agencies a ON a.id = t.agency_id WHERE m.user_id = $1 ORDER BY t.name"
        ))
        .bind(user.as_str())
        .fetch_all(ex)
        .await?
    };
    rows.iter().map(row_summary).collect()
}

/// Stores a new agency.
pub async fn insert_agency<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    id: &AgencyId,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO agencies (id, name, created_at) VALUES ($1, $2, $3)")
        .bind(id.as_str())
        .bind(name)
        .bind(to_millis(now))
        .execute(ex)
        .await?;
    Ok(())
}

/// Stores a new tenant, owned by `agency` if given.
pub async fn insert_tenant<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    id: &TenantId,
    name: &str,
    agency: Option<&AgencyId>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO tenants (id, name, agency_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id.as_str())
        .bind(name)
        .bind(agency.map(|a| a.as_str().to_owned()))
        .bind(to_millis(now))
        .execute(ex)
        .await?;
    Ok(())
}

/// Gives a person entry to a tenant; a person already in it stays as they are.
pub async fn add_member<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    tenant: &TenantId,
    user: &UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO memberships (tenant_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (tenant_id, user_id) DO NOTHING",
    )
    .bind(tenant.as_str())
    .bind(user.as_str())
    .bind(to_millis(now))
    .execute(ex)
    .await?;
    Ok(())
}

/// Makes a person a member (administrator) of an agency.
pub async fn add_agency_member<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    agency: &AgencyId,
    user: &UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO agency_members (agency_id, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(agency.as_str())
        .bind(user.as_str())
        .bind(to_millis(now))
        .execute(ex)
        .await?;
    Ok(())
}

/// Whether a tenant of this name exists.
pub async fn exists_named<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    name: &str,
) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM tenants WHERE name = $1")
        .bind(name)
        .fetch_one(ex)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// The id of the account named `name` under `agency` (or of no agency): names are unique
/// within their owner only.
pub async fn id_named_in<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    name: &str,
    agency: Option<&AgencyId>,
) -> Result<Option<TenantId>, StoreError> {
    sqlx::query("SELECT id FROM tenants WHERE name = $1 AND COALESCE(agency_id, '') = $2")
        .bind(name)
        .bind(agency.map_or("", AgencyId::as_str))
        .fetch_optional(ex)
        .await?
        .map(|r| crate::store::stored_id(r.try_get("id")?, TenantId::parse))
        .transpose()
}

/// The id of the tenant of this name.
pub async fn id_named<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    name: &str,
) -> Result<Option<TenantId>, StoreError> {
    sqlx::query("SELECT id FROM tenants WHERE name = $1")
        .bind(name)
        .fetch_optional(ex)
        .await?
        .map(|r| crate::store::stored_id(r.try_get("id")?, TenantId::parse))
        .transpose()
}

/// The agencies a person administers (their agency memberships), by name.
pub async fn agencies_of<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    user: &portcullis_core::ids::UserId,
) -> Result<Vec<(AgencyId, String)>, StoreError> {
    sqlx::query(
        "SELECT a.id, a.name FROM agencies a JOIN agency_members m ON m.agency_id = a.id WHERE m.user_id = $1 ORDER BY a.name",
    )
    .bind(user.as_str())
    .fetch_all(ex)
    .await?
    .iter()
    .map(|r| Ok((stored_id(r.try_get("id")?, AgencyId::parse)?, r.try_get("name")?)))
    .collect()
}
