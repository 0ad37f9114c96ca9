//! The one function that writes activity records.
//!
//! It takes the caller's open transaction, so a change and its record commit together or not
//! at all: no action without its record (spec L1).

use crate::db::{new_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::ids::{EventId, TenantId};
use sqlx::AnyConnection;

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

/// Records `event` inside the caller's transaction.
pub async fn record(conn: &mut AnyConnection, event: NewEvent<'_>) -> Result<EventId, sqlx::Error> {
    let id = new_id(EventId::from_bytes);
    sqlx::query(
        "INSERT INTO activity_events (id, tenant_id, event_type, happened_at, recorded_at, principal_id, \
         principal_name, principal_email, source, object_id, object_name, origin_ip) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id.as_str())
    .bind(event.tenant_id.map(|t| t.as_str().to_owned()))
    .bind(event.event_type)
    .bind(to_millis(event.happened_at))
    .bind(to_millis(Utc::now()))
    .bind(event.principal.id.as_str())
    .bind(event.principal.name.as_str())
    .bind(event.principal.email.clone())
    .bind(event.source)
    .bind(event.object_id.map(str::to_owned))
    .bind(event.object_name.map(str::to_owned))
    .bind(event.origin_ip.map(str::to_owned))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}
