//! Server functions of the activity list. The CSV download is a streaming GET route of
//! the server, `/activity/events.csv`, which takes the same filters.

// A server function's arguments are its form fields; a struct would nest their names. The
// attribute is module-wide because `#[server]` generates the browser's caller too.
#![allow(clippy::too_many_arguments)]

use crate::error::AppError;
use crate::model::{EventRow, Page};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ssr;

/// One page of the current tenant's events. `sort` is date, user, action or object; `order`
/// asc or desc; `user` and `action` filter (blank means any); `from`/`to` bound the date
/// (Unix ms, `to` exclusive).
#[server]
pub async fn list_activity(
    user: String,
    action: String,
    from: Option<i64>,
    to: Option<i64>,
    sort: String,
    order: String,
    after: Option<String>,
    limit: Option<u32>,
) -> Result<Page<EventRow>, AppError> {
    use crate::services::ActivityQuery;
    use portcullis_core::audit::{ActivityFilter, ActivitySort};
    use portcullis_core::people::{page_limit, parse_descending};
    let (console, caller) = ssr::require_caller().await?;
    let query = ActivityQuery {
        filter: ActivityFilter::parse(&user, &action, from, to).map_err(ssr::fail)?,
        sort: ActivitySort::parse(&sort).map_err(ssr::fail)?,
        descending: parse_descending(&order).map_err(ssr::fail)?,
        after: after.filter(|a| !a.is_empty()),
        limit: page_limit(Some(limit.unwrap_or(50))).map_err(ssr::fail)?,
    };
    console
        .list_activity(&caller, query)
        .await
        .map_err(ssr::fail)
}
