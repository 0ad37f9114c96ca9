//! The reads every API call makes (its token, its app's access, the record it asks for), run
//! on SQLite through SQLite's C library on the calling thread, and on PostgreSQL through sqlx.
//!
//! Why: sqlx runs each SQLite connection on a worker thread of its own, so every query pays two
//! thread hand-offs, which cost more than the query (the token check alone took 46 µs). Here a
//! read borrows one of the server's read-only connections and steps through its rows in place,
//! blocking the async thread for the few microseconds a read from the page cache takes. Readers
//! never wait on SQLite's writer (WAL), and each read sees every committed change, exactly as
//! through sqlx: a revoked token or an uninstalled app is refused on the very next call.
//! PostgreSQL keeps sqlx, whose reads are network round trips that async hides.

use crate::db::Db;
use crate::store::columns::FromColumns;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

/// How many idle read-only connections a server keeps (one per busy thread is enough).
const KEEP: usize = 8;

/// Read-only connections to the server's SQLite file, opened on first use and reused.
#[derive(Debug)]
pub struct SqliteReader {
    file: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl SqliteReader {
    pub fn new(file: PathBuf) -> SqliteReader {
        SqliteReader {
            file,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Runs `read` on an idle connection (or a new one), then keeps the connection.
    fn with<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, sqlx::Error> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open_read_only(&self.file).map_err(decode)?,
        };
        let out = read(&conn).map_err(decode);
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < KEEP {
            idle.push(conn);
        }
        out
    }
}

/// A read-only connection to the SQLite file that waits up to five seconds on a lock (the
/// reader's, and the activity download's own).
pub(crate) fn open_read_only(file: &std::path::Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(conn)
}

fn decode(e: rusqlite::Error) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

/// Every row of `sql` (whose parameters `$1`, `$2`, … are `binds`), mapped by `T`.
pub async fn fetch_all<T: FromColumns>(
    db: &Db,
    sql: &str,
    binds: &[&str],
) -> Result<Vec<T>, sqlx::Error> {
    if let Some(reader) = &db.reader {
        return reader
            .with(|conn| {
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(binds.iter()))?;
                let mut mapped = Vec::new();
                while let Some(row) = rows.next()? {
                    mapped.push(T::from_columns(row));
                }
                Ok(mapped)
            })?
            .into_iter()
            .collect();
    }
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    query
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(T::from_columns)
        .collect()
}

/// The first row of `sql`, if any (for reads by a unique key).
pub async fn fetch_optional<T: FromColumns>(
    db: &Db,
    sql: &str,
    binds: &[&str],
) -> Result<Option<T>, sqlx::Error> {
    Ok(fetch_all(db, sql, binds).await?.into_iter().next())
}
