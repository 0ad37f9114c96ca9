//! The reads every API call makes (its token, its app's access, the record it asks for), run
//! on SQLite through SQLite's C library on the calling thread, in one read transaction, and on
//! PostgreSQL through sqlx.
//!
//! Why: sqlx runs each SQLite connection on a worker thread of its own, so every query pays two
//! thread hand-offs, which cost more than the query (the token check alone took 46 µs). Here a
//! call's reads borrow one of the server's read-only connections and step through their rows in
//! place, blocking the async thread for the few microseconds a read from the page cache takes.
//!
//! Why one transaction: each SQLite read transaction takes and releases the file's shared lock
//! and a WAL read mark (`fcntl` calls under a mutex every connection to the file shares), and
//! under load the server's threads queued on that mutex. A [`Snapshot`] begins one transaction
//! for all of a call's reads, which also means they all see the same committed state. Readers
//! never wait on SQLite's writer (WAL), and each snapshot begins after every change committed
//! before the call: a revoked token or an uninstalled app is refused on the very next call.
//! PostgreSQL keeps sqlx, whose reads are network round trips that async hides; there each read
//! is its own statement (a read-only transaction would add two round trips).

use crate::db::Db;
use crate::store::columns::{ColumnNames, FromColumns, NamedRow};
use rusqlite::{Connection, OpenFlags};
use sqlx::AnyPool;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

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

    /// An idle connection (or a new one) inside a fresh read transaction.
    fn begin(&self) -> rusqlite::Result<Connection> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open_read_only(&self.file)?,
        };
        // Deferred: the snapshot is taken at the first read, not here.
        conn.prepare_cached("BEGIN")?.execute([])?;
        Ok(conn)
    }

    /// Ends `conn`'s transaction and keeps it for the next call; a connection whose
    /// transaction will not end is dropped instead, so no call inherits an old snapshot.
    fn end(&self, conn: Connection) {
        let ended = conn
            .prepare_cached("COMMIT")
            .and_then(|mut stmt| stmt.execute([]));
        if ended.is_ok() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < KEEP {
                idle.push(conn);
            }
        }
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

/// The reads of one call, which see one committed state of the database (on SQLite; see the
/// module's doc for PostgreSQL). The SQLite transaction ends when the snapshot is dropped.
pub struct Snapshot {
    pool: AnyPool,
    sqlite: Option<Held>,
}

/// A SQLite connection inside the snapshot's read transaction. The mutex is never contended
/// (a snapshot belongs to one call); it makes the snapshot `Sync`, so a call's future can hold
/// `&Snapshot` across an await and still move between threads.
struct Held {
    reader: Arc<SqliteReader>,
    conn: Option<Mutex<Connection>>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.reader
                .end(conn.into_inner().unwrap_or_else(PoisonError::into_inner));
        }
    }
}

impl Snapshot {
    /// Begins the reads of one call on `db`.
    pub fn begin(db: &Db) -> Result<Snapshot, sqlx::Error> {
        let sqlite = match &db.reader {
            Some(reader) => Some(Held {
                conn: Some(Mutex::new(reader.begin().map_err(decode)?)),
                reader: reader.clone(),
            }),
            None => None,
        };
        Ok(Snapshot {
            pool: db.pool.clone(),
            sqlite,
        })
    }

    /// The pool, for the rare write a read leads to (a token's "last used").
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Every row of `sql` (whose parameters `$1`, `$2`, … are `binds`), mapped by `T`.
    pub async fn fetch_all<T: FromColumns>(
        &self,
        sql: &str,
        binds: &[&str],
    ) -> Result<Vec<T>, sqlx::Error> {
        if let Some(conn) = self.sqlite.as_ref().and_then(|h| h.conn.as_ref()) {
            let conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            let mut stmt = conn.prepare_cached(sql).map_err(decode)?;
            let names = ColumnNames::of(&stmt);
            let mut rows = stmt
                .query(rusqlite::params_from_iter(binds.iter()))
                .map_err(decode)?;
            let mut mapped = Vec::new();
            while let Some(row) = rows.next().map_err(decode)? {
                mapped.push(T::from_columns(&NamedRow { row, names: &names })?);
            }
            return Ok(mapped);
        }
        let mut query = sqlx::query(sql);
        for b in binds {
            query = query.bind(*b);
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(T::from_columns)
            .collect()
    }

    /// The first row of `sql`, if any (for reads by a unique key).
    pub async fn fetch_optional<T: FromColumns>(
        &self,
        sql: &str,
        binds: &[&str],
    ) -> Result<Option<T>, sqlx::Error> {
        Ok(self.fetch_all(sql, binds).await?.into_iter().next())
    }
}
