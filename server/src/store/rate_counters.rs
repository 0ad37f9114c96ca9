//! The shared minute counters of the bot API: each replica adds the calls it counted, in one
//! statement for all of a call's counters, and reads back every replica's total.

use crate::store::StoreError;
use sqlx::{AnyPool, Row};

/// Adds `(key, calls, window start in ms)` to the shared counters (a counter whose stored
/// window is older starts again); answers each key's total for its window.
pub async fn add(
    pool: &AnyPool,
    reports: &[(String, u32, i64)],
) -> Result<Vec<(String, u32)>, StoreError> {
    let values: Vec<String> = (0..reports.len())
        .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
        .collect();
    let sql = format!(
        "INSERT INTO rate_counters (key, attempts, window_start) VALUES {} \
         ON CONFLICT (key) DO UPDATE SET \
         attempts = CASE WHEN rate_counters.window_start < excluded.window_start \
           THEN excluded.attempts ELSE rate_counters.attempts + excluded.attempts END, \
         window_start = CASE WHEN rate_counters.window_start < excluded.window_start \
           THEN excluded.window_start ELSE rate_counters.window_start END \
         RETURNING key, attempts",
        values.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for (key, calls, window) in reports {
        query = query.bind(key).bind(i64::from(*calls)).bind(*window);
    }
    query
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            let total: i64 = r.try_get("attempts")?;
            Ok((r.try_get("key")?, u32::try_from(total).unwrap_or(u32::MAX)))
        })
        .collect()
}
