//! Applications, their permission requests and bot tokens. Apps belong to a user, so
//! every query names the owner; bot tokens are found by their public half.

use crate::store::columns::{Columns, FromColumns};
use crate::store::reads::Snapshot;
use crate::store::StoreError;
use crate::store::{from_millis, stored_id, to_millis};
use chrono::{DateTime, Utc};
use portcullis_core::apps::{Permission, PermissionRequest};
use portcullis_core::ids::{AppId, TokenId, UserId};
use portcullis_core::wire::{AppRow, TokenRow};
use sqlx::{AnyConnection, AnyPool, Row};

/// The owner's apps, by name, with their permissions and tokens.
pub async fn owned_by(pool: &AnyPool, owner: &UserId) -> Result<Vec<AppRow>, StoreError> {
    let apps = sqlx::query(
        "SELECT id, name, description, created_at, version FROM apps WHERE owner_id = $1 ORDER BY name, id",
    )
    .bind(owner.as_str())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::with_capacity(apps.len());
    for a in &apps {
        let id = stored_id(a.try_get("id")?, AppId::parse)?;
        out.push(AppRow {
            permissions: permissions(pool, &id).await?,
            tokens: tokens(pool, &id).await?,
            id,
            name: a.try_get("name")?,
            description: a.try_get("description")?,
            created_at: from_millis(a.try_get("created_at")?),
            version: a.try_get("version")?,
        });
    }
    Ok(out)
}

/// Whether `owner` owns `app`.
pub async fn is_owner(pool: &AnyPool, owner: &UserId, app: &AppId) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("SELECT 1 FROM apps WHERE id = $1 AND owner_id = $2")
            .bind(app.as_str())
            .bind(owner.as_str())
            .fetch_optional(pool)
            .await?
            .is_some(),
    )
}

/// What an app asks for, in catalog order.
pub async fn permissions(
    pool: &AnyPool,
    app: &AppId,
) -> Result<Vec<PermissionRequest>, StoreError> {
    let rows = sqlx::query("SELECT permission, why FROM app_permissions WHERE app_id = $1")
        .bind(app.as_str())
        .fetch_all(pool)
        .await?;
    let mut out: Vec<PermissionRequest> = rows
        .iter()
        .filter_map(|r| {
            let code: String = r.try_get("permission").ok()?;
            Some(PermissionRequest {
                permission: Permission::parse("permission", &code).ok()?,
                why: r.try_get("why").ok()?,
            })
        })
        .collect();
    out.sort_by_key(|r| r.permission);
    Ok(out)
}

fn token_row(r: &impl Columns) -> Result<TokenRow, StoreError> {
    Ok(TokenRow {
        id: stored_id(r.get("id")?, TokenId::parse)?,
        name: r.get("name")?,
        public_token: r.get("public_token")?,
        created_at: from_millis(r.get("created_at")?),
        last_used: r.get::<Option<i64>>("last_used_at")?.map(from_millis),
        revoked: r.get::<Option<i64>>("revoked_at")?.map(from_millis),
    })
}

/// An app's tokens, newest first.
pub async fn tokens(pool: &AnyPool, app: &AppId) -> Result<Vec<TokenRow>, StoreError> {
    sqlx::query(
        "SELECT id, name, public_token, created_at, last_used_at, revoked_at FROM bot_tokens \
         WHERE app_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(app.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(token_row)
    .collect()
}

/// A new app and what it asks for.
pub struct NewApp<'a> {
    pub id: &'a AppId,
    pub owner: &'a UserId,
    pub name: &'a str,
    pub description: &'a str,
    pub now: DateTime<Utc>,
}

/// Stores a new app (its permissions follow with [`replace_permissions`]).
pub async fn insert(conn: &mut AnyConnection, app: NewApp<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO apps (id, owner_id, name, description, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(app.id.as_str())
    .bind(app.owner.as_str())
    .bind(app.name)
    .bind(app.description)
    .bind(to_millis(app.now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces what an app asks for.
pub async fn replace_permissions(
    conn: &mut AnyConnection,
    app: &AppId,
    requests: &[PermissionRequest],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM app_permissions WHERE app_id = $1")
        .bind(app.as_str())
        .execute(&mut *conn)
        .await?;
    for r in requests {
        sqlx::query("INSERT INTO app_permissions (app_id, permission, why) VALUES ($1, $2, $3)")
            .bind(app.as_str())
            .bind(r.permission.code())
            .bind(r.why.as_str())
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("UPDATE apps SET updated_at = $2 WHERE id = $1")
        .bind(app.as_str())
        .bind(to_millis(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// A token to store: only the secret's hash.
pub struct NewTokenRow<'a> {
    pub id: &'a TokenId,
    pub app: &'a AppId,
    pub name: &'a str,
    pub public_token: &'a str,
    pub secret_hash: &'a str,
    pub created_by: &'a UserId,
    pub now: DateTime<Utc>,
}

/// Stores a token.
/// Active (unrevoked) tokens of `app`, counted with the app's row locked (an update that
/// changes nothing), so two concurrent mints cannot both take the last place.
pub async fn active_tokens_locked(
    conn: &mut AnyConnection,
    app: &AppId,
) -> Result<i64, StoreError> {
    sqlx::query("UPDATE apps SET updated_at = updated_at WHERE id = $1")
        .bind(app.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM bot_tokens WHERE app_id = $1 AND revoked_at IS NULL",
    )
    .bind(app.as_str())
    .fetch_one(&mut *conn)
    .await?)
}

pub async fn insert_token(conn: &mut AnyConnection, t: NewTokenRow<'_>) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO bot_tokens (id, app_id, name, public_token, secret_hash, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(t.id.as_str())
    .bind(t.app.as_str())
    .bind(t.name)
    .bind(t.public_token)
    .bind(t.secret_hash)
    .bind(t.created_by.as_str())
    .bind(to_millis(t.now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A token of one of `owner`'s apps, with its app's id.
pub async fn owned_token(
    pool: &AnyPool,
    owner: &UserId,
    token: &TokenId,
) -> Result<Option<(TokenRow, AppId)>, StoreError> {
    let row = sqlx::query(
        "SELECT t.id, t.name, t.public_token, t.created_at, t.last_used_at, t.revoked_at, t.app_id \
         FROM bot_tokens t JOIN apps a ON a.id = t.app_id WHERE t.id = $1 AND a.owner_id = $2",
    )
    .bind(token.as_str())
    .bind(owner.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok((
            token_row(&r)?,
            stored_id(r.try_get("app_id")?, AppId::parse)?,
        ))
    })
    .transpose()
}

/// Marks a token revoked (once).
pub async fn revoke(
    conn: &mut AnyConnection,
    token: &TokenId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(
        sqlx::query("UPDATE bot_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(token.as_str())
            .bind(to_millis(now))
            .execute(conn)
            .await?
            .rows_affected()
            == 1,
    )
}

/// What authenticating a bot needs: the token row by its public half.
pub struct StoredBot {
    pub token: TokenRow,
    pub secret_hash: String,
    pub app: AppId,
    pub app_name: String,
}

impl FromColumns for StoredBot {
    fn from_columns(r: &impl Columns) -> Result<Self, StoreError> {
        Ok(StoredBot {
            token: token_row(r)?,
            secret_hash: r.get("secret_hash")?,
            app: stored_id(r.get("app_id")?, AppId::parse)?,
            app_name: r.get("app_name")?,
        })
    }
}

/// The token whose public half is `public_token` (read by a call whose reader does not recall
/// it: `store::memo`).
pub async fn bot_by_public(
    reads: &Snapshot,
    public_token: &str,
) -> Result<Option<StoredBot>, StoreError> {
    reads.fetch_optional(
        "SELECT t.id, t.name, t.public_token, t.created_at, t.last_used_at, t.revoked_at, t.secret_hash, \
         t.app_id, a.name AS app_name FROM bot_tokens t JOIN apps a ON a.id = t.app_id WHERE t.public_token = $1",
        &[public_token],
    )
    .await
}

/// Records that a token was used, at most once a minute so calls do not all turn into writes.
pub async fn touch(pool: &AnyPool, token: &TokenId, now: DateTime<Utc>) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE bot_tokens SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(token.as_str())
    .bind(to_millis(now))
    .bind(to_millis(now) - 60_000)
    .execute(pool)
    .await?;
    Ok(())
}

/// Any app's public face, for consent screens: name, description and its developer's name.
pub async fn public_face(
    pool: &AnyPool,
    app: &AppId,
) -> Result<Option<(String, String, String)>, StoreError> {
    let row = sqlx::query(
        "SELECT a.name, a.description, u.name AS developer FROM apps a JOIN users u ON u.id = a.owner_id WHERE a.id = $1",
    )
    .bind(app.as_str())
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok((
            r.try_get("name")?,
            r.try_get("description")?,
            r.try_get("developer")?,
        ))
    })
    .transpose()
}
