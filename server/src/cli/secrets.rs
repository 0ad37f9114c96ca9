//! `portcullis secrets`: re-seal every secret under the current master key, or count them by key.

use super::{configured_db, open_vault};
use crate::crypto::vault::Vault;
use crate::services::key_rotation;

/// Re-seals every sealed value under the current master key.
pub(super) async fn rotate() -> Result<(), String> {
    let (config, db) = configured_db().await?;
    let vault = open_vault(&config, &db).await?;
    let done = key_rotation::rotate(&db, &vault)
        .await
        .map_err(|p| p.to_string())?;
    println!(
        "re-sealed {} values under key {}; {} were already current",
        done.resealed,
        vault.key_id(),
        done.current
    );
    if done.changed_meanwhile > 0 {
        println!(
            "{} values changed while this ran and were left as they are; run it again to be sure",
            done.changed_meanwhile
        );
    }
    Ok(())
}

/// Counts the sealed values by kind and key, and says which keys this server holds.
pub(super) async fn check() -> Result<(), String> {
    let (config, db) = configured_db().await?;
    let vault = Vault::open(
        config.master_key.as_deref(),
        config.previous_master_keys.as_deref(),
        &config.key_file,
        false,
    )
    .map_err(|e| e.to_string())?;
    let counts = key_rotation::check(&db, &vault)
        .await
        .map_err(|p| p.to_string())?;
    println!("this server seals with key {}", vault.key_id());
    for c in &counts {
        let verdict = if c.opens { "opens" } else { "NO KEY" };
        println!(
            "{verdict:7} {:>6} {} sealed with key {}",
            c.values, c.label, c.key_id
        );
    }
    if counts.iter().all(|c| c.opens) {
        Ok(())
    } else {
        Err("some sealed values open with no key this server holds".to_owned())
    }
}
