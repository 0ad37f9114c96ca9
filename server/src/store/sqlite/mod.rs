//! What only SQLite needs: its own read connections, and the read pin that keeps their locks
//! in the process.

pub mod connection;
mod read_pin;
pub mod reader;
