//! REST API benchmark helper (issue 5, P5), driven by `scripts/bench.py` with `wrk`.
//!
//! `prepare URL`: migrates a fresh database, loads the demo, and — through the product's own
//! services, as Acme's user administrator — creates an app asking for `account.view`, a token,
//! and installs the app on Acme. Prints JSON with the bearer credential and the path to GET
//! (`/api/v1/accounts/{tenant}`: token check, permission decision, one indexed read).
//!
//! `verify URL BEARER N`: times the token check alone (`apps::authenticate`) N times and prints
//! the mean in microseconds, for the share of a request it takes.

#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]

use chrono::Utc;
use portcullis_app::services::{Apps, Console, RequestMeta};
use portcullis_core::apps::{Permission, PermissionRequest};
use portcullis_core::ids::{TenantId, UserId};
use portcullis_server::console::Services;
use portcullis_server::db::Db;
use portcullis_server::demo;
use portcullis_server::health_checks::Checker;
use portcullis_server::secrets::{new_token, token_hash};
use portcullis_server::store::sessions::{insert, NewSessionRow};
use portcullis_server::vault::Vault;
use sqlx::Row;
use std::sync::Arc;
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
        ["prepare", url] => prepare(url).await,
        ["verify", url, bearer, n] => verify(url, bearer, n.parse()?).await,
        _ => Err("usage: bench-rest prepare URL | verify URL BEARER N".into()),
    }
}

async fn prepare(url: &str) -> Result<(), Failure> {
    let db = Db::open(url).await?;
    demo::load(&db).await?;
    let row = sqlx::query(
        "SELECT t.id AS tenant, u.id AS admin FROM tenants t, users u \
         WHERE t.name = 'Acme Retail' AND u.email = 'admin@acme.example'",
    )
    .fetch_one(&db.pool)
    .await?;
    let tenant = TenantId::parse(&row.try_get::<String, _>("tenant")?)?;
    let admin = UserId::parse(&row.try_get::<String, _>("admin")?)?;
    let session = new_token();
    insert(
        &db.pool,
        NewSessionRow {
            token_hash: &token_hash(&session),
            user_id: &admin,
            tenant_id: Some(&tenant),
            now: Utc::now(),
            origin_ip: None,
            user_agent: Some("bench"),
        },
    )
    .await?;
    let services = Services {
        db: db.clone(),
        secure_cookies: false,
        public_url: "http://127.0.0.1".into(),
        trusted_proxies: Vec::new(),
        vault: Arc::new(Vault::from_keys([1; 32], &[])),
        checker: Checker::new(Default::default(), std::time::Duration::from_secs(1)),
        bot_rate_limit: u32::MAX,
    };
    let caller = services
        .caller(&session)
        .await?
        .ok_or("the bench session did not open")?;
    let meta = RequestMeta::default();
    let request = PermissionRequest {
        permission: Permission::AccountView,
        why: "read the account for the benchmark".into(),
    };
    let app = services
        .create_app(
            &caller,
            "Bench reader".into(),
            String::new(),
            vec![request],
            meta.clone(),
        )
        .await?;
    let token = services
        .create_token(&caller, app.clone(), "wrk".into(), meta.clone())
        .await?;
    services.install(&caller, app, meta).await?;
    println!(
        "{}",
        serde_json::json!({
            "bearer": format!("Bearer {}:{}", token.token.public_token, token.secret),
            "path": format!("/api/v1/accounts/{tenant}"),
        })
    );
    db.pool.close().await;
    Ok(())
}

async fn verify(url: &str, bearer: &str, n: u32) -> Result<(), Failure> {
    let db = Db::open(url).await?;
    let started = Instant::now();
    for _ in 0..n {
        portcullis_server::apps::authenticate(&db.pool, Some(bearer), Utc::now()).await?;
    }
    let mean_us = started.elapsed().as_secs_f64() * 1e6 / f64::from(n.max(1));
    println!("{}", serde_json::json!({ "verify_mean_us": mean_us }));
    Ok(())
}
