//! Server functions: the browser app's only way into the server.
//!
//! Every one of them is a public HTTP endpoint. Each starts by establishing its caller (or, for
//! sign-in and setup, by validating its input with `core`), then hands over to the server's
//! [`Console`](crate::services::Console). Nothing here touches storage.

use crate::error::AppError;
use crate::model::TenantOverview;
use leptos::prelude::*;
use portcullis_core::tenancy::Viewer;

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
    use portcullis_core::cookies;
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
        let headers = parts.headers.get_all(http::header::COOKIE);
        cookies::value_in(
            headers.iter().filter_map(|v| v.to_str().ok()),
            cookies::session_cookie_name(console.secure_cookies()),
        )
    }

    /// What the activity log wants to know about the request, as the server read it before
    /// the function ran.
    pub fn request_meta() -> RequestMeta {
        use_context::<Parts>()
            .and_then(|parts| parts.extensions.get::<RequestMeta>().cloned())
            .unwrap_or_default()
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
        append_cookie(&cookies::session_cookie(
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
    // The id parser's own words ("an id body has exactly 26 characters") mean nothing to the
    // person who chose from a list; what they can do about it does.
    let thing = field.replace('_', " ");
    let input = input.trim();
    parse(input).map_err(|_| {
        let message = if input.is_empty() {
            format!("choose a {thing}")
        } else {
            format!(
                "this {thing} is not in this tenant (any more); reload the page and choose again"
            )
        };
        ssr::fail(portcullis_core::Problem::invalid(
            field,
            "invalid_id",
            message,
        ))
    })
}
