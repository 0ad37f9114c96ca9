//! The reads every API call makes (its token, its app's access, the record it asks for), run
//! on SQLite through SQLite's C library on the calling thread, in one read transaction, and on
//! PostgreSQL through sqlx.
//!
//! Why: sqlx runs each SQLite connection on a worker thread of its own, so every query pays two
//! thread hand-offs, which cost more than the query. Here a call's reads borrow one of the
//! server's read-only connections and step through their rows in place, blocking the async
//! thread for the few microseconds a read from the page cache takes.
//!
//! Why one transaction: each SQLite read transaction takes and releases the file's shared lock
//! and a WAL read mark (`fcntl` calls under a mutex every connection to the file shares), and
//! under load the server's threads queued on that mutex. A [`Snapshot`] begins one transaction
//! for all of a call's reads, which also means they all see the same committed state. Readers
//! never wait on SQLite's writer (WAL), and each snapshot begins after every change committed
//! before the call: a revoked token or an uninstalled app is refused on the very next call.
//! PostgreSQL keeps sqlx, whose reads are network round trips that async hides; there each read
//! is its own statement (a read-only transaction would add two round trips).
//!
//! A SQLite connection also carries a [`Memo`] of values built from earlier reads, which a
//! snapshot may recall while the database has not changed (see `store::memo` for why that is
//! exact). PostgreSQL's snapshots recall nothing.

use crate::store::columns::{ColumnNames, FromColumns, NamedRow};
use crate::store::sqlite::reader::{Reader, SqliteReader};
use crate::store::Db;
use crate::store::StoreError;
use sqlx::AnyPool;
use std::any::Any;
use std::sync::{Arc, Mutex, PoisonError};

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
    from: Arc<SqliteReader>,
    reader: Option<Mutex<Reader>>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(reader) = self.reader.take() {
            self.from
                .end(reader.into_inner().unwrap_or_else(PoisonError::into_inner));
        }
    }
}

impl Snapshot {
    /// Begins the reads of one call on `db`.
    pub fn begin(db: &Db) -> Result<Snapshot, StoreError> {
        let sqlite = match &db.reader {
            Some(from) => Some(Held {
                reader: Some(Mutex::new(from.begin().map_err(decode)?)),
                from: from.clone(),
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

    fn reader(&self) -> Option<std::sync::MutexGuard<'_, Reader>> {
        let reader = self.sqlite.as_ref()?.reader.as_ref()?;
        Some(reader.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The `T` an earlier call built under `key` from reads of the same database version, if
    /// this snapshot's connection remembers one (`store::memo`; never on PostgreSQL).
    pub fn recall<T: Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        self.reader()?.memo.recall(key)
    }

    /// Remembers `value`, built from this snapshot's reads, under `key` for later snapshots
    /// of the same database version.
    pub fn remember<T: Any + Send + Sync>(&self, key: &str, value: Arc<T>) {
        if let Some(mut reader) = self.reader() {
            reader.memo.remember(key, value);
        }
    }

    /// Every row of `sql` (whose parameters `$1`, `$2`, … are `binds`), mapped by `T`.
    pub async fn fetch_all<T: FromColumns>(
        &self,
        sql: &str,
        binds: &[&str],
    ) -> Result<Vec<T>, StoreError> {
        if let Some(reader) = self.reader() {
            let mut stmt = reader.conn.prepare_cached(sql).map_err(decode)?;
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
    ) -> Result<Option<T>, StoreError> {
        Ok(self.fetch_all(sql, binds).await?.into_iter().next())
    }
}
