//! The one function that writes activity records.
//!
//! It takes the caller's open transaction, so a change and its record commit together or not
//! at all: no action without its record.

use crate::db::{new_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::audit::{chain_hash, is_event_type, ChainedEvent, GENESIS};
use portcullis_core::ids::{EventId, TenantId};
use sqlx::{AnyConnection, Row};

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
pub async fn record(conn: &mut AnyConnection, event: NewEvent<'_>) -> Result<EventId, sqlx::Error> {
    if !is_event_type(event.event_type) {
        return Err(sqlx::Error::Protocol(format!(
            "activity event type {:?} does not read type/action",
            event.event_type
        )));
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
