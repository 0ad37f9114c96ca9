//! One read transaction the server keeps open on its SQLite file, renewed every few
//! milliseconds, so that the API's short read transactions do not each take and release a
//! lock in the kernel; and the checkpoint that keeps it from holding the WAL back.
//!
//! Why: a SQLite read transaction in WAL mode holds a shared lock on a "read mark" in the
//! `-shm` file. The lock is a POSIX lock, which belongs to the process, so SQLite counts its
//! own connections' holds and calls `fcntl` only when the count moves between none and one.
//! Under load the API's calls run one or two at a time, the count kept falling to none, and
//! every call paid two `fcntl` calls under a mutex all readers share. While the pin holds the
//! current read mark, the count never falls to none and the calls' locks stay in the process.
//!
//! Why renewed, and why the pin checkpoints: a read transaction keeps SQLite from copying later
//! commits back into the database file, and any reader outside the first read mark keeps the
//! next writer from starting the WAL over. A pin that took a fresh transaction right after each
//! change would always be one commit behind, so the WAL would never start over and would grow
//! for as long as the server runs. So every [`CHECKPOINT_EVERY`] the pin lets go, copies what
//! the WAL holds back into the database (a passive checkpoint, which never waits), and only then
//! takes the newest state: with nothing left to copy, that state sits on the first read mark,
//! which lets the next writer start the WAL over. When another connection is checkpointing
//! (say a truncating one, which waits for every reader), the pin stands aside for a while.
//!
//! Why it lets go while the database changes: a held read mark slows single-row writes, so
//! the pin holds only once a turn has passed without a change. API reads during a stream of
//! writes pay the kernel's locks as before.
//!
//! It reads nothing: each call still begins its own transaction and sees every commit made
//! before it (`store::reads`).

use super::connection::{begin_read, end_read};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Weak;
use std::time::{Duration, Instant};

/// How long the pin holds one state of the database before it takes the newest.
const HOLD: Duration = Duration::from_millis(20);

/// How often the pin copies the WAL back into the database. Each copy that finds work syncs
/// the file once, so this bounds the pin's extra syncs at one a second.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// How long the pin stands aside when another connection is checkpointing: long enough for a
/// checkpoint waiting on readers, which retries every 100 ms at most, to find it gone.
const STAND_ASIDE: Duration = Duration::from_millis(250);

/// Starts the pin on `file` for as long as `owner` (the server's readers) exists. A pin that
/// cannot start or open the file costs speed, never correctness, so failures are only logged.
pub(crate) fn start<T: Send + Sync + 'static>(file: std::path::PathBuf, owner: Weak<T>) {
    let spawned = std::thread::Builder::new()
        .name("sqlite-read-pin".into())
        .spawn(move || hold(&file, &owner));
    if let Err(e) = spawned {
        tracing::warn!("the SQLite read pin did not start: {e}");
    }
}

fn hold<T>(file: &Path, owner: &Weak<T>) {
    // Read-write, for the checkpoint; it never writes a row.
    let conn = match Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!("the SQLite read pin could not open the database: {e}");
            return;
        }
    };
    let mut checkpointed = Instant::now();
    let mut last_version = None;
    while owner.strong_count() > 0 {
        // Holds only after a turn without a change: while writes are under way a held read
        // mark slows them, so the pin lets go at once.
        let quiet = match begin_read(&conn) {
            Ok(version) => last_version.replace(version) == Some(version),
            Err(e) => {
                tracing::debug!("the SQLite read pin missed a turn: {e}");
                false
            }
        };
        if quiet {
            std::thread::sleep(HOLD);
        }
        // Ends the transaction if one began; after a failed BEGIN this only fails.
        let _ = end_read(&conn);
        if !quiet {
            std::thread::sleep(HOLD);
        }
        if checkpointed.elapsed() >= CHECKPOINT_EVERY {
            checkpointed = Instant::now();
            if checkpoint_busy(&conn) {
                std::thread::sleep(STAND_ASIDE);
            }
        }
    }
}

/// Copies the WAL back into the database without waiting; true when another connection was
/// checkpointing, so this one did nothing.
fn checkpoint_busy(conn: &Connection) -> bool {
    match conn
        .prepare_cached("PRAGMA wal_checkpoint(PASSIVE)")
        .and_then(|mut stmt| stmt.query_row([], |row| row.get::<_, i64>(0)))
    {
        Ok(busy) => busy != 0,
        Err(e) => {
            tracing::debug!("the SQLite read pin could not checkpoint: {e}");
            false
        }
    }
}
