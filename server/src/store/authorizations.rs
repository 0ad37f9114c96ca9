//! Authorizations: the dashboard, one record with its sealed secrets, health, the
//! scheduler's claims, and hourly request counts. Every query names its tenant, except the
//! scheduler's claim, which by design looks across tenants for due checks.

use crate::store::keyset::Keyset;
use crate::store::StoreError;
use crate::store::{from_millis, stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::authorizations::AuthorizationSort;
use portcullis_core::health::Health;
use portcullis_core::ids::{AuthorizationId, TenantId, UserId};
use portcullis_core::wire::AuthorizationQuery;
use portcullis_core::wire::{AuthorizationRow, Page};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::BTreeMap;

const COLUMNS: &str = "a.id, a.label, a.description, a.provider, a.provider_name, a.method, \
                       a.health, a.created_by_name, a.created_at, a.updated_at";

/// The SQL a column sorts by and whether it is a number (benchmarks use it too).
pub fn sort_expr(sort: AuthorizationSort) -> (&'static str, bool) {
    match sort {
        AuthorizationSort::Label => ("a.label_sort", false),
        AuthorizationSort::Description => ("a.description_sort", false),
        AuthorizationSort::Provider => ("a.provider_sort", false),
        AuthorizationSort::Status => ("a.health", false),
        AuthorizationSort::CreatedBy => ("a.creator_sort", false),
        AuthorizationSort::LastModified => ("a.updated_at", true),
    }
}

fn row(r: &AnyRow) -> Result<AuthorizationRow, StoreError> {
    let health: String = r.try_get("health")?;
    Ok(AuthorizationRow {
        id: stored_id(r.try_get("id")?, AuthorizationId::parse)?,
        label: r.try_get("label")?,
        description: r.try_get("description")?,
        provider: r.try_get("provider")?,
        provider_name: r.try_get("provider_name")?,
        method: r.try_get("method")?,
        health: Health::parse("health", &health).unwrap_or(Health::Unknown),
        created_by: r.try_get("created_by_name")?,
        created_at: from_millis(r.try_get("created_at")?),
        updated_at: from_millis(r.try_get("updated_at")?),
    })
}

/// How a text column sorts: case-insensitively, stored beside it so its index serves the seek.
pub fn sort_key(text: &str) -> String {
    text.to_lowercase()
}

/// One page of the tenant's dashboard.
pub async fn list(
    pool: &AnyPool,
    tenant: &TenantId,
    q: &AuthorizationQuery,
) -> Result<Page<AuthorizationRow>, StoreError> {
    let (expr, numeric) = sort_expr(q.sort);
    let keyset = Keyset::new(expr, "a.id", numeric, q.descending, q.after.as_deref());
    let sql = format!(
        "SELECT {COLUMNS}, {expr} AS sort_value FROM authorizations a \
         WHERE a.tenant_id = $1 {} {}",
        keyset.condition(2),
        keyset.order_limit(q.limit)
    );
    let rows = keyset
        .bind(sqlx::query(&sql).bind(tenant.as_str()))
        .fetch_all(pool)
        .await?;
    keyset.page(&rows, q.limit, row)
}

/// The tenant's authorizations made with any of `methods` (provider, method), by label.
pub async fn with_methods(
    pool: &AnyPool,
    tenant: &TenantId,
    methods: &[(&str, &str)],
) -> Result<Vec<AuthorizationRow>, StoreError> {
    if methods.is_empty() {
        return Ok(Vec::new());
    }
    // One (provider, method) pair per bound pair of parameters, so the database filters.
    let pairs: Vec<String> = (0..methods.len())
        .map(|i| {
            format!(
                "(a.provider = ${} AND a.method = ${})",
                2 * i + 2,
                2 * i + 3
            )
        })
        .collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM authorizations a WHERE a.tenant_id = $1 AND ({}) \
         ORDER BY a.label_sort, a.id",
        pairs.join(" OR ")
    );
    let mut query = sqlx::query(&sql).bind(tenant.as_str());
    for (provider, method) in methods {
        query = query.bind(*provider).bind(*method);
    }
    query.fetch_all(pool).await?.iter().map(row).collect()
}

/// A stored authorization with what only the server sees.
pub struct Stored {
    pub row: AuthorizationRow,
    pub settings: BTreeMap<String, String>,
    pub sealed: String,
    pub answer: String,
    pub checked_at: Option<DateTime<Utc>>,
    pub version: i64,
}

/// One authorization of the tenant.
pub async fn find(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &AuthorizationId,
) -> Result<Option<Stored>, StoreError> {
    let found = sqlx::query(&format!(
        "SELECT {COLUMNS}, a.settings, a.sealed, a.health_answer, a.checked_at, a.version \
         FROM authorizations a WHERE a.tenant_id = $1 AND a.id = $2"
    ))
    .bind(tenant.as_str())
    .bind(id.as_str())
    .fetch_optional(conn)
    .await?;
    let Some(r) = found else { return Ok(None) };
    let settings: String = r.try_get("settings")?;
    Ok(Some(Stored {
        row: row(&r)?,
        settings: serde_json::from_str(&settings).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        sealed: r.try_get("sealed")?,
        answer: r.try_get("health_answer")?,
        checked_at: r.try_get::<Option<i64>, _>("checked_at")?.map(from_millis),
        version: r.try_get("version")?,
    }))
}

/// A new authorization, its secrets already sealed.
pub struct NewRecord<'a> {
    pub id: &'a AuthorizationId,
    pub tenant: &'a TenantId,
    pub provider: &'a str,
    pub provider_name: &'a str,
    pub method: &'a str,
    pub label: &'a str,
    pub description: &'a str,
    pub settings: &'a BTreeMap<String, String>,
    pub sealed: &'a str,
    pub created_by: (&'a UserId, &'a str),
    pub now: DateTime<Utc>,
}

/// Stores a new authorization, Unknown until its first check, which is due at once.
pub async fn insert(conn: &mut AnyConnection, new: NewRecord<'_>) -> Result<(), StoreError> {
    let now = to_millis(new.now);
    let settings =
        serde_json::to_string(new.settings).map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    Ok(sqlx::query(
        "INSERT INTO authorizations (id, tenant_id, provider, provider_name, method, label, \
         description, settings, sealed, health, health_answer, checked_at, next_check_at, \
         lease_until, created_by, created_by_name, created_at, updated_at, label_sort, \
         description_sort, provider_sort, creator_sort) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'unknown', 'not checked yet', NULL, $10, 0, \
         $11, $12, $10, $10, $13, $14, $15, $16)",
    )
    .bind(new.id.as_str())
    .bind(new.tenant.as_str())
    .bind(new.provider)
    .bind(new.provider_name)
    .bind(new.method)
    .bind(new.label)
    .bind(new.description)
    .bind(settings)
    .bind(new.sealed)
    .bind(now)
    .bind(new.created_by.0.as_str())
    .bind(new.created_by.1)
    .bind(sort_key(new.label))
    .bind(sort_key(new.description))
    .bind(sort_key(new.provider_name))
    .bind(sort_key(new.created_by.1))
    .execute(conn)
    .await
    .map(|_| ())?)
}

/// Changes the label and description; false when there is no such authorization.
pub async fn relabel(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &AuthorizationId,
    label: &str,
    description: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE authorizations SET label = $3, description = $4, updated_at = $5, \
         label_sort = $6, description_sort = $7 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(label)
    .bind(description)
    .bind(to_millis(now))
    .bind(sort_key(label))
    .bind(sort_key(description))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes an authorization (its request counts go with it); jobs that finished with it keep
/// their history and lose the link.
pub async fn delete(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &AuthorizationId,
) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM authorizations WHERE tenant_id = $1 AND id = $2")
        .bind(tenant.as_str())
        .bind(id.as_str())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// A check's outcome.
pub struct CheckOutcome<'a> {
    pub health: Health,
    pub answer: &'a str,
    pub checked_at: DateTime<Utc>,
    pub next_check_at: DateTime<Utc>,
}

/// Stores a check's outcome and releases the claim; false when the authorization is gone.
pub async fn record_check(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &AuthorizationId,
    outcome: &CheckOutcome<'_>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE authorizations SET health = $3, health_answer = $4, checked_at = $5, \
         next_check_at = $6, lease_until = 0 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(outcome.health.code())
    .bind(outcome.answer)
    .bind(to_millis(outcome.checked_at))
    .bind(to_millis(outcome.next_check_at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims up to `limit` due checks for this replica until `lease_until`. A claim is a
/// conditional update (`lease_until` still in the past), so of several replicas racing for
/// one check exactly one's update matches: the check runs once.
pub async fn claim_due(
    pool: &AnyPool,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<(TenantId, AuthorizationId)>, StoreError> {
    let now_ms = to_millis(now);
    let due = sqlx::query(&format!(
        "SELECT tenant_id, id FROM authorizations WHERE next_check_at <= $1 AND lease_until < $1 \
         ORDER BY next_check_at LIMIT {limit}"
    ))
    .bind(now_ms)
    .fetch_all(pool)
    .await?;
    win_leases(
        pool,
        &due,
        "AND next_check_at <= $2",
        now_ms,
        to_millis(lease_until),
    )
    .await
}

/// Of the candidate rows (`tenant_id`, `id`), those whose lease this replica wins: a
/// conditional UPDATE per row that matches only while the lease is free (and `condition`
/// still holds), so of several replicas racing for a row exactly one's update matches.
async fn win_leases(
    pool: &AnyPool,
    candidates: &[sqlx::any::AnyRow],
    condition: &str,
    now_ms: i64,
    lease_until_ms: i64,
) -> Result<Vec<(TenantId, AuthorizationId)>, StoreError> {
    let sql = format!(
        "UPDATE authorizations SET lease_until = $3 WHERE id = $1 AND lease_until < $2 {condition}"
    );
    let mut claimed = Vec::new();
    for r in candidates {
        let tenant = stored_id(r.try_get("tenant_id")?, TenantId::parse)?;
        let id = stored_id(r.try_get("id")?, AuthorizationId::parse)?;
        let won = sqlx::query(&sql)
            .bind(id.as_str())
            .bind(now_ms)
            .bind(lease_until_ms)
            .execute(pool)
            .await?
            .rows_affected()
            == 1;
        if won {
            claimed.push((tenant, id));
        }
    }
    Ok(claimed)
}

/// Counts one request made with an authorization in the hour holding `at`, for its chart.
pub async fn count_request(
    conn: &mut AnyConnection,
    id: &AuthorizationId,
    hour: DateTime<Utc>,
) -> Result<(), StoreError> {
    Ok(sqlx::query(
        "INSERT INTO authorization_requests (authorization_id, hour, requests) VALUES ($1, $2, 1) \
         ON CONFLICT (authorization_id, hour) DO UPDATE \
         SET requests = authorization_requests.requests + 1",
    )
    .bind(id.as_str())
    .bind(to_millis(hour))
    .execute(conn)
    .await
    .map(|_| ())?)
}

/// Hourly request counts of an authorization of the tenant in `[from, to)`.
pub async fn hourly(
    pool: &AnyPool,
    tenant: &TenantId,
    id: &AuthorizationId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(DateTime<Utc>, u64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT r.hour, r.requests FROM authorization_requests r \
         JOIN authorizations a ON a.id = r.authorization_id \
         WHERE a.tenant_id = $1 AND r.authorization_id = $2 AND r.hour >= $3 AND r.hour < $4 \
         ORDER BY r.hour",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(to_millis(from))
    .bind(to_millis(to))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                from_millis(r.try_get("hour")?),
                u64::try_from(r.try_get::<i64, _>("requests")?).unwrap_or(0),
            ))
        })
        .collect()
}

/// Stores fresh OAuth tokens (sealed) and when the access token expires.
pub async fn set_tokens(
    conn: &mut AnyConnection,
    tenant: &TenantId,
    id: &AuthorizationId,
    sealed: &str,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    Ok(sqlx::query(
        "UPDATE authorizations SET sealed = $3, token_expires_at = $4, next_check_at = $5, \
         lease_until = 0 WHERE tenant_id = $1 AND id = $2",
    )
    .bind(tenant.as_str())
    .bind(id.as_str())
    .bind(sealed)
    .bind(expires_at.map(to_millis))
    .bind(to_millis(now))
    .execute(conn)
    .await
    .map(|_| ())?)
}

/// Claims up to `limit` authorizations whose access token expires before `before`, as
/// [`claim_due`] claims checks: one replica refreshes each token.
pub async fn claim_refresh(
    pool: &AnyPool,
    now: DateTime<Utc>,
    before: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u32,
) -> Result<Vec<(TenantId, AuthorizationId)>, StoreError> {
    let due = sqlx::query(&format!(
        "SELECT tenant_id, id FROM authorizations WHERE token_expires_at <= $1 \
         AND lease_until < $2 ORDER BY token_expires_at LIMIT {limit}"
    ))
    .bind(to_millis(before))
    .bind(to_millis(now))
    .fetch_all(pool)
    .await?;
    win_leases(pool, &due, "", to_millis(now), to_millis(lease_until)).await
}

/// Sets an hour's request count outright (demo history).
pub async fn set_requests(
    conn: &mut AnyConnection,
    id: &AuthorizationId,
    hour: DateTime<Utc>,
    requests: u64,
) -> Result<(), StoreError> {
    Ok(sqlx::query(
        "INSERT INTO authorization_requests (authorization_id, hour, requests) VALUES ($1, $2, $3) \
         ON CONFLICT (authorization_id, hour) DO UPDATE SET requests = $3",
    )
    .bind(id.as_str())
    .bind(to_millis(hour))
    .bind(i64::try_from(requests).unwrap_or(i64::MAX))
    .execute(conn)
    .await
    .map(|_| ())?)
}
