//! The master key's lifecycle: `portcullis secrets rotate` re-seals every sealed value under
//! the current key so previous keys can be dropped; `portcullis secrets check` counts the values
//! each key opens; and the server refuses to start when it holds values no key of its opens,
//! since it would otherwise run with every stored secret unreadable.

use crate::crypto::vault::Vault;
use crate::services::audit::{Principal, Source};
use crate::store::activity::{record, NewEvent};
use crate::store::sealed::{self, SealedColumn, SEALED_COLUMNS};
use crate::store::Db;
use chrono::Utc;
use portcullis_core::ids::TenantId;
use portcullis_core::{Problem, ProblemKind};
use std::collections::BTreeMap;

/// What a rotation did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rotation {
    pub resealed: usize,
    pub current: usize,
    /// Values that changed while the rotation ran; they were left as they are (a new value is
    /// sealed under the current key already, or the next run picks it up).
    pub changed_meanwhile: usize,
}

/// Re-seals every value made by an older key, each in its own transaction with its activity
/// record; a value that changed since it was read is left alone.
pub async fn rotate(db: &Db, vault: &Vault) -> Result<Rotation, Problem> {
    let operator = Principal {
        id: "system".to_owned(),
        name: "Key rotation".to_owned(),
        email: None,
    };
    let mut done = Rotation::default();
    for column in SEALED_COLUMNS {
        for value in sealed::all(&db.pool, column).await? {
            if !vault.is_stale(&value.sealed) {
                done.current += 1;
                continue;
            }
            let context = (column.context)(&value.keys);
            let plain = vault.open_sealed(&context, &value.sealed).map_err(|e| {
                Problem::new(
                    ProblemKind::Internal,
                    "cannot_open",
                    format!("{} of {}: {e}", column.label, value.keys.join("/")),
                )
            })?;
            let mut tx = db.write().await?;
            let resealed = vault.seal(&context, &plain)?;
            if !sealed::swap(&mut tx, column, &value, &resealed).await? {
                done.changed_meanwhile += 1;
                continue;
            }
            if let Some(event_type) = column.event {
                let tenant = value
                    .keys
                    .first()
                    .and_then(|t| TenantId::parse(t).ok())
                    .ok_or_else(Problem::internal)?;
                record(
                    &mut tx,
                    NewEvent {
                        tenant_id: Some(&tenant),
                        event_type,
                        happened_at: Utc::now(),
                        principal: &operator,
                        source: Source::Cli.code(),
                        object_id: value.keys.last().map(String::as_str),
                        object_name: Some(vault.key_id()),
                        origin_ip: None,
                    },
                )
                .await?;
            }
            tx.commit().await?;
            done.resealed += 1;
        }
    }
    Ok(done)
}

/// How many values of one kind one key sealed, and whether this server holds that key.
#[derive(Debug, PartialEq, Eq)]
pub struct KeyCount {
    pub label: &'static str,
    /// Values that outlive a sign-in (authorization and SSO client secrets).
    pub lasting: bool,
    pub key_id: String,
    pub values: usize,
    pub opens: bool,
}

/// Counts the sealed values by kind and key.
pub async fn check(db: &Db, vault: &Vault) -> Result<Vec<KeyCount>, Problem> {
    Ok(judge(key_counts(db).await?, vault))
}

/// Sealed values by kind and the id of the key that sealed them, in one read of each column:
/// start-up decides from it both whether a key file may be made and whether the key opens
/// what is stored.
pub async fn key_counts(db: &Db) -> Result<Vec<(&'static SealedColumn, String, usize)>, Problem> {
    let mut counts = Vec::new();
    for column in SEALED_COLUMNS {
        let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
        for value in sealed::all(&db.pool, column).await? {
            let key = value
                .sealed
                .split('.')
                .nth(1)
                .unwrap_or("damaged")
                .to_owned();
            *by_key.entry(key).or_default() += 1;
        }
        counts.extend(by_key.into_iter().map(|(key, n)| (column, key, n)));
    }
    Ok(counts)
}

/// Whether `vault` holds the key of each count.
pub fn judge(counts: Vec<(&'static SealedColumn, String, usize)>, vault: &Vault) -> Vec<KeyCount> {
    counts
        .into_iter()
        .map(|(column, key_id, values)| KeyCount {
            label: column.label,
            lasting: column.lasting(),
            opens: vault.holds(&key_id),
            key_id,
            values,
        })
        .collect()
}

/// Refuses a vault that cannot open some of the stored values, saying what to do.
pub async fn require_openable(db: &Db, vault: &Vault) -> Result<(), String> {
    let counts = check(db, vault).await.map_err(|p| p.to_string())?;
    openable(&counts, vault)
}

/// The refusal for `counts` some of whose lasting values `vault` cannot open.
pub fn openable(counts: &[KeyCount], vault: &Vault) -> Result<(), String> {
    let missing: Vec<&KeyCount> = counts.iter().filter(|c| !c.opens && c.lasting).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = missing
        .iter()
        .map(|c| format!("{} {} sealed with key {}", c.values, c.label, c.key_id))
        .collect();
    Err(format!(
        "the database holds values this server's master key (key {}) cannot open: {}. \
         Start with the key they were sealed with in PORTCULLIS_MASTER_KEY or PORTCULLIS_KEY_FILE \
         (or list it in PORTCULLIS_PREVIOUS_MASTER_KEYS and run `portcullis secrets rotate`); \
         every replica must share it",
        vault.key_id(),
        listed.join("; ")
    ))
}
