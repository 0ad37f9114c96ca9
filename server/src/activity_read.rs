//! Reading the activity log: the list behind the Activity page and the CSV download.
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
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use futures_util::{stream, TryStreamExt};
use portcullis_app::api::{request_meta_of, session_token_in};
use portcullis_app::model::{EventRow, Page};
use portcullis_app::services::{Activity, ActivityQuery, Console};
use portcullis_core::actions::Action;
use portcullis_core::audit::{
    csv_safe, csv_time, export_file_name, ActivityFilter, CsvTimes, CSV_HEADER,
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
    let checked = services
        .require(&caller, Action::DownloadActivity, None)
        .await?;
    let params: DownloadParams = serde_urlencoded_params(request)?;
    let filter = ActivityFilter::parse(&params.user, &params.action, params.from, params.to)?;
    let tenant = checked.tenant().clone();
    let db = services.db.clone();
    let pool = db.pool.clone();

    // The people, emails and addresses in the log leave the platform: that is recorded
    // before the first byte is sent, and a download that cannot be recorded does not start.
    let peer = request
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let meta = request_meta_of(&request.headers, peer, &services.trusted_proxies);
    let now = Utc::now();
    let mut tx = db.write().await.map_err(problem)?;
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
    // A PostgreSQL read for COPY: SQLite's write lock is not involved.
    #[allow(clippy::disallowed_methods)]
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
        let mut times = RowTimes::default();
        while let Some(row) = copy.try_next().await? {
            put_copied_row(&row, &mut buffer, &mut times)?;
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
/// times (the third and fourth fields, milliseconds) written as `csv_time` and its empty
/// strings (`""`) as empty fields (see `copy_sql`). The fields before the times are an id and
/// an event type, which never need quoting; a row that does not fit that shape stops the
/// download rather than writing a wrong line.
fn put_copied_row(row: &[u8], out: &mut Vec<u8>, times: &mut RowTimes) -> Result<(), WriteError> {
    let comma = |from: usize| -> Option<usize> {
        Some(from + row.get(from..)?.iter().position(|b| *b == b',')?)
    };
    let c1 = comma(0).ok_or(WriteError::Shape)?;
    let c2 = comma(c1 + 1).ok_or(WriteError::Shape)?;
    if row.first() == Some(&b'"') || row.get(c1 + 1) == Some(&b'"') {
        return Err(WriteError::Shape);
    }
    let (happened, c3) = millis_at(row, c2 + 1).ok_or(WriteError::Shape)?;
    let (recorded, c4) = millis_at(row, c3 + 1).ok_or(WriteError::Shape)?;
    let (happened, recorded) = times.both(happened, recorded);
    out.extend_from_slice(row.get(..=c2).ok_or(WriteError::Shape)?);
    out.extend_from_slice(happened);
    out.push(b',');
    out.extend_from_slice(recorded);
    put_unquoting_empty(row.get(c4..).ok_or(WriteError::Shape)?, out);
    Ok(())
}

/// Copies CSV fields that each start with their comma (`,a,"b, c",""\n`), writing a field that
/// is exactly `""` (an empty string) as nothing. Most rows hold no quote at all and are copied
/// whole; otherwise each quoted field is followed to its closing quote (`""` inside a quoted
/// field is an escaped quote, not an end).
fn put_unquoting_empty(fields: &[u8], out: &mut Vec<u8>) {
    if !fields.contains(&b'"') {
        out.extend_from_slice(fields);
        return;
    }
    let mut at = 0;
    while let Some(&byte) = fields.get(at) {
        out.push(byte);
        at += 1;
        if byte != b',' || fields.get(at) != Some(&b'"') {
            continue;
        }
        // A quoted field starts at `at`.
        let empty = fields.get(at + 1) == Some(&b'"')
            && matches!(fields.get(at + 2), None | Some(b',' | b'\n' | b'\r'));
        if empty {
            at += 2;
            continue;
        }
        let start = at;
        at += 1;
        while let Some(&b) = fields.get(at) {
            at += 1;
            if b == b'"' {
                if fields.get(at) == Some(&b'"') {
                    at += 1;
                } else {
                    break;
                }
            }
        }
        out.extend_from_slice(fields.get(start..at).unwrap_or_default());
    }
}

/// The integer at `row[from..]` up to the next comma, and where that comma is.
fn millis_at(row: &[u8], from: usize) -> Option<(i64, usize)> {
    let negative = row.get(from) == Some(&b'-');
    let start = from + usize::from(negative);
    let mut at = start;
    let mut value: i64 = 0;
    while let Some(&digit) = row.get(at) {
        if digit == b',' {
            break;
        }
        if !digit.is_ascii_digit() {
            return None;
        }
        value = value
            .checked_mul(10)?
            .checked_add(i64::from(digit - b'0'))?;
        at += 1;
    }
    if at == start || row.get(at) != Some(&b',') {
        return None;
    }
    Some((if negative { -value } else { value }, at))
}

/// SQLite: one read-only connection of its own on a blocking thread steps through every
/// matching row and writes it straight into the CSV chunks, so no row is handed between threads
/// (sqlx hands each SQLite row from its worker thread to the async task, a hand-off per row).
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
    use rusqlite::Statement;
    // A connection of its own, held for the whole download (the reader's pool serves short reads).
    let conn = crate::store::reads::open_read_only(file)?;
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
    let mut times = RowTimes::default();
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
        write_event(&mut out, &event, &mut times)?;
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
fn write_event(
    out: &mut csv::Writer<Vec<u8>>,
    e: &ExportEvent<'_>,
    times: &mut RowTimes,
) -> Result<(), WriteError> {
    fn text<'a>(s: &'a Option<Cow<'_, str>>) -> Cow<'a, str> {
        csv_safe(s.as_deref().unwrap_or_default())
    }
    let (happened, recorded) = times.both(e.2, e.3);
    let cells = [&e.4, &e.5, &e.6, &e.7, &e.8, &e.9, &e.10].map(text);
    let [principal_id, name, email, source, object_id, object_name, origin] = &cells;
    out.write_record([
        e.0.as_bytes(),
        e.1.as_bytes(),
        happened,
        recorded,
        principal_id.as_bytes(),
        name.as_bytes(),
        email.as_bytes(),
        b"".as_slice(), // external-id: always empty
        source.as_bytes(),
        object_id.as_bytes(),
        object_name.as_bytes(),
        origin.as_bytes(),
    ])?;
    Ok(())
}

/// A row's two times as the download writes them: formatted by `CsvTimes` (which remembers
/// the day) into stack buffers, or for years past 9999 into `spill`.
#[derive(Default)]
struct RowTimes {
    times: CsvTimes,
    bufs: [[u8; 24]; 2],
    spill: [String; 2],
}

impl RowTimes {
    fn both(&mut self, happened: i64, recorded: i64) -> (&[u8], &[u8]) {
        let mut fits = [true; 2];
        for (i, millis) in [happened, recorded].into_iter().enumerate() {
            if self.times.write(millis, &mut self.bufs[i]).is_none() {
                fits[i] = false;
                self.spill[i] = csv_time(millis);
            }
        }
        let [a, b] = &self.bufs;
        let [a_spill, b_spill] = &self.spill;
        (
            if fits[0] { a } else { a_spill.as_bytes() },
            if fits[1] { b } else { b_spill.as_bytes() },
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    fn unquoted(fields: &str) -> String {
        let mut out = Vec::new();
        put_unquoting_empty(fields.as_bytes(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn empty_strings_become_empty_fields_and_nothing_else_changes() {
        for (copied, written) in [
            (",a,,b\n", ",a,,b\n"),
            (",\"\",x\n", ",,x\n"),
            (",\"\",\"\"\n", ",,\n"),
            (",\"a \"\"q\"\"\",\"\"\n", ",\"a \"\"q\"\"\",\n"),
            (",\"\"\"\",\"\"\n", ",\"\"\"\",\n"),
            (",\"x,\"\"\"\"\"\n", ",\"x,\"\"\"\"\"\n"),
            (
                ",\"line 1\nline \"\"2\"\"\",\"\"\n",
                ",\"line 1\nline \"\"2\"\"\",\n",
            ),
            (",\"\"", ","),
        ] {
            assert_eq!(unquoted(copied), written, "{copied:?}");
        }
    }

    #[test]
    fn a_copied_row_gets_its_times_and_empty_fields_mended() {
        let mut out = Vec::new();
        let mut times = RowTimes::default();
        put_copied_row(
            b"evt_1,policy/grant,1700000000000,1700000000001,usr_1,\"\",,,console,\"\",\"a, b\",\n",
            &mut out,
            &mut times,
        )
        .map_err(|e| e.to_string())
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            String::from_utf8_lossy(&out),
            "evt_1,policy/grant,2023-11-14T22:13:20.000Z,2023-11-14T22:13:20.001Z,usr_1,,,,console,,\"a, b\",\n"
        );
        for bad in [
            &b"\"evt,1\",t,1,2,x\n"[..],
            b"evt_1,t,12x,2,x\n",
            b"evt_1,t,1\n",
        ] {
            assert!(put_copied_row(bad, &mut Vec::new(), &mut times).is_err());
        }
    }
}
