//! Configuration from the environment (and the command line, which overrides it).

use std::net::SocketAddr;

/// Everything the server reads from its environment.
#[derive(Clone)]
pub struct Config {
    /// `sqlite://…` (the default, a file created on first start) or `postgres://…`.
    pub database_url: String,
    /// Where to listen.
    pub addr: SocketAddr,
    /// The address people reach the console at, for links printed or mailed.
    pub public_url: String,
    /// Set `Secure` on cookies; turn on whenever the console is served over TLS.
    pub secure_cookies: bool,
    /// First operator, created on an empty database.
    pub admin_email: Option<String>,
    pub admin_password: Option<String>,
    /// `smtp://host:25`, `smtps://user:pass@host:465` or `smtp://…?tls=required`: when set,
    /// the outbox is delivered; when not, mail waits there for an operator to read.
    pub smtp_url: Option<String>,
    /// The sender of every message.
    pub mail_from: String,
    /// `PORTCULLIS_TRUSTED_PROXIES`: comma-separated addresses of reverse proxies whose
    /// `X-Forwarded-For` header names the client; empty means the connection's peer is the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `PORTCULLIS_MASTER_KEY`: 64 hex characters sealing authorization secrets. Unset, the key
    /// comes from `key_file` (created on first start). Replicas must share one key.
    pub master_key: Option<String>,
    /// `PORTCULLIS_PREVIOUS_MASTER_KEYS`: older keys (comma-separated) still opened during a
    /// rotation.
    pub previous_master_keys: Option<String>,
    /// `PORTCULLIS_KEY_FILE` (default `portcullis.key`).
    pub key_file: std::path::PathBuf,
    /// `PORTCULLIS_PROVIDER_URLS`: `provider=base-url` pairs, comma-separated, replacing the
    /// providers' real endpoints (for a staging proxy, or local fakes in tests).
    pub provider_urls: std::collections::BTreeMap<String, String>,
    /// `PORTCULLIS_CHECK_EVERY_SECS`: how often the scheduler looks for due checks (default 60).
    pub check_every_secs: u64,
    /// `PORTCULLIS_BOT_RATE_LIMIT`: requests per bot token and minute across every replica
    /// (default 600); an app's tokens together get five times it.
    pub bot_rate_limit: u32,
    /// `PORTCULLIS_EGRESS_ALLOW`: networks besides public addresses that outbound connections
    /// (health checks, OAuth, SSO, the PostgreSQL provider, mail) may reach.
    pub egress_allow: Vec<ipnet::IpNet>,
    /// `PORTCULLIS_METRICS_ALLOW`: networks whose connections may read `/metrics` (default
    /// loopback only), judged on the TCP peer, never on a forwarded header.
    pub metrics_allow: Vec<ipnet::IpNet>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("addr", &self.addr)
            .field("public_url", &self.public_url)
            .field("secure_cookies", &self.secure_cookies)
            .field("admin_email", &self.admin_email)
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("key_file", &self.key_file)
            .field("provider_urls", &self.provider_urls)
            .field("check_every_secs", &self.check_every_secs)
            .field("bot_rate_limit", &self.bot_rate_limit)
            .field("egress_allow", &self.egress_allow)
            .field("metrics_allow", &self.metrics_allow)
            .finish_non_exhaustive()
    }
}

/// The default SQLite file, in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://portcullis.db?mode=rwc";
/// The default address: loopback only, so a fresh install is not reachable from the network.
pub const DEFAULT_ADDR: &str = "127.0.0.1:3000";

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok().filter(|v| !v.trim().is_empty())
}

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("PORTCULLIS_ADDR must be an address like 127.0.0.1:3000, got {0:?}")]
    Addr(String),
    #[error("PORTCULLIS_SECURE_COOKIES must be true or false, got {0:?}")]
    SecureCookies(String),
    #[error("PORTCULLIS_TRUSTED_PROXIES must be IP addresses separated by commas, got {0:?}")]
    TrustedProxies(String),
    #[error("PORTCULLIS_PROVIDER_URLS must be provider=url pairs separated by commas, got {0:?}")]
    ProviderUrls(String),
    #[error("PORTCULLIS_CHECK_EVERY_SECS must be a whole number of seconds from 1, got {0:?}")]
    CheckEvery(String),
    #[error(
        "PORTCULLIS_BOT_RATE_LIMIT must be a whole number of requests per minute from 1, got {0:?}"
    )]
    BotRateLimit(String),
    #[error("PORTCULLIS_EGRESS_ALLOW must be networks like 10.0.0.0/8 or addresses, separated by commas; {0:?} is neither")]
    EgressAllow(String),
    #[error("PORTCULLIS_METRICS_ALLOW must be networks like 10.0.0.0/8 or addresses, separated by commas; {0:?} is neither")]
    MetricsAllow(String),
}

impl Config {
    /// Reads the environment; `addr` from the command line wins over `PORTCULLIS_ADDR`.
    pub fn from_env(addr: Option<String>) -> Result<Config, ConfigError> {
        let addr_text = addr
            .or_else(|| env("PORTCULLIS_ADDR"))
            .unwrap_or_else(|| DEFAULT_ADDR.to_owned());
        let addr: SocketAddr = addr_text
            .parse()
            .map_err(|_| ConfigError::Addr(addr_text.clone()))?;
        let secure_cookies = match env("PORTCULLIS_SECURE_COOKIES").as_deref() {
            None | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => return Err(ConfigError::SecureCookies(other.to_owned())),
        };
        let trusted_proxies = env("PORTCULLIS_TRUSTED_PROXIES")
            .map(|list| {
                list.split(',')
                    .map(|ip| ip.trim().parse())
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|_| ConfigError::TrustedProxies(list.clone()))
            })
            .transpose()?
            .unwrap_or_default();
        let provider_urls = env("PORTCULLIS_PROVIDER_URLS")
            .map(|list| {
                list.split(',')
                    .map(|pair| match pair.split_once('=') {
                        Some((k, v)) if !k.trim().is_empty() && !v.trim().is_empty() => {
                            Ok((k.trim().to_owned(), v.trim().to_owned()))
                        }
                        _ => Err(ConfigError::ProviderUrls(list.clone())),
                    })
                    .collect::<Result<_, _>>()
            })
            .transpose()?
            .unwrap_or_default();
        let check_every_secs = match env("PORTCULLIS_CHECK_EVERY_SECS") {
            None => 60,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or(ConfigError::CheckEvery(v))?,
        };
        let bot_rate_limit = match env("PORTCULLIS_BOT_RATE_LIMIT") {
            None => portcullis_core::apps::BOT_REQUESTS_PER_MINUTE,
            Some(v) => v
                .parse()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or(ConfigError::BotRateLimit(v))?,
        };
        let egress_allow = match env("PORTCULLIS_EGRESS_ALLOW") {
            None => Vec::new(),
            Some(list) => crate::integrations::egress::Egress::parse_allow(&list)
                .map_err(ConfigError::EgressAllow)?,
        };
        let metrics_allow = crate::integrations::egress::Egress::parse_allow(
            &env("PORTCULLIS_METRICS_ALLOW")
                .unwrap_or_else(|| crate::metrics::DEFAULT_ALLOW.to_owned()),
        )
        .map_err(ConfigError::MetricsAllow)?;
        Ok(Config {
            database_url: env("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            public_url: env("PORTCULLIS_PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}")),
            addr,
            secure_cookies,
            admin_email: env("PORTCULLIS_ADMIN_EMAIL"),
            admin_password: env("PORTCULLIS_ADMIN_PASSWORD"),
            smtp_url: env("PORTCULLIS_SMTP_URL"),
            mail_from: env("PORTCULLIS_MAIL_FROM")
                .unwrap_or_else(|| "Portcullis <no-reply@portcullis.invalid>".to_owned()),
            trusted_proxies,
            master_key: env("PORTCULLIS_MASTER_KEY"),
            previous_master_keys: env("PORTCULLIS_PREVIOUS_MASTER_KEYS"),
            key_file: env("PORTCULLIS_KEY_FILE")
                .unwrap_or_else(|| crate::crypto::vault::DEFAULT_KEY_FILE.to_owned())
                .into(),
            provider_urls,
            check_every_secs,
            bot_rate_limit,
            egress_allow,
            metrics_allow,
        })
    }
}

/// A database URL with any password replaced, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = &url[scheme_end + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
