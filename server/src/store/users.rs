//! People who sign in.

use crate::store::StoreError;
use crate::store::{stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::email::Email;
use portcullis_core::ids::{TenantId, UserId};
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row};

/// What sign-in needs to know about a user.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub operator: bool,
    pub last_tenant_id: Option<TenantId>,
}

const USER_COLUMNS: &str = "id, email, name, password_hash, operator, last_tenant_id";

fn user_record(r: &AnyRow) -> Result<UserRecord, StoreError> {
    Ok(UserRecord {
        id: stored_id(r.try_get("id")?, UserId::parse)?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        password_hash: r.try_get("password_hash")?,
        operator: r.try_get::<i64, _>("operator")? != 0,
        last_tenant_id: r
            .try_get::<Option<String>, _>("last_tenant_id")?
            .map(|t| stored_id(t, TenantId::parse))
            .transpose()?,
    })
}

/// The user with this (normalised) email.
pub async fn by_email<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    email: &Email,
) -> Result<Option<UserRecord>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE email = $1"
    ))
    .bind(email.as_str())
    .fetch_optional(ex)
    .await?;
    row.as_ref().map(user_record).transpose()
}

/// The user with this id.
pub async fn by_id<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    id: &UserId,
) -> Result<Option<UserRecord>, StoreError> {
    let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        .bind(id.as_str())
        .fetch_optional(ex)
        .await?;
    row.as_ref().map(user_record).transpose()
}

/// Whether any user exists yet (an empty database needs its first operator).
pub async fn any_exist<'c, E: Executor<'c, Database = Any>>(ex: E) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
        .fetch_one(ex)
        .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// A new user to store.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub id: &'a UserId,
    pub email: &'a Email,
    pub name: &'a str,
    pub password_hash: Option<&'a str>,
    pub operator: bool,
    pub created_at: DateTime<Utc>,
}

/// Stores a new user.
pub async fn insert<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    user: NewUser<'_>,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO users (id, email, name, password_hash, operator, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(user.id.as_str())
        .bind(user.email.as_str())
        .bind(user.name)
        .bind(user.password_hash.map(str::to_owned))
        .bind(i64::from(user.operator))
        .bind(to_millis(user.created_at))
        .execute(ex)
        .await?;
    Ok(())
}

/// Notes a successful sign-in.
pub async fn touch_login<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    user: &UserId,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
        .bind(to_millis(at))
        .bind(user.as_str())
        .execute(ex)
        .await?;
    Ok(())
}

/// Remembers the tenant a person worked in last, for their next sign-in.
pub async fn set_last_tenant<'c, E: Executor<'c, Database = Any>>(
    ex: E,
    user: &UserId,
    tenant: &TenantId,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE users SET last_tenant_id = $1 WHERE id = $2")
        .bind(tenant.as_str())
        .bind(user.as_str())
        .execute(ex)
        .await?;
    Ok(())
}
