//! Prometheus metrics at `/metrics`: requests by route and status, their latency, the database
//! pool, the schedulers, health checks and rate-limit refusals.
//!
//! Recorded through the `metrics` facade, so schedulers and limiters count without being handed
//! a registry; the recorder is the process's one global, installed once, and rendered by the
//! server's own route (the exporter's listener is not built).

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

pub(crate) const REQUESTS: &str = "portcullis_http_requests_total";
pub(crate) const REQUEST_SECONDS: &str = "portcullis_http_request_duration_seconds";
pub(crate) const DB_CONNECTIONS: &str = "portcullis_db_connections";
pub(crate) const SCHEDULER_RUNS: &str = "portcullis_scheduler_runs_total";
pub(crate) const SCHEDULER_FAILURES: &str = "portcullis_scheduler_failures_total";
pub(crate) const HEALTH_CHECKS: &str = "portcullis_health_checks_total";
pub(crate) const RATE_LIMIT_REFUSALS: &str = "portcullis_rate_limit_refusals_total";

/// Latency buckets in seconds: from a cached API read to a slow provider or a large download.
pub(crate) const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The default `PORTCULLIS_METRICS_ALLOW`: loopback only.
pub const DEFAULT_ALLOW: &str = "127.0.0.0/8,::1/128";

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder, installed on first use. `None` when another recorder was installed
/// first (then nothing here is recorded, and `/metrics` says so).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let installed = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.to_owned()), &LATENCY_BUCKETS)
                .and_then(PrometheusBuilder::install_recorder);
            match installed {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics are not recorded");
                    None
                }
            }
        })
        .as_ref()
}

/// The `# HELP` lines.
fn describe() {
    metrics::describe_counter!(
        REQUESTS,
        "Requests answered, by method, matched route and status."
    );
    metrics::describe_histogram!(
        REQUEST_SECONDS,
        metrics::Unit::Seconds,
        "Time to answer a request's headers, by method and matched route."
    );
    metrics::describe_gauge!(
        DB_CONNECTIONS,
        "The database pool's connections, in use or idle."
    );
    metrics::describe_counter!(SCHEDULER_RUNS, "Scheduler ticks, by scheduler.");
    metrics::describe_counter!(
        SCHEDULER_FAILURES,
        "Scheduler ticks that failed, by scheduler."
    );
    metrics::describe_counter!(HEALTH_CHECKS, "Authorization health checks, by outcome.");
    metrics::describe_counter!(
        RATE_LIMIT_REFUSALS,
        "Requests refused by a rate limit, by limit."
    );
}

/// One scheduler tick of `scheduler`, and whether it failed.
pub fn scheduler_ran(scheduler: &'static str, ok: bool) {
    metrics::counter!(SCHEDULER_RUNS, "scheduler" => scheduler).increment(1);
    if !ok {
        metrics::counter!(SCHEDULER_FAILURES, "scheduler" => scheduler).increment(1);
    }
}

/// One health check's outcome (`healthy`, `unhealthy`, `unknown`).
pub fn health_checked(outcome: &'static str) {
    metrics::counter!(HEALTH_CHECKS, "outcome" => outcome).increment(1);
}

/// One request refused by the rate limit called `limit`.
pub fn rate_limit_refused(limit: &'static str) {
    metrics::counter!(RATE_LIMIT_REFUSALS, "limit" => limit).increment(1);
}
