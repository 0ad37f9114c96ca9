//! What the authorization and job pages receive. Never a secret: a stored
//! configuration arrives masked by core's `providers::masked`.

use crate::health::Health;
use crate::ids::{AuthorizationId, ExperienceId, JobId};
use crate::jobs::JobStatus;
use crate::providers::JobType;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One authorization on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationRow {
    pub id: AuthorizationId,
    pub label: String,
    pub description: String,
    pub provider: String,
    pub provider_name: String,
    pub method: String,
    pub health: Health,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The summary page of one authorization, with its health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationSummary {
    pub row: AuthorizationRow,
    /// The method's name as the catalog gives it.
    pub method_name: String,
    /// Every configured field, secret ones masked.
    pub config: BTreeMap<String, String>,
    /// When the provider was last asked, and what it answered.
    pub checked_at: Option<DateTime<Utc>>,
    pub answer: String,
    /// Active imported experiences that use it.
    pub experiences: Vec<ExperienceRow>,
    /// Whether the viewer may edit, check and delete it.
    pub can_manage: bool,
    /// Whether the method goes through the provider's OAuth consent, and whether it is done.
    pub oauth_pending: bool,
    /// The version an edit made from this view names, so a stale save is refused.
    pub version: i64,
}

/// A job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRow {
    pub id: JobId,
    pub name: String,
    pub job_type: JobType,
    pub status: JobStatus,
    /// What the runner last said about the job.
    pub status_detail: String,
    /// The authorization it uses; gone when that was deleted after the job finished.
    pub authorization: Option<(AuthorizationId, String)>,
    /// The installed app whose bots run it; none chosen yet (or its app was deleted), no bot
    /// can fetch its credential.
    pub runner: Option<(crate::ids::AppId, String)>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An experience imported from a third-party tool; while active it blocks deleting its
/// authorization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExperienceRow {
    pub id: ExperienceId,
    pub name: String,
    pub active: bool,
    pub authorization: Option<(AuthorizationId, String)>,
    pub created_at: DateTime<Utc>,
}
