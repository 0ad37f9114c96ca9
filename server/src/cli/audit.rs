//! `portcullis audit verify`: the activity log's hash chains, checked and reported.

use super::configured_db;
use crate::services::audit_verify;

/// Recomputes every chain and names the first event that does not fit.
pub(super) async fn verify() -> Result<(), String> {
    let (_, db) = configured_db().await?;
    let report = audit_verify::verify(&db.pool)
        .await
        .map_err(|e| format!("cannot read the activity log: {e}"))?;
    for chain in &report.chains {
        match &chain.outcome {
            Ok(n) => println!(
                "ok      {}: {n} events, head {}",
                chain.chain, chain.head_hash
            ),
            Err(broken) => println!("BROKEN  {}: {broken}", chain.chain),
        }
    }
    if report.unchained > 0 {
        println!(
                "UNCHAINED {} events belong to no chain (recorded before chaining began, or added by hand); none vouches for them:",
                report.unchained
            );
        for (id, tenant, event_type) in &report.unchained_sample {
            let chain = tenant.as_deref().unwrap_or("platform");
            println!("          {id} ({event_type}) in {chain}");
        }
    }
    if report.intact() {
        println!(
            "the activity log is intact ({} chains)",
            report.chains.len()
        );
        Ok(())
    } else {
        Err("the activity log is not intact: see the lines above".to_owned())
    }
}
