//! The HTTP application: pages, server functions, REST API, static files, and the guards
//! every request passes.

pub mod activity_download;
pub mod assets;
pub mod compression;
pub mod metrics;
pub mod oauth_callback;
pub mod request_id;
pub mod server_fn_body;
pub mod sso_callback;

use crate::api;
use crate::http::problem::ApiError;
use crate::http::request::attach_meta;
use crate::services::Services;
use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, ORIGIN, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::future::{ready, Either, Ready};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use portcullis_app::services::SharedConsole;
use portcullis_app::{shell, App};
use portcullis_core::Problem;
use std::sync::Arc;
use tower::layer::layer_fn;

/// Leptos' settings: from cargo-leptos' environment when present, else this crate's defaults.
pub fn leptos_options(addr: std::net::SocketAddr) -> LeptosOptions {
    let mut options = leptos::config::get_configuration(None)
        .map(|c| c.leptos_options)
        .unwrap_or_else(|_| LeptosOptions::builder().output_name("portcullis").build());
    if options.output_name.is_empty() {
        options.output_name = "portcullis".into();
    }
    options.site_addr = addr;
    assets::use_hashed_names(&mut options);
    options
}

/// Builds the whole application; tests call it directly without opening a port.
pub fn app(services: Services, options: LeptosOptions) -> Router {
    let console: SharedConsole = Arc::new(services.clone());
    let stylesheet = portcullis_app::Stylesheet(assets::stylesheet_href(&options).into());
    let context = move || {
        provide_context(console.clone());
        provide_context(stylesheet.clone());
        leptos::nonce::provide_nonce();
    };
    let routes = generate_route_list(App);
    let site = Arc::new(Site::of(&services.public_url, services.secure_cookies));
    let router = Router::new()
        .merge(metrics::router(
            services.db.clone(),
            &services.metrics_allow,
        ))
        .merge(api::router(services.clone()))
        .merge(activity_download::router(services.clone()))
        .merge(oauth_callback::router(services.clone()))
        .merge(sso_callback::router(services.clone()))
        .leptos_routes_with_context(&options, routes, context.clone(), {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .with_state(options)
        .layer(compression::layer())
        .layer(attach_meta(services.trusted_proxies.clone().into()))
        .layer(layer_fn(crate::web::server_fn_body::ServerFnBody))
        .layer(layer_fn(move |inner| Guard(inner, site.clone())))
        .layer(layer_fn(metrics::HttpMetrics));
    crate::web::request_id::around(router)
}

/// What the guard knows of the site it guards.
pub struct Site {
    /// The configured public URL's origin. Requests are compared with it rather than with
    /// their own `Host` header, which a DNS-rebinding page controls.
    origin: url::Origin,
    /// The console is on loopback, where `localhost`, `127.0.0.1` and `[::1]` name the same
    /// server: a page's origin can only be one of those if the browser really loaded it there.
    loopback: bool,
    /// Cookies are secure, so the console is served over TLS: tell browsers to keep to it.
    hsts: bool,
}

impl Site {
    pub fn of(public_url: &str, secure_cookies: bool) -> Site {
        let url = url::Url::parse(public_url).ok();
        let loopback = url
            .as_ref()
            .is_some_and(portcullis_core::providers::is_loopback_host);
        Site {
            origin: url
                .map(|u| u.origin())
                .unwrap_or_else(url::Origin::new_opaque),
            loopback,
            hsts: secure_cookies,
        }
    }

    fn is_own(&self, origin: &url::Origin) -> bool {
        if *origin == self.origin {
            return true;
        }
        match (origin, &self.origin, self.loopback) {
            (
                url::Origin::Tuple(scheme, host, port),
                url::Origin::Tuple(own_scheme, _, own_port),
                true,
            ) => {
                scheme == own_scheme
                    && port == own_port
                    && matches!(
                        host.to_string().as_str(),
                        "localhost" | "127.0.0.1" | "[::1]"
                    )
            }
            _ => false,
        }
    }
}

/// Why a state-changing request looks like it came from another site, if it does.
///
/// Browsers send `Sec-Fetch-Site` and `Origin` on cross-site POSTs; programs calling the REST
/// API send neither and are authenticated by token, not cookie, so they pass. An `Origin` must
/// be the configured public URL's scheme, host and port; one that cannot be read is refused.
/// Together with `SameSite=Lax` cookies this keeps other sites from driving server functions.
pub fn cross_site_reason(
    site: &Site,
    method: &Method,
    headers: &HeaderMap,
) -> Option<&'static str> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v == "cross-site")
    {
        return Some("requests from other sites may not change anything here");
    }
    let origin = headers.get(ORIGIN)?;
    let own = origin
        .to_str()
        .ok()
        .and_then(|o| url::Url::parse(o).ok())
        .is_some_and(|o| site.is_own(&o.origin()));
    (!own).then_some("the request's origin does not match this site")
}

/// What every request passes: the same-origin check, then the security headers on the answer.
/// A service of its own rather than `middleware::from_fn`, which clones the route's boxed
/// service and boxes a future on every request: this is on every API call's path.
#[derive(Clone)]
struct Guard<S>(S, Arc<Site>);

type Answer = Result<Response, std::convert::Infallible>;

impl<S> tower::Service<Request> for Guard<S>
where
    S: tower::Service<Request, Response = Response, Error = std::convert::Infallible>,
{
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = Either<Ready<Answer>, Secured<S::Future>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let site = self.1.clone();
        let asset = assets::SiteFile::of(req.uri().path());
        match cross_site_reason(&site, req.method(), req.headers()) {
            Some(reason) => Either::Left(ready(Ok(with_security_headers(
                &site,
                None,
                ApiError(Problem::forbidden("cross_site_request", reason)).into_response(),
            )))),
            None => Either::Right(Secured {
                inner: self.0.call(req),
                site,
                asset,
            }),
        }
    }
}

pin_project_lite::pin_project! {
    /// The route's answer with the security headers added, without boxing the future.
    struct Secured<F> {
        #[pin]
        inner: F,
        site: Arc<Site>,
        asset: Option<assets::SiteFile>,
    }
}

impl<F: std::future::Future<Output = Answer>> std::future::Future for Secured<F> {
    type Output = Answer;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Answer> {
        let this = self.project();
        let (site, asset) = (this.site, *this.asset);
        this.inner
            .poll(cx)
            .map(|answer| answer.map(|r| with_security_headers(site, asset, r)))
    }
}

/// Where no page set its own policy (API answers, files, errors), nothing may run or load.
const LOCKED_DOWN: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// `asset` is the site file answered (the same for everyone, so it may be cached), or `None`
/// for a page or API answer.
fn with_security_headers(
    site: &Site,
    asset: Option<assets::SiteFile>,
    mut response: Response,
) -> Response {
    let status = response.status();
    let headers = response.headers_mut();
    // The standard names' constants: a name given as text is parsed again on every answer.
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ),
    );
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(LOCKED_DOWN),
        );
    }
    // Signed-in pages and API answers hold tenants' data: no browser or proxy keeps a copy.
    let cache = asset.map_or("no-store", |file| file.cache_control(status));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    if site.hsts {
        headers.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    response
}
