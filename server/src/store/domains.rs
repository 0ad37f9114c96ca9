//! The platform-wide email-domain allowlist, requests to extend it, and the outbox
//! that keeps mail when no SMTP server is configured. These are platform records, not a
//! tenant's: the allowlist is one list for every tenant.

use crate::store::StoreError;
use crate::store::{from_millis, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::ids::{TenantId, UserId};
use portcullis_core::people::RequestStatus;
use portcullis_core::wire::{DomainRequestRow, OutboxMessage};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, AnyPool, Executor, Row};

/// Every allowlisted domain, sorted.
pub async fn allowlist<'c, E: Executor<'c, Database = Any>>(
    ex: E,
) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT domain FROM allowed_domains ORDER BY domain")
        .fetch_all(ex)
        .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get("domain"))
        .collect::<Result<_, _>>()?)
}

/// Whether `domain` is allowlisted.
pub async fn is_allowed<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    domain: &str,
) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM allowed_domains WHERE domain = $1")
        .bind(domain)
        .fetch_one(ex)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Allowlists a domain (a no-op when it is there already).
pub async fn allow(
    conn: &mut AnyConnection,
    domain: &str,
    by: Option<&UserId>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if is_allowed(&mut *conn, domain).await? {
        return Ok(());
    }
    sqlx::query("INSERT INTO allowed_domains (domain, created_at, added_by) VALUES ($1, $2, $3)")
        .bind(domain)
        .bind(to_millis(now))
        .bind(by.map(|u| u.as_str().to_owned()))
        .execute(conn)
        .await?;
    Ok(())
}

/// A request about to be stored.
#[derive(Debug, Clone)]
pub struct NewRequest<'a> {
    pub id: &'a str,
    pub tenant: Option<&'a TenantId>,
    pub domain: &'a str,
    pub reason: &'a str,
    pub by: &'a UserId,
    pub now: DateTime<Utc>,
}

/// Stores a pending request.
pub async fn insert_request(conn: &mut AnyConnection, r: NewRequest<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO domain_requests (id, tenant_id, domain, reason, requested_by, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'pending', $6)",
    )
    .bind(r.id)
    .bind(r.tenant.map(|t| t.as_str().to_owned()))
    .bind(r.domain)
    .bind(r.reason)
    .bind(r.by.as_str())
    .bind(to_millis(r.now))
    .execute(conn)
    .await?;
    Ok(())
}

const REQUEST_SELECT: &str =
    "SELECT r.id, r.domain, r.reason, r.status, r.created_at, r.decided_at, \
    u.email AS requester, d.email AS decider, t.name AS tenant_name, st.name AS sso_tenant \
    FROM domain_requests r JOIN users u ON u.id = r.requested_by \
    LEFT JOIN users d ON d.id = r.decided_by LEFT JOIN tenants t ON t.id = r.tenant_id \
    LEFT JOIN sso_domains sd ON sd.domain = r.domain LEFT JOIN tenants st ON st.id = sd.tenant_id";

fn request_row(r: &AnyRow) -> Result<DomainRequestRow, StoreError> {
    let status: String = r.try_get("status")?;
    Ok(DomainRequestRow {
        id: r.try_get("id")?,
        domain: r.try_get("domain")?,
        reason: r.try_get("reason")?,
        requested_by: r.try_get("requester")?,
        tenant: r.try_get("tenant_name")?,
        status: RequestStatus::from_code(&status)
            .ok_or_else(|| sqlx::Error::Protocol(format!("unknown request status {status}")))?,
        decided_by: r.try_get("decider")?,
        created_at: from_millis(r.try_get("created_at")?),
        decided_at: r.try_get::<Option<i64>, _>("decided_at")?.map(from_millis),
        sso_claimed_by: r.try_get("sso_tenant")?,
    })
}

/// Requests made by one person, newest first.
pub async fn requests_by(
    pool: &AnyPool,
    user: &UserId,
) -> Result<Vec<DomainRequestRow>, StoreError> {
    sqlx::query(&format!(
        "{REQUEST_SELECT} WHERE r.requested_by = $1 ORDER BY r.created_at DESC, r.id DESC"
    ))
    .bind(user.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(request_row)
    .collect()
}

/// Every request, pending ones first, newest first within each.
pub async fn all_requests(pool: &AnyPool) -> Result<Vec<DomainRequestRow>, StoreError> {
    sqlx::query(&format!(
        "{REQUEST_SELECT} ORDER BY CASE WHEN r.status = 'pending' THEN 0 ELSE 1 END, r.created_at DESC, r.id DESC"
    ))
    .fetch_all(pool)
    .await?
    .iter()
    .map(request_row)
    .collect()
}

/// Decides a pending request; `None` when no pending request has that id. Only a pending
/// request changes, so a request is never decided twice.
pub async fn decide_request(
    conn: &mut AnyConnection,
    id: &str,
    status: RequestStatus,
    by: &UserId,
    now: DateTime<Utc>,
) -> Result<Option<(String, Option<TenantId>)>, StoreError> {
    let done = sqlx::query(
        "UPDATE domain_requests SET status = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND status = 'pending'",
    )
    .bind(status.code())
    .bind(by.as_str())
    .bind(to_millis(now))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(None);
    }
    let row = sqlx::query("SELECT domain, tenant_id FROM domain_requests WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    let tenant = row
        .try_get::<Option<String>, _>("tenant_id")?
        .map(|t| crate::store::stored_id(t, TenantId::parse))
        .transpose()?;
    Ok(Some((row.try_get("domain")?, tenant)))
}

/// A message about to be kept in the outbox.
pub struct NewMail<'a> {
    pub id: &'a str,
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// The hash of the one-time link the body carries, if any.
    pub link_hash: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// Keeps a message in the outbox.
pub async fn queue_mail(conn: &mut AnyConnection, m: NewMail<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO outbox (id, to_email, subject, body, link_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(m.id)
    .bind(m.to)
    .bind(m.subject)
    .bind(m.body)
    .bind(m.link_hash.map(str::to_owned))
    .bind(to_millis(m.now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Drops the body of the message that carried a link, once the link is used.
pub async fn forget_link(conn: &mut AnyConnection, link_hash: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbox SET body = '' WHERE link_hash = $1")
        .bind(link_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// The newest messages of the outbox.
pub async fn outbox(pool: &AnyPool, limit: i64) -> Result<Vec<OutboxMessage>, StoreError> {
    sqlx::query("SELECT id, to_email, subject, body, created_at, sent_at, last_error FROM outbox ORDER BY created_at DESC, id DESC LIMIT $1")
        .bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(OutboxMessage {
                id: r.try_get("id")?,
                to: r.try_get("to_email")?,
                subject: r.try_get("subject")?,
                body: r.try_get("body")?,
                created_at: from_millis(r.try_get("created_at")?),
                sent_at: r.try_get::<Option<i64>, _>("sent_at")?.map(from_millis),
                last_error: r.try_get("last_error")?,
            })
        })
        .collect()
}
