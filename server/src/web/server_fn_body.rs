//! What a server function's request body must be before Leptos reads it: at most
//! [`FORM_LIMIT`] bytes of UTF-8. Leptos answers 500 to both a body it cannot buffer and one
//! that is not text; here they are the client's 413 and 400, in the app's error JSON. A form
//! that does not fit the function is judged where it is decoded (`AppError`).

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use portcullis_app::error::AppError;
use portcullis_core::{Problem, ProblemKind};
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;

/// The largest body a server function reads. The largest legitimate form is an
/// authorization's credentials: a few fields of up to 4,096 characters (or a service-account
/// key file of a few kilobytes), each character up to 12 bytes once UTF-8 is percent-encoded.
pub const FORM_LIMIT: usize = 256 * 1024;

/// Whether `req` calls a server function: a POST under `/api/` outside the REST API.
fn is_server_fn_call(req: &Request) -> bool {
    let path = req.uri().path();
    req.method() == Method::POST
        && path.starts_with("/api/")
        && !path.starts_with("/api/v1/")
        && path != "/api/v1"
}

/// A problem answered to a server function's caller, as Leptos answers its errors.
fn refusal(path: &str, problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::to_vec(&AppError(problem)).unwrap_or_default();
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(path) = HeaderValue::from_str(path) {
        headers.insert(leptos::server_fn::error::SERVER_FN_ERROR_HEADER, path);
    }
    response
}

/// The body of a server-function call, read whole and checked, or the answer refusing it.
async fn checked(path: &str, body: Body) -> Result<Body, Response> {
    let bytes = match Limited::new(body, FORM_LIMIT).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return Err(refusal(
                path,
                Problem::new(
                    ProblemKind::TooLarge,
                    "body_too_large",
                    format!("the request's body is larger than {FORM_LIMIT} bytes"),
                ),
            ));
        }
        Err(_) => {
            return Err(refusal(
                path,
                Problem::new(
                    ProblemKind::BadRequest,
                    "bad_request",
                    "the request's body could not be read",
                ),
            ));
        }
    };
    if std::str::from_utf8(&bytes).is_err() {
        return Err(refusal(
            path,
            Problem::new(
                ProblemKind::BadRequest,
                "not_utf8",
                "the request's body is not UTF-8 text",
            ),
        ));
    }
    Ok(Body::from(bytes))
}

/// Checks server functions' bodies; every other request passes untouched, without a boxed
/// future. Wrapped around a service with `layer_fn`.
#[derive(Clone)]
pub struct ServerFnBody<S>(pub S);

type Answer = Result<Response, Infallible>;

impl<S> tower::Service<Request> for ServerFnBody<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, Pin<Box<dyn Future<Output = Answer> + Send>>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        if !is_server_fn_call(&req) {
            return Either::Left(self.0.call(req));
        }
        // The service that was made ready serves this call; its clone waits for the next.
        let ready = self.0.clone();
        let mut inner = std::mem::replace(&mut self.0, ready);
        Either::Right(Box::pin(async move {
            let (parts, body) = req.into_parts();
            match checked(parts.uri.path(), body).await {
                Ok(body) => inner.call(Request::from_parts(parts, body)).await,
                Err(refused) => Ok(refused),
            }
        }))
    }
}
