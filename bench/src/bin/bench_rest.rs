//! REST API benchmark helper, driven by `scripts/bench.py` with `wrk`.
//!
//! `prepare URL`: migrates a fresh database, loads the demo, and — through the product's own
//! services, as Acme's user administrator — creates an app asking for `account.view`, a token,
//! and installs the app on Acme. Prints JSON with the bearer credential and the path to GET
//! (`/api/v1/accounts/{tenant}`: token check, permission decision, one indexed read).
//!
//! `verify URL BEARER N`: times the token check alone (`apps::authenticate`, in a call's
//! snapshot) N times and prints the mean in microseconds, for the share of a request it takes:
//! as under a steady load, where the reader recalls the token (`store::memo`), and as the first
//! call after a change, which reads the token and its app's access again.

#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]

use chrono::Utc;
use portcullis_app::services::{Apps, Console, RequestMeta};
use portcullis_bench::{acme_admin, open_session};
use portcullis_core::apps::{Permission, PermissionRequest};
use portcullis_server::crypto::vault::Vault;
use portcullis_server::demo;
use portcullis_server::integrations::health_checks::Checker;
use portcullis_server::services::Services;
use portcullis_server::store::reads::Snapshot;
use portcullis_server::store::Db;
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
    let (tenant, admin) = acme_admin(&db).await?;
    let session = open_session(&db, &tenant, &admin).await?;
    let services = Services {
        db: db.clone(),
        secure_cookies: false,
        public_url: "http://127.0.0.1".into(),
        trusted_proxies: Vec::new(),
        vault: Arc::new(Vault::from_keys([1; 32], &[])),
        checker: Checker::new(
            Default::default(),
            std::time::Duration::from_secs(1),
            portcullis_server::integrations::egress::Egress::public_only(),
        ),
        bot_rate_limit: u32::MAX,
        metrics_allow: Vec::new(),
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
    services.install(&caller, app, None, meta).await?;
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
    let check = || async {
        let reads = Snapshot::begin(&db)?;
        portcullis_server::services::apps::authenticate(&reads, Some(bearer), Utc::now()).await?;
        Ok::<_, Failure>(())
    };
    check().await?;
    let started = Instant::now();
    for _ in 0..n {
        check().await?;
    }
    let recalled_us = started.elapsed().as_secs_f64() * 1e6 / f64::from(n.max(1));

    // A change anywhere makes the next call read again: move the token's "last used" (recent
    // enough that the check does not write it too), untimed, before each timed check.
    let public = portcullis_core::apps::parse_authorization(bearer)?.token;
    let cold = (n / 10).max(1);
    let mut spent = std::time::Duration::ZERO;
    for i in 0..cold {
        sqlx::query("UPDATE bot_tokens SET last_used_at = $1 WHERE public_token = $2")
            .bind(Utc::now().timestamp_millis() - i64::from(i % 1000))
            .bind(public.as_str())
            .execute(&db.pool)
            .await?;
        let started = Instant::now();
        check().await?;
        spent += started.elapsed();
    }
    let read_us = spent.as_secs_f64() * 1e6 / f64::from(cold);
    println!(
        "{}",
        serde_json::json!({ "verify_mean_us": recalled_us, "verify_read_us": read_us })
    );
    Ok(())
}
