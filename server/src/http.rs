//! The HTTP application: pages, server functions, REST API, static files, and the guards
//! every request passes.

use crate::activity_read;
use crate::console::Services;
use crate::rest::{self, ApiError};
use axum::extract::Request;
use axum::http::header::{HOST, ORIGIN, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::future::{ready, Either, MapOk, Ready, TryFutureExt};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use portcullis_app::services::SharedConsole;
use portcullis_app::{shell, App};
use portcullis_core::Problem;
use std::sync::Arc;

/// Leptos' settings: from cargo-leptos' environment when present, else this crate's defaults.
pub fn leptos_options(addr: std::net::SocketAddr) -> LeptosOptions {
    let mut options = leptos::config::get_configuration(None)
        .map(|c| c.leptos_options)
        .unwrap_or_else(|_| LeptosOptions::builder().output_name("portcullis").build());
    if options.output_name.is_empty() {
        options.output_name = "portcullis".into();
    }
    options.site_addr = addr;
    options
}

/// Builds the whole application; tests call it directly without opening a port.
pub fn app(services: Services, options: LeptosOptions) -> Router {
    let console: SharedConsole = Arc::new(services.clone());
    let context = move || provide_context(console.clone());
    let routes = generate_route_list(App);
    Router::new()
        .merge(rest::router(services.clone()))
        .merge(activity_read::router(services.clone()))
        .merge(crate::oauth::router(services.clone()))
        .merge(crate::sso_callback::router(services.clone()))
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .with_state(options)
        .layer(GuardLayer)
}

/// Why a state-changing request looks like it came from another site, if it does.
///
/// Browsers send `Sec-Fetch-Site` and `Origin` on cross-site POSTs; programs calling the REST
/// API send neither and are authenticated by token, not cookie, so they pass. Together with
/// `SameSite=Lax` cookies this keeps other sites from driving server functions.
pub fn cross_site_reason(method: &Method, headers: &HeaderMap) -> Option<&'static str> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v == "cross-site")
    {
        return Some("requests from other sites may not change anything here");
    }
    let origin = headers.get(ORIGIN)?.to_str().ok()?;
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or("null");
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    (origin_host != host).then_some("the request's origin does not match this site")
}

/// What every request passes: the same-origin check, then the security headers on the answer.
/// A tower layer of its own rather than `middleware::from_fn`, which clones the route's boxed
/// service and boxes a future on every request: this is on every API call's path.
#[derive(Clone, Copy)]
struct GuardLayer;

impl<S> tower::Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Guard<S> {
        Guard(inner)
    }
}

#[derive(Clone)]
struct Guard<S>(S);

type Answer = Result<Response, std::convert::Infallible>;

impl<S> tower::Service<Request> for Guard<S>
where
    S: tower::Service<Request, Response = Response, Error = std::convert::Infallible>,
{
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = Either<Ready<Answer>, MapOk<S::Future, fn(Response) -> Response>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        match cross_site_reason(req.method(), req.headers()) {
            Some(reason) => Either::Left(ready(Ok(with_security_headers(
                ApiError(Problem::forbidden("cross_site_request", reason)).into_response(),
            )))),
            None => Either::Right(
                self.0
                    .call(req)
                    .map_ok(with_security_headers as fn(Response) -> Response),
            ),
        }
    }
}

fn with_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    // The standard names' constants: a name given as text is parsed again on every answer.
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

/// The connection's peer address, when the server was started with connect info (tests that
/// call the router directly have none).
pub fn peer_of(extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

/// What an identity or OAuth provider sends back to a callback: a code and the state, or an
/// error.
#[derive(serde::Deserialize)]
pub struct CodeCallback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}

impl Services {
    /// What the activity log records of a request reaching one of the server's own routes.
    pub fn request_meta(
        &self,
        extensions: &axum::http::Extensions,
        headers: &HeaderMap,
    ) -> portcullis_app::services::RequestMeta {
        portcullis_app::api::request_meta_of(headers, peer_of(extensions), &self.trusted_proxies)
    }
}
