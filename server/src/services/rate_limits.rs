//! The bot API's minute allowances, shared by every replica through the database: per token,
//! per app (all its tokens together, so minting tokens does not multiply an allowance) and, for
//! calls with an invalid token, per client address. Each replica counts in memory and reports
//! to the database in batches (core's `RateWindow`), so most calls write nothing and a limit is
//! overshot by at most one batch per replica.

use crate::store::Db;
use portcullis_core::apps::{Limited, RateWindow};
use portcullis_core::Problem;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// One counted allowance of a call: its key, its limit, and what it limits.
pub struct Allowance {
    pub key: String,
    pub limit: u32,
    pub what: Limited,
}

/// This replica's view of the shared counters.
#[derive(Clone, Default)]
pub struct SharedLimits {
    windows: Arc<Mutex<HashMap<String, RateWindow>>>,
}

impl SharedLimits {
    /// Whether this replica counted `key` this minute or the last (a token that recently
    /// authenticated here), without any I/O.
    pub fn seen(&self, key: &str, now_ms: i64) -> bool {
        self.windows.lock().is_ok_and(|map| {
            map.get(key)
                .is_some_and(|w| now_ms - w.start_ms() < 120_000)
        })
    }

    /// Whether `key`'s allowance is spent, by what this replica knows, without any I/O: the
    /// check made before a call is authenticated.
    pub fn spent(&self, key: &str, limit: u32, now_ms: i64) -> bool {
        self.windows
            .lock()
            .is_ok_and(|map| map.get(key).is_some_and(|w| w.spent(now_ms, limit)))
    }

    /// The 429 for `key`'s spent allowance, saying when the minute turns.
    pub fn refusal(&self, key: &str, limit: u32, what: Limited, now_ms: i64) -> Problem {
        let window = self
            .windows
            .lock()
            .ok()
            .and_then(|map| map.get(key).copied())
            .unwrap_or_default();
        refused(what);
        window.refusal(now_ms, limit, what)
    }

    /// Counts a call against each allowance, or refuses it (429 with `Retry-After`) when one
    /// is spent. Reports to the database when a window asks for it.
    pub async fn admit(
        &self,
        db: &Db,
        allowances: &[Allowance],
        now_ms: i64,
    ) -> Result<(), Problem> {
        let mut reports = Vec::new();
        {
            let mut map = self.windows.lock().map_err(|_| Problem::internal())?;
            if map.len() > 10_000 {
                map.retain(|_, w| !w.stale(now_ms));
            }
            for a in allowances {
                let window = map.entry(a.key.clone()).or_default();
                if window
                    .admit(now_ms, a.limit, a.what)
                    .inspect_err(|_| refused(a.what))?
                {
                    reports.push((a.key.clone(), window.begin_report(), window.start_ms()));
                }
            }
        }
        if reports.is_empty() {
            return Ok(());
        }
        let totals = crate::store::rate_counters::add(&db.pool, &reports).await?;
        let mut map = self.windows.lock().map_err(|_| Problem::internal())?;
        let mut over = None;
        // Matched by key: the database returns the rows in no promised order.
        for (key, total) in &totals {
            let Some((_, reported, window_ms)) = reports.iter().find(|(k, _, _)| k == key) else {
                continue;
            };
            let Some(w) = map.get_mut(key) else { continue };
            w.synced(*window_ms, *reported, *total);
            // Other replicas used the allowance up while this one counted: this call is the
            // one past the limit, so it is refused (and stays counted).
            if let Some(a) = allowances.iter().find(|a| a.key == *key) {
                if *total > a.limit && over.is_none() {
                    refused(a.what);
                    over = Some(w.refusal(now_ms, a.limit, a.what));
                }
            }
        }
        over.map_or(Ok(()), Err)
    }
}

/// Counts a refusal by the allowance that was spent.
fn refused(what: Limited) {
    crate::metrics::rate_limit_refused(match what {
        Limited::Token => "bot_token",
        Limited::App => "bot_app",
        Limited::Address => "bot_invalid_address",
    });
}
