//! Every column that holds a value sealed by the vault, for key rotation and key checks. A new
//! sealed column must be listed here, or a rotation would leave it behind.

use crate::store::StoreError;
use sqlx::{AnyPool, Row};

/// A sealed column: its table, the columns naming a row, and what each value is sealed to.
pub struct SealedColumn {
    pub table: &'static str,
    pub keys: &'static [&'static str],
    pub column: &'static str,
    /// What the record's name is to the vault (associated data), from its key columns.
    pub context: fn(&[String]) -> String,
    /// What a person reads for it: "authorization secrets", "SSO client secrets"…
    pub label: &'static str,
    /// The activity recorded in the row's tenant when it is re-sealed; none for sign-ins and
    /// consents under way, which live minutes (and which a replica still on an old key may
    /// keep making during a rolling rotation, so they never stop a start).
    pub event: Option<&'static str>,
}

impl SealedColumn {
    /// Whether its values outlive a sign-in: what the server must be able to open to start.
    pub fn lasting(&self) -> bool {
        self.event.is_some()
    }
}

pub const SEALED_COLUMNS: &[SealedColumn] = &[
    SealedColumn {
        table: "authorizations",
        keys: &["tenant_id", "id"],
        column: "sealed",
        context: |k| format!("{}/{}", k[0], k[1]),
        label: "authorization secrets",
        event: Some("authorization/reseal"),
    },
    SealedColumn {
        table: "sso_providers",
        keys: &["tenant_id"],
        column: "sealed_secret",
        context: |k| format!("sso/{}", k[0]),
        label: "SSO client secrets",
        event: Some("sso/reseal"),
    },
    SealedColumn {
        table: "oauth_states",
        keys: &["state"],
        column: "sealed_verifier",
        context: |k| format!("oauth/{}", k[0]),
        label: "OAuth consents under way",
        event: None,
    },
    SealedColumn {
        table: "sso_states",
        keys: &["state"],
        column: "sealed",
        context: |k| format!("sso-state/{}", k[0]),
        label: "SSO sign-ins under way",
        event: None,
    },
];

/// One sealed value and the row it belongs to.
pub struct SealedValue {
    pub keys: Vec<String>,
    pub sealed: String,
}

/// Every value of `c`.
pub async fn all(pool: &AnyPool, c: &SealedColumn) -> Result<Vec<SealedValue>, StoreError> {
    let sql = format!(
        "SELECT {}, {} FROM {}",
        c.keys.join(", "),
        c.column,
        c.table
    );
    let rows = sqlx::query(&sql).fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            let keys = (0..c.keys.len())
                .map(|i| r.try_get::<String, _>(i))
                .collect::<Result<_, _>>()?;
            Ok(SealedValue {
                keys,
                sealed: r.try_get(c.keys.len())?,
            })
        })
        .collect()
}

/// Replaces `value` with `resealed` only if the row still holds `value`, so a secret changed
/// while a rotation ran is never overwritten with the old one. Answers whether it replaced.
pub async fn swap(
    conn: &mut sqlx::AnyConnection,
    c: &SealedColumn,
    value: &SealedValue,
    resealed: &str,
) -> Result<bool, StoreError> {
    let matches: Vec<String> = c
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} = ${}", i + 3))
        .collect();
    let sql = format!(
        "UPDATE {} SET {col} = $1 WHERE {col} = $2 AND {}",
        c.table,
        matches.join(" AND "),
        col = c.column,
    );
    let mut query = sqlx::query(&sql).bind(resealed).bind(&value.sealed);
    for k in &value.keys {
        query = query.bind(k);
    }
    Ok(query.execute(conn).await?.rows_affected() == 1)
}
