//! Jobs and imported experiences. Every query names its tenant.

use crate::store::keyset::Keyset;
use crate::store::StoreError;
use crate::store::{from_millis, stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::ids::{AppId, AuthorizationId, ExperienceId, JobId, TenantId, UserId};
use portcullis_core::jobs::{ExperienceRef, JobRef, JobSort, JobStatus};
use portcullis_core::providers::JobType;
use portcullis_core::wire::JobQuery;
use portcullis_core::wire::{ExperienceRow, JobRow, Page};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};

const COLUMNS: &str = "j.id, j.name, j.job_type, j.status, j.status_detail, j.authorization_id, \
                       a.label AS authorization_label, j.app_id, p.name AS app_name, \
                       j.created_at, j.updated_at";
const FROM: &str = "jobs j LEFT JOIN authorizations a ON a.id = j.authorization_id \
                    LEFT JOIN apps p ON p.id = j.app_id";

/// The SQL a column sorts by and whether it is a number (benchmarks use it too).
pub fn sort_expr(sort: JobSort) -> (&'static str, bool) {
    match sort {
        JobSort::Name => ("j.name_sort", false),
        JobSort::Type => ("j.job_type", false),
        JobSort::Status => ("j.status", false),
        JobSort::Created => ("j.created_at", true),
    }
}

/// The authorization a row links to, with its label.
fn linked(r: &AnyRow) -> Result<Option<(AuthorizationId, String)>, StoreError> {
    let id: Option<String> = r.try_get("authorization_id")?;
    let label: Option<String> = r.try_get("authorization_label")?;
    match (id, label) {
        (Some(id), Some(label)) => Ok(Some((stored_id(id, AuthorizationId::parse)?, label))),
        _ => Ok(None),
    }
}

/// The app whose bots run the job, with its name.
fn runner(r: &AnyRow) -> Result<Option<(AppId, String)>, StoreError> {
    let id: Option<String> = r.try_get("app_id")?;
    let name: Option<String> = r.try_get("app_name")?;
    match (id, name) {
        (Some(id), Some(name)) => Ok(Some((stored_id(id, AppId::parse)?, name))),
        _ => Ok(None),
    }
}

fn job_row(r: &AnyRow) -> Result<JobRow, StoreError> {
    let job_type: String = r.try_get("job_type")?;
    let status: String = r.try_get("status")?;
    let corrupt = |p: portcullis_core::Problem| sqlx::Error::Decode(Box::new(p));
    Ok(JobRow {
        id: stored_id(r.try_get("id")?, JobId::parse)?,
        name: r.try_get("name")?,
        job_type: JobType::parse("job_type", &job_type).map_err(corrupt)?,
        status: JobStatus::parse("status", &status).map_err(corrupt)?,
        status_detail: r.try_get("status_detail")?,
        authorization: linked(r)?,
        runner: runner(r)?,
        created_at: from_millis(r.try_get("created_at")?),
        updated_at: from_millis(r.try_get("updated_at")?),
    })
}

/// One page of the tenant's jobs, or of one authorization's.
pub async fn list(
    pool: &AnyPool,
    tenant: &TenantId,
    q: &JobQuery,
) -> Result<Page<JobRow>, StoreError> {
    let (expr, numeric) = sort_expr(q.sort);
    let keyset = Keyset::new(expr, "j.id", numeric, q.descending, q.after.as_deref());
    let (scope, next) = match q.authorization {
        Some(_) => ("AND j.authorization_id = $2", 3),
        None => ("", 2),
    };
    let sql = format!(
        "SELECT {COLUMNS}, {expr} AS sort_value FROM {FROM} WHERE j.tenant_id = $1 {scope} {} {}",
        keyset.condition(next),
        keyset.order_limit(q.limit)
    );
    let mut query = sqlx::query(&sql).bind(tenant.as_str());
    if let Some(a) = &q.authorization {
        query = query.bind(a.as_str());
    }
    let rows = keyset.bind(query).fetch_all(pool).await?;
    keyset.page(&rows, q.limit, job_row)
}

/// One job of the tenant.
pub async fn find(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &JobId,
) -> Result<Option<JobRow>, StoreError> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM {FROM} WHERE j.tenant_id = $1 AND j.id = $2"
    ))
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(conn)
    .await?
    .as_ref()
    .map(job_row)
    .transpose()
}

/// A new job, sleeping until its runner picks it up.
pub struct NewJob<'a> {
    pub id: &'a JobId,
    pub tenant: &'a TenantId,
    pub authorization: &'a AuthorizationId,
    pub name: &'a str,
    pub job_type: JobType,
    /// The app whose bots run it, if one is chosen yet.
    pub runner: Option<&'a AppId>,
    pub created_by: &'a UserId,
    pub now: DateTime<Utc>,
}

pub async fn insert(conn: &mut AnyConnection, new: NewJob<'_>) -> Result<(), StoreError> {
    Ok(sqlx::query(
        "INSERT INTO jobs (id, tenant_id, authorization_id, name, job_type, status, status_detail, \
         created_by, created_at, updated_at, name_sort, app_id) VALUES ($1, $2, $3, $4, $5, 'sleeping', \
         'waiting for its runner', $6, $7, $7, $8, $9)",
    )
    .bind(new.id.as_str())
    .bind(new.tenant.as_str())
    .bind(new.authorization.as_str())
    .bind(new.name)
    .bind(new.job_type.code())
    .bind(new.created_by.as_str())
    .bind(to_millis(new.now))
    .bind(crate::store::authorizations::sort_key(new.name))
    .bind(new.runner.map(|a| a.as_str().to_owned()))
    .execute(conn)
    .await
    .map(|_| ())?)
}

/// Sets a job's status, if it is still `from` (a concurrent change wins, this one reports
/// false).
pub async fn set_status(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &JobId,
    from: JobStatus,
    to: JobStatus,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE jobs SET status = $4, status_detail = $5, updated_at = $6 \
         WHERE tenant_id = $1 AND id = $2 AND status = $3",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(from.code())
    .bind(to.code())
    .bind(detail)
    .bind(to_millis(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes a job if it is still `status`.
pub async fn delete(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &JobId,
    status: JobStatus,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM jobs WHERE tenant_id = $1 AND id = $2 AND status = $3")
        .bind(tenant.as_str())
        .bind(id.as_str())
        .bind(status.code())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Every job and experience linked to an authorization, for the delete guard.
pub async fn holders(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    authorization: &AuthorizationId,
) -> Result<(Vec<JobRef>, Vec<ExperienceRef>), StoreError> {
    let jobs = sqlx::query(
        "SELECT id, name, status FROM jobs WHERE tenant_id = $1 AND authorization_id = $2 \
         AND status IN ('running', 'sleeping', 'paused') ORDER BY id",
    )
    .bind(tenant.as_str())
    .bind(authorization.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let jobs = jobs
        .iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok(JobRef {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                status: JobStatus::parse("status", &status)
                    .map_err(|p| sqlx::Error::Decode(Box::new(p)))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let experiences = sqlx::query(
        "SELECT id, name, active FROM experiences WHERE tenant_id = $1 AND authorization_id = $2 \
         AND active = 1 ORDER BY id",
    )
    .bind(tenant.as_str())
    .bind(authorization.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let experiences = experiences
        .iter()
        .map(|r| {
            Ok(ExperienceRef {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                active: r.try_get::<i64, _>("active")? == 1,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((jobs, experiences))
}

fn experience_row(r: &AnyRow) -> Result<ExperienceRow, StoreError> {
    Ok(ExperienceRow {
        id: stored_id(r.try_get("id")?, ExperienceId::parse)?,
        name: r.try_get("name")?,
        active: r.try_get::<i64, _>("active")? == 1,
        authorization: linked(r)?,
        created_at: from_millis(r.try_get("created_at")?),
    })
}

const EXPERIENCE_COLUMNS: &str = "e.id, e.name, e.active, e.authorization_id, \
     a.label AS authorization_label, e.created_at";

/// The tenant's experiences (all, or those of one authorization), newest first.
pub async fn experiences(
    pool: &AnyPool,
    tenant: &TenantId,
    authorization: Option<&AuthorizationId>,
) -> Result<Vec<ExperienceRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {EXPERIENCE_COLUMNS} FROM experiences e \
         LEFT JOIN authorizations a ON a.id = e.authorization_id \
         WHERE e.tenant_id = $1 AND ($2 = '' OR e.authorization_id = $2) \
         ORDER BY e.created_at DESC, e.id DESC LIMIT 200"
    ))
    .bind(tenant.as_str())
    .bind(authorization.map_or("", |a| a.as_str()))
    .fetch_all(pool)
    .await?;
    rows.iter().map(experience_row).collect()
}

/// Imports an experience that uses `authorization`.
pub async fn insert_experience(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &ExperienceId,
    authorization: &AuthorizationId,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Ok(sqlx::query(
        "INSERT INTO experiences (id, tenant_id, authorization_id, name, active, created_at) \
         VALUES ($1, $2, $3, $4, 1, $5)",
    )
    .bind(id.as_str())
    .bind(tenant.as_str())
    .bind(authorization.as_str())
    .bind(name)
    .bind(to_millis(now))
    .execute(conn)
    .await
    .map(|_| ())?)
}

/// Retires an active experience; answers its name, or `None` when there was none to retire.
pub async fn retire_experience(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &ExperienceId,
) -> Result<Option<String>, StoreError> {
    let found = sqlx::query(
        "UPDATE experiences SET active = 0 WHERE tenant_id = $1 AND id = $2 AND active = 1 \
         RETURNING name",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(conn)
    .await?;
    Ok(found.map(|r| r.try_get("name")).transpose()?)
}

/// The tenant a job belongs to and the app whose bots run it (how a runner's call finds it).
pub async fn placement_of(
    pool: &AnyPool,
    id: &JobId,
) -> Result<Option<(TenantId, Option<AppId>)>, StoreError> {
    sqlx::query("SELECT tenant_id, app_id FROM jobs WHERE id = $1")
        .bind(id.as_str())
        .fetch_optional(pool)
        .await?
        .map(|r| {
            Ok((
                stored_id(r.try_get("tenant_id")?, TenantId::parse)?,
                r.try_get::<Option<String>, _>("app_id")?
                    .map(|a| stored_id(a, AppId::parse))
                    .transpose()?,
            ))
        })
        .transpose()
}
