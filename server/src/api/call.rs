//! What every REST operation on records starts with: the calling bot (authenticated, within its
//! rate limit, with where the request came from), the target it acts on and the permission core
//! says it holds there, a checked page or window, and a body read strictly.

use crate::api::state::ApiState;
use crate::http::problem::ApiError;
use crate::http::request::meta_of;
use crate::services::apps::Bot;
use crate::services::audit::{received, Principal, Source};
use crate::services::rate_limits::Allowance;
use crate::store::activity::{record, NewEvent};
use crate::store::id_pages::PageAt;
use crate::store::reads::Snapshot;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use chrono::{DateTime, NaiveDate, Utc};
use portcullis_app::services::RequestMeta;
use portcullis_core::apps::{Limited, APP_ALLOWANCE_IN_TOKENS, INVALID_CALLS_PER_ADDRESS_MINUTE};
use portcullis_core::apps::{Permission, Target};
use portcullis_core::error::{field_named_in, is_field_name, one_short_line};
use portcullis_core::ids::{AgencyId, TenantId};
use portcullis_core::Problem;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sqlx::AnyConnection;
use std::sync::Arc;

/// An authenticated REST call by a bot token.
pub(crate) struct BotCall {
    /// The token, its app, and the app's access there.
    pub bot: Arc<Bot>,
    /// The client's address (from a trusted proxy's header where there is one), as the
    /// request layer read it.
    pub origin_ip: Option<String>,
    /// When the call arrived: the one clock read its checks, changes and records share.
    pub now: DateTime<Utc>,
    /// The call's reads: the token and its access were read (or recalled) in it, and a
    /// handler's reads of records go through it too, so the whole call sees one committed state.
    pub reads: Snapshot,
}

impl FromRequestParts<ApiState> for BotCall {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, ApiError> {
        let reads = Snapshot::begin(&state.services.db)?;
        let meta = meta_of(&parts.extensions);
        let bot = bot_of(state, &reads, &parts.headers, &meta).await?;
        Ok(BotCall {
            bot,
            now: received(&meta),
            origin_ip: meta.origin_ip,
            reads,
        })
    }
}

impl BotCall {
    /// The account `raw` names, if this bot may do `permission` there. An id that does not
    /// parse, like an account where the app is not installed, is the same 404.
    pub fn account(&self, raw: &str, permission: Permission) -> Result<TenantId, ApiError> {
        let tenant = TenantId::parse(raw).map_err(|_| ApiError(Problem::not_found("resource")))?;
        self.bot
            .access
            .decide(permission, &Target::Tenant(tenant.clone()))
            .into_result()?;
        Ok(tenant)
    }

    /// The agency `raw` names, if this bot may do `permission` there.
    pub fn agency(&self, raw: &str, permission: Permission) -> Result<AgencyId, ApiError> {
        let agency = AgencyId::parse(raw).map_err(|_| ApiError(Problem::not_found("resource")))?;
        self.bot
            .access
            .decide(permission, &Target::Agency(agency.clone()))
            .into_result()?;
        Ok(agency)
    }

    /// Records a change the bot made, with its token as principal, in `tenant`'s log (or the
    /// platform's, for agency records), in the change's transaction.
    pub async fn record(
        &self,
        conn: &mut AnyConnection,
        tenant: Option<&TenantId>,
        event_type: &str,
        object: (&str, &str),
    ) -> Result<(), ApiError> {
        let origin_ip = self.origin_ip.as_deref();
        record(
            conn,
            NewEvent {
                tenant_id: tenant,
                event_type,
                happened_at: self.now,
                principal: &self.bot.principal(),
                source: Source::Api.code(),
                object_id: Some(object.0),
                object_name: Some(object.1),
                origin_ip,
            },
        )
        .await?;
        Ok(())
    }
}

impl Bot {
    /// The bot as the activity log names it: the token, with its app.
    pub fn principal(&self) -> Principal {
        Principal {
            id: self.token.id.to_string(),
            name: format!("{} (token {})", self.app_name, self.token.name),
            email: None,
        }
    }
}

/// `?limit=&after=` of a list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    limit: Option<u32>,
    after: Option<String>,
}

/// The most items one page holds (API.md).
pub const LIMIT_MAX: u32 = 200;

impl ListQuery {
    pub fn check(self) -> Result<PageAt, ApiError> {
        let limit = self.limit.unwrap_or(50);
        if !(1..=LIMIT_MAX).contains(&limit) {
            return Err(ApiError(Problem::invalid(
                "limit",
                "limit_out_of_range",
                format!("limit is between 1 and {LIMIT_MAX}"),
            )));
        }
        Ok(PageAt {
            limit,
            after: self.after,
        })
    }
}

/// `?from=&to=` of daily figures.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WindowQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl WindowQuery {
    pub fn check(self) -> Result<(NaiveDate, NaiveDate), ApiError> {
        Ok(portcullis_core::campaigns::check_window(
            self.from,
            self.to,
            Utc::now().date_naive(),
        )?)
    }
}

/// A JSON body read strictly: a wrong, missing or unknown field is a 422 naming it, and so is
/// anything after the JSON value (a second value a client believes was read).
pub(crate) fn body<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = one_short_line(&e.into_inner().to_string());
        let field = match (path.as_str(), field_named_in(&inner)) {
            (".", Some(named)) => named,
            (p, _) if p != "." && is_field_name(p) => p.to_owned(),
            _ => "body".to_owned(),
        };
        ApiError(Problem::invalid(
            &field,
            "invalid_body",
            format!("the body does not fit this operation: {inner}"),
        ))
    })?;
    de.end().map_err(|e| {
        ApiError(Problem::invalid(
            "body",
            "trailing_data",
            format!("the body must hold one JSON value and nothing after it: {e}"),
        ))
    })?;
    Ok(value)
}

/// A fresh id's text (the REST records keep their ids as text).
pub(crate) fn fresh<T: ToString>(make: fn([u8; 16]) -> T) -> String {
    crate::store::new_id(make).to_string()
}

/// A query string read into `T`; a wrong parameter is a 422 in the API's envelope (axum's own
/// `Query` would answer 400 in plain text).
pub(crate) struct Q<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Q<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|axum::extract::Query(t)| Q(t))
            .map_err(|e| {
                ApiError(Problem::invalid(
                    "query",
                    "invalid_query",
                    format!(
                        "the query string does not fit this operation: {}",
                        e.body_text()
                    ),
                ))
            })
    }
}

/// The calling bot, authenticated (through the call's `reads`) and within its token's and its
/// app's allowances. An address that sent too many invalid tokens is refused before any work.
pub(crate) async fn bot_of(
    state: &ApiState,
    reads: &Snapshot,
    headers: &HeaderMap,
    meta: &RequestMeta,
) -> Result<std::sync::Arc<crate::services::apps::Bot>, ApiError> {
    let now = received(meta);
    let now_ms = now.timestamp_millis();
    // Without a peer address (a router called in-process) there is no address to count.
    let address = meta.origin_ip.as_deref();
    let invalid = address.map(|ip| Allowance {
        key: format!("bot invalid from {ip}"),
        limit: INVALID_CALLS_PER_ADDRESS_MINUTE,
        what: Limited::Address,
    });
    let header = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let token_key = |public: &str| format!("bot token {public}");
    // A spent address still reaches the check with a token this replica saw authenticate in the
    // last two minutes, so a flood from a shared address does not lock out its working bots.
    // The header is read for that only once the address is spent: off the common path.
    let recently_valid = || {
        header
            .and_then(|h| portcullis_core::apps::parse_authorization(h).ok())
            .is_some_and(|c| state.limits.seen(&token_key(&c.token), now_ms))
    };
    if let Some(invalid) = invalid
        .as_ref()
        .filter(|i| state.limits.spent(&i.key, i.limit, now_ms) && !recently_valid())
    {
        return Err(state
            .limits
            .refusal(&invalid.key, invalid.limit, invalid.what, now_ms)
            .into());
    }
    let bot = match crate::services::apps::authenticate(reads, header, now).await {
        Ok(bot) => bot,
        Err(refused) => {
            if let Some(invalid) = invalid {
                state
                    .limits
                    .admit(&state.services.db, &[invalid], now_ms)
                    .await?;
            }
            return Err(refused.into());
        }
    };
    let allowances = [
        Allowance {
            key: token_key(&bot.token.public_token),
            limit: state.services.bot_rate_limit,
            what: Limited::Token,
        },
        Allowance {
            key: format!("bot app {}", bot.app),
            limit: APP_ALLOWANCE_IN_TOKENS.saturating_mul(state.services.bot_rate_limit),
            what: Limited::App,
        },
    ];
    state
        .limits
        .admit(&state.services.db, &allowances, now_ms)
        .await?;
    Ok(bot)
}
