//! Read-only connections to the server's SQLite file through SQLite's C library, reused with
//! what each remembers, and the read transactions the API's snapshots run in.

use super::connection::{begin_read, end_read, open_read_only};
use crate::store::memo::Memo;
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

/// How many idle read-only connections a server keeps (one per busy thread is enough).
const KEEP: usize = 8;

/// Read-only connections to the server's SQLite file, opened on first use and reused.
#[derive(Debug)]
pub struct SqliteReader {
    file: PathBuf,
    idle: Mutex<Vec<Reader>>,
}

/// One read-only connection and what it remembers.
#[derive(Debug)]
pub(crate) struct Reader {
    pub(crate) conn: Connection,
    pub(crate) memo: Memo,
}

impl SqliteReader {
    /// The readers of `file`, with the read pin that keeps their locks in the process
    /// (`read_pin`) for as long as they exist.
    pub fn open(file: PathBuf) -> Arc<SqliteReader> {
        let reader = Arc::new(SqliteReader {
            file: file.clone(),
            idle: Mutex::new(Vec::new()),
        });
        super::read_pin::start(file, Arc::downgrade(&reader));
        reader
    }

    /// An idle connection (or a new one) inside a fresh read transaction, its memo brought to
    /// the transaction's version of the database.
    pub(crate) fn begin(&self) -> rusqlite::Result<Reader> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let mut reader = match idle {
            Some(reader) => reader,
            None => Reader {
                conn: open_read_only(&self.file)?,
                memo: Memo::default(),
            },
        };
        let version = begin_read(&reader.conn)?;
        reader.memo.at(version);
        Ok(reader)
    }

    /// Ends `reader`'s transaction and keeps it, with its memo, for the next call; a connection
    /// whose transaction will not end is dropped instead, so no call inherits an old snapshot.
    pub(crate) fn end(&self, reader: Reader) {
        if end_read(&reader.conn).is_ok() {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < KEEP {
                idle.push(reader);
            }
        }
    }
}
