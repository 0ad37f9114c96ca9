//! Prometheus metrics at `/metrics`: requests by route and status, their latency, the database
//! pool, the schedulers, health checks and rate-limit refusals.
//!
//! Recorded through the `metrics` facade, so schedulers and limiters count without being handed
//! a registry; the recorder is the process's one global, installed once, and rendered by the
//! server's own route (the exporter's listener is not built).

use crate::store::Db;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{Extensions, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use ipnet::IpNet;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

const REQUESTS: &str = "portcullis_http_requests_total";
const REQUEST_SECONDS: &str = "portcullis_http_request_duration_seconds";
const DB_CONNECTIONS: &str = "portcullis_db_connections";
const SCHEDULER_RUNS: &str = "portcullis_scheduler_runs_total";
const SCHEDULER_FAILURES: &str = "portcullis_scheduler_failures_total";
const HEALTH_CHECKS: &str = "portcullis_health_checks_total";
const RATE_LIMIT_REFUSALS: &str = "portcullis_rate_limit_refusals_total";

/// Latency buckets in seconds: from a cached API read to a slow provider or a large download.
const LATENCY_BUCKETS: [f64; 12] = [
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

/// A request's method as a label: the standard ones by name, anything else as `other`, since a
/// client may send any token as a method and each new label value is kept for good.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    let known = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
    ];
    known
        .into_iter()
        .find_map(|(m, label)| (m == method).then_some(label))
        .unwrap_or("other")
}

/// What `/metrics` needs: the pool to report on, and who may read it.
#[derive(Clone)]
struct Scrape {
    db: Db,
    allow: Arc<[IpNet]>,
}

/// `/metrics`, readable only from the TCP peers `allow` covers: the connection's own address
/// is judged, never a forwarded header a client writes. Anyone else finds nothing there.
pub fn router<S: Clone + Send + Sync + 'static>(db: Db, allow: &[IpNet]) -> Router<S> {
    // Installed now rather than at the first scrape, so requests are counted from the start.
    handle();
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(Scrape {
            db,
            allow: allow.into(),
        })
}

async fn scrape(
    State(scrape): State<Scrape>,
    extensions: Extensions,
    headers: axum::http::HeaderMap,
) -> Response {
    // A reverse proxy on the same host connects from loopback on behalf of anyone: a request it
    // relayed says so in a forwarding header, and is not the operator's own scrape.
    let relayed = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| headers.contains_key(*h));
    let allowed = !relayed
        && crate::web::peer_of(&extensions)
            .map(|ip| ip.to_canonical())
            .is_some_and(|ip| scrape.allow.iter().any(|net| net.contains(&ip)));
    if !allowed {
        return StatusCode::NOT_FOUND.into_response();
    }
    let Some(handle) = handle() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics are not recorded: another recorder was installed first\n",
        )
            .into_response();
    };
    let size = scrape.db.pool.size();
    let idle = u32::try_from(scrape.db.pool.num_idle()).unwrap_or(u32::MAX);
    metrics::gauge!(DB_CONNECTIONS, "state" => "in_use").set(f64::from(size.saturating_sub(idle)));
    metrics::gauge!(DB_CONNECTIONS, "state" => "idle").set(f64::from(idle));
    // Without the exporter's own runtime, histograms are drained here.
    handle.run_upkeep();
    let mut response = handle.render().into_response();
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// Counts every answer by method, matched route and status, and times it (to its headers:
/// a streamed download's body is not waited for). Wrapped around a service with `layer_fn`.
#[derive(Clone)]
pub struct HttpMetrics<S>(pub S);

type Answer = Result<Response, std::convert::Infallible>;

impl<S> tower::Service<Request> for HttpMetrics<S>
where
    S: tower::Service<Request, Response = Response, Error = std::convert::Infallible>,
{
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = Measured<S::Future>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let method = method_label(req.method()).to_owned();
        let route = crate::web::request_id::route_of(&req).to_owned();
        Measured {
            inner: self.0.call(req),
            started: Instant::now(),
            labels: Some((method, route)),
        }
    }
}

pin_project_lite::pin_project! {
    /// The route's answer, counted when it is ready.
    pub struct Measured<F> {
        #[pin]
        inner: F,
        started: Instant,
        labels: Option<(String, String)>,
    }
}

impl<F: std::future::Future<Output = Answer>> std::future::Future for Measured<F> {
    type Output = Answer;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Answer> {
        let this = self.project();
        let answer = std::task::ready!(this.inner.poll(cx));
        if let (Some((method, route)), Ok(response)) = (this.labels.take(), &answer) {
            let status = response.status().as_str().to_owned();
            metrics::histogram!(REQUEST_SECONDS, "method" => method.clone(), "route" => route.clone())
                .record(this.started.elapsed().as_secs_f64());
            metrics::counter!(REQUESTS, "method" => method, "route" => route, "status" => status)
                .increment(1);
        }
        std::task::Poll::Ready(answer)
    }
}
