//! What the server reads from a request before any route runs: the peer, the client's address
//! behind trusted proxies, the user agent and the cookies.

use axum::extract::{ConnectInfo, Request};
use axum::http::{Extensions, HeaderMap};
use portcullis_app::services::RequestMeta;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The connection's peer address, when the server was started with connect info (tests that
/// call the router directly have none).
pub fn peer_of(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The request facts the activity log keeps: the client's address (the peer's, or
/// `X-Forwarded-For`'s when the peer is a trusted proxy, by core's `client_ip` rule), the
/// user agent, and the time it arrived (the request's one clock read).
pub fn request_meta_of(
    headers: &HeaderMap,
    extensions: &Extensions,
    trusted_proxies: &[IpAddr],
) -> RequestMeta {
    let forwarded = forwarded_for(headers);
    let origin = peer_of(extensions)
        .map(|peer| portcullis_core::audit::client_ip(peer, forwarded.as_deref(), trusted_proxies));
    RequestMeta {
        received_at: Some(chrono::Utc::now()),
        origin_ip: origin.map(|ip| ip.to_string()),
        user_agent: headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

/// Every `X-Forwarded-For` line of a request as one list, in order: a proxy may add its own
/// line rather than append to the client's, and the list is read from its right end. A line
/// that is not text makes the whole list unreadable (`client_ip` then keeps the peer), so a
/// forged line can never stand in for one the proxy added.
fn forwarded_for(headers: &HeaderMap) -> Option<String> {
    let lines: Option<Vec<&str>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .map(|v| v.to_str().ok())
        .collect();
    match lines {
        Some(lines) if lines.is_empty() => None,
        Some(lines) => Some(lines.join(",")),
        None => Some(String::new()),
    }
}

/// Reads every request's [`RequestMeta`] once, into its extensions, where routes, the REST
/// API and server functions all find the same answer.
pub fn attach_meta(
    trusted_proxies: Arc<[IpAddr]>,
) -> tower::util::MapRequestLayer<impl Fn(Request) -> Request + Clone> {
    tower::util::MapRequestLayer::new(move |mut request: Request| {
        let meta = request_meta_of(request.headers(), request.extensions(), &trusted_proxies);
        request.extensions_mut().insert(meta);
        request
    })
}

/// The request's [`RequestMeta`], as [`attach_meta`] left it (empty for a router called
/// without it, as some tests do).
pub fn meta_of(extensions: &Extensions) -> RequestMeta {
    extensions.get::<RequestMeta>().cloned().unwrap_or_default()
}

/// The value of cookie `name` in a request's `Cookie` headers, if any.
pub fn cookie_in(headers: &HeaderMap, name: &str) -> Option<String> {
    portcullis_core::cookies::value_in(
        headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
        name,
    )
}

/// The session token in a request's `Cookie` headers, if any.
pub fn session_token_in(headers: &HeaderMap, secure_cookies: bool) -> Option<String> {
    cookie_in(
        headers,
        portcullis_core::cookies::session_cookie_name(secure_cookies),
    )
}

/// What an identity or OAuth provider sends back to a callback: a code and the state, or an
/// error.
#[derive(serde::Deserialize)]
pub struct CodeCallback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
}
