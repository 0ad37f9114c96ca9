//! Pages of an owner's records in id order (the REST lists): ids are time-ordered, so this is
//! creation order, and `(owner, id)` indexes make every page one range scan (API.md: keyset
//! only, `limit` at most 200).

use crate::store::StoreError;
use portcullis_core::wire::Page;
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

/// Where a page starts and how long it is, as checked from the query string.
#[derive(Debug, Clone)]
pub struct PageAt {
    pub limit: u32,
    pub after: Option<String>,
}

/// One page of `select` (which must end in `WHERE <owner column> = $1` and select `id`),
/// each row turned into an item by `item`.
pub async fn page<T>(
    pool: &AnyPool,
    select: &str,
    id_column: &str,
    owner: &str,
    at: &PageAt,
    item: impl Fn(&AnyRow) -> Result<T, StoreError>,
) -> Result<Page<T>, StoreError> {
    let after = if at.after.is_some() {
        format!(" AND {id_column} > $2")
    } else {
        String::new()
    };
    let sql = format!(
        "{select}{after} ORDER BY {id_column} LIMIT {}",
        at.limit + 1
    );
    let mut query = sqlx::query(&sql).bind(owner.to_owned());
    if let Some(a) = &at.after {
        query = query.bind(a.clone());
    }
    let rows = query.fetch_all(pool).await?;
    let more = rows.len() > at.limit as usize;
    let mut items = Vec::with_capacity(rows.len().min(at.limit as usize));
    let mut last = None;
    for r in rows.iter().take(at.limit as usize) {
        last = Some(r.try_get::<String, _>("id")?);
        items.push(item(r)?);
    }
    Ok(Page {
        items,
        next: if more { last } else { None },
    })
}
