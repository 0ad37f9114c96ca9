//! One read transaction the server keeps open on its SQLite file, renewed every few
//! milliseconds, so that the API's short read transactions do not each take and release a
//! lock in the kernel.
//!
//! Why: a SQLite read transaction in WAL mode holds a shared lock on a "read mark" in the
//! `-shm` file. The lock is a POSIX lock, which belongs to the process, so SQLite counts its
//! own connections' holds and calls `fcntl` only when the count moves between none and one.
//! Under load the API's calls run one or two at a time, the count kept falling to none, and
//! every call paid two `fcntl` calls under a mutex all readers share (about an eighth of a
//! call's server CPU). While the pin holds the current read mark, the count never falls to
//! none and the calls' locks stay in the process.
//!
//! Why renewed, not held for good: a read transaction keeps SQLite from copying later commits
//! back into the database file and from starting the WAL over. The pin lets go and takes the
//! newest state every [`HOLD`], so it delays that work by at most that long and the WAL does not
//! grow without bound. It reads nothing: each call still begins its own transaction and sees
//! every commit made before it (`store::reads`).

use std::path::PathBuf;
use std::sync::Weak;
use std::time::Duration;

/// How long the pin holds one state of the database before it takes the newest.
const HOLD: Duration = Duration::from_millis(20);

/// Starts the pin on `file` for as long as `owner` (the server's readers) exists. A pin that
/// cannot start or open the file costs speed, never correctness, so failures are only logged.
pub(crate) fn start<T: Send + Sync + 'static>(file: PathBuf, owner: Weak<T>) {
    let spawned = std::thread::Builder::new()
        .name("sqlite-read-pin".into())
        .spawn(move || hold(&file, &owner));
    if let Err(e) = spawned {
        tracing::warn!("the SQLite read pin did not start: {e}");
    }
}

fn hold<T>(file: &std::path::Path, owner: &Weak<T>) {
    let conn = match super::reads::open_read_only(file) {
        Ok(conn) => conn,
        Err(e) => {
            tracing::warn!("the SQLite read pin could not open the database: {e}");
            return;
        }
    };
    while owner.strong_count() > 0 {
        // The first read after BEGIN is what takes the read mark.
        let began = conn
            .execute_batch("BEGIN")
            .and_then(|()| conn.query_row("PRAGMA data_version", [], |row| row.get::<_, i64>(0)));
        std::thread::sleep(HOLD);
        if let Err(e) = began {
            tracing::debug!("the SQLite read pin missed a turn: {e}");
        }
        // Ends the transaction whether or not it began; outside one, COMMIT only fails.
        let _ = conn.execute_batch("COMMIT");
    }
}
