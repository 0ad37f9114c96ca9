//! Dashboard and jobs benchmark: `bench-tables URL AUTHS JOBS ITERATIONS`.
//!
//! Fills Acme Retail with AUTHS authorizations and JOBS jobs (one INSERT … SELECT each), then
//! times the product's own list functions (`store::authorizations::list`, `store::jobs::list`,
//! 50 rows a page) for every sortable column: the first page, and the last page reached by its
//! keyset cursor. The comparator, measured in the same run, is the last page fetched the way
//! keyset pagination replaces: `LIMIT 50 OFFSET n`. Prints p50 and p99 of each.

#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]

use portcullis_app::services::{AuthorizationQuery, JobQuery};
use portcullis_core::authorizations::AuthorizationSort;
use portcullis_core::ids::TenantId;
use portcullis_core::jobs::JobSort;
use portcullis_server::demo;
use portcullis_server::store::{authorizations, jobs};
use portcullis_server::store::{Backend, Db};
use sqlx::Row;
use std::time::{Duration, Instant};

type Failure = Box<dyn std::error::Error + Send + Sync>;

const PAGE: u32 = 50;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, auths, jobs, iterations] = args.as_slice() else {
        return Err("usage: bench-tables URL AUTHS JOBS ITERATIONS".into());
    };
    let (auths, jobs, iterations): (i64, i64, usize) =
        (auths.parse()?, jobs.parse()?, iterations.parse()?);
    let db = Db::open(url).await?;
    demo::load(&db).await?;
    let tenant = acme(&db).await?;
    let started = Instant::now();
    fill(&db, &tenant, auths, jobs).await?;
    println!(
        "[tables] {}: {auths} authorizations and {jobs} jobs loaded in {:.1} s",
        backend(&db),
        started.elapsed().as_secs_f64()
    );
    for sort in AuthorizationSort::ALL.iter().copied() {
        let (expr, numeric) = authorizations::sort_expr(sort);
        let first = time(iterations, || async {
            let q = AuthorizationQuery {
                sort,
                descending: false,
                after: None,
                limit: PAGE,
            };
            authorizations::list(&db.pool, &tenant, &q)
                .await
                .map(|p| p.items.len())
        })
        .await?;
        let cursor = cursor_at(
            &db,
            "authorizations a",
            "a.id",
            expr,
            numeric,
            &tenant,
            auths,
        )
        .await?;
        let last = time(iterations, || async {
            let q = AuthorizationQuery {
                sort,
                descending: false,
                after: Some(cursor.clone()),
                limit: PAGE,
            };
            authorizations::list(&db.pool, &tenant, &q)
                .await
                .map(|p| p.items.len())
        })
        .await?;
        let offset = offset_page(
            &db,
            "authorizations a",
            "a.id",
            expr,
            &tenant,
            auths,
            iterations,
        )
        .await?;
        report("dashboard", sort.code(), auths, &first, &last, &offset);
    }
    for sort in [
        JobSort::Name,
        JobSort::Type,
        JobSort::Status,
        JobSort::Created,
    ] {
        let (expr, numeric) = jobs::sort_expr(sort);
        let first = time(iterations, || async {
            let q = JobQuery {
                authorization: None,
                sort,
                descending: false,
                after: None,
                limit: PAGE,
            };
            jobs::list(&db.pool, &tenant, &q)
                .await
                .map(|p| p.items.len())
        })
        .await?;
        let cursor = cursor_at(&db, "jobs j", "j.id", expr, numeric, &tenant, jobs).await?;
        let last = time(iterations, || async {
            let q = JobQuery {
                authorization: None,
                sort,
                descending: false,
                after: Some(cursor.clone()),
                limit: PAGE,
            };
            jobs::list(&db.pool, &tenant, &q)
                .await
                .map(|p| p.items.len())
        })
        .await?;
        let offset = offset_page(&db, "jobs j", "j.id", expr, &tenant, jobs, iterations).await?;
        report("jobs", sort.code(), jobs, &first, &last, &offset);
    }
    Ok(())
}

fn backend(db: &Db) -> &'static str {
    match db.backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

async fn acme(db: &Db) -> Result<TenantId, Failure> {
    let id: String = sqlx::query("SELECT id FROM tenants WHERE name = 'Acme Retail'")
        .fetch_one(&db.pool)
        .await?
        .try_get("id")?;
    Ok(TenantId::parse(&id)?)
}

/// Rows generated in the database: labels, providers, statuses and times spread so that every
/// sort order differs from insertion order.
async fn fill(db: &Db, tenant: &TenantId, auths: i64, jobs: i64) -> Result<(), Failure> {
    let (series, id) = match db.backend {
        Backend::Sqlite => (
            "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < $2)",
            "printf('%026d', i)",
        ),
        Backend::Postgres => (
            "WITH s(i) AS (SELECT generate_series(0, $2 - 1))",
            "lpad(i::text, 26, '0')",
        ),
    };
    let shuffled = "((i * 7919) % 1000003)";
    let providers = "CASE i % 7 WHEN 0 THEN 'SendGrid' WHEN 1 THEN 'Iterable' WHEN 2 THEN 'Facebook' \
                     WHEN 3 THEN 'Salesforce' WHEN 4 THEN 'Google Cloud' WHEN 5 THEN 'Generic HTTP API' \
                     ELSE 'PostgreSQL' END";
    let health = "CASE i % 3 WHEN 0 THEN 'healthy' WHEN 1 THEN 'unhealthy' ELSE 'unknown' END";
    sqlx::query(&format!(
        "INSERT INTO authorizations (id, tenant_id, provider, provider_name, method, label, description, \
         settings, sealed, health, health_answer, checked_at, next_check_at, lease_until, created_by, \
         created_by_name, created_at, updated_at, label_sort, description_sort, provider_sort, \
         creator_sort) {series} \
         SELECT 'auth_' || {id}, $1, 'sendgrid', {providers}, 'api_key', 'Label ' || {shuffled}, \
         'Description ' || ((i * 104729) % 1000003), '{{}}', 'v1.x.y.z', {health}, '', NULL, \
         9000000000000, 0, 'usr_bench', 'Creator ' || (i % 97), 1700000000000 + i, \
         1700000000000 + {shuffled} * 1000, 'label ' || {shuffled}, \
         'description ' || ((i * 104729) % 1000003), LOWER({providers}), 'creator ' || (i % 97) FROM s"
    ))
    .bind(tenant.as_str())
    .bind(auths)
    .execute(&db.pool)
    .await?;
    let types = "CASE i % 5 WHEN 0 THEN 'send_email' WHEN 1 THEN 'sync_contacts' WHEN 2 THEN 'import_http' \
                 WHEN 3 THEN 'send_webhook' ELSE 'import_table' END";
    let statuses = "CASE i % 5 WHEN 0 THEN 'running' WHEN 1 THEN 'sleeping' WHEN 2 THEN 'paused' \
                    WHEN 3 THEN 'completed' ELSE 'failed' END";
    sqlx::query(&format!(
        "INSERT INTO jobs (id, tenant_id, authorization_id, name, job_type, status, status_detail, \
         created_by, created_at, updated_at, name_sort) {series} \
         SELECT 'job_' || {id}, $1, 'auth_' || {auth_id}, 'Job ' || {shuffled}, {types}, {statuses}, '', \
         'usr_bench', 1700000000000 + {shuffled} * 1000, 1700000000000, 'job ' || {shuffled} FROM s",
        auth_id = match db.backend {
            Backend::Sqlite => format!("printf('%026d', i % {auths})"),
            Backend::Postgres => format!("lpad((i % {auths})::text, 26, '0')"),
        }
    ))
    .bind(tenant.as_str())
    .bind(jobs)
    .execute(&db.pool)
    .await?;
    sqlx::query("ANALYZE").execute(&db.pool).await?;
    Ok(())
}

/// The cursor of the row just before the last page (found once, untimed).
async fn cursor_at(
    db: &Db,
    table: &str,
    id: &str,
    expr: &str,
    numeric: bool,
    tenant: &TenantId,
    rows: i64,
) -> Result<String, Failure> {
    let row = sqlx::query(&format!(
        "SELECT {expr} AS v, {id} AS id FROM {table} WHERE tenant_id = $1 \
         ORDER BY {expr}, {id} LIMIT 1 OFFSET {}",
        (rows - i64::from(PAGE) - 1).max(0)
    ))
    .bind(tenant.as_str())
    .fetch_one(&db.pool)
    .await?;
    let value = if numeric {
        row.try_get::<i64, _>("v")?.to_string()
    } else {
        row.try_get::<String, _>("v")?
    };
    Ok(format!("{value}|{}", row.try_get::<String, _>("id")?))
}

/// The comparator: the same last page through OFFSET (at most 20 runs: each one scans the
/// whole table).
async fn offset_page(
    db: &Db,
    table: &str,
    id: &str,
    expr: &str,
    tenant: &TenantId,
    rows: i64,
    iterations: usize,
) -> Result<Vec<Duration>, Failure> {
    let sql = format!(
        "SELECT {id} AS id FROM {table} WHERE tenant_id = $1 ORDER BY {expr}, {id} LIMIT {PAGE} OFFSET {}",
        (rows - i64::from(PAGE)).max(0)
    );
    time(iterations.min(20), || async {
        let rows = sqlx::query(&sql)
            .bind(tenant.as_str())
            .fetch_all(&db.pool)
            .await?;
        Ok(rows.len())
    })
    .await
}

/// Runs `f` `iterations` times (after one warm-up), checking each answer is a full page.
async fn time<F, Fut>(iterations: usize, f: F) -> Result<Vec<Duration>, Failure>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<usize, portcullis_server::store::StoreError>>,
{
    f().await?;
    let mut out = Vec::with_capacity(iterations);
    for _ in 0..iterations {
        let t = Instant::now();
        let n = f().await?;
        out.push(t.elapsed());
        if n == 0 {
            return Err("a page came back empty".into());
        }
    }
    out.sort();
    Ok(out)
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn report(
    table: &str,
    sort: &str,
    rows: i64,
    first: &[Duration],
    last: &[Duration],
    offset: &[Duration],
) {
    let (f50, f99, l50, l99) = (
        pct(first, 0.5),
        pct(first, 0.99),
        pct(last, 0.5),
        pct(last, 0.99),
    );
    println!(
        "[tables] {table:<9} {rows:>8} rows sort={sort:<13} first p50 {f50:>6.2} ms p99 {f99:>6.2} | \
         last (keyset) p50 {l50:>6.2} p99 {l99:>6.2} ({:.2}x first) | last by OFFSET p50 {:>8.2} p99 {:>8.2}",
        l50 / f50.max(1e-9),
        pct(offset, 0.5),
        pct(offset, 0.99)
    );
}
