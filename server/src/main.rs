#![recursion_limit = "256"]
//! `portcullis`: serve the console, migrate the database, create operators.

use clap::{Parser, Subcommand};
use portcullis_core::email::Email;
use portcullis_core::password::{check_new_password, Password};
use portcullis_server::bootstrap::{self, Bootstrap};
use portcullis_server::config::{redact_url, Config};
use portcullis_server::console::Services;
use portcullis_server::db::Db;
use portcullis_server::egress::Egress;
use portcullis_server::health_checks::{Checker, CHECK_TIMEOUT};
use portcullis_server::logging::{self, LogFormat};
use portcullis_server::mailer::Mailer;
use portcullis_server::vault::Vault;
use portcullis_server::{audit_verify, demo, demo_authorizations, http, key_rotation};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

/// mimalloc rather than glibc's malloc: see the dependency's note in `Cargo.toml`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "portcullis",
    version,
    about = "Access-management console for customer-data platforms"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the console (creating and migrating the database on first start).
    Serve {
        /// Load the demo tenants and print their sign-ins.
        #[arg(long)]
        demo: bool,
        /// Address to listen on (default 127.0.0.1:3000, or PORTCULLIS_ADDR).
        #[arg(long)]
        addr: Option<String>,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage operators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Check the activity log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Manage the master key that seals authorization secrets.
    Secrets {
        #[command(subcommand)]
        command: SecretsCommand,
    },
}

#[derive(Subcommand)]
enum SecretsCommand {
    /// Re-seal every secret under PORTCULLIS_MASTER_KEY; older keys go in
    /// PORTCULLIS_PREVIOUS_MASTER_KEYS until this has run.
    Rotate,
    /// Count the sealed values by kind and key, and say which keys this server holds.
    Check,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute every tenant's hash chain; exits non-zero naming the first event that does not fit.
    Verify,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an operator; the password comes from PORTCULLIS_ADMIN_PASSWORD.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "Operator")]
        name: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let format = match std::env::var("PORTCULLIS_LOG_FORMAT") {
        Ok(v) if !v.trim().is_empty() => match LogFormat::parse(&v) {
            Some(format) => format,
            None => {
                eprintln!("portcullis: PORTCULLIS_LOG_FORMAT must be text or json, got {v:?}");
                return ExitCode::FAILURE;
            }
        },
        _ => LogFormat::Text,
    };
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new(logging::DEFAULT_FILTER));
    if let Err(e) = logging::dispatch(
        format,
        filter,
        std::io::stdout,
        std::io::IsTerminal::is_terminal(&std::io::stdout()),
    )
    .try_init()
    {
        eprintln!("portcullis: cannot start logging: {e}");
        return ExitCode::FAILURE;
    }
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("portcullis: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Serve { demo, addr } => serve(demo, addr).await,
        Command::Migrate => {
            let config = Config::from_env(None).map_err(|e| e.to_string())?;
            Db::open(&config.database_url)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "database at {} is up to date",
                redact_url(&config.database_url)
            );
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { email, name },
        } => {
            let (config, db) = configured_db().await?;
            let email = Email::parse(&email).map_err(|e| format!("--email: {e}"))?;
            let password = config
                .admin_password
                .ok_or("set PORTCULLIS_ADMIN_PASSWORD to the new operator's password")?;
            check_new_password(&password, Some(&email))
                .map_err(|e| format!("PORTCULLIS_ADMIN_PASSWORD: {e}"))?;
            let id = bootstrap::create_operator(&db, &email, &name, &Password::new(password))
                .await
                .map_err(|p| p.to_string())?;
            println!("created operator {email} ({id})");
            Ok(())
        }
        Command::Secrets {
            command: SecretsCommand::Rotate,
        } => {
            let (config, db) = configured_db().await?;
            let vault = open_vault(&config, &db).await?;
            let done = key_rotation::rotate(&db, &vault)
                .await
                .map_err(|p| p.to_string())?;
            println!(
                "re-sealed {} values under key {}; {} were already current",
                done.resealed,
                vault.key_id(),
                done.current
            );
            if done.changed_meanwhile > 0 {
                println!(
                    "{} values changed while this ran and were left as they are; run it again to be sure",
                    done.changed_meanwhile
                );
            }
            Ok(())
        }
        Command::Secrets {
            command: SecretsCommand::Check,
        } => {
            let (config, db) = configured_db().await?;
            let vault = Vault::open(
                config.master_key.as_deref(),
                config.previous_master_keys.as_deref(),
                &config.key_file,
                false,
            )
            .map_err(|e| e.to_string())?;
            let counts = key_rotation::check(&db, &vault)
                .await
                .map_err(|p| p.to_string())?;
            println!("this server seals with key {}", vault.key_id());
            for c in &counts {
                let verdict = if c.opens { "opens" } else { "NO KEY" };
                println!(
                    "{verdict:7} {:>6} {} sealed with key {}",
                    c.values, c.label, c.key_id
                );
            }
            if counts.iter().all(|c| c.opens) {
                Ok(())
            } else {
                Err("some sealed values open with no key this server holds".to_owned())
            }
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let (_, db) = configured_db().await?;
            let report = audit_verify::verify(&db.pool)
                .await
                .map_err(|e| format!("cannot read the activity log: {e}"))?;
            for chain in &report.chains {
                match &chain.outcome {
                    Ok(n) => println!(
                        "ok      {}: {n} events, head {}",
                        chain.chain, chain.head_hash
                    ),
                    Err(broken) => println!("BROKEN  {}: {broken}", chain.chain),
                }
            }
            if report.unchained > 0 {
                println!(
                    "UNCHAINED {} events belong to no chain (recorded before chaining began, or added by hand); none vouches for them:",
                    report.unchained
                );
                for (id, tenant, event_type) in &report.unchained_sample {
                    let chain = tenant.as_deref().unwrap_or("platform");
                    println!("          {id} ({event_type}) in {chain}");
                }
            }
            if report.intact() {
                println!(
                    "the activity log is intact ({} chains)",
                    report.chains.len()
                );
                Ok(())
            } else {
                Err("the activity log is not intact: see the lines above".to_owned())
            }
        }
    }
}

/// The configuration from the environment and its database, migrated: what every command but
/// `serve` starts from.
async fn configured_db() -> Result<(Config, Db), String> {
    let config = Config::from_env(None).map_err(|e| e.to_string())?;
    let db = Db::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    Ok((config, db))
}

/// The vault of this configuration, refused when it cannot open what the database holds. The
/// key file is created only while nothing is sealed, so a lost file is never silently replaced.
async fn open_vault(config: &Config, db: &Db) -> Result<Vault, String> {
    let counts = key_rotation::key_counts(db)
        .await
        .map_err(|p| p.to_string())?;
    let vault = Vault::open(
        config.master_key.as_deref(),
        config.previous_master_keys.as_deref(),
        &config.key_file,
        counts.is_empty(),
    )
    .map_err(|e| e.to_string())?;
    key_rotation::openable(&key_rotation::judge(counts, &vault), &vault)?;
    Ok(vault)
}

async fn serve(load_demo: bool, addr: Option<String>) -> Result<(), String> {
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
    let options = http::leptos_options(config.addr);
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
        && demo_authorizations::load(&services, &config.public_url)
            .await
            .map_err(|p| p.to_string())?
    {
        println!("loaded the demo authorizations and jobs");
    }
    services
        .clone()
        .spawn_scheduler(std::time::Duration::from_secs(config.check_every_secs));
    let app = http::app(services, options);
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
