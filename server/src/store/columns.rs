//! A row's columns read by name the same way from sqlx's rows and from rusqlite's, so a query
//! that runs through either driver (see `store::reads`) maps its rows with one function.

use sqlx::any::{Any, AnyRow};
use sqlx::Row;

/// A column value both drivers can decode.
pub trait Value:
    for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any> + rusqlite::types::FromSql
{
}

impl<T> Value for T where
    T: for<'r> sqlx::Decode<'r, Any> + sqlx::Type<Any> + rusqlite::types::FromSql
{
}

/// A row whose columns can be read by name.
pub trait Columns {
    fn get<T: Value>(&self, name: &str) -> Result<T, sqlx::Error>;
}

impl Columns for AnyRow {
    fn get<T: Value>(&self, name: &str) -> Result<T, sqlx::Error> {
        self.try_get(name)
    }
}

/// A rusqlite row with its statement's column names, read once per query and kept as one
/// string, separated by NUL: rusqlite's own lookup by name asks SQLite for every column's
/// name, measures and checks it, on every read of every row.
pub struct NamedRow<'a, 'r> {
    pub row: &'a rusqlite::Row<'r>,
    pub names: &'a str,
}

/// The column names of `stmt` in the form [`NamedRow`] reads.
pub fn column_names(stmt: &rusqlite::Statement<'_>) -> String {
    stmt.column_names().join("\0")
}

impl Columns for NamedRow<'_, '_> {
    fn get<T: Value>(&self, name: &str) -> Result<T, sqlx::Error> {
        let decode = |e| sqlx::Error::Decode(Box::new(e));
        let index = self
            .names
            .split('\0')
            .position(|n| n.eq_ignore_ascii_case(name))
            .ok_or_else(|| decode(rusqlite::Error::InvalidColumnName(name.to_owned())))?;
        self.row.get(index).map_err(decode)
    }
}

/// A value made from one row.
pub trait FromColumns: Sized {
    fn from_columns(row: &impl Columns) -> Result<Self, sqlx::Error>;
}
