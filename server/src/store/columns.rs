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

impl Columns for rusqlite::Row<'_> {
    fn get<T: Value>(&self, name: &str) -> Result<T, sqlx::Error> {
        rusqlite::Row::get(self, name).map_err(|e| sqlx::Error::Decode(Box::new(e)))
    }
}

/// A value made from one row.
pub trait FromColumns: Sized {
    fn from_columns(row: &impl Columns) -> Result<Self, sqlx::Error>;
}
