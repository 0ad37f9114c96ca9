//! Sends the health checks core plans and reads their answers: HTTP requests to the
//! provider's verification endpoint, `SELECT 1` for PostgreSQL, and Google's service-account
//! token exchange. A rejected credential is Unhealthy; no answer, or an answer that says nothing
//! about the credential, is Unknown.

use crate::integrations::egress::Egress;
use crate::integrations::outbound::{Failure, Outbound, CHECK_ANSWER_BYTES};
use portcullis_core::health::{verdict, CheckPlan, Health, HttpCheck};
use std::collections::BTreeMap;
use std::time::Duration;

/// How long a provider has to answer before the check gives Unknown.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(10);
/// What a tenant reads for a destination that was refused or did not connect: the same words,
/// so checks cannot be used to learn which addresses and ports exist.
pub const UNREACHABLE: &str = "could not reach the provider";

/// Runs checks; one per server, sharing its HTTP connection pool.
#[derive(Clone)]
pub struct Checker {
    outbound: Outbound,
    discovery: crate::integrations::oidc::DiscoveryCache,
    /// `PORTCULLIS_PROVIDER_URLS`: provider code → base URL replacing the real endpoint (tests
    /// point these at local fakes).
    overrides: BTreeMap<String, String>,
    timeout: Duration,
}

impl Checker {
    pub fn new(overrides: BTreeMap<String, String>, timeout: Duration, egress: Egress) -> Checker {
        Checker {
            outbound: Outbound::new(egress, timeout),
            discovery: Default::default(),
            overrides,
            timeout,
        }
    }

    /// The base URL replacing `provider`'s real endpoint, if one is configured.
    pub fn base_for(&self, provider: &str) -> Option<&str> {
        self.overrides.get(provider).map(String::as_str)
    }

    /// Identity providers' discovery documents, fetched through the outbound client.
    pub fn discovery(&self) -> &crate::integrations::oidc::DiscoveryCache {
        &self.discovery
    }

    /// The outbound client (OAuth and OpenID Connect share it).
    pub fn outbound(&self) -> &Outbound {
        &self.outbound
    }

    /// Runs `plan`: the health it shows and what the provider answered (not yet cleaned of
    /// secrets; core's `answer_summary` does that).
    pub async fn run(&self, plan: CheckPlan, now_secs: i64) -> (Health, String) {
        match plan {
            CheckPlan::Unavailable { reason } => (Health::Unknown, reason),
            CheckPlan::Http(check) => self.http(check).await,
            CheckPlan::Sql { url } => self.sql(&url).await,
            CheckPlan::GoogleServiceAccount {
                token_url,
                key_json,
            } => match service_account_assertion(&key_json, &token_url, now_secs) {
                Ok(assertion) => {
                    self.http(HttpCheck {
                        method: "POST",
                        url: token_url,
                        headers: Vec::new(),
                        form: vec![
                            (
                                "grant_type".to_owned(),
                                "urn:ietf:params:oauth:grant-type:jwt-bearer".to_owned(),
                            ),
                            ("assertion".to_owned(), assertion),
                        ],
                        rejected: &[400, 401, 403],
                    })
                    .await
                }
                Err(why) => (Health::Unhealthy, why),
            },
        }
    }

    async fn http(&self, check: HttpCheck) -> (Health, String) {
        let method = if check.method == "POST" {
            reqwest::Method::POST
        } else {
            reqwest::Method::GET
        };
        let mut request = self.outbound.request(method, check.url);
        if !check.form.is_empty() {
            request = request.form(&check.form);
        }
        for (k, v) in &check.headers {
            request = request.header(k, v);
        }
        match self.outbound.send(request, CHECK_ANSWER_BYTES).await {
            Ok(answer) => {
                // All of it: secrets are blotted before core shortens it, so no copy of one is
                // cut in half where the blotting cannot see it.
                let body = String::from_utf8_lossy(&answer.body);
                (
                    verdict(answer.status, check.rejected),
                    format!("HTTP {}: {body}", answer.status),
                )
            }
            Err(Failure::Timeout(secs)) => {
                (Health::Unknown, format!("no answer within {secs} seconds"))
            }
            Err(_) => (Health::Unknown, UNREACHABLE.to_owned()),
        }
    }

    async fn sql(&self, url: &url::Url) -> (Health, String) {
        // Resolving counts against the check's time too: a slow resolver holds no worker.
        match tokio::time::timeout(self.timeout, self.sql_within(url)).await {
            Ok(outcome) => outcome,
            Err(_) => (
                Health::Unknown,
                format!("no answer within {} seconds", self.timeout.as_secs()),
            ),
        }
    }

    async fn sql_within(&self, url: &url::Url) -> (Health, String) {
        use sqlx::Connection;
        let unreachable = || (Health::Unknown, "could not reach the database".to_owned());
        let host = url.host_str().unwrap_or_default();
        let port = url.port().unwrap_or(5432);
        let address = match self.outbound.egress().resolve(host, port).await {
            Ok(addresses) => addresses[0],
            Err(refused) => {
                tracing::warn!(%refused, "PostgreSQL check refused");
                return unreachable();
            }
        };
        let Ok(options) = url.as_str().parse::<sqlx::postgres::PgConnectOptions>() else {
            return unreachable();
        };
        // Connect to the address the policy vetted, never by name again; and never fall back
        // on the server's own PGPASSWORD when the URL names none.
        let mut options = options.host(&address.ip().to_string()).port(address.port());
        if url.password().is_none() {
            options = options.password("");
        }
        let attempt = async {
            let mut conn = sqlx::postgres::PgConnection::connect_with(&options).await?;
            sqlx::query("SELECT 1").execute(&mut conn).await?;
            conn.close().await
        };
        match attempt.await {
            Ok(()) => (Health::Healthy, "SELECT 1 answered".to_owned()),
            Err(sqlx::Error::Database(e)) => {
                // 28xxx: invalid authorization; 3D000: no such database. The credential is
                // wrong; anything else says nothing about it.
                let code = e.code().unwrap_or_default().to_string();
                let health = if code.starts_with("28") || code == "3D000" {
                    Health::Unhealthy
                } else {
                    Health::Unknown
                };
                (health, format!("PostgreSQL {code}: {}", e.message()))
            }
            Err(e) => {
                tracing::warn!(error = %e, "PostgreSQL check could not connect");
                unreachable()
            }
        }
    }
}

/// The signed JWT Google exchanges for a token (RFC 7523), valid for ten minutes.
fn service_account_assertion(
    key_json: &str,
    token_url: &url::Url,
    now_secs: i64,
) -> Result<String, String> {
    #[derive(serde::Serialize)]
    struct Claims<'a> {
        iss: &'a str,
        scope: &'a str,
        aud: &'a str,
        iat: i64,
        exp: i64,
    }
    let key: serde_json::Value = serde_json::from_str(key_json)
        .map_err(|_| "the service-account key is not JSON".to_owned())?;
    let email = key["client_email"].as_str().unwrap_or_default();
    let pem = key["private_key"].as_str().unwrap_or_default();
    let signing = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes())
        .map_err(|_| "the service-account key's private_key is not an RSA key".to_owned())?;
    let claims = Claims {
        iss: email,
        scope: "https://www.googleapis.com/auth/pubsub",
        aud: token_url.as_str(),
        iat: now_secs,
        exp: now_secs + 600,
    };
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256),
        &claims,
        &signing,
    )
    .map_err(|_| "the service-account key could not sign a token request".to_owned())
}
