//! Activity-log benchmark helper (the CSV download and the chained writes), driven by
//! `scripts/bench.py`.
//!
//! `prepare URL ROWS`: migrates a fresh database, loads the demo, adds ROWS events to Acme
//! Retail's log in one INSERT … SELECT, opens a session for its user administrator and prints
//! JSON with the session token and the SQL the comparators (`sqlite3 -csv`, `psql \copy`)
//! export, so every exporter reads exactly the same rows.
//!
//! `record URL EVENTS WRITERS`: records EVENTS events, one per transaction, from WRITERS tasks,
//! through the product's chained `store::activity::record`, and the same rows through a plain INSERT
//! without the chain, and prints both rates.

#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]

use chrono::Utc;
use portcullis_bench::{acme_admin, open_session};
use portcullis_core::ids::TenantId;
use portcullis_server::demo;
use portcullis_server::store::activity::{export_sql, filter_where};
use portcullis_server::store::activity::{record, NewEvent, Principal};
use portcullis_server::store::{Backend, Db};
use std::time::Instant;

type Failure = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["prepare", url, rows] => prepare(url, rows.parse()?).await,
        ["record", url, events, writers] => {
            record_rate(url, events.parse()?, writers.parse()?).await
        }
        _ => Err("usage: bench-activity prepare URL ROWS | record URL EVENTS WRITERS".into()),
    }
}

async fn prepare(url: &str, rows: i64) -> Result<(), Failure> {
    let db = Db::open(url).await?;
    demo::load(&db).await?;
    let (tenant, admin) = acme_admin(&db).await?;
    let (series, pad) = match db.backend {
        Backend::Sqlite => (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $2) ",
            "substr('0000000000' || i, -10, 10)",
        ),
        Backend::Postgres => ("", "lpad(i::text, 10, '0')"),
    };
    let from = match db.backend {
        Backend::Sqlite => "FROM n",
        Backend::Postgres => "FROM generate_series(1, $2) AS n(i)",
    };
    // Realistic spread: 50 people, four event types, object names that need CSV quoting.
    let sql = format!(
        "{series}INSERT INTO activity_events (id, tenant_id, event_type, happened_at, recorded_at, \
         principal_id, principal_name, principal_email, source, object_id, object_name, origin_ip) \
         SELECT 'evt_bench' || {pad}, $1, \
         CASE i % 4 WHEN 0 THEN 'policy/grant' WHEN 1 THEN 'policy/receive' WHEN 2 THEN 'pii/view' ELSE 'user/update' END, \
         $3 + i * 10, $3 + i * 10 + 2, 'usr_bench' || (i % 50), 'Bench Person ' || (i % 50), \
         'bench' || (i % 50) || '@acme.example', 'console', 'usr_bench' || (i % 97), \
         'Viewer on \"All resource groups\", to bench' || (i % 97) || '@acme.example', \
         '10.0.' || (i % 250) || '.' || (i % 200) {from}"
    );
    let started = Instant::now();
    sqlx::query(&sql)
        .bind(tenant.as_str())
        .bind(rows)
        .bind(Utc::now().timestamp_millis() - rows * 10 - 1_000)
        .execute(&db.pool)
        .await?;
    let inserted = started.elapsed();
    if db.backend == Backend::Postgres {
        sqlx::query("ANALYZE activity_events")
            .execute(&db.pool)
            .await?;
    }
    let token = open_session(&db, &tenant, &admin).await?;
    // The comparators export the same rows in the same order, with the placeholder inlined.
    let w = filter_where(&tenant, &Default::default());
    let comparator_sql = export_sql(&w).replace("$1", &format!("'{}'", tenant.as_str()));
    println!(
        "{}",
        serde_json::json!({
            "token": token,
            "sql": comparator_sql,
            "insert_secs": inserted.as_secs_f64(),
        })
    );
    db.pool.close().await;
    Ok(())
}

async fn record_rate(url: &str, events: usize, writers: usize) -> Result<(), Failure> {
    let db = Db::open(url).await?;
    demo::load(&db).await?;
    let (tenant, _) = acme_admin(&db).await?;
    let chained = run_writers(&db, &tenant, events, writers, true).await?;
    let plain = run_writers(&db, &tenant, events, writers, false).await?;
    println!(
        "{}",
        serde_json::json!({"writers": writers, "chained_per_sec": chained, "plain_per_sec": plain})
    );
    db.pool.close().await;
    Ok(())
}

/// Events per second recorded by `writers` tasks, each event in its own transaction.
async fn run_writers(
    db: &Db,
    tenant: &TenantId,
    events: usize,
    writers: usize,
    chained: bool,
) -> Result<f64, Failure> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (db, tenant) = (db.clone(), tenant.clone());
        let share = events / writers + usize::from(w < events % writers);
        tasks.push(tokio::spawn(async move {
            let principal = Principal {
                id: format!("usr_writer{w}"),
                name: format!("Writer {w}"),
                email: None,
            };
            for i in 0..share {
                let mut tx = db.write().await?;
                let object = format!("write {w}/{i}");
                if chained {
                    record(
                        &mut tx,
                        NewEvent {
                            tenant_id: Some(&tenant),
                            event_type: "bench/write",
                            happened_at: Utc::now(),
                            principal: &principal,
                            source: "bench",
                            object_id: None,
                            object_name: Some(&object),
                            origin_ip: None,
                        },
                    )
                    .await?;
                } else {
                    sqlx::query(
                        "INSERT INTO activity_events (id, tenant_id, event_type, happened_at, recorded_at, \
                         principal_id, principal_name, source, object_name) \
                         VALUES ($1, $2, 'bench/plain', $3, $3, $4, $5, 'bench', $6)",
                    )
                    .bind(format!("evt_plain{w}_{i}"))
                    .bind(tenant.as_str())
                    .bind(Utc::now().timestamp_millis())
                    .bind(principal.id.as_str())
                    .bind(principal.name.as_str())
                    .bind(object.as_str())
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
            }
            Ok::<(), portcullis_server::store::StoreError>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    Ok(events as f64 / started.elapsed().as_secs_f64())
}
