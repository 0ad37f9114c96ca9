//! The REST API under `/api/v1`: one error envelope, JSON in and out.
//!
//! Bot tokens authenticate every call except `/health`; a job's runner uses `rest_jobs`.

use crate::console::Services;
use crate::db::Db;
use crate::rate_limits::{Allowance, SharedLimits};
use crate::store::reads::Snapshot;
use axum::extract::{FromRef, State};
use axum::http::header::AUTHORIZATION;
use axum::http::Extensions;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, patch, post, put, MethodRouter};
use axum::{Json, Router};
use portcullis_core::apps::{Limited, APP_ALLOWANCE_IN_TOKENS, INVALID_CALLS_PER_ADDRESS_MINUTE};
use portcullis_core::Problem;
use serde_json::json;
use std::sync::Arc;

/// A [`Problem`] answered over REST, in the `{"error": {...}}` envelope of `shared/API.md`.
#[derive(Debug)]
pub struct ApiError(pub Problem);

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError(p)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let p = self.0;
        let status = StatusCode::from_u16(p.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut body = json!({
            "error": {
                "code": p.code,
                "message": p.message,
                "field": p.field,
                "missing_permission": p.missing_permission,
            }
        });
        if !p.blockers.is_empty() {
            body["error"]["blockers"] = json!(p.blockers);
        }
        let mut response = (status, Json(body)).into_response();
        if let Some(secs) = p.retry_after_secs {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
        }
        response
    }
}

/// What the API's handlers share. Behind `Arc`s because axum clones the state for every
/// request, and a `Services` clone allocates.
#[derive(Clone)]
pub(crate) struct ApiState {
    pub(crate) services: Arc<Services>,
    limits: SharedLimits,
}

impl FromRef<ApiState> for Db {
    fn from_ref(s: &ApiState) -> Db {
        s.services.db.clone()
    }
}

/// The calling bot, authenticated (through the call's `reads`) and within its token's and its
/// app's allowances. An address that sent too many invalid tokens is refused before any work.
pub(crate) async fn bot_of(
    state: &ApiState,
    reads: &Snapshot,
    headers: &HeaderMap,
    extensions: &Extensions,
) -> Result<std::sync::Arc<crate::apps::Bot>, ApiError> {
    let now = chrono::Utc::now();
    let now_ms = now.timestamp_millis();
    // Without a peer address (a router called in-process) there is no address to count.
    let address = portcullis_app::api::origin_ip_of(
        headers,
        crate::http::peer_of(extensions),
        &state.services.trusted_proxies,
    );
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
    let bot = match crate::apps::authenticate(reads, header, now).await {
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

/// Every route under `/api/v1` with its handlers: the operations of core's catalog
/// (`api_catalog`), which the OpenAPI document and the tests follow too. The router is built
/// from this list and the boundary test reads its paths from it, so a route cannot be served
/// without being tested.
fn routes() -> Vec<(&'static str, MethodRouter<ApiState>)> {
    use crate::{rest_accounts as acc, rest_agencies as agc};
    vec![
        ("/api/v1/health", get(health)),
        ("/api/v1/me", get(me)),
        ("/api/v1/openapi.json", get(openapi)),
        ("/api/v1/accounts/{account_id}", get(acc::get_account)),
        (
            "/api/v1/accounts/{account_id}/campaigns",
            get(acc::list_campaigns).post(acc::create_campaign),
        ),
        (
            "/api/v1/accounts/{account_id}/campaigns/{campaign_id}",
            patch(acc::update_campaign),
        ),
        (
            "/api/v1/accounts/{account_id}/children",
            post(acc::create_child),
        ),
        (
            "/api/v1/accounts/{account_id}/content",
            get(acc::list_content).post(acc::create_content),
        ),
        (
            "/api/v1/accounts/{account_id}/feeds",
            get(acc::list_feeds).post(acc::create_feed),
        ),
        (
            "/api/v1/accounts/{account_id}/analytics",
            get(acc::analytics),
        ),
        (
            "/api/v1/accounts/{account_id}/default-creatives",
            get(acc::list_creatives),
        ),
        ("/api/v1/agencies/{agency_id}", get(agc::get_agency)),
        (
            "/api/v1/agencies/{agency_id}/accounts",
            get(agc::list_accounts).post(agc::create_account),
        ),
        (
            "/api/v1/agencies/{agency_id}/accounts/{account_id}",
            patch(agc::rename_account),
        ),
        ("/api/v1/agencies/{agency_id}/boards", get(agc::list_boards)),
        (
            "/api/v1/agencies/{agency_id}/boards/{board_id}",
            patch(agc::update_board),
        ),
        (
            "/api/v1/agencies/{agency_id}/boards/{board_id}/image",
            put(agc::set_board_image),
        ),
        (
            "/api/v1/agencies/{agency_id}/campaigns",
            get(agc::list_campaigns).post(agc::create_campaign),
        ),
        (
            "/api/v1/agencies/{agency_id}/ad-approvals",
            post(agc::decide_ad),
        ),
        (
            "/api/v1/agencies/{agency_id}/campaign-pulls",
            post(agc::pull_campaigns),
        ),
        (
            "/api/v1/agencies/{agency_id}/stats",
            get(agc::stats).post(agc::publish_stats),
        ),
        (
            "/api/v1/agencies/{agency_id}/lightning-devices",
            get(agc::list_devices),
        ),
        (
            "/api/v1/jobs/{job_id}/credential",
            get(crate::rest_jobs::credential),
        ),
        (
            "/api/v1/jobs/{job_id}/status",
            post(crate::rest_jobs::report),
        ),
    ]
}

/// The paths the REST router serves, read from the list it is built from.
pub fn route_paths() -> Vec<&'static str> {
    routes().into_iter().map(|(path, _)| path).collect()
}

/// The routes under `/api/v1`. Full paths merged into the application's router, not a nested
/// router: nesting rebuilt every call's URI and matched its path twice.
pub fn router<S: Clone + Send + Sync + 'static>(services: Services) -> Router<S> {
    routes()
        .into_iter()
        .fold(Router::new(), |r, (path, handlers)| r.route(path, handlers))
        .route("/api/v1", any(no_route))
        .route("/api/v1/{*rest}", any(no_route))
        .with_state(ApiState {
            limits: SharedLimits::default(),
            services: Arc::new(services),
        })
}

/// Any other path under `/api/v1`.
async fn no_route() -> ApiError {
    ApiError(Problem::new(
        portcullis_core::ProblemKind::NotFound,
        "not_found",
        "there is no API route at this path",
    ))
}

/// The OpenAPI document (public, like `/health`: it describes, it reveals no record).
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(crate::openapi::document())
}

/// The calling bot: its token and its app with what the app asks for.
async fn me(
    State(state): State<ApiState>,
    extensions: Extensions,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let reads = Snapshot::begin(&state.services.db)?;
    let bot = bot_of(&state, &reads, &headers, &extensions).await?;
    // The app's permissions came with the token (in core's order, as the store sorts them).
    let permissions = &bot.access.app_permissions;
    Ok(Json(json!({
        "token": {"id": bot.token.id, "name": bot.token.name, "public_token": bot.token.public_token},
        "app": {
            "id": bot.app,
            "name": bot.app_name,
            "permissions": permissions.iter().map(|p| p.code()).collect::<Vec<_>>(),
        },
    })))
}

/// Whether this replica can reach its database, and whether the database has every migration
/// this binary embeds: a load balancer sends nothing to a replica answering 503.
async fn health(State(db): State<Db>) -> Result<Json<serde_json::Value>, ApiError> {
    // The code stays the one every storage outage answers; the message says which part failed.
    let unreachable = |e: sqlx::Error| {
        tracing::error!(error = %e, "health: the database does not answer");
        ApiError(Problem::new(
            portcullis_core::ProblemKind::Unavailable,
            "unavailable",
            "the database does not answer",
        ))
    };
    crate::store::ping(&db.pool).await.map_err(unreachable)?;
    let pending = db.pending_migrations().await.map_err(unreachable)?;
    if pending > 0 {
        return Err(ApiError(Problem::new(
            portcullis_core::ProblemKind::Unavailable,
            "migrations_behind",
            format!(
                "the database lacks {pending} of this server's migrations; run `portcullis migrate`"
            ),
        )));
    }
    Ok(Json(
        json!({"status": "ok", "database": "ok", "migrations": "current"}),
    ))
}
