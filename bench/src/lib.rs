//! What the benchmark binaries share (built only with `bench-comparators`): the demo's Acme
//! Retail and its user administrator, signed in.

use chrono::Utc;
use portcullis_core::ids::{TenantId, UserId};
use portcullis_server::crypto::secrets::{new_token, token_hash};
use portcullis_server::store::sessions::{insert, NewSessionRow};
use portcullis_server::store::Db;
use sqlx::Row;

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Acme Retail and its user administrator (the demo must be loaded).
pub async fn acme_admin(db: &Db) -> Result<(TenantId, UserId), Failure> {
    let row = sqlx::query(
        "SELECT t.id AS tenant, u.id AS admin FROM tenants t, users u \
         WHERE t.name = 'Acme Retail' AND u.email = 'admin@acme.example'",
    )
    .fetch_one(&db.pool)
    .await?;
    Ok((
        TenantId::parse(&row.try_get::<String, _>("tenant")?)?,
        UserId::parse(&row.try_get::<String, _>("admin")?)?,
    ))
}

/// Opens a session for `user` in `tenant`; answers the cookie's token.
pub async fn open_session(db: &Db, tenant: &TenantId, user: &UserId) -> Result<String, Failure> {
    let token = new_token();
    insert(
        &db.pool,
        NewSessionRow {
            token_hash: &token_hash(&token),
            user_id: user,
            tenant_id: Some(tenant),
            sso_tenant_id: None,
            now: Utc::now(),
            origin_ip: None,
            user_agent: Some("bench"),
        },
    )
    .await?;
    Ok(token)
}
