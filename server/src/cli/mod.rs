//! The `portcullis` command line: one file per command.

mod admin;
mod audit;
mod secrets;
mod serve;

use crate::config::Config;
use crate::crypto::vault::Vault;
use crate::logging::{self, LogFormat};
use crate::services::key_rotation;
use crate::store::Db;
use clap::{Parser, Subcommand};
use std::process::ExitCode;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

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

/// Starts logging, runs the command line's command, and says how it ended.
pub async fn main() -> ExitCode {
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
        Command::Serve { demo, addr } => serve::serve(demo, addr).await,
        Command::Migrate => {
            let config = Config::from_env(None).map_err(|e| e.to_string())?;
            Db::open(&config.database_url)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "database at {} is up to date",
                crate::config::redact_url(&config.database_url)
            );
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { email, name },
        } => admin::create(email, name).await,
        Command::Secrets {
            command: SecretsCommand::Rotate,
        } => secrets::rotate().await,
        Command::Secrets {
            command: SecretsCommand::Check,
        } => secrets::check().await,
        Command::Audit {
            command: AuditCommand::Verify,
        } => audit::verify().await,
    }
}

/// The configuration from the environment and its database, migrated: what every command but
/// `serve` starts from.
pub(crate) async fn configured_db() -> Result<(Config, Db), String> {
    let config = Config::from_env(None).map_err(|e| e.to_string())?;
    let db = Db::open(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    Ok((config, db))
}

/// The vault of this configuration, refused when it cannot open what the database holds. The
/// key file is created only while nothing is sealed, so a lost file is never silently replaced.
pub(crate) async fn open_vault(config: &Config, db: &Db) -> Result<Vault, String> {
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
