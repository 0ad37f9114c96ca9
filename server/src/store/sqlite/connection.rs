//! Plain connections to the server's SQLite file and the read transactions on them.

use rusqlite::{Connection, OpenFlags};

/// Begins a read transaction on `conn` and answers the database's version (`PRAGMA
/// data_version`) in it. That first read is what takes the snapshot every later read of the
/// transaction sees, and the WAL read mark that goes with it.
pub(crate) fn begin_read(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("BEGIN")?.execute([])?;
    conn.prepare_cached("PRAGMA data_version")?
        .query_row([], |row| row.get(0))
}

/// Ends the read transaction on `conn`; outside one, it only fails.
pub(crate) fn end_read(conn: &Connection) -> rusqlite::Result<()> {
    conn.prepare_cached("COMMIT")?.execute([])?;
    Ok(())
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
