//! Reading the activity log. There is no UPDATE or DELETE here, nor anywhere:
//! events are only ever inserted, by [`record`], and the database's triggers
//! refuse anything else. Every query names its tenant.

use crate::store::StoreError;
use crate::store::{new_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::audit::{chain_hash, is_event_type, ChainedEvent, GENESIS};
use portcullis_core::audit::{ActivityFilter, ActivitySort};
use portcullis_core::ids::EventId;
use portcullis_core::ids::TenantId;
use portcullis_core::wire::ActivityQuery;
use portcullis_core::wire::{EventRow, Page};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AnyPool, Row};

/// The columns every reader selects, in the download's order.
pub const EVENT_COLUMNS: &str = "id, event_type, happened_at, recorded_at, principal_id, \
     principal_name, principal_email, source, object_id, object_name, origin_ip";

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Int(i64),
}

/// A query's WHERE clause over one tenant's events and the values it binds ($1 is the tenant).
#[derive(Debug, Clone)]
pub struct Where {
    pub sql: String,
    pub binds: Vec<Bind>,
}

impl Where {
    fn push(&mut self, condition: &str, values: impl IntoIterator<Item = Bind>) {
        let mut condition = condition.to_owned();
        for value in values {
            self.binds.push(value);
            condition = condition.replacen('?', &format!("${}", self.binds.len()), 1);
        }
        self.sql.push_str(" AND ");
        self.sql.push_str(&condition);
    }

    /// Binds every value, in order, onto `query`.
    pub fn bind<'q>(
        &'q self,
        mut query: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        for b in &self.binds {
            query = match b {
                Bind::Text(s) => query.bind(s.as_str()),
                Bind::Int(n) => query.bind(*n),
            };
        }
        query
    }
}

/// The filter as SQL. An action type (`policy`) becomes a range over the index
/// (`'policy/' <= event_type < 'policy0'`: `0` sorts right after `/`).
pub fn filter_where(tenant: &TenantId, filter: &ActivityFilter) -> Where {
    let mut w = Where {
        sql: "tenant_id = $1".to_owned(),
        binds: vec![Bind::Text(tenant.as_str().to_owned())],
    };
    if let Some(user) = &filter.user {
        let pattern = format!("%{}%", user.replace(['%', '_'], ""));
        w.push(
            "(LOWER(principal_name) LIKE ? OR LOWER(COALESCE(principal_email, '')) LIKE ? OR principal_id = ?)",
            [
                Bind::Text(pattern.clone()),
                Bind::Text(pattern),
                Bind::Text(user.clone()),
            ],
        );
    }
    if let Some(action) = &filter.action {
        if filter.action_is_type() {
            w.push(
                "event_type >= ? AND event_type < ?",
                [
                    Bind::Text(format!("{action}/")),
                    Bind::Text(format!("{action}0")),
                ],
            );
        } else {
            w.push("event_type = ?", [Bind::Text(action.clone())]);
        }
    }
    if let Some(from) = filter.from_ms {
        w.push("happened_at >= ?", [Bind::Int(from)]);
    }
    if let Some(to) = filter.to_ms {
        w.push("happened_at < ?", [Bind::Int(to)]);
    }
    w
}

/// The expression a sort orders by; each has an index led by `tenant_id`.
fn sort_expr(sort: ActivitySort) -> &'static str {
    match sort {
        ActivitySort::Date => "happened_at",
        ActivitySort::User => "principal_name",
        ActivitySort::Action => "event_type",
        ActivitySort::Object => "COALESCE(object_name, '')",
    }
}

/// One page of a tenant's events, keyset-paginated by (sort value, id), never OFFSET.
pub async fn list(
    pool: &AnyPool,
    tenant: &TenantId,
    q: &ActivityQuery,
) -> Result<Page<EventRow>, StoreError> {
    let expr = sort_expr(q.sort);
    let (cmp, dir) = if q.descending {
        ("<", "DESC")
    } else {
        (">", "ASC")
    };
    let mut w = filter_where(tenant, &q.filter);
    if let Some((value, id)) = q.after.as_deref().and_then(|c| c.rsplit_once('|')) {
        let value = if q.sort == ActivitySort::Date {
            Bind::Int(value.parse().unwrap_or_default())
        } else {
            Bind::Text(value.to_owned())
        };
        // A row value, not `a > ? OR (a = ? AND id > ?)`: with the two values bound as
        // separate parameters SQLite cannot see they are equal and scans from the start.
        w.push(
            &format!("({expr}, id) {cmp} (?, ?)"),
            [value, Bind::Text(id.to_owned())],
        );
    }
    let sql = format!(
        "SELECT {EVENT_COLUMNS}, {expr} AS sort_value FROM activity_events WHERE {} \
         ORDER BY {expr} {dir}, id {dir} LIMIT {}",
        w.sql,
        q.limit + 1
    );
    let rows = w.bind(sqlx::query(&sql)).fetch_all(pool).await?;
    let more = rows.len() > q.limit as usize;
    let mut items = Vec::with_capacity(rows.len());
    let mut last_cursor = None;
    for r in rows.iter().take(q.limit as usize) {
        let sort_value = if q.sort == ActivitySort::Date {
            r.try_get::<i64, _>("sort_value")?.to_string()
        } else {
            r.try_get::<String, _>("sort_value")?
        };
        let row = EventRow {
            id: r.try_get("id")?,
            event_type: r.try_get("event_type")?,
            happened_at_ms: r.try_get("happened_at")?,
            principal_id: r
                .try_get::<Option<String>, _>("principal_id")?
                .unwrap_or_default(),
            principal_name: r
                .try_get::<Option<String>, _>("principal_name")?
                .unwrap_or_default(),
            principal_email: r.try_get("principal_email")?,
            object_id: r.try_get("object_id")?,
            object_name: r.try_get("object_name")?,
            source: r.try_get("source")?,
            origin_ip: r.try_get("origin_ip")?,
        };
        last_cursor = Some(format!("{sort_value}|{}", row.id));
        items.push(row);
    }
    Ok(Page {
        items,
        next: if more { last_cursor } else { None },
    })
}

/// How many events match, for the download's progress bar.
pub async fn count(
    pool: &AnyPool,
    tenant: &TenantId,
    filter: &ActivityFilter,
) -> Result<i64, StoreError> {
    let w = filter_where(tenant, filter);
    let sql = format!("SELECT COUNT(*) AS n FROM activity_events WHERE {}", w.sql);
    Ok(w.bind(sqlx::query(&sql))
        .fetch_one(pool)
        .await?
        .try_get("n")?)
}

/// The matching events, oldest first, as one plain query: the download streams it, and the
/// benchmark's comparators (`sqlite3 -csv`, `psql \\copy`) export it.
pub fn export_sql(w: &Where) -> String {
    format!(
        "SELECT {EVENT_COLUMNS} FROM activity_events WHERE {} ORDER BY happened_at, id",
        w.sql
    )
}

/// PostgreSQL's download as one COPY, the database writing each line as the download's CSV
/// except in two ways the server mends as the rows pass (`activity_read::put_copied_row`): the
/// two times stay milliseconds, and an empty string comes as `""` where the download writes
/// an empty field, as for NULL. Both rewrites (`to_char`, `NULLIF`) would cost the database
/// more than they cost the server, and the database is the slower side.
/// `external-id` is always empty. COPY takes no bind parameters, so each `$n` of the filter
/// reads the setting `portcullis.pn`, which the caller sets in the same transaction
/// ([`copy_settings`]); no value is ever spliced into the SQL.
pub fn copy_sql(w: &Where) -> String {
    let mut filter = w.sql.clone();
    for (i, bind) in w.binds.iter().enumerate().rev() {
        let n = i + 1;
        let setting = match bind {
            Bind::Text(_) => format!("current_setting('portcullis.p{n}')"),
            Bind::Int(_) => format!("current_setting('portcullis.p{n}')::bigint"),
        };
        filter = filter.replace(&format!("${n}"), &setting);
    }
    let text = ["principal_id", "principal_name", "principal_email"]
        .map(formula_safe)
        .join(", ");
    let rest = ["source", "object_id", "object_name", "origin_ip"]
        .map(formula_safe)
        .join(", ");
    format!(
        "COPY (SELECT id, event_type, happened_at, recorded_at, {text}, NULL, {rest} \
         FROM activity_events WHERE {filter} ORDER BY happened_at, id) TO STDOUT WITH (FORMAT csv)"
    )
}

/// `column` with core's `audit::csv_safe` rule in SQL: a value a spreadsheet would run as a
/// formula gets a leading `'`.
fn formula_safe(column: &str) -> String {
    let starts = portcullis_core::audit::CSV_FORMULA_STARTS
        .iter()
        .map(|c| format!("chr({})", u32::from(*c)))
        .collect::<Vec<_>>()
        .join(", ");
    format!("CASE WHEN left({column}, 1) IN ({starts}) THEN '''' || {column} ELSE {column} END")
}

/// The settings [`copy_sql`] reads, as (name, value) pairs for `set_config`.
pub fn copy_settings(w: &Where) -> Vec<(String, String)> {
    w.binds
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let value = match b {
                Bind::Text(t) => t.clone(),
                Bind::Int(n) => n.to_string(),
            };
            (format!("portcullis.p{}", i + 1), value)
        })
        .collect()
}

/// Every chain's recorded head: (chain, seq, hash), including chains whose head row is missing
/// (events that reference a chain nobody started), which then show seq 0.
pub async fn chain_heads(pool: &AnyPool) -> Result<Vec<(String, i64, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT chain, seq, hash FROM activity_chains \
         UNION SELECT DISTINCT e.chain, 0, '' FROM activity_events e \
         WHERE e.chain IS NOT NULL AND NOT EXISTS (SELECT 1 FROM activity_chains c WHERE c.chain = e.chain) \
         ORDER BY chain",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("chain")?, r.try_get("seq")?, r.try_get("hash")?)))
        .collect()
}

/// The query over one chain's events in chain order, for verification.
pub const CHAIN_EVENTS_SQL: &str = "SELECT id, tenant_id, seq, event_type, happened_at, recorded_at, \
     principal_id, principal_name, principal_email, source, object_id, object_name, origin_ip, hash \
     FROM activity_events WHERE chain = $1 ORDER BY seq";

/// Events written before the chain existed (migration 0003), which verification cannot vouch for.
pub async fn unchained(pool: &AnyPool) -> Result<i64, StoreError> {
    Ok(
        sqlx::query("SELECT COUNT(*) AS n FROM activity_events WHERE seq IS NULL")
            .fetch_one(pool)
            .await?
            .try_get("n")?,
    )
}

/// The first `limit` events outside every chain, oldest first: (id, tenant, event type).
pub async fn unchained_events(
    pool: &AnyPool,
    limit: i64,
) -> Result<Vec<(String, Option<String>, String)>, StoreError> {
    sqlx::query(
        "SELECT id, tenant_id, event_type FROM activity_events WHERE seq IS NULL \
         ORDER BY happened_at, id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok((
            r.try_get("id")?,
            r.try_get("tenant_id")?,
            r.try_get("event_type")?,
        ))
    })
    .collect()
}

/// Who did it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
}

impl Principal {
    /// The signed-in person behind a request.
    pub fn of(viewer: &portcullis_core::tenancy::Viewer) -> Principal {
        Principal {
            id: viewer.user_id.to_string(),
            name: viewer.name.clone(),
            email: Some(viewer.email.to_string()),
        }
    }

    /// A person as stored, acting or receiving.
    pub fn of_user(user: &crate::store::users::UserRecord) -> Principal {
        Principal {
            id: user.id.to_string(),
            name: user.name.clone(),
            email: Some(user.email.clone()),
        }
    }

    /// How an event's object names this principal: the email when there is one.
    pub fn label(&self) -> &str {
        self.email.as_deref().unwrap_or(&self.name)
    }
}

/// An event about to be recorded.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The tenant whose log shows it; `None` for platform-wide events (setup, operators).
    pub tenant_id: Option<&'a TenantId>,
    /// `type/action`, for example `session/create`.
    pub event_type: &'a str,
    pub happened_at: DateTime<Utc>,
    pub principal: &'a Principal,
    /// The component that records it.
    pub source: &'a str,
    pub object_id: Option<&'a str>,
    pub object_name: Option<&'a str>,
    pub origin_ip: Option<&'a str>,
}

/// The chain key of platform-wide events (those without a tenant).
pub const PLATFORM_CHAIN: &str = "platform";

/// Records `event` inside the caller's transaction, as the next link of its tenant's chain.
///
/// The chain's head row is locked first (an UPDATE that bumps its position), so concurrent
/// writers to one tenant queue up behind each other while other tenants proceed; the hash
/// is computed by core from the locked head. If anything here fails, the caller's change
/// fails with it: no action without its record.
pub async fn record(conn: &mut AnyConnection, event: NewEvent<'_>) -> Result<EventId, StoreError> {
    if !is_event_type(event.event_type) {
        return Err(StoreError(sqlx::Error::Protocol(format!(
            "activity event type {:?} does not read type/action",
            event.event_type
        ))));
    }
    let id = new_id(EventId::from_bytes);
    let chain = event.tenant_id.map_or(PLATFORM_CHAIN, |t| t.as_str());
    sqlx::query("INSERT INTO activity_chains (chain, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (chain) DO NOTHING")
        .bind(chain)
        .bind(GENESIS)
        .execute(&mut *conn)
        .await?;
    let head = sqlx::query(
        "UPDATE activity_chains SET seq = seq + 1 WHERE chain = $1 RETURNING seq, hash",
    )
    .bind(chain)
    .fetch_one(&mut *conn)
    .await?;
    let seq: i64 = head.try_get("seq")?;
    let prev: String = head.try_get("hash")?;
    let recorded_at = to_millis(Utc::now());
    let chained = ChainedEvent {
        id: id.as_str(),
        tenant_id: event.tenant_id.map(|t| t.as_str()),
        seq,
        event_type: event.event_type,
        happened_at_ms: to_millis(event.happened_at),
        recorded_at_ms: recorded_at,
        principal_id: &event.principal.id,
        principal_name: &event.principal.name,
        principal_email: event.principal.email.as_deref(),
        source: event.source,
        object_id: event.object_id,
        object_name: event.object_name,
        origin_ip: event.origin_ip,
    };
    let hash = chain_hash(&prev, &chained);
    sqlx::query(
        "INSERT INTO activity_events (id, tenant_id, event_type, happened_at, recorded_at, principal_id, \
         principal_name, principal_email, source, object_id, object_name, origin_ip, chain, seq, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(id.as_str())
    .bind(chained.tenant_id.map(str::to_owned))
    .bind(chained.event_type)
    .bind(chained.happened_at_ms)
    .bind(recorded_at)
    .bind(chained.principal_id)
    .bind(chained.principal_name)
    .bind(chained.principal_email.map(str::to_owned))
    .bind(chained.source)
    .bind(chained.object_id.map(str::to_owned))
    .bind(chained.object_name.map(str::to_owned))
    .bind(chained.origin_ip.map(str::to_owned))
    .bind(chain)
    .bind(seq)
    .bind(hash.as_str())
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE activity_chains SET hash = $2 WHERE chain = $1")
        .bind(chain)
        .bind(hash.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(id)
}
