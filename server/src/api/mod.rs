//! The REST API under `/api/v1`: one error envelope, JSON in and out.
//!
//! Bot tokens authenticate every call except `/health`; a job's runner uses `jobs`.

mod accounts;
mod agencies;
mod call;
mod health;
mod jobs;
mod me;
pub mod openapi;
mod state;
mod views;

use crate::http::problem::ApiError;
use crate::services::rate_limits::SharedLimits;
use crate::services::Services;
use axum::routing::{any, get, patch, post, put, MethodRouter};
use axum::{Json, Router};
use portcullis_core::Problem;
use state::ApiState;
use std::sync::Arc;

/// Every route under `/api/v1` with its handlers: the operations of core's catalog
/// (`api_catalog`), which the OpenAPI document and the tests follow too. The router is built
/// from this list and the boundary test reads its paths from it, so a route cannot be served
/// without being tested.
fn routes() -> Vec<(&'static str, MethodRouter<ApiState>)> {
    use self::{accounts as acc, agencies as agc};
    vec![
        ("/api/v1/health", get(health::health)),
        ("/api/v1/me", get(me::me)),
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
            get(crate::api::jobs::credential),
        ),
        (
            "/api/v1/jobs/{job_id}/status",
            post(crate::api::jobs::report),
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
    Json(crate::api::openapi::document())
}
