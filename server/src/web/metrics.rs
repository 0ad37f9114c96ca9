//! The HTTP side of metrics: every request counted by route and status with its latency, and
//! the `/metrics` route that renders what the process recorded.

use crate::metrics::{handle, DB_CONNECTIONS, REQUESTS, REQUEST_SECONDS};
use crate::store::Db;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{Extensions, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use ipnet::IpNet;
use std::sync::Arc;
use std::time::Instant;

/// The route a request matched (`/api/v1/accounts/{account_id}`), never its raw path, which
/// holds ids; `unmatched` for what only the fallback answers (files, unknown pages).
pub fn route_of(req: &Request) -> &str {
    req.extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or("unmatched", axum::extract::MatchedPath::as_str)
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
        && crate::http::request::peer_of(&extensions)
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
        let route = route_of(&req).to_owned();
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
