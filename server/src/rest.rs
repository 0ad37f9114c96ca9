//! The REST API under `/api/v1`: one error envelope, JSON in and out.
//!
//! Bot tokens authenticate every call except `/health`; a job's runner uses `rest_jobs`.

use crate::console::Services;
use crate::db::Db;
use crate::store::reads::Snapshot;
use axum::extract::{FromRef, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, patch, post, put, MethodRouter};
use axum::{Json, Router};
use portcullis_core::apps::{RateWindow, BOT_REQUESTS_PER_MINUTE};
use portcullis_core::ids::TokenId;
use portcullis_core::Problem;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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

/// Each token's use of the current minute, in this replica. A limit per replica (not shared
/// through the database) keeps a write off every API call; with N replicas behind a balancer a
/// token may make up to N times the limit.
#[derive(Clone)]
pub struct Limits {
    windows: Arc<Mutex<HashMap<TokenId, RateWindow>>>,
    per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(BOT_REQUESTS_PER_MINUTE)
    }
}

impl Limits {
    /// `per_minute` requests per token and minute (`PORTCULLIS_BOT_RATE_LIMIT`).
    pub fn new(per_minute: u32) -> Limits {
        Limits {
            windows: Arc::default(),
            per_minute,
        }
    }

    /// Counts a call of `token`, or refuses it with 429 and `Retry-After`.
    fn admit(&self, token: &TokenId, now_ms: i64) -> Result<(), Problem> {
        let mut map = self.windows.lock().map_err(|_| Problem::internal())?;
        if map.len() > 10_000 {
            map.retain(|_, w| !w.stale(now_ms));
        }
        // Looked up before inserting, so a known token's call does not copy its id.
        if let Some(window) = map.get_mut(token) {
            return window.admit(now_ms, self.per_minute);
        }
        map.entry(token.clone())
            .or_default()
            .admit(now_ms, self.per_minute)
    }
}

/// What the API's handlers share. Behind `Arc`s because axum clones the state for every
/// request, and a `Services` clone allocates.
#[derive(Clone)]
pub(crate) struct ApiState {
    pub(crate) services: Arc<Services>,
    limits: Limits,
}

impl FromRef<ApiState> for Db {
    fn from_ref(s: &ApiState) -> Db {
        s.services.db.clone()
    }
}

/// The calling bot, authenticated (through the call's `reads`) and within its rate limit.
pub(crate) async fn bot_of(
    state: &ApiState,
    reads: &Snapshot,
    headers: &HeaderMap,
) -> Result<std::sync::Arc<crate::apps::Bot>, ApiError> {
    let header = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now();
    let bot = crate::apps::authenticate(reads, header, now).await?;
    state.limits.admit(&bot.token.id, now.timestamp_millis())?;
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
            limits: Limits::new(services.bot_rate_limit),
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

/// The calling bot: its token and its app with what the app asks for (P3).
async fn me(
    State(state): State<ApiState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    let reads = Snapshot::begin(&state.services.db)?;
    let bot = bot_of(&state, &reads, &headers).await?;
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

/// Whether this replica can reach its database.
async fn health(State(db): State<Db>) -> Result<Json<serde_json::Value>, ApiError> {
    crate::store::ping(&db.pool)
        .await
        .map_err(|e| ApiError(crate::db::problem(e)))?;
    Ok(Json(json!({"status": "ok"})))
}
