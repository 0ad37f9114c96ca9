//! Keyset pagination shared by the sortable tables (API.md: no OFFSET, every sortable column
//! indexed). A cursor is the last row's sort value and id, `value|id`; the id breaks ties, so no
//! row is skipped or repeated between pages, and each page is one index range scan.

use crate::store::StoreError;
use portcullis_core::wire::Page;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};

/// How one list is ordered and where its page starts.
pub struct Keyset<'a> {
    /// The SQL expression the list sorts by (an index starts with the tenant, then this).
    pub expr: &'a str,
    /// The row's id column, the tie-breaker.
    pub id: &'a str,
    /// Whether `expr` is a BIGINT (times) rather than text.
    pub numeric: bool,
    pub descending: bool,
    after: Option<(&'a str, &'a str)>,
}

impl<'a> Keyset<'a> {
    pub fn new(
        expr: &'a str,
        id: &'a str,
        numeric: bool,
        descending: bool,
        after: Option<&'a str>,
    ) -> Keyset<'a> {
        Keyset {
            expr,
            id,
            numeric,
            descending,
            after: after.and_then(|c| c.rsplit_once('|')),
        }
    }

    /// `AND (expr, id) > ($n, $n+1)` after the first page, nothing on it.
    pub fn condition(&self, first_param: usize) -> String {
        match self.after {
            None => String::new(),
            Some(_) => format!(
                "AND ({}, {}) {} (${first_param}, ${})",
                self.expr,
                self.id,
                if self.descending { "<" } else { ">" },
                first_param + 1
            ),
        }
    }

    /// `ORDER BY expr, id LIMIT limit+1` (one more row tells whether another page follows).
    pub fn order_limit(&self, limit: u32) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        format!(
            "ORDER BY {} {dir}, {} {dir} LIMIT {}",
            self.expr,
            self.id,
            limit + 1
        )
    }

    /// Binds the cursor's value and id (after the list's other parameters).
    pub fn bind<'q>(
        &self,
        query: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        match self.after {
            None => query,
            Some((value, id)) => {
                let query = if self.numeric {
                    query.bind(value.parse::<i64>().unwrap_or_default())
                } else {
                    query.bind(value.to_owned())
                };
                query.bind(id.to_owned())
            }
        }
    }

    /// The page of `rows` (read with `limit + 1`), each turned into an item by `item`; the
    /// query must select the sort value `AS sort_value` and the id `AS id`.
    pub fn page<T>(
        &self,
        rows: &[AnyRow],
        limit: u32,
        item: impl Fn(&AnyRow) -> Result<T, StoreError>,
    ) -> Result<Page<T>, StoreError> {
        let more = rows.len() > limit as usize;
        let mut items = Vec::with_capacity(rows.len().min(limit as usize));
        let mut last = None;
        for r in rows.iter().take(limit as usize) {
            let value = if self.numeric {
                r.try_get::<i64, _>("sort_value")?.to_string()
            } else {
                r.try_get::<String, _>("sort_value")?
            };
            let id: String = r.try_get("id")?;
            last = Some(format!("{value}|{id}"));
            items.push(item(r)?);
        }
        Ok(Page {
            items,
            next: if more { last } else { None },
        })
    }
}
