//! Server functions of authorizations. A configuration travels as one JSON object of
//! field → value; core checks it here on the server as it did in the wizard.

use crate::error::AppError;
use crate::model::{AuthorizationRow, AuthorizationSummary, Page};
use leptos::prelude::*;
use portcullis_core::metrics::Bucket;

#[cfg(feature = "ssr")]
use super::{parse_id, ssr};
#[cfg(feature = "ssr")]
use portcullis_core::ids::AuthorizationId;

/// One page of the dashboard: `sort` is label, description, provider, status, created_by or
/// last_modified; `order` asc or desc.
#[server]
pub async fn list_authorizations(
    sort: String,
    order: String,
    after: Option<String>,
    limit: Option<u32>,
) -> Result<Page<AuthorizationRow>, AppError> {
    use crate::services::AuthorizationQuery;
    use portcullis_core::authorizations::AuthorizationSort;
    use portcullis_core::people::{page_limit, parse_descending};
    let (console, caller) = ssr::require_caller().await?;
    let query = AuthorizationQuery {
        sort: AuthorizationSort::parse(&sort).map_err(ssr::fail)?,
        descending: parse_descending(&order).map_err(ssr::fail)?,
        after: after.filter(|a| !a.is_empty()),
        limit: page_limit(Some(limit.unwrap_or(50))).map_err(ssr::fail)?,
    };
    console
        .list_authorizations(&caller, query)
        .await
        .map_err(ssr::fail)
}

/// The summary page of one authorization.
#[server]
pub async fn load_authorization(id: String) -> Result<AuthorizationSummary, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let id = parse_id("id", &id, AuthorizationId::parse)?;
    console.authorization(&caller, id).await.map_err(ssr::fail)
}

/// Creates an authorization; `config` is a JSON object of field → value.
#[server]
pub async fn create_authorization(
    provider: String,
    method: String,
    label: String,
    description: String,
    config: String,
) -> Result<String, AppError> {
    use crate::services::NewAuthorization;
    let (console, caller) = ssr::require_caller().await?;
    let config = serde_json::from_str(&config).map_err(|_| {
        ssr::fail(portcullis_core::Problem::invalid(
            "config",
            "invalid_config",
            "the configuration must be a JSON object of text values",
        ))
    })?;
    let new = NewAuthorization {
        provider,
        method,
        label,
        description,
        config,
    };
    console
        .create_authorization(&caller, new, ssr::request_meta())
        .await
        .map(|id| id.to_string())
        .map_err(ssr::fail)
}

/// Renames an authorization and rewrites its description; nothing else can change.
#[server]
pub async fn edit_authorization(
    id: String,
    version: i64,
    label: String,
    description: String,
) -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let id = parse_id("id", &id, AuthorizationId::parse)?;
    console
        .edit_authorization(
            &caller,
            id,
            version,
            label,
            description,
            ssr::request_meta(),
        )
        .await
        .map_err(ssr::fail)
}

/// Deletes an authorization nothing holds; otherwise 409 with the blockers.
#[server]
pub async fn delete_authorization(id: String, version: i64) -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let id = parse_id("id", &id, AuthorizationId::parse)?;
    console
        .delete_authorization(&caller, id, version, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Asks the provider now and answers the updated summary.
#[server]
pub async fn check_authorization(id: String) -> Result<AuthorizationSummary, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let id = parse_id("id", &id, AuthorizationId::parse)?;
    console
        .check_authorization(&caller, id, ssr::request_meta())
        .await
        .map_err(ssr::fail)
}

/// Requests per `step` (hour, day, week, month) between `from` and `to` (Unix ms).
#[server]
pub async fn authorization_metrics(
    id: String,
    from: i64,
    to: i64,
    step: String,
) -> Result<Vec<Bucket>, AppError> {
    use portcullis_core::metrics::Granularity;
    let (console, caller) = ssr::require_caller().await?;
    let id = parse_id("id", &id, AuthorizationId::parse)?;
    let time = |field: &str, ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms).ok_or_else(|| {
            ssr::fail(portcullis_core::Problem::invalid(
                field,
                "invalid_time",
                "not a time",
            ))
        })
    };
    let step = Granularity::parse(&step).map_err(ssr::fail)?;
    console
        .authorization_metrics(&caller, id, time("from", from)?, time("to", to)?, step)
        .await
        .map_err(ssr::fail)
}

/// The authorizations that can run `job_type` (the job wizard's choose step).
#[server]
pub async fn authorizations_for_job(job_type: String) -> Result<Vec<AuthorizationRow>, AppError> {
    use portcullis_core::providers::JobType;
    let (console, caller) = ssr::require_caller().await?;
    let job_type = JobType::parse("job_type", &job_type).map_err(ssr::fail)?;
    console
        .authorizations_for_job(&caller, job_type)
        .await
        .map_err(ssr::fail)
}

/// Starts an OAuth method's consent; the answer is the provider's page to open.
#[server]
pub async fn start_oauth(id: String) -> Result<String, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    let id = parse_id("id", &id, AuthorizationId::parse)?;
    console.start_oauth(&caller, id).await.map_err(ssr::fail)
}
