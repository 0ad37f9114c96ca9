//! Status badges: an authorization's health and a job's status, worded and coloured once.

use leptos::prelude::*;
use portcullis_core::health::Health;
use portcullis_core::jobs::JobStatus;

/// Healthy (green), Unhealthy (red) or Unknown (grey).
#[component]
pub fn HealthBadge(health: Health) -> impl IntoView {
    let class = match health {
        Health::Healthy => "status status-ok",
        Health::Unhealthy => "status status-bad",
        Health::Unknown => "status status-pending",
    };
    view! { <span class=class data-health=health.code()>{health.label()}</span> }
}

/// A job's status: running green, paused and sleeping grey, failed red.
#[component]
pub fn JobStatusBadge(status: JobStatus) -> impl IntoView {
    let class = match status {
        JobStatus::Running | JobStatus::Completed => "status status-ok",
        JobStatus::Failed => "status status-bad",
        JobStatus::Sleeping | JobStatus::Paused => "status status-pending",
    };
    let label = match status {
        JobStatus::Running => "Running",
        JobStatus::Sleeping => "Sleeping",
        JobStatus::Paused => "Paused",
        JobStatus::Completed => "Completed",
        JobStatus::Failed => "Failed",
    };
    view! { <span class=class data-status=status.code()>{label}</span> }
}
