//! The activity download's rows as CSV: read from a database cursor (PostgreSQL's COPY, or
//! SQLite's file on a blocking thread) through the `csv` writer into 64 KiB chunks on a bounded
//! channel, so memory stays flat however many rows there are and a slow client slows the read.

use crate::store::activity::{copy_settings, copy_sql, export_sql, filter_where};
use crate::store::activity::{Bind, Where};
use crate::store::{Backend, Db};
use axum::body::Bytes;
use futures_util::TryStreamExt;
use portcullis_core::audit::{csv_safe, csv_time, ActivityFilter, CsvTimes, CSV_HEADER};
use portcullis_core::ids::TenantId;
use std::borrow::Cow;
use tokio::sync::mpsc;

/// Bytes gathered before a chunk is handed to the connection.
const CHUNK_BYTES: usize = 64 * 1024;

/// Why a download stopped part way.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
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
pub async fn write_csv(
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
    let conn = crate::store::sqlite::connection::open_read_only(file)?;
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
