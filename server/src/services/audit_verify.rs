//! `portcullis audit verify`: recomputes every tenant's hash chain with core's rules and
//! names the first event that does not fit. Events are streamed in chain order and only the
//! previous hash is held, so a chain of any length verifies in constant memory.

use crate::store::activity::{chain_heads, unchained, unchained_events, CHAIN_EVENTS_SQL};
use crate::store::StoreError;
use futures_util::TryStreamExt;
use portcullis_core::audit::{ChainBreak, ChainVerifier, ChainedEvent};
use sqlx::{AnyPool, Row};

/// What verification found for one chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// The tenant id, or `platform`.
    pub chain: String,
    /// How many events fit, or where the chain breaks.
    pub outcome: Result<i64, ChainBreak>,
    /// The newest hash on record: write it down elsewhere to catch a rewrite of the whole chain.
    pub head_hash: String,
}

/// The whole log's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub chains: Vec<ChainReport>,
    /// Events outside every chain: recorded before chaining began, or added by hand since.
    /// No chain vouches for them, so the log is not called intact while any exist.
    pub unchained: i64,
    /// The first of them (id, tenant, event type), to name in the report.
    pub unchained_sample: Vec<(String, Option<String>, String)>,
}

/// How many events outside the chains the report names.
const UNCHAINED_NAMED: i64 = 10;

impl Verification {
    /// Whether every chain fits and every event belongs to one.
    pub fn intact(&self) -> bool {
        self.unchained == 0 && self.chains.iter().all(|c| c.outcome.is_ok())
    }
}

/// Verifies every chain in the database.
pub async fn verify(pool: &AnyPool) -> Result<Verification, StoreError> {
    let mut chains = Vec::new();
    for (chain, head_seq, head_hash) in chain_heads(pool).await? {
        let outcome = verify_chain(pool, &chain, head_seq, &head_hash).await?;
        chains.push(ChainReport {
            chain,
            outcome,
            head_hash,
        });
    }
    Ok(Verification {
        chains,
        unchained: unchained(pool).await?,
        unchained_sample: unchained_events(pool, UNCHAINED_NAMED).await?,
    })
}

async fn verify_chain(
    pool: &AnyPool,
    chain: &str,
    head_seq: i64,
    head_hash: &str,
) -> Result<Result<i64, ChainBreak>, StoreError> {
    let mut verifier = ChainVerifier::default();
    let mut rows = sqlx::query(CHAIN_EVENTS_SQL).bind(chain).fetch(pool);
    while let Some(row) = rows.try_next().await? {
        let text = |name: &str| row.try_get::<Option<String>, _>(name);
        let (id, tenant_id, event_type) = (text("id")?, text("tenant_id")?, text("event_type")?);
        let (principal_id, principal_name) = (text("principal_id")?, text("principal_name")?);
        let (principal_email, source) = (text("principal_email")?, text("source")?);
        let (object_id, object_name) = (text("object_id")?, text("object_name")?);
        let (origin_ip, hash) = (text("origin_ip")?, text("hash")?);
        let event = ChainedEvent {
            id: id.as_deref().unwrap_or_default(),
            tenant_id: tenant_id.as_deref(),
            seq: row.try_get("seq")?,
            event_type: event_type.as_deref().unwrap_or_default(),
            happened_at_ms: row.try_get("happened_at")?,
            recorded_at_ms: row.try_get("recorded_at")?,
            principal_id: principal_id.as_deref().unwrap_or_default(),
            principal_name: principal_name.as_deref().unwrap_or_default(),
            principal_email: principal_email.as_deref(),
            source: source.as_deref().unwrap_or_default(),
            object_id: object_id.as_deref(),
            object_name: object_name.as_deref(),
            origin_ip: origin_ip.as_deref(),
        };
        if let Err(broken) = verifier.check(&event, hash.as_deref().unwrap_or_default()) {
            return Ok(Err(broken));
        }
    }
    Ok(verifier.finish(head_seq, head_hash))
}
