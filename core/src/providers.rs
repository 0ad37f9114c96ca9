//! The provider catalog for authorizations: each third-party provider, its methods, each
//! method's configuration fields (type, required, secret, rule) and the job types it
//! supports; and the one validation both the browser's wizard and the server run.
//! Secret fields are write-only: [`masked`] is the only way a stored configuration is
//! shown again.

use crate::Problem;
use std::collections::BTreeMap;

/// What a configuration value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Any single line.
    Line,
    /// An `https://` URL (or `http://` on a loopback host, for local fakes in tests).
    HttpsUrl,
    /// A `postgres://` or `postgresql://` URL with a host and a database.
    PostgresUrl,
    /// Starts with this prefix and has more after it.
    Prefix(&'static str),
    /// Only ASCII digits, this many or more.
    Digits(usize),
    /// Only hex digits, exactly this many.
    Hex(usize),
    /// One of these values.
    OneOf(&'static [&'static str]),
    /// A Google Cloud project id: 6-30 lower-case letters, digits or hyphens, starting with a letter.
    GcpProject,
    /// A Google service-account key file (JSON with `"type": "service_account"`, a client email
    /// and a private key).
    ServiceAccountJson,
}

/// One configuration field of a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub required: bool,
    /// Write-only: stored encrypted, never shown or returned again.
    pub secret: bool,
    pub rule: Rule,
}

/// Kinds of work a job can do with an authorization.
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
pub enum JobType {
    ImportPubSub,
    ExportBigQuery,
    SendAudience,
    SyncUsers,
    SendEmail,
    SyncContacts,
    ImportObjects,
    SendWebhook,
    ImportHttp,
    ImportTable,
    ExportTable,
}

impl JobType {
    /// Every job type, in declaration order.
    pub const ALL: &'static [JobType] = <JobType as strum::VariantArray>::VARIANTS;

    /// The stored and wire code (`import_pub_sub`, …).
    pub fn code(self) -> &'static str {
        self.into()
    }

    /// The job type named by `code`, or a problem naming `field`.
    pub fn parse(field: &str, code: &str) -> Result<JobType, Problem> {
        code.parse().map_err(|_| {
            Problem::invalid(
                field,
                "unknown_job_type",
                format!("{} is not a job type", crate::error::echo(code)),
            )
        })
    }

    /// How the job type reads in the console.
    pub fn label(self) -> &'static str {
        match self {
            JobType::ImportPubSub => "Import Data (Cloud Pub/Sub)",
            JobType::ExportBigQuery => "Export to BigQuery",
            JobType::SendAudience => "Send audience (Custom Audiences)",
            JobType::SyncUsers => "Sync users",
            JobType::SendEmail => "Send email",
            JobType::SyncContacts => "Sync contacts",
            JobType::ImportObjects => "Import objects",
            JobType::SendWebhook => "Send to webhook",
            JobType::ImportHttp => "Import from HTTP API",
            JobType::ImportTable => "Import table",
            JobType::ExportTable => "Export table",
        }
    }
}

/// How a method proves who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    ApiKey,
    OAuth,
    ServiceAccount,
    Bearer,
    Basic,
    Hmac,
    ConnectionUrl,
}

/// One way to authorize with a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method {
    pub code: &'static str,
    pub name: &'static str,
    pub kind: MethodKind,
    pub fields: &'static [Field],
    pub jobs: &'static [JobType],
}

/// A third-party provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    pub code: &'static str,
    pub name: &'static str,
    pub methods: &'static [Method],
}

const fn field(
    key: &'static str,
    label: &'static str,
    required: bool,
    secret: bool,
    rule: Rule,
) -> Field {
    Field {
        key,
        label,
        required,
        secret,
        rule,
    }
}

const BASE_URL: Field = field("base_url", "Base URL", true, false, Rule::HttpsUrl);

/// Every provider the console knows.
pub const PROVIDERS: &[Provider] = &[
    Provider {
        code: "google_cloud",
        name: "Google Cloud",
        methods: &[
            Method {
                code: "service_account",
                name: "Service account",
                kind: MethodKind::ServiceAccount,
                fields: &[
                    field("project_id", "Project ID", true, false, Rule::GcpProject),
                    field(
                        "service_account_key",
                        "Service account key (JSON)",
                        true,
                        true,
                        Rule::ServiceAccountJson,
                    ),
                ],
                jobs: &[JobType::ImportPubSub, JobType::ExportBigQuery],
            },
            Method {
                code: "oauth",
                name: "OAuth (Google account)",
                kind: MethodKind::OAuth,
                fields: &[
                    field("project_id", "Project ID", true, false, Rule::GcpProject),
                    field("client_id", "OAuth client ID", true, false, Rule::Line),
                    field(
                        "client_secret",
                        "OAuth client secret",
                        true,
                        true,
                        Rule::Line,
                    ),
                ],
                jobs: &[JobType::ExportBigQuery],
            },
        ],
    },
    Provider {
        code: "facebook",
        name: "Facebook",
        methods: &[Method {
            code: "oauth",
            name: "OAuth (Facebook Login)",
            kind: MethodKind::OAuth,
            fields: &[
                field("app_id", "App ID", true, false, Rule::Digits(5)),
                field("app_secret", "App secret", true, true, Rule::Hex(32)),
            ],
            jobs: &[JobType::SendAudience],
        }],
    },
    Provider {
        code: "iterable",
        name: "Iterable",
        methods: &[Method {
            code: "api_key",
            name: "API key",
            kind: MethodKind::ApiKey,
            fields: &[
                field("api_key", "API key", true, true, Rule::Hex(32)),
                field(
                    "region",
                    "Data center",
                    true,
                    false,
                    Rule::OneOf(&["us", "eu"]),
                ),
            ],
            jobs: &[JobType::SyncUsers, JobType::SendEmail],
        }],
    },
    Provider {
        code: "salesforce",
        name: "Salesforce",
        methods: &[Method {
            code: "oauth",
            name: "OAuth (connected app)",
            kind: MethodKind::OAuth,
            fields: &[
                field("instance_url", "Instance URL", true, false, Rule::HttpsUrl),
                field("client_id", "Consumer key", true, false, Rule::Line),
                field("client_secret", "Consumer secret", true, true, Rule::Line),
            ],
            jobs: &[JobType::SyncContacts, JobType::ImportObjects],
        }],
    },
    Provider {
        code: "sendgrid",
        name: "SendGrid",
        methods: &[Method {
            code: "api_key",
            name: "API key",
            kind: MethodKind::ApiKey,
            fields: &[field("api_key", "API key", true, true, Rule::Prefix("SG."))],
            jobs: &[JobType::SendEmail, JobType::SyncContacts],
        }],
    },
    Provider {
        code: "http_api",
        name: "Generic HTTP API",
        methods: &[
            Method {
                code: "bearer",
                name: "Bearer token",
                kind: MethodKind::Bearer,
                fields: &[BASE_URL, field("token", "Token", true, true, Rule::Line)],
                jobs: &[JobType::SendWebhook, JobType::ImportHttp],
            },
            Method {
                code: "basic",
                name: "Basic (user and password)",
                kind: MethodKind::Basic,
                fields: &[
                    BASE_URL,
                    field("username", "User name", true, false, Rule::Line),
                    field("password", "Password", true, true, Rule::Line),
                ],
                jobs: &[JobType::SendWebhook, JobType::ImportHttp],
            },
            Method {
                code: "hmac",
                name: "HMAC signature",
                kind: MethodKind::Hmac,
                fields: &[
                    BASE_URL,
                    field("key_id", "Key ID", true, false, Rule::Line),
                    field("signing_secret", "Signing secret", true, true, Rule::Line),
                    field("header", "Signature header", false, false, Rule::Line),
                ],
                jobs: &[JobType::SendWebhook],
            },
        ],
    },
    Provider {
        code: "postgresql",
        name: "PostgreSQL",
        methods: &[Method {
            code: "connection_url",
            name: "Connection URL",
            kind: MethodKind::ConnectionUrl,
            fields: &[field(
                "url",
                "Connection URL",
                true,
                true,
                Rule::PostgresUrl,
            )],
            jobs: &[JobType::ImportTable, JobType::ExportTable],
        }],
    },
];

/// The provider and method named by their codes, or a problem naming the field.
pub fn method(
    provider: &str,
    method: &str,
) -> Result<(&'static Provider, &'static Method), Problem> {
    let p = PROVIDERS
        .iter()
        .find(|p| p.code == provider)
        .ok_or_else(|| {
            Problem::invalid(
                "provider",
                "unknown_provider",
                format!(
                    "{} is not a provider in the catalog",
                    crate::error::echo(provider)
                ),
            )
        })?;
    let m = p.methods.iter().find(|m| m.code == method).ok_or_else(|| {
        Problem::invalid(
            "method",
            "unknown_method",
            format!("{} has no method {}", p.name, crate::error::echo(method)),
        )
    })?;
    Ok((p, m))
}

/// Checks a configuration against its method: every value trimmed and single-line (except a
/// key file), required fields present, each value following its rule, unknown keys refused
/// (a client must not believe it set a field that does not exist). Problems name the field.
pub fn validate(
    method: &Method,
    config: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Problem> {
    if let Some(unknown) = config
        .keys()
        .find(|k| !method.fields.iter().any(|f| f.key == k.as_str()))
    {
        // The made-up key is the field only when it reads as one: a blank, overlong or
        // multi-line key would leave the client a field it cannot show or match.
        let readable = !unknown.trim().is_empty()
            && unknown.chars().count() <= 64
            && !unknown.contains(char::is_control);
        return Err(Problem::invalid(
            if readable { unknown.as_str() } else { "config" },
            "unknown_field",
            format!(
                "{} has no field {}",
                method.name,
                crate::error::echo(unknown)
            ),
        ));
    }
    let mut out = BTreeMap::new();
    for f in method.fields {
        let value = config.get(f.key).map(|v| v.trim()).unwrap_or_default();
        if value.is_empty() {
            if f.required {
                return Err(Problem::invalid(
                    f.key,
                    "field_required",
                    format!("{} is required", f.label),
                ));
            }
            continue;
        }
        check_rule(f, value)?;
        out.insert(f.key.to_owned(), value.to_owned());
    }
    Ok(out)
}

fn check_rule(f: &Field, value: &str) -> Result<(), Problem> {
    let fail = |rule: &str| {
        Err(Problem::invalid(
            f.key,
            "invalid_field",
            format!("{} {rule}", f.label),
        ))
    };
    if f.rule != Rule::ServiceAccountJson && value.contains(['\n', '\r']) {
        return fail("must be one line");
    }
    let ok = match f.rule {
        Rule::Line => value.chars().count() <= 4096,
        Rule::HttpsUrl => parse_http_url(value).is_ok(),
        Rule::PostgresUrl => parse_postgres_url(value).is_ok(),
        Rule::Prefix(p) => value.len() > p.len() && value.starts_with(p),
        Rule::Digits(min) => value.len() >= min && value.bytes().all(|b| b.is_ascii_digit()),
        Rule::Hex(n) => value.len() == n && value.bytes().all(|b| b.is_ascii_hexdigit()),
        Rule::OneOf(values) => values.contains(&value),
        Rule::GcpProject => {
            let b = value.as_bytes();
            (6..=30).contains(&b.len())
                && b.first().is_some_and(u8::is_ascii_lowercase)
                && b.iter()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
                && b.last() != Some(&b'-')
        }
        Rule::ServiceAccountJson => {
            return match serde_json::from_str::<serde_json::Value>(value) {
                Ok(v) if v.get("type").and_then(serde_json::Value::as_str) == Some("service_account")
                    && v.get("client_email").and_then(serde_json::Value::as_str).is_some_and(|e| e.contains('@'))
                    && v.get("private_key").and_then(serde_json::Value::as_str).is_some_and(|k| k.contains("PRIVATE KEY")) => Ok(()),
                _ => fail("must be a service-account key file: JSON with \"type\": \"service_account\", client_email and private_key"),
            };
        }
    };
    if ok {
        return Ok(());
    }
    match f.rule {
        Rule::Prefix(p) => fail(&format!("must start with {p}")),
        Rule::Digits(min) => fail(&format!("must be at least {min} digits")),
        Rule::Hex(n) => fail(&format!("must be {n} hexadecimal characters")),
        Rule::OneOf(values) => fail(&format!("must be one of {}", values.join(", "))),
        Rule::GcpProject => {
            fail("must be 6 to 30 lower-case letters, digits or hyphens, starting with a letter")
        }
        Rule::HttpsUrl => fail("must be an https:// URL"),
        Rule::PostgresUrl => fail(
            "must be a postgres:// URL with a host and a database, and no parameters but sslmode and application_name",
        ),
        Rule::Line | Rule::ServiceAccountJson => fail("must be at most 4096 characters"),
    }
}

/// An `https://` URL (or `http://` on a loopback host, for local fakes in tests), trimmed; the
/// problem names `field`. Identity providers' issuers follow the same rule as providers' URLs.
pub fn check_https_url(field: &str, value: &str) -> Result<String, Problem> {
    let value = value.trim();
    parse_http_url(value)
        .map(|_| value.to_owned())
        .map_err(|_| Problem::invalid(field, "invalid_url", "must be an https:// URL"))
}

/// Why a URL is refused; the caller names the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadUrl;

/// Parses an outbound HTTP URL with the same parser the server's client uses, so the host
/// validated here is the host connected to: `https`, or `http` on a loopback host; a host and
/// no user or password; nothing a browser would mend (backslashes, whitespace, control
/// characters) since mending is where two parsers start to disagree.
pub fn parse_http_url(value: &str) -> Result<url::Url, BadUrl> {
    let url = parse_strict(value)?;
    if url.host().is_none() {
        return Err(BadUrl);
    }
    let loopback = is_loopback_host(&url);
    let scheme_ok = url.scheme() == "https" || (url.scheme() == "http" && loopback);
    (scheme_ok && url.username().is_empty() && url.password().is_none())
        .then_some(url)
        .ok_or(BadUrl)
}

/// Whether `url` names this machine: `localhost` or a loopback address.
pub fn is_loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Query parameters a PostgreSQL URL may carry. Others (`host`, `hostaddr`, `sslrootcert`,
/// `sslcert`, `sslkey`, `options`…) would reach a socket or file on the server itself.
const POSTGRES_PARAMETERS: &[&str] = &["sslmode", "application_name"];

/// Parses a PostgreSQL connection URL: `postgres://` or `postgresql://`, a host, a database,
/// and only the query parameters that cannot point at the server's own files or sockets.
pub fn parse_postgres_url(value: &str) -> Result<url::Url, BadUrl> {
    let url = parse_strict(value)?;
    let database = url.path().trim_start_matches('/');
    let params_ok = url
        .query_pairs()
        .all(|(k, _)| POSTGRES_PARAMETERS.contains(&k.as_ref()));
    // A host of plain name characters: sqlx reads a percent-encoded `/` in the host as a
    // socket path on the server itself.
    let host_ok = url.host_str().is_some_and(|h| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':'))
    });
    (matches!(url.scheme(), "postgres" | "postgresql")
        && host_ok
        && !database.is_empty()
        && !database.contains('/')
        && params_ok)
        .then_some(url)
        .ok_or(BadUrl)
}

fn parse_strict(value: &str) -> Result<url::Url, BadUrl> {
    if value.contains(|c: char| c == '\\' || c.is_whitespace() || c.is_control()) {
        return Err(BadUrl);
    }
    url::Url::parse(value).map_err(|_| BadUrl)
}

/// A stored configuration as it may be shown: secret fields replaced by a fixed mask.
/// Keys the method does not declare (tokens an OAuth consent returned) count as secret too.
pub fn masked(method: &Method, config: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    config
        .iter()
        .map(|(k, v)| {
            let secret = !method
                .fields
                .iter()
                .any(|f| f.key == k.as_str() && !f.secret);
            (
                k.clone(),
                if secret {
                    crate::pii::MASK.to_owned()
                } else {
                    v.clone()
                },
            )
        })
        .collect()
}

/// The methods that can run a job type (the job wizard's choose-authorization step).
pub fn methods_for(job: JobType) -> impl Iterator<Item = (&'static Provider, &'static Method)> {
    PROVIDERS
        .iter()
        .flat_map(|p| p.methods.iter().map(move |m| (p, m)))
        .filter(move |(_, m)| m.jobs.contains(&job))
}
