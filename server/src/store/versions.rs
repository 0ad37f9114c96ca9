//! Versions of the records administrators edit: an edit names the version it was made from and
//! moves the record to the next one, or is refused because someone else moved it first.

use crate::store::{Db, StoreError, Tx};
use portcullis_core::Problem;
use sqlx::AnyConnection;

/// A kind of record that carries a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioned {
    User,
    Authorization,
    App,
    Database,
    SsoProvider,
}

impl Versioned {
    /// The table and the column that identifies a record of this kind (fixed strings, never
    /// input, so they may be formatted into the statement).
    fn table_and_key(self) -> (&'static str, &'static str) {
        match self {
            Versioned::User => ("users", "id"),
            Versioned::Authorization => ("authorizations", "id"),
            Versioned::App => ("apps", "id"),
            Versioned::Database => ("databases", "id"),
            Versioned::SsoProvider => ("sso_providers", "tenant_id"),
        }
    }

    /// The condition that keeps a record within the caller's reach, `$2` naming the tenant
    /// (for an app, its owner).
    fn scope(self) -> &'static str {
        match self {
            Versioned::User => {
                "EXISTS (SELECT 1 FROM memberships m \
                 WHERE m.user_id = users.id AND m.tenant_id = $2)"
            }
            Versioned::Authorization | Versioned::Database | Versioned::SsoProvider => {
                "tenant_id = $2"
            }
            Versioned::App => "owner_id = $2",
        }
    }

    /// What a person calls a record of this kind.
    fn what(self) -> &'static str {
        match self {
            Versioned::User => "person",
            Versioned::Authorization => "authorization",
            Versioned::App => "app",
            Versioned::Database => "database",
            Versioned::SsoProvider => "single sign-on setup",
        }
    }
}

impl Db {
    /// Begins an edit's write transaction and moves record `id` from version `seen` to the
    /// next in it, or refuses the edit: 409 when the record is no longer at `seen`, 404 when
    /// `within` (the caller's tenant, or for an app its owner) holds no such record, so a refusal
    /// tells nothing of other tenants. Version 0 names an SSO setup that did not exist yet: the
    /// save creates it, and is refused if someone else created it first.
    ///
    /// The conditional update is the check: on PostgreSQL it locks the row, so of two edits
    /// made from the same version exactly one moves it; on SQLite the write transaction already
    /// holds the database's write lock. Only a refused edit reads the record again, to say why.
    pub async fn edit(
        &self,
        kind: Versioned,
        id: impl AsRef<str>,
        within: impl AsRef<str>,
        seen: i64,
    ) -> Result<Tx, Problem> {
        let (id, within) = (id.as_ref(), within.as_ref());
        let (table, key) = kind.table_and_key();
        let scope = kind.scope();
        let mut tx = self.write().await?;
        let moved = sqlx::query(&format!(
            "UPDATE {table} SET version = version + 1 WHERE {key} = $1 AND {scope} AND version = $3"
        ))
        .bind(id)
        .bind(within)
        .bind(seen)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .rows_affected();
        if moved == 1 {
            return Ok(tx);
        }
        let current: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT version FROM {table} WHERE {key} = $1 AND {scope}"
        ))
        .bind(id)
        .bind(within)
        .fetch_optional(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        match current {
            None if seen == 0 && kind == Versioned::SsoProvider => Ok(tx),
            None => Err(Problem::not_found(kind.what())),
            Some(_) => Err(Problem::stale(kind.what())),
        }
    }
}

/// Moves record `id` to its next version without a check, for changes no person's edit
/// competes with (a sign-in through SSO that brings new grants), so open edits become stale.
pub async fn touch(tx: &mut AnyConnection, kind: Versioned, id: &str) -> Result<(), StoreError> {
    let (table, key) = kind.table_and_key();
    Ok(sqlx::query(&format!(
        "UPDATE {table} SET version = version + 1 WHERE {key} = $1"
    ))
    .bind(id)
    .execute(&mut *tx)
    .await
    .map(|_| ())?)
}
