//! Sends the health checks core plans (A5) and reads their answers: HTTP requests to the
//! provider's verification endpoint, `SELECT 1` for PostgreSQL, and Google's service-account
//! token exchange. A rejected credential is Unhealthy; no answer, or an answer that says nothing
//! about the credential, is Unknown.

use portcullis_core::health::{verdict, CheckPlan, Health, HttpCheck};
use std::collections::BTreeMap;
use std::time::Duration;

/// How long a provider has to answer before the check gives Unknown.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(10);
/// How much of a provider's answer is read.
const ANSWER_READ_BYTES: usize = 2048;

/// Runs checks; one per server, sharing its HTTP connection pool.
#[derive(Clone)]
pub struct Checker {
    client: reqwest::Client,
    /// `PORTCULLIS_PROVIDER_URLS`: provider code → base URL replacing the real endpoint (tests
    /// point these at local fakes).
    overrides: BTreeMap<String, String>,
    timeout: Duration,
}

impl Checker {
    pub fn new(overrides: BTreeMap<String, String>, timeout: Duration) -> Checker {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Portcullis health check")
            .build()
            .unwrap_or_default();
        Checker {
            client,
            overrides,
            timeout,
        }
    }

    /// The base URL replacing `provider`'s real endpoint, if one is configured.
    pub fn base_for(&self, provider: &str) -> Option<&str> {
        self.overrides.get(provider).map(String::as_str)
    }

    /// The HTTP client (OAuth token exchanges share it).
    pub fn client(&self) -> &reqwest::Client {
        &self.client
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
        let mut request = if check.method == "POST" {
            self.client.post(&check.url).form(&check.form)
        } else {
            self.client.get(&check.url)
        };
        for (k, v) in &check.headers {
            request = request.header(k, v);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let bytes = response.bytes().await.unwrap_or_default();
                let body = String::from_utf8_lossy(&bytes[..bytes.len().min(ANSWER_READ_BYTES)]);
                (
                    verdict(status, check.rejected),
                    format!("HTTP {status}: {body}"),
                )
            }
            Err(e) if e.is_timeout() => (
                Health::Unknown,
                format!("no answer within {} seconds", self.timeout.as_secs()),
            ),
            Err(e) => (
                Health::Unknown,
                format!("could not reach the provider: {}", without_url(&e)),
            ),
        }
    }

    async fn sql(&self, url: &str) -> (Health, String) {
        use sqlx::Connection;
        let attempt = async {
            let mut conn = sqlx::postgres::PgConnection::connect(url).await?;
            sqlx::query("SELECT 1").execute(&mut conn).await?;
            conn.close().await
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(Ok(())) => (Health::Healthy, "SELECT 1 answered".to_owned()),
            Ok(Err(sqlx::Error::Database(e))) => {
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
            Ok(Err(e)) => (
                Health::Unknown,
                format!("could not reach the database: {e}"),
            ),
            Err(_) => (
                Health::Unknown,
                format!("no answer within {} seconds", self.timeout.as_secs()),
            ),
        }
    }
}

/// A transport error without its URL (which may carry a token in the query).
fn without_url(e: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut deepest = None;
    while let Some(s) = source {
        deepest = Some(s.to_string());
        source = s.source();
    }
    deepest.unwrap_or_else(|| "connection failed".to_owned())
}

/// The signed JWT Google exchanges for a token (RFC 7523), valid for ten minutes.
fn service_account_assertion(
    key_json: &str,
    token_url: &str,
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
        aud: token_url,
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
