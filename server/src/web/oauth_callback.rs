//! The end of an OAuth consent: the provider sends the administrator back with a code, which
//! becomes the authorization's tokens, and the browser goes on to the authorization's page.

use crate::http::problem::ApiError;
use crate::http::request::{session_token_in, CodeCallback};
use crate::services::audit::Principal;
use crate::services::oauth::CALLBACK_PATH;
use crate::services::Services;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use portcullis_app::services::{Console, RequestMeta};
use portcullis_core::Problem;

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
    let outcome = async {
        let token = session_token_in(&headers, services.secure_cookies)
            .ok_or_else(|| Problem::unauthenticated("sign in, then connect again"))?;
        let caller = services
            .caller(&token)
            .await?
            .ok_or_else(|| Problem::unauthenticated("your session has ended; sign in again"))?;
        if let Some(error) = params.error {
            return Err(Problem::invalid(
                "code",
                "consent_refused",
                format!("the provider did not grant access ({error})"),
            ));
        }
        let (Some(code), Some(state)) = (params.code, params.state) else {
            return Err(Problem::invalid(
                "code",
                "code_required",
                "the provider sent no code back",
            ));
        };
        services
            .finish_oauth(
                &caller.viewer.user_id,
                Principal::of(&caller.viewer),
                &state,
                &code,
                meta.origin_ip.as_deref(),
            )
            .await
    }
    .await;
    match outcome {
        Ok(id) => Redirect::to(&format!("/authorizations/{id}?connected=1")).into_response(),
        Err(p) => ApiError(p).into_response(),
    }
}
