//! Identity providers' discovery documents, kept for a few minutes. Sign-in starts are open to
//! anyone, so without a cache every start would make the server fetch a document (and its key
//! set) from the tenant's issuer; with it, a flood of starts costs one fetch per issuer and
//! period. Failures are kept briefly too, so a dead issuer is not asked again on every click.

use crate::integrations::outbound::Outbound;
use openidconnect::core::CoreProviderMetadata;
use openidconnect::IssuerUrl;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a fetched document is used.
pub const KEEP_FOUND: Duration = Duration::from_secs(300);
/// How long a failed fetch is remembered.
pub const KEEP_FAILED: Duration = Duration::from_secs(30);

type Entry = (Instant, Option<CoreProviderMetadata>);

/// Discovery documents by issuer, shared by every request of one replica.
#[derive(Clone, Default)]
pub struct DiscoveryCache {
    entries: Arc<Mutex<HashMap<String, Entry>>>,
}

impl DiscoveryCache {
    /// The document of `issuer`: from the cache while fresh, otherwise fetched (through the
    /// egress policy and its size cap). `None` when the issuer gave no usable document.
    pub async fn metadata(
        &self,
        issuer: IssuerUrl,
        outbound: &Outbound,
    ) -> Option<CoreProviderMetadata> {
        let key = issuer.as_str().to_owned();
        if let Some(kept) = self.fresh(&key) {
            return kept;
        }
        let fetched = CoreProviderMetadata::discover_async(issuer, outbound)
            .await
            .map_err(|e| tracing::warn!(error = %e, "OpenID discovery failed"))
            .ok();
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|_, (at, m)| at.elapsed() < keep(m));
            entries.insert(key, (Instant::now(), fetched.clone()));
        }
        fetched
    }

    /// Forgets `issuer`'s document (its settings changed).
    pub fn forget(&self, issuer: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(issuer);
        }
    }

    fn fresh(&self, key: &str) -> Option<Option<CoreProviderMetadata>> {
        let entries = self.entries.lock().ok()?;
        let (at, kept) = entries.get(key)?;
        (at.elapsed() < keep(kept)).then(|| kept.clone())
    }
}

fn keep(kept: &Option<CoreProviderMetadata>) -> Duration {
    if kept.is_some() {
        KEEP_FOUND
    } else {
        KEEP_FAILED
    }
}
