//! The end of an SSO sign-in: the identity provider sends the person back with a code, and
//! the browser that started the sign-in is sent on to the console or back to the sign-in page.

use crate::http::request::{cookie_in, CodeCallback};
use crate::services::sso::CALLBACK_PATH;
use crate::services::sso_sign_in::refused;
use crate::services::Services;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use portcullis_app::services::RequestMeta;
use portcullis_core::cookies;

/// The callback route.
pub fn router<S: Clone + Send + Sync + 'static>(services: Services) -> Router<S> {
    Router::new()
        .route(CALLBACK_PATH, get(callback))
        .with_state(services)
}

async fn callback(
    State(services): State<Services>,
    Query(params): Query<CodeCallback>,
    Extension(meta): Extension<RequestMeta>,
    headers: HeaderMap,
) -> Response {
    let outcome = match (params.error, params.code, params.state) {
        (Some(error), _, _) => Err(refused(format!(
            "the identity provider did not sign you in ({error})"
        ))),
        (None, Some(code), Some(state)) => {
            let browser = cookie_in(
                &headers,
                cookies::sso_binding_cookie_name(services.secure_cookies),
            );
            services
                .finish_sso(&state, &code, browser.as_deref(), &meta)
                .await
        }
        _ => Err(refused(
            "the identity provider sent no code back".to_owned(),
        )),
    };
    let mut response = match outcome {
        Ok(session) => {
            let mut response = Redirect::to("/").into_response();
            let cookie = cookies::session_cookie(
                services.secure_cookies,
                &session.token,
                session.max_age_secs,
            );
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(SET_COOKIE, v);
            }
            response
        }
        Err(p) => {
            let query = serde_urlencoded_pair("sso_error", &p.message);
            Redirect::to(&format!("/signin?{query}")).into_response()
        }
    };
    // The binding is spent either way.
    if let Ok(v) =
        HeaderValue::from_str(&cookies::sso_binding_cookie(services.secure_cookies, "", 0))
    {
        response.headers_mut().append(SET_COOKIE, v);
    }
    response
}

/// What a query value keeps as it is: letters, digits and `-_.~`; the rest is percent-encoded.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// `key=value`, percent-encoded.
fn serde_urlencoded_pair(key: &str, value: &str) -> String {
    format!(
        "{}={}",
        utf8_percent_encode(key, QUERY_VALUE),
        utf8_percent_encode(value, QUERY_VALUE)
    )
}
