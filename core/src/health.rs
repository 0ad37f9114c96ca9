//! Authorization health: how each method's credential is checked against the
//! provider's real verification endpoint, and what the answer means.
//!
//! Core plans the request (URL, headers, signature) and reads the verdict from the status; the
//! server only sends it. Base URLs can be overridden per provider so that tests talk to a local
//! fake, never to the Internet.

use crate::providers::{MethodKind, Provider};
use crate::Problem;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::BTreeMap;

/// Whether an authorization works, as the seed names it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Health {
    /// The provider accepted the credential.
    Healthy,
    /// The provider rejected the credential.
    Unhealthy,
    /// Not known: never checked, the provider could not be reached, or the method has no check.
    Unknown,
}

impl Health {
    /// Every health, in declaration order.
    pub const ALL: &'static [Health] = <Health as strum::VariantArray>::VARIANTS;

    /// The stored and wire code.
    pub fn code(self) -> &'static str {
        self.into()
    }

    /// How the console shows it.
    pub fn label(self) -> &'static str {
        match self {
            Health::Healthy => "Healthy",
            Health::Unhealthy => "Unhealthy",
            Health::Unknown => "Unknown",
        }
    }

    /// The health named by `code`, or a problem naming `field`.
    pub fn parse(field: &str, code: &str) -> Result<Health, Problem> {
        code.parse().map_err(|_| {
            Problem::invalid(
                field,
                "unknown_health",
                format!(
                    "{} is not a health; use healthy, unhealthy or unknown",
                    crate::error::echo(code)
                ),
            )
        })
    }
}

/// How often the scheduler checks each authorization: daily.
pub const CHECK_EVERY_MS: i64 = 24 * 60 * 60 * 1000;
/// How long a replica holds its claim on a check before another may take it over.
pub const CHECK_LEASE_MS: i64 = 60 * 1000;

/// An HTTP request that verifies a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpCheck {
    pub method: &'static str,
    /// Parsed once here; the server's client sends to this very value.
    pub url: url::Url,
    pub headers: Vec<(String, String)>,
    /// `application/x-www-form-urlencoded` body fields (POST only).
    pub form: Vec<(String, String)>,
    /// Statuses by which this provider says the credential itself is wrong.
    pub rejected: &'static [u16],
}

/// What checking one authorization takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckPlan {
    Http(HttpCheck),
    /// Connect and run `SELECT 1`.
    Sql {
        url: url::Url,
    },
    /// Sign a JWT with the service account's key and exchange it for a token at `token_url`.
    GoogleServiceAccount {
        token_url: url::Url,
        key_json: String,
    },
    /// Nothing can be checked yet; the reason is shown as the provider's answer.
    Unavailable {
        reason: String,
    },
}

/// Where each provider's verification endpoint lives when not overridden.
pub fn default_base_url(provider: &str, config: &BTreeMap<String, String>) -> Option<String> {
    let url = match provider {
        "sendgrid" => "https://api.sendgrid.com",
        "iterable" if config.get("region").map(String::as_str) == Some("eu") => {
            "https://api.eu.iterable.com"
        }
        "iterable" => "https://api.iterable.com",
        "facebook" => "https://graph.facebook.com",
        "google_cloud" => "https://oauth2.googleapis.com",
        "salesforce" => return config.get("instance_url").cloned(),
        "http_api" => return config.get("base_url").cloned(),
        _ => return None,
    };
    Some(url.to_owned())
}

const REJECTED: &[u16] = &[401, 403];
/// Facebook and Google answer 400 to a bad token or grant.
const REJECTED_OR_BAD_GRANT: &[u16] = &[400, 401, 403];

/// Plans the check of an authorization whose whole configuration (secrets decrypted) is
/// `config`; `base` overrides the provider's base URL; `now_ms` signs HMAC requests.
pub fn plan(
    provider: &Provider,
    kind: MethodKind,
    config: &BTreeMap<String, String>,
    base: Option<&str>,
    now_ms: i64,
) -> CheckPlan {
    let get = |k: &str| config.get(k).cloned().unwrap_or_default();
    if provider.code == "postgresql" {
        return match crate::providers::parse_postgres_url(&get("url")) {
            Ok(url) => CheckPlan::Sql { url },
            Err(_) => CheckPlan::Unavailable {
                reason: "the connection URL is not a postgres:// URL this server may use"
                    .to_owned(),
            },
        };
    }
    let Some(base) = base
        .map(str::to_owned)
        .or_else(|| default_base_url(provider.code, config))
    else {
        return CheckPlan::Unavailable {
            reason: format!("{} has no verification endpoint", provider.name),
        };
    };
    let base = base.trim_end_matches('/').to_owned();
    let parsed = |url: String| crate::providers::parse_http_url(&url);
    let bad_url = || CheckPlan::Unavailable {
        reason: "the provider's URL is not an https:// URL this server may use".to_owned(),
    };
    let http = |url: String, headers: Vec<(String, String)>, rejected| match parsed(url) {
        Ok(url) => CheckPlan::Http(HttpCheck {
            method: "GET",
            url,
            headers,
            form: Vec::new(),
            rejected,
        }),
        Err(_) => bad_url(),
    };
    let bearer = |token: String| vec![("Authorization".to_owned(), format!("Bearer {token}"))];
    match (provider.code, kind) {
        ("google_cloud", MethodKind::ServiceAccount) => match parsed(format!("{base}/token")) {
            Ok(token_url) => CheckPlan::GoogleServiceAccount {
                token_url,
                key_json: get("service_account_key"),
            },
            Err(_) => bad_url(),
        },
        ("sendgrid", _) => http(
            format!("{base}/v3/scopes"),
            bearer(get("api_key")),
            REJECTED,
        ),
        ("iterable", _) => http(
            format!("{base}/api/lists"),
            vec![("Api-Key".to_owned(), get("api_key"))],
            REJECTED,
        ),
        (_, MethodKind::OAuth) if get("access_token").is_empty() => CheckPlan::Unavailable {
            reason: "not connected yet: finish the provider's consent first".to_owned(),
        },
        ("facebook", _) => http(
            format!("{base}/me"),
            bearer(get("access_token")),
            REJECTED_OR_BAD_GRANT,
        ),
        ("google_cloud", _) => http(
            format!("{base}/tokeninfo"),
            bearer(get("access_token")),
            REJECTED_OR_BAD_GRANT,
        ),
        ("salesforce", _) => http(
            format!("{base}/services/oauth2/userinfo"),
            bearer(get("access_token")),
            REJECTED,
        ),
        (_, MethodKind::Bearer) => http(base, bearer(get("token")), REJECTED),
        (_, MethodKind::Basic) => {
            let pair = format!("{}:{}", get("username"), get("password"));
            let value = format!("Basic {}", crate::base64::encode(pair.as_bytes()));
            http(base, vec![("Authorization".to_owned(), value)], REJECTED)
        }
        (_, MethodKind::Hmac) => {
            let path = path_of(&base);
            let signature = hmac_signature(&get("signing_secret"), now_ms, "GET", &path);
            let header = Some(get("header"))
                .filter(|h| !h.is_empty())
                .unwrap_or_else(|| DEFAULT_SIGNATURE_HEADER.to_owned());
            let headers = vec![
                ("X-Portcullis-Key-Id".to_owned(), get("key_id")),
                (
                    "X-Portcullis-Timestamp".to_owned(),
                    (now_ms / 1000).to_string(),
                ),
                (header, signature),
            ];
            http(base, headers, REJECTED)
        }
        _ => CheckPlan::Unavailable {
            reason: format!("{} has no check for this method", provider.name),
        },
    }
}

/// The header an HMAC request carries its signature in unless the method names another.
pub const DEFAULT_SIGNATURE_HEADER: &str = "X-Portcullis-Signature";

/// The path (and query) of a URL, `/` when it has none.
fn path_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    match rest.find('/') {
        Some(i) => rest[i..].to_owned(),
        None => "/".to_owned(),
    }
}

/// `hex(HMAC-SHA256(secret, "<unix seconds>.<METHOD>.<path>"))`: what a generic API that
/// authenticates by HMAC recomputes to trust the request.
pub fn hmac_signature(secret: &str, now_ms: i64, method: &str, path: &str) -> String {
    let message = format!("{}.{method}.{path}", now_ms / 1000);
    hex::encode(hmac_sha256(secret.as_bytes(), message.as_bytes()))
}

/// HMAC (RFC 2104) over SHA-256.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length (a long one is hashed first), so the error arm of
    // `new_from_slice` cannot be reached.
    Hmac::<Sha256>::new_from_slice(key)
        .map(|mac| mac.chain_update(message).finalize().into_bytes().into())
        .unwrap_or_default()
}

/// The health a provider's HTTP answer means: 2xx accepted, a rejecting status rejected, and
/// anything else (a 5xx, a 429, a redirect) says nothing about the credential.
pub fn verdict(status: u16, rejected: &[u16]) -> Health {
    if (200..300).contains(&status) {
        Health::Healthy
    } else if rejected.contains(&status) {
        Health::Unhealthy
    } else {
        Health::Unknown
    }
}

/// Longest provider answer kept with a check.
pub const ANSWER_MAX_CHARS: usize = 300;

/// Every form in which a secret may come back in a provider's answer: as configured, as the
/// check sent it (header values and their credentials, such as a Basic pair that is the
/// base64 of `user:password`, and form fields), and base64- or percent-encoded.
pub fn echo_forms(secrets: &[&str], plan: &CheckPlan) -> Vec<String> {
    let mut sent: Vec<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
    match plan {
        CheckPlan::Http(check) => {
            for (_, value) in &check.headers {
                sent.push(value.clone());
                if let Some((_, credential)) = value.split_once(' ') {
                    sent.push(credential.to_owned());
                }
            }
            sent.extend(check.form.iter().map(|(_, v)| v.clone()));
        }
        CheckPlan::GoogleServiceAccount { key_json, .. } => sent.push(key_json.clone()),
        CheckPlan::Sql { url } => sent.extend(url.password().map(str::to_owned)),
        CheckPlan::Unavailable { .. } => {}
    }
    let encoded: Vec<String> = sent
        .iter()
        .flat_map(|s| {
            let json = serde_json::to_string(s).unwrap_or_default();
            [
                crate::base64::encode(s.as_bytes()),
                url::form_urlencoded::byte_serialize(s.as_bytes()).collect(),
                // As a JSON string's inside, escapes and all (`\"`, `\/`, `\n`).
                json.trim_matches('"').to_owned(),
                json.trim_matches('"').replace('/', "\\/"),
            ]
        })
        .collect();
    sent.extend(encoded);
    sent.retain(|s| s.len() >= 4);
    sent.sort();
    sent.dedup();
    sent
}

/// What the provider answered, as the summary page shows it: one line, at most
/// [`ANSWER_MAX_CHARS`] characters, with every secret value of the configuration blotted out
/// (a provider may echo what it was sent).
pub fn answer_summary(answer: &str, secrets: &[&str]) -> String {
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let answer = one_line(answer);
    // Secrets are looked for in the answer's one-line form (an echo of a secret with a tab or a
    // line break loses it too), and every byte any of them covers is blotted at once, so
    // secrets that overlap or contain one another leave no piece of each other showing.
    let mut hidden = vec![false; answer.len()];
    for secret in secrets.iter().map(|s| one_line(s)).filter(|s| s.len() >= 4) {
        let step = secret.chars().next().map_or(1, char::len_utf8);
        let mut from = 0;
        while let Some(at) = answer.get(from..).and_then(|rest| rest.find(&secret)) {
            let start = from + at;
            if let Some(span) = hidden.get_mut(start..start + secret.len()) {
                span.fill(true);
            }
            from = start + step;
        }
    }
    let mut line = String::with_capacity(answer.len());
    let mut blotting = false;
    for (i, c) in answer.char_indices() {
        if hidden.get(i).copied().unwrap_or(false) {
            if !blotting {
                line.push_str(crate::pii::MASK);
            }
            blotting = true;
        } else {
            line.push(c);
            blotting = false;
        }
    }
    if line.chars().count() > ANSWER_MAX_CHARS {
        line = line.chars().take(ANSWER_MAX_CHARS - 1).collect::<String>() + "…";
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echoed_basic_header_is_blotted_in_every_form() {
        let (provider, _) = crate::providers::method("http_api", "basic").unwrap();
        let config = std::collections::BTreeMap::from([
            (
                "base_url".to_owned(),
                "https://api.example.com/check".to_owned(),
            ),
            ("username".to_owned(), "svc".to_owned()),
            ("password".to_owned(), "hunter2-long".to_owned()),
        ]);
        let check = plan(provider, MethodKind::Basic, &config, None, 0);
        let echoes = echo_forms(&["hunter2-long"], &check);
        let pair = crate::base64::encode(b"svc:hunter2-long");
        let answer = format!(
            "HTTP 401: you sent Authorization: Basic {pair}; password={} and {}",
            "hunter2%2Dlong".replace("%2D", "-"),
            crate::base64::encode(b"hunter2-long")
        );
        let shown = answer_summary(
            &answer,
            &echoes.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        assert!(!shown.contains(&pair), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            !shown.contains(&crate::base64::encode(b"hunter2-long")),
            "{shown}"
        );
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn verdicts_follow_the_status() {
        assert_eq!(verdict(200, REJECTED), Health::Healthy);
        assert_eq!(verdict(401, REJECTED), Health::Unhealthy);
        assert_eq!(verdict(400, REJECTED), Health::Unknown);
        assert_eq!(verdict(400, REJECTED_OR_BAD_GRANT), Health::Unhealthy);
        assert_eq!(verdict(503, REJECTED), Health::Unknown);
    }

    #[test]
    fn answers_hide_secrets_and_fit_one_line() {
        let s = answer_summary("token\nSG.secretvalue was\trejected", &["SG.secretvalue"]);
        assert_eq!(s, format!("token {} was rejected", crate::pii::MASK));
        assert_eq!(
            answer_summary(&"x".repeat(1000), &[]).chars().count(),
            ANSWER_MAX_CHARS
        );
    }
}
