//! `portcullis serve`: the console, its schedulers and (with `--demo`) the demo data.

use super::open_vault;
use crate::config::{redact_url, Config};
use crate::demo;
use crate::integrations::egress::Egress;
use crate::integrations::health_checks::{Checker, CHECK_TIMEOUT};
use crate::integrations::mail::Mailer;
use crate::services::bootstrap::{self, Bootstrap};
use crate::services::Services;
use crate::store::Db;
use crate::web;
use std::net::SocketAddr;
use std::sync::Arc;

pub(super) async fn serve(load_demo: bool, addr: Option<String>) -> Result<(), String> {
    let config = Config::from_env(addr).map_err(|e| e.to_string())?;
    let db = Db::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!(database = %redact_url(&config.database_url), "database ready");
    let vault = Arc::new(open_vault(&config, &db).await?);

    // The demo first: it loads only into an empty database, which the first operator from the
    // environment would no longer be.
    if load_demo {
        if demo::load(&db).await.map_err(|p| p.to_string())? {
            println!("loaded the demo tenants");
        }
        println!("demo sign-ins (password: {}):", demo::DEMO_PASSWORD);
        for account in demo::ACCOUNTS {
            println!("  {:<26} {}", account.email, account.role);
        }
    } else if demo::holds_demo(&db).await.map_err(|p| p.to_string())? {
        tracing::warn!("this database holds the demo's accounts, whose password is published");
        eprintln!(
            "warning: this database holds the demo's accounts, whose password is published; \
             do not serve it to anyone but yourself"
        );
    }
    if let Some(email) = bootstrap::from_environment(
        &db,
        config.admin_email.as_deref(),
        config.admin_password.as_deref(),
    )
    .await
    .map_err(|e| e.to_string())?
    {
        println!("created the first operator {email} from PORTCULLIS_ADMIN_EMAIL");
    }
    if let Bootstrap::SetupLink(link) = bootstrap::setup_link_if_empty(&db, &config.public_url)
        .await
        .map_err(|p| p.to_string())?
    {
        println!("no users yet: open this one-time link to create the first operator (valid 24 hours):\n  {link}");
    }

    let mut allow = config.egress_allow.clone();
    if load_demo {
        // The demo's generic API is this console's own health endpoint, on loopback.
        allow.extend(Egress::loopback());
        println!(
            "demo: outbound requests may reach loopback, where the demo's API is this console"
        );
    }
    let egress = Egress::allowing(allow);
    if let Some(url) = &config.smtp_url {
        let mailer =
            Mailer::new(url, &config.mail_from, egress.clone()).map_err(|e| e.to_string())?;
        mailer.spawn(db.clone());
        println!("mail is delivered through {}", redact_url(url));
    }
    let options = web::leptos_options(config.addr);
    let services = Services {
        db,
        secure_cookies: config.secure_cookies,
        public_url: config.public_url.clone(),
        trusted_proxies: config.trusted_proxies.clone(),
        vault,
        checker: Checker::new(config.provider_urls.clone(), CHECK_TIMEOUT, egress),
        bot_rate_limit: config.bot_rate_limit,
        metrics_allow: config.metrics_allow.clone(),
    };
    if load_demo
        && demo::authorizations::load(&services, &config.public_url)
            .await
            .map_err(|p| p.to_string())?
    {
        println!("loaded the demo authorizations and jobs");
    }
    services
        .clone()
        .spawn_scheduler(std::time::Duration::from_secs(config.check_every_secs));
    let app = web::app(services, options);
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    println!("Portcullis is serving http://{}", config.addr);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
