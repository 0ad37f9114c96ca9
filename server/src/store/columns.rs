//! A row's columns read by name the same way from sqlx's rows and from rusqlite's, so a query
//! that runs through either driver (see `store::reads`) maps its rows with one function.

use crate::store::StoreError;
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
    fn get<T: Value>(&self, name: &str) -> Result<T, StoreError>;
}

impl Columns for AnyRow {
    fn get<T: Value>(&self, name: &str) -> Result<T, StoreError> {
        Ok(self.try_get(name)?)
    }
}

/// A rusqlite row with its statement's column names, read once per query: rusqlite's own
/// lookup by name asks SQLite for every column's name, measures and checks it, on every read of
/// every row.
pub struct NamedRow<'a, 'r> {
    pub row: &'a rusqlite::Row<'r>,
    pub names: &'a ColumnNames,
}

/// A statement's column names in one string, with where each ends.
pub struct ColumnNames {
    text: String,
    ends: Vec<usize>,
    /// The column after the last one found: mappers read columns in the order the query
    /// lists them, so the next lookup usually matches here at the first comparison.
    next: std::cell::Cell<usize>,
}

impl ColumnNames {
    pub fn of(stmt: &rusqlite::Statement<'_>) -> ColumnNames {
        let mut text = String::new();
        let mut ends = Vec::with_capacity(stmt.column_count());
        for name in stmt.column_names() {
            text.push_str(name);
            ends.push(text.len());
        }
        ColumnNames {
            text,
            ends,
            next: std::cell::Cell::new(0),
        }
    }

    fn name(&self, index: usize) -> Option<&str> {
        let start = match index {
            0 => 0,
            i => *self.ends.get(i - 1)?,
        };
        self.text.get(start..*self.ends.get(index)?)
    }

    /// Where the column `name` is, matched as sqlx matches (ignoring ASCII case).
    fn index_of(&self, name: &str) -> Option<usize> {
        let hint = self.next.get();
        let found = std::iter::once(hint)
            .chain(0..self.ends.len())
            .find(|&i| self.name(i).is_some_and(|n| n.eq_ignore_ascii_case(name)))?;
        self.next.set((found + 1) % self.ends.len().max(1));
        Some(found)
    }
}

impl Columns for NamedRow<'_, '_> {
    fn get<T: Value>(&self, name: &str) -> Result<T, StoreError> {
        let decode = |e| sqlx::Error::Decode(Box::new(e));
        let index = self
            .names
            .index_of(name)
            .ok_or_else(|| decode(rusqlite::Error::InvalidColumnName(name.to_owned())))?;
        Ok(self.row.get(index).map_err(decode)?)
    }
}

/// A value made from one row.
pub trait FromColumns: Sized {
    fn from_columns(row: &impl Columns) -> Result<Self, StoreError>;
}
