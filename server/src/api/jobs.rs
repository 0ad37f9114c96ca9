//! What a job's runner does over REST with its bot token: fetch the job's credential
//! (`account.viewFeeds` on the job's tenant) and report the job's status
//! (`account.createFeeds`). Only the app the job names runs it; any other job answers 404.

use crate::api::call::bot_of;
use crate::api::state::ApiState;
use crate::http::problem::ApiError;
use crate::http::request::meta_of;
use crate::services::audit::{Actor, Source};
use crate::services::jobs::Credential;
use crate::store::reads::Snapshot;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::Extensions;
use axum::http::HeaderMap;
use axum::Json;
use chrono::Utc;
use portcullis_core::apps::{Permission, Target};
use portcullis_core::ids::{JobId, TenantId};
use portcullis_core::jobs::JobStatus;
use portcullis_core::wire::JobRow;
use portcullis_core::Problem;

/// The job's tenant, if the calling bot may do `permission` there.
async fn job_tenant(
    state: &ApiState,
    bot: &crate::services::apps::Bot,
    job: &str,
    permission: Permission,
) -> Result<(JobId, TenantId), ApiError> {
    let not_found = || ApiError(Problem::not_found("job"));
    let job = JobId::parse(job).map_err(|_| not_found())?;
    let pool = &state.services.db.pool;
    let (tenant, runner) = crate::store::jobs::placement_of(pool, &job)
        .await?
        .ok_or_else(not_found)?;
    // Only the job's own app runs it: another app's bot, whatever it may read in the tenant,
    // is not told the job exists.
    let target = Target::Tenant(tenant.clone());
    if runner.as_ref() != Some(&bot.app) || !bot.access.installs.iter().any(|i| i.target == target)
    {
        return Err(not_found());
    }
    bot.access.decide(permission, &target).into_result()?;
    Ok((job, tenant))
}

/// The bot acting in `tenant`, as the activity log names it.
fn bot_actor<'a>(
    tenant: &'a TenantId,
    bot: &crate::services::apps::Bot,
    meta: &'a portcullis_app::services::RequestMeta,
) -> Actor<'a> {
    Actor {
        tenant: Some(tenant),
        principal: bot.principal(),
        source: Source::Api,
        origin_ip: meta.origin_ip.as_deref(),
        now: Utc::now(),
    }
}

/// `GET /api/v1/jobs/{job_id}/credential`
pub(crate) async fn credential(
    State(state): State<ApiState>,
    Path(job): Path<String>,
    extensions: Extensions,
    headers: HeaderMap,
) -> Result<Json<Credential>, ApiError> {
    let reads = Snapshot::begin(&state.services.db)?;
    let meta = meta_of(&extensions);
    let bot = bot_of(&state, &reads, &headers, &meta).await?;
    drop(reads);
    let (job, tenant) = job_tenant(&state, &bot, &job, Permission::AccountViewFeeds).await?;
    let services = &state.services;
    let actor = bot_actor(&tenant, &bot, &meta);
    Ok(Json(services.fetch_credential(&actor, &job).await?))
}

/// A runner's status report: unknown fields are refused (API.md).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusReport {
    /// `running`, `sleeping`, `failed` or `completed`.
    status: String,
    #[serde(default)]
    detail: String,
}

/// `POST /api/v1/jobs/{job_id}/status` with `{"status": "running", "detail": "…"}`
pub(crate) async fn report(
    State(state): State<ApiState>,
    Path(job): Path<String>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<JobRow>, ApiError> {
    let reads = Snapshot::begin(&state.services.db)?;
    let meta = meta_of(&extensions);
    let bot = bot_of(&state, &reads, &headers, &meta).await?;
    // The status change writes and reads it back: outside the snapshot, which would not see it.
    drop(reads);
    let report: StatusReport = serde_json::from_slice(&body).map_err(|e| {
        ApiError(Problem::invalid(
            "body",
            "invalid_body",
            format!("the body must be {{\"status\": …, \"detail\": …}}: {e}"),
        ))
    })?;
    let status = JobStatus::parse("status", &report.status)?;
    let (job, tenant) = job_tenant(&state, &bot, &job, Permission::AccountCreateFeeds).await?;
    let services = &state.services;
    let actor = bot_actor(&tenant, &bot, &meta);
    Ok(Json(
        services
            .report_status(&actor, &job, status, &report.detail)
            .await?,
    ))
}
