//! The activity log's CSV download: a plain route rather than a server function so the
//! browser can stream it.

use crate::http::problem::ApiError;
use crate::http::request::{meta_of, session_token_in};
use crate::services::audit::received;
use crate::services::Services;
use crate::store::activity_export::write_csv;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use futures_util::stream;
use portcullis_app::services::Console;
use portcullis_core::audit::{export_file_name, ActivityFilter};
use portcullis_core::Problem;
use serde::Deserialize;
use tokio::sync::mpsc;

/// Chunks in flight between the cursor and the connection (so at most ~256 KiB buffered).
const CHUNKS_IN_FLIGHT: usize = 4;
/// The route the Activity page's Download button fetches.
pub const DOWNLOAD_PATH: &str = "/activity/events.csv";

/// The download's route; it reads the session cookie like every console page. A POST, since
/// it records an event: another site cannot make a browser start one (the same-origin guard
/// checks every POST), as it could with a link or an image.
pub fn router<S: Clone + Send + Sync + 'static>(services: Services) -> Router<S> {
    Router::new()
        .route(DOWNLOAD_PATH, post(download))
        .with_state(services)
}

/// The download's query string: the Activity page's filters.
#[derive(Debug, Default, Deserialize)]
struct DownloadParams {
    #[serde(default)]
    user: String,
    #[serde(default)]
    action: String,
    from: Option<i64>,
    to: Option<i64>,
}

async fn download(State(services): State<Services>, request: Request) -> Response {
    let (request, _) = request.into_parts();
    match start_download(&services, &request).await {
        Ok(response) => response,
        Err(p) => ApiError(p).into_response(),
    }
}

async fn start_download(services: &Services, request: &Parts) -> Result<Response, Problem> {
    let token = session_token_in(&request.headers, services.secure_cookies)
        .ok_or_else(|| Problem::unauthenticated("sign in to download the activity log"))?;
    let caller = services
        .caller(&token)
        .await?
        .ok_or_else(|| Problem::unauthenticated("your session has ended; sign in again"))?;
    let checked = services.may_download(&caller).await?;
    let params: DownloadParams = serde_urlencoded_params(request)?;
    let filter = ActivityFilter::parse(&params.user, &params.action, params.from, params.to)?;
    let meta = meta_of(&request.extensions);
    let (tenant, total) = services
        .begin_download(&caller, checked, &filter, &meta)
        .await?;
    let db = services.db.clone();

    let (sender, receiver) = mpsc::channel::<Result<Bytes, std::io::Error>>(CHUNKS_IN_FLIGHT);
    tokio::spawn(async move {
        if let Err(e) = write_csv(&db, &tenant, &filter, &sender).await {
            tracing::error!(error = %e, "activity download stopped");
            // The status line is gone already: failing the body tells the client it is cut short.
            let _ = sender
                .send(Err(std::io::Error::other("download interrupted")))
                .await;
        }
    });
    let body = Body::from_stream(stream::unfold(receiver, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    }));
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let disposition = format!(
        "attachment; filename=\"{}\"",
        export_file_name(received(&meta))
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, v);
    }
    headers.insert("x-total-rows", HeaderValue::from(total));
    Ok(response)
}

fn serde_urlencoded_params(request: &Parts) -> Result<DownloadParams, Problem> {
    axum::extract::Query::<DownloadParams>::try_from_uri(&request.uri)
        .map(|q| q.0)
        .map_err(|e| Problem::invalid("query", "invalid_query", e.body_text()))
}
