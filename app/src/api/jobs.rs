//! Server functions of jobs and imported experiences.

use crate::error::AppError;
use crate::model::{ExperienceRow, JobRow, Page};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::{parse_id, ssr};
#[cfg(feature = "ssr")]
use portcullis_core::ids::{AuthorizationId, ExperienceId, JobId};

/// One page of jobs: all of the tenant's, or one authorization's (`authorization` blank for
/// all). `sort` is name, type, status or created.
#[server]
pub async fn list_jobs(
    authorization: String,
    sort: String,
    order: String,
    after: Option<String>,
    limit: Option<u32>,
) -> Result<Page<JobRow>, AppError> {
    use crate::services::JobQuery;
    use portcullis_core::jobs::JobSort;
    use portcullis_core::people::{page_limit, parse_descending};
    let (console, caller) = ssr::require_caller().await?;
    let authorization = match authorization.trim() {
        "" => None,
        id => Some(parse_id("authorization", id, AuthorizationId::parse)?),
    };
    let query = JobQuery {
        authorization,
        sort: JobSort::parse(&sort).map_err(ssr::fail)?,
        descending: parse_descending(&order).map_err(ssr::fail)?,
        after: after.filter(|a| !a.is_empty()),
        limit: page_limit(Some(limit.unwrap_or(50))).map_err(ssr::fail)?,
    };
    console.list_jobs(&caller, query).await.map_err(ssr::fail)
}

/// One job.
#[server]
pub async fn load_job(id: String) -> Result<JobRow, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let id = parse_id("id", &id, JobId::parse)?;
    console.job(&caller, id).await.map_err(ssr::fail)
}

/// Creates a job of `job_type` on an authorization whose method supports it.
#[server]
pub async fn create_job(
    name: String,
    job_type: String,
    authorization: String,
    #[server(default)] runner: String,
) -> Result<String, AppError> {
    use portcullis_core::ids::AppId;
    use portcullis_core::providers::JobType;
    let (console, caller) = ssr::require_caller().await?;
    let job_type = JobType::parse("job_type", &job_type).map_err(ssr::fail)?;
    let authorization = parse_id("authorization", &authorization, AuthorizationId::parse)?;
    let runner = match runner.trim() {
        "" => None,
        r => Some(parse_id("runner", r, AppId::parse)?),
    };
    console
        .create_job(
            &caller,
            name,
            job_type,
            authorization,
            runner,
            ssr::request_meta(),
        )
        .await
        .map(|id| id.to_string())
        .map_err(ssr::fail)
}

/// The apps installed on the current tenant, which may run its jobs: `(id, name)` by name.
#[server]
pub async fn load_job_runners() -> Result<Vec<(String, String)>, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console
        .job_runners(&caller)
        .await
        .map(|apps| {
            apps.into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect()
        })
        .map_err(ssr::fail)
}

/// Pauses (`pause`) or resumes (`resume`) a job.
#[server]
pub async fn change_job(id: String, change: String) -> Result<(), AppError> {
    use portcullis_core::jobs::StatusChange;
    let (console, caller) = ssr::require_caller().await?;
    let id = parse_id("id", &id, JobId::parse)?;
    let change = match change.as_str() {
        "pause" => StatusChange::Pause,
        "resume" => StatusChange::Resume,
        _ => {
            return Err(ssr::fail(portcullis_core::Problem::invalid(
                "change",
                "unknown_change",
                "change is pause or resume",
            )))
        }
    };
    console
        .change_job(&caller, id, change, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Deletes a job that is not running.
#[server]
pub async fn delete_job(id: String) -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let id = parse_id("id", &id, JobId::parse)?;
    console
        .delete_job(&caller, id, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// The tenant's imported experiences.
#[server]
pub async fn load_experiences() -> Result<Vec<ExperienceRow>, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console.experiences(&caller).await.map_err(ssr::fail)
}

/// Imports an experience that uses an authorization.
#[server]
pub async fn import_experience(name: String, authorization: String) -> Result<String, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let authorization = parse_id("authorization", &authorization, AuthorizationId::parse)?;
    console
        .import_experience(&caller, name, authorization, ssr::request_meta())
        .await
        .map(|id| id.to_string())
        .map_err(ssr::fail)
}

/// Retires an experience: it stops holding its authorization.
#[server]
pub async fn retire_experience(id: String) -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let id = parse_id("id", &id, ExperienceId::parse)?;
    console
        .retire_experience(&caller, id, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}
