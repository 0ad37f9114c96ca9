//! Server functions: the browser app's only way into the server.
//!
//! Every one of them is a public HTTP endpoint. Each starts by establishing its caller (or, for
//! sign-in and setup, by validating its input with `core`), then hands over to the server's
//! [`Console`](crate::services::Console). Nothing here touches storage.

use crate::error::AppError;
use crate::model::TenantOverview;
use leptos::prelude::*;
use portcullis_core::tenancy::Viewer;

/// Name of the session cookie over plain HTTP (local use, tests).
pub const SESSION_COOKIE: &str = "portcullis_session";
/// Name of the session cookie behind TLS: the `__Host-` prefix pins it to this host and path.
pub const SECURE_SESSION_COOKIE: &str = "__Host-portcullis_session";

/// The session cookie's name: with `Secure`, the `__Host-` prefix pins it to this host.
pub fn session_cookie_name(secure_cookies: bool) -> &'static str {
    if secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// The `Set-Cookie` value of a session cookie: HttpOnly, SameSite=Lax, `Secure` behind TLS
/// (server build only; the SSO callback sets sessions the same way).
#[cfg(feature = "ssr")]
pub fn session_cookie(secure_cookies: bool, value: &str, max_age: i64) -> String {
    let secure = if secure_cookies { "; Secure" } else { "" };
    format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        session_cookie_name(secure_cookies)
    )
}

/// The cookie that binds an SSO sign-in to the browser that started it (the `__Secure-` prefix
/// behind TLS; `__Host-` would need `Path=/`, and only the callback should see it).
#[cfg(feature = "ssr")]
pub fn sso_binding_cookie_name(secure_cookies: bool) -> &'static str {
    if secure_cookies {
        "__Secure-portcullis_sso"
    } else {
        "portcullis_sso"
    }
}

/// The `Set-Cookie` value of the SSO binding cookie: only the callback path sees it, and it
/// lives as long as a started sign-in.
#[cfg(feature = "ssr")]
pub fn sso_binding_cookie(secure_cookies: bool, value: &str, max_age: i64) -> String {
    let secure = if secure_cookies { "; Secure" } else { "" };
    format!(
        "{}={value}; Path=/sso/callback; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        sso_binding_cookie_name(secure_cookies)
    )
}

/// The value of cookie `name` in a request's `Cookie` headers, if any.
#[cfg(feature = "ssr")]
pub fn cookie_in(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// The session token in a request's `Cookie` headers, if any (server build only; the server's
/// own routes, such as the activity download, read sessions the same way).
#[cfg(feature = "ssr")]
pub fn session_token_in(headers: &http::HeaderMap, secure_cookies: bool) -> Option<String> {
    cookie_in(headers, session_cookie_name(secure_cookies))
}

/// The client's address: the peer's, or `X-Forwarded-For`'s when the peer is a trusted proxy
/// (core's `client_ip` rule).
#[cfg(feature = "ssr")]
pub fn origin_ip_of(
    headers: &http::HeaderMap,
    peer: Option<std::net::IpAddr>,
    trusted_proxies: &[std::net::IpAddr],
) -> Option<std::net::IpAddr> {
    let forwarded = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
    peer.map(|p| portcullis_core::audit::client_ip(p, forwarded, trusted_proxies))
}

/// The request facts the activity log keeps: the client's address and the user agent.
#[cfg(feature = "ssr")]
pub fn request_meta_of(
    headers: &http::HeaderMap,
    peer: Option<std::net::IpAddr>,
    trusted_proxies: &[std::net::IpAddr],
) -> crate::services::RequestMeta {
    crate::services::RequestMeta {
        origin_ip: origin_ip_of(headers, peer, trusted_proxies).map(|ip| ip.to_string()),
        user_agent: headers
            .get(http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    //! Request plumbing shared by the server functions (server build only).
    use crate::error::AppError;
    use crate::services::{Caller, NewSession, RequestMeta, SharedConsole};
    use http::header::SET_COOKIE;
    use http::request::Parts;
    use http::{HeaderValue, StatusCode};
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;
    use portcullis_core::Problem;

    /// Marks the response with the problem's status and returns it as the function's error.
    pub fn fail(problem: Problem) -> AppError {
        if let Some(options) = use_context::<ResponseOptions>() {
            options.set_status(
                StatusCode::from_u16(problem.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            );
            // A refusal that says when to come back says it in the header clients and proxies read.
            if let Some(secs) = problem.retry_after_secs {
                options.insert_header(http::header::RETRY_AFTER, HeaderValue::from(secs));
            }
        }
        AppError(problem)
    }

    /// The server's services, provided as context by the server.
    pub fn console() -> Result<SharedConsole, AppError> {
        use_context::<SharedConsole>().ok_or_else(|| fail(Problem::internal()))
    }

    /// The session token from the request's cookie, if any.
    pub fn session_token(console: &SharedConsole) -> Option<String> {
        let parts = use_context::<Parts>()?;
        super::session_token_in(&parts.headers, console.secure_cookies())
    }

    /// What the activity log wants to know about the request.
    pub fn request_meta() -> RequestMeta {
        let Some(parts) = use_context::<Parts>() else {
            return RequestMeta::default();
        };
        let trusted = console()
            .map(|c| c.trusted_proxies().to_vec())
            .unwrap_or_default();
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        super::request_meta_of(&parts.headers, peer, &trusted)
    }

    /// The signed-in caller, or a 401 problem.
    pub async fn require_caller() -> Result<(SharedConsole, Caller), AppError> {
        let console = console()?;
        let token = session_token(&console)
            .ok_or_else(|| fail(Problem::unauthenticated("sign in to continue")))?;
        let caller = console.caller(&token).await.map_err(fail)?.ok_or_else(|| {
            fail(Problem::unauthenticated(
                "your session has ended; sign in again",
            ))
        })?;
        Ok((console, caller))
    }

    fn set_cookie(console: &SharedConsole, value: &str, max_age: i64) {
        append_cookie(&super::session_cookie(
            console.secure_cookies(),
            value,
            max_age,
        ));
    }

    /// Adds a `Set-Cookie` header to the server function's response.
    pub fn append_cookie(cookie: &str) {
        if let (Some(options), Ok(v)) = (
            use_context::<ResponseOptions>(),
            HeaderValue::from_str(cookie),
        ) {
            options.append_header(SET_COOKIE, v);
        }
    }

    /// Hands the new session to the browser in an HttpOnly cookie.
    pub fn set_session_cookie(console: &SharedConsole, session: &NewSession) {
        set_cookie(console, &session.token, session.max_age_secs);
    }

    /// Tells the browser to forget the session cookie.
    pub fn clear_session_cookie(console: &SharedConsole) {
        set_cookie(console, "", 0);
    }
}

/// Signs in with email and password; on success the response sets the session cookie.
#[server]
pub async fn sign_in(email: String, password: String) -> Result<(), AppError> {
    use portcullis_core::password::Password;
    use portcullis_core::signin::check_sign_in;
    let form = check_sign_in(&email, &password).map_err(ssr::fail)?;
    let console = ssr::console()?;
    let replaces = ssr::session_token(&console);
    let session = console
        .sign_in(
            form.email,
            Password::new(password),
            replaces,
            ssr::request_meta(),
        )
        .await
        .map_err(ssr::fail)?;
    ssr::set_session_cookie(&console, &session);
    Ok(())
}

/// Ends the caller's session on the server and clears the cookie.
#[server]
pub async fn sign_out() -> Result<(), AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console
        .sign_out(&caller, ssr::request_meta())
        .await
        .map_err(ssr::fail)?;
    ssr::clear_session_cookie(&console);
    Ok(())
}

/// The signed-in person, or `None` when no live session comes with the request.
#[server]
pub async fn current_viewer() -> Result<Option<Viewer>, AppError> {
    let console = ssr::console()?;
    let Some(token) = ssr::session_token(&console) else {
        return Ok(None);
    };
    let caller = console.caller(&token).await.map_err(ssr::fail)?;
    Ok(caller.map(|c| c.viewer))
}

/// Moves the caller's session into another tenant they may enter.
#[server]
pub async fn switch_tenant(tenant_id: String) -> Result<(), AppError> {
    use portcullis_core::ids::TenantId;
    use portcullis_core::Problem;
    let (console, caller) = ssr::require_caller().await?;
    let tenant = TenantId::parse(&tenant_id)
        .map_err(|e| ssr::fail(Problem::invalid("tenant_id", "invalid_id", e.to_string())))?;
    console
        .switch_tenant(&caller, tenant)
        .await
        .map_err(ssr::fail)
}

/// The current tenant at a glance, for the home page.
#[server]
pub async fn load_overview() -> Result<TenantOverview, AppError> {
    let (console, caller) = ssr::require_caller().await?;
    console.overview(&caller).await.map_err(ssr::fail)
}

/// Creates the first operator from the one-time setup link printed at start.
#[server]
pub async fn complete_setup(
    token: String,
    name: String,
    email: String,
    password: String,
) -> Result<(), AppError> {
    use portcullis_core::email::Email;
    use portcullis_core::password::{check_new_password, Password};
    use portcullis_core::Problem;
    let name = name.trim().to_owned();
    if name.is_empty() {
        return Err(ssr::fail(Problem::invalid(
            "name",
            "name_required",
            "enter your full name",
        )));
    }
    let email = Email::parse(&email).map_err(|e| ssr::fail(e.into_problem("email")))?;
    check_new_password(&password, Some(&email))
        .map_err(|e| ssr::fail(e.into_problem("password")))?;
    let console = ssr::console()?;
    let session = console
        .complete_setup(
            token,
            name,
            email,
            Password::new(password),
            ssr::request_meta(),
        )
        .await
        .map_err(ssr::fail)?;
    ssr::set_session_cookie(&console, &session);
    Ok(())
}

mod activity;
mod apps;
mod authorizations;
mod jobs;
mod people;
mod sso;
pub use activity::*;
pub use apps::*;
pub use authorizations::*;
pub use jobs::*;
pub use people::*;
pub use sso::*;

/// Reads an id from a request field, naming the field when it is not one.
#[cfg(feature = "ssr")]
pub(crate) fn parse_id<T>(
    field: &str,
    input: &str,
    parse: fn(&str) -> Result<T, portcullis_core::ids::IdError>,
) -> Result<T, AppError> {
    parse(input.trim()).map_err(|e| {
        ssr::fail(portcullis_core::Problem::invalid(
            field,
            "invalid_id",
            e.to_string(),
        ))
    })
}
