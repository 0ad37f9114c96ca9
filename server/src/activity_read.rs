//! Reading the activity log: the list behind the Activity page (L3) and the CSV download (L5).
//!
//! The download is a plain GET route rather than a server function so the browser can stream
//! it: rows go from a database cursor through the `csv` writer into 64 KiB chunks on a bounded
//! channel, so memory stays flat however many rows there are, and a slow client slows the
//! cursor instead of filling memory.

use crate::activity::{self, NewEvent, Principal};
use crate::console::Services;
use crate::db::problem;
use crate::db::{Backend, Db};
use crate::rest::ApiError;
use crate::store::activity::{copy_settings, copy_sql, count, export_sql, filter_where, list};
use crate::store::activity::{Bind, Where};
use async_trait::async_trait;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use futures_util::{stream, TryStreamExt};
use portcullis_app::api::{request_meta_of, session_token_in};
use portcullis_app::model::{EventRow, Page};
use portcullis_app::services::{Activity, ActivityQuery, Console};
use portcullis_core::actions::Action;
use portcullis_core::audit::{
    csv_time, export_file_name, write_csv_time, ActivityFilter, CSV_HEADER,
};
use portcullis_core::ids::TenantId;
use portcullis_core::people::page_limit;
use portcullis_core::Problem;
use serde::Deserialize;
use std::borrow::Cow;
use std::net::SocketAddr;
use tokio::sync::mpsc;

/// Where the download's own activity record comes from.
const SOURCE: &str = "console";
/// Bytes gathered before a chunk is handed to the connection.
const CHUNK_BYTES: usize = 64 * 1024;
/// Chunks in flight between the cursor and the connection (so at most ~256 KiB buffered).
const CHUNKS_IN_FLIGHT: usize = 4;
/// The route the Activity page's Download button fetches.
pub const DOWNLOAD_PATH: &str = "/activity/events.csv";

#[async_trait]
impl Activity for Services {
    async fn list_activity(
        &self,
        caller: &portcullis_app::services::Caller,
        query: ActivityQuery,
    ) -> Result<Page<EventRow>, Problem> {
        let checked = self.require(caller, Action::ViewActivity, None).await?;
        let query = ActivityQuery {
            limit: page_limit(Some(query.limit))?,
            ..query
        };
        list(&self.db.pool, checked.tenant(), &query)
            .await
            .map_err(problem)
    }
}

/// The download's route; it reads the session cookie like every console page.
pub fn router<S: Clone + Send + Sync + 'static>(services: Services) -> Router<S> {
    Router::new()
        .route(DOWNLOAD_PATH, get(download))
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
    let checked = services
        .require(&caller, Action::DownloadActivity, None)
        .await?;
    let params: DownloadParams = serde_urlencoded_params(request)?;
    let filter = ActivityFilter::parse(&params.user, &params.action, params.from, params.to)?;
    let tenant = checked.tenant().clone();
    let db = services.db.clone();
    let pool = db.pool.clone();

    // The people, emails and addresses in the log leave the platform: that is recorded (L1)
    // before the first byte is sent, and a download that cannot be recorded does not start.
    let peer = request
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let meta = request_meta_of(&request.headers, peer, &services.trusted_proxies);
    let now = Utc::now();
    let mut tx = pool.begin().await.map_err(problem)?;
    activity::record(
        &mut tx,
        NewEvent {
            tenant_id: Some(&tenant),
            event_type: "activity/download",
            happened_at: now,
            principal: &Principal::of(&caller.viewer),
            source: SOURCE,
            object_id: Some(tenant.as_str()),
            object_name: Some(&describe(&filter)),
            origin_ip: meta.origin_ip.as_deref(),
        },
    )
    .await
    .map_err(problem)?;
    tx.commit().await.map_err(problem)?;
    // Counted after the download's own record, which the file therefore includes.
    let total = count(&pool, &tenant, &filter).await.map_err(problem)?;

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
    let disposition = format!("attachment; filename=\"{}\"", export_file_name(now));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, v);
    }
    headers.insert("x-total-rows", HeaderValue::from(total));
    Ok(response)
}

/// The download's object name: what was downloaded, in words.
fn describe(filter: &ActivityFilter) -> String {
    let mut parts = vec!["activity log".to_owned()];
    if let Some(user) = &filter.user {
        parts.push(format!("user {user}"));
    }
    if let Some(action) = &filter.action {
        parts.push(format!("action {action}"));
    }
    if let Some(from) = filter.from_ms {
        parts.push(format!("from {}", csv_time(from)));
    }
    if let Some(to) = filter.to_ms {
        parts.push(format!("until {}", csv_time(to)));
    }
    parts.join(", ")
}

fn serde_urlencoded_params(request: &Parts) -> Result<DownloadParams, Problem> {
    axum::extract::Query::<DownloadParams>::try_from_uri(&request.uri)
        .map(|q| q.0)
        .map_err(|e| Problem::invalid("query", "invalid_query", e.body_text()))
}

/// Why a download stopped part way.
#[derive(Debug, thiserror::Error)]
enum WriteError {
    #[error("reading events: {0}")]
    Read(#[from] sqlx::Error),
    #[error("writing CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("reading SQLite's file: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database is not a SQLite file")]
    NoFile,
    #[error("COPY needs PostgreSQL")]
    WrongBackend,
    #[error("a COPY row did not start with an id, an event type and two times")]
    Shape,
    #[error("the client went away")]
    Gone,
}

/// Streams the matching events as CSV chunks into `sender`, oldest first.
async fn write_csv(
    db: &Db,
    tenant: &TenantId,
    filter: &ActivityFilter,
    sender: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), WriteError> {
    let mut out = chunk_writer();
    out.write_record(CSV_HEADER)?;
    match db.backend {
        Backend::Postgres => write_copied(db, tenant, filter, out, sender).await,
        Backend::Sqlite => {
            let out = write_sqlite(db, tenant, filter, out, sender).await?;
            send_chunk(out, sender).await
        }
    }
}

/// PostgreSQL: one COPY, formatted by the database but for the times (see `copy_sql`); its rows
/// pass to the connection gathered to the download's chunk size.
async fn write_copied(
    db: &Db,
    tenant: &TenantId,
    filter: &ActivityFilter,
    out: csv::Writer<Vec<u8>>,
    sender: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), WriteError> {
    let pg = db.pg.as_ref().ok_or(WriteError::WrongBackend)?;
    let w = filter_where(tenant, filter);
    let mut tx = pg.begin().await?;
    for (name, value) in copy_settings(&w) {
        sqlx::query("SELECT set_config($1, $2, true)")
            .bind(name)
            .bind(value)
            .execute(&mut *tx)
            .await?;
    }
    let mut buffer = out
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    {
        let mut copy = tx.copy_out_raw(&copy_sql(&w)).await?;
        while let Some(row) = copy.try_next().await? {
            put_copied_row(&row, &mut buffer)?;
            if buffer.len() >= CHUNK_BYTES {
                let chunk =
                    std::mem::replace(&mut buffer, Vec::with_capacity(CHUNK_BYTES + 16 * 1024));
                sender
                    .send(Ok(Bytes::from(chunk)))
                    .await
                    .map_err(|_| WriteError::Gone)?;
            }
        }
    }
    tx.commit().await?;
    if !buffer.is_empty() {
        sender
            .send(Ok(Bytes::from(buffer)))
            .await
            .map_err(|_| WriteError::Gone)?;
    }
    Ok(())
}

/// One row of the COPY (PostgreSQL sends each row as its own message) into `out`, its two
/// times (the third and fourth fields, milliseconds) written as `csv_time`. The fields before
/// them are an id and an event type, which never need quoting; a row that does not fit that
/// shape stops the download rather than writing a wrong line.
fn put_copied_row(row: &[u8], out: &mut Vec<u8>) -> Result<(), WriteError> {
    let mut commas = row
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b',')
        .map(|(i, _)| i);
    let (Some(c1), Some(c2), Some(c3), Some(c4)) =
        (commas.next(), commas.next(), commas.next(), commas.next())
    else {
        return Err(WriteError::Shape);
    };
    let millis = |from: usize, to: usize| -> Result<i64, WriteError> {
        std::str::from_utf8(row.get(from + 1..to).ok_or(WriteError::Shape)?)
            .ok()
            .and_then(|t| t.parse().ok())
            .ok_or(WriteError::Shape)
    };
    if row.first() == Some(&b'"') || row.get(c1 + 1) == Some(&b'"') {
        return Err(WriteError::Shape);
    }
    let (happened, recorded) = (millis(c2, c3)?, millis(c3, c4)?);
    let (mut a, mut b) = ([0u8; 24], [0u8; 24]);
    let (mut a_spill, mut b_spill) = (String::new(), String::new());
    out.extend_from_slice(&row[..=c2]);
    out.extend_from_slice(time_field(happened, &mut a, &mut a_spill));
    out.push(b',');
    out.extend_from_slice(time_field(recorded, &mut b, &mut b_spill));
    out.extend_from_slice(&row[c4..]);
    Ok(())
}

/// SQLite: one read-only connection of its own on a blocking thread steps through every
/// matching row and writes it straight into the CSV chunks, so no row is handed between threads
/// (sqlx hands each SQLite row from its worker to the async task, about 11 µs a row).
async fn write_sqlite(
    db: &Db,
    tenant: &TenantId,
    filter: &ActivityFilter,
    out: csv::Writer<Vec<u8>>,
    sender: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<csv::Writer<Vec<u8>>, WriteError> {
    let file = db.sqlite_file.clone().ok_or(WriteError::NoFile)?;
    let w = filter_where(tenant, filter);
    let sender = sender.clone();
    tokio::task::spawn_blocking(move || export_sqlite(&file, &w, out, &sender))
        .await
        .map_err(|_| WriteError::Gone)?
}

fn export_sqlite(
    file: &std::path::Path,
    w: &Where,
    mut out: csv::Writer<Vec<u8>>,
    sender: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<csv::Writer<Vec<u8>>, WriteError> {
    use rusqlite::{OpenFlags, Statement};
    let conn = rusqlite::Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let mut stmt: Statement<'_> = conn.prepare(&export_sql(w))?;
    for (i, bind) in w.binds.iter().enumerate() {
        let at = stmt
            .parameter_index(&format!("${}", i + 1))?
            .ok_or(WriteError::NoFile)?;
        match bind {
            Bind::Text(t) => stmt.raw_bind_parameter(at, t.as_str())?,
            Bind::Int(n) => stmt.raw_bind_parameter(at, *n)?,
        }
    }
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        let text = |i: usize| -> Result<Option<Cow<'_, str>>, rusqlite::Error> {
            Ok(row.get_ref(i)?.as_str_or_null()?.map(Cow::Borrowed))
        };
        let event = ExportEvent(
            text(0)?.unwrap_or_default(),
            text(1)?.unwrap_or_default(),
            row.get(2)?,
            row.get(3)?,
            text(4)?,
            text(5)?,
            text(6)?,
            text(7)?,
            text(8)?,
            text(9)?,
            text(10)?,
        );
        write_event(&mut out, &event)?;
        if out.get_ref().len() >= CHUNK_BYTES {
            let chunk = std::mem::replace(&mut out, chunk_writer())
                .into_inner()
                .map_err(|e| csv::Error::from(e.into_error()))?;
            sender
                .blocking_send(Ok(Bytes::from(chunk)))
                .map_err(|_| WriteError::Gone)?;
        }
    }
    Ok(out)
}

/// One event on its way out, columns in `EVENT_COLUMNS`' order (id, type, happened, recorded,
/// principal id, name, email, source, object id, object name, origin IP), its text borrowed
/// from the database's row.
struct ExportEvent<'a>(
    Cow<'a, str>,
    Cow<'a, str>,
    i64,
    i64,
    Option<Cow<'a, str>>,
    Option<Cow<'a, str>>,
    Option<Cow<'a, str>>,
    Option<Cow<'a, str>>,
    Option<Cow<'a, str>>,
    Option<Cow<'a, str>>,
    Option<Cow<'a, str>>,
);

/// One event as a CSV line, in the seed's column order; times are formatted into stack
/// buffers, so nothing is allocated per row.
fn write_event(out: &mut csv::Writer<Vec<u8>>, e: &ExportEvent<'_>) -> Result<(), WriteError> {
    fn text<'a>(s: &'a Option<Cow<'_, str>>) -> &'a [u8] {
        s.as_deref().unwrap_or_default().as_bytes()
    }
    let (mut happened, mut recorded) = ([0u8; 24], [0u8; 24]);
    let (mut happened_spill, mut recorded_spill) = (String::new(), String::new());
    out.write_record([
        e.0.as_bytes(),
        e.1.as_bytes(),
        time_field(e.2, &mut happened, &mut happened_spill),
        time_field(e.3, &mut recorded, &mut recorded_spill),
        text(&e.4),
        text(&e.5),
        text(&e.6),
        b"".as_slice(), // external-id: always empty (L5)
        text(&e.7),
        text(&e.8),
        text(&e.9),
        text(&e.10),
    ])?;
    Ok(())
}

/// A time as the download writes it: into `buf`, or for years past 9999 into `spill`.
fn time_field<'a>(millis: i64, buf: &'a mut [u8; 24], spill: &'a mut String) -> &'a [u8] {
    if write_csv_time(millis, buf).is_some() {
        buf
    } else {
        *spill = csv_time(millis);
        spill.as_bytes()
    }
}

fn chunk_writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(Vec::with_capacity(CHUNK_BYTES + 16 * 1024))
}

async fn send_chunk(
    out: csv::Writer<Vec<u8>>,
    sender: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), WriteError> {
    let chunk = out
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    if chunk.is_empty() {
        return Ok(());
    }
    sender
        .send(Ok(Bytes::from(chunk)))
        .await
        .map_err(|_| WriteError::Gone)
}
