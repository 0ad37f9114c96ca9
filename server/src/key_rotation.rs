//! `portcullis secrets rotate`: re-seals every authorization's secrets under the current master
//! key, so that the previous keys can be dropped (A3). Each record is re-sealed in its own
//! transaction with its activity record; re-running it skips what is already current.

use crate::activity::{self, NewEvent, Principal};
use crate::db::{problem, Db};
use crate::store::authorizations as store;
use crate::vault::Vault;
use chrono::Utc;
use portcullis_core::Problem;

/// Re-seals every stale sealed value; answers (re-sealed, already current).
pub async fn rotate(db: &Db, vault: &Vault) -> Result<(usize, usize), Problem> {
    let operator = Principal {
        id: "system".to_owned(),
        name: "Key rotation".to_owned(),
        email: None,
    };
    let mut resealed = 0;
    let mut current = 0;
    for (tenant, id, sealed) in store::all_sealed(&db.pool).await.map_err(problem)? {
        if !vault.is_stale(&sealed) {
            current += 1;
            continue;
        }
        let context = format!("{tenant}/{id}");
        let plain = vault.open_sealed(&context, &sealed).map_err(|e| {
            Problem::new(
                portcullis_core::ProblemKind::Internal,
                "cannot_open",
                format!("{id}: {e}"),
            )
        })?;
        let mut tx = db.pool.begin().await.map_err(problem)?;
        store::reseal(&mut tx, &tenant, &id, &vault.seal(&context, &plain))
            .await
            .map_err(problem)?;
        activity::record(
            &mut tx,
            NewEvent {
                tenant_id: Some(&tenant),
                event_type: "authorization/reseal",
                happened_at: Utc::now(),
                principal: &operator,
                source: "cli",
                object_id: Some(id.as_str()),
                object_name: Some(vault.key_id()),
                origin_ip: None,
            },
        )
        .await
        .map_err(problem)?;
        tx.commit().await.map_err(problem)?;
        resealed += 1;
    }
    Ok((resealed, current))
}
