//! Values a call built from its reads, kept with the SQLite reader connection that read them for
//! as long as the database has not changed since.
//!
//! Why: every API call reads its token and its app's access (four tables) before it reads the
//! record it asks for, and under load those reads and the values built from them were most of a
//! call's own work, though they change rarely.
//!
//! Why this is exact, not a cache that may be stale: SQLite's `PRAGMA data_version` on a
//! connection changes whenever another connection, in this process or another (the CLI), has
//! committed since this connection last asked. The server's readers are read-only, so every
//! change is another connection's. A snapshot asks first, inside its read transaction, and a
//! memo forgets everything when the answer moved; so what a snapshot recalls is what reading
//! again in that snapshot would give, and a revoked token or an uninstalled app is refused on
//! the very next call. The price: any write anywhere empties every reader's memo.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

/// At most this many values of one kind per connection; a full kind starts over, so a caller
/// cycling through many keys costs reads, not memory.
const MOST: usize = 256;

/// The values one reader connection remembers, and the database version they were read at.
#[derive(Default)]
pub(crate) struct Memo {
    /// `PRAGMA data_version` when the values were read; `None` before the first snapshot.
    version: Option<i64>,
    values: HashMap<TypeId, HashMap<Box<str>, Arc<dyn Any + Send + Sync>>>,
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo")
            .field("version", &self.version)
            .field(
                "values",
                &self.values.values().map(HashMap::len).sum::<usize>(),
            )
            .finish()
    }
}

impl Memo {
    /// A snapshot that sees the database at `version` begins: values read at another are gone.
    pub fn at(&mut self, version: i64) {
        if self.version != Some(version) {
            self.values.clear();
            self.version = Some(version);
        }
    }

    /// The `T` remembered under `key`, if any.
    pub fn recall<T: Any + Send + Sync>(&self, key: &str) -> Option<Arc<T>> {
        let value = self.values.get(&TypeId::of::<T>())?.get(key)?.clone();
        value.downcast::<T>().ok()
    }

    /// Remembers `value`, read in the current snapshot, under `key`.
    pub fn remember<T: Any + Send + Sync>(&mut self, key: &str, value: Arc<T>) {
        let kind = self.values.entry(TypeId::of::<T>()).or_default();
        if kind.len() >= MOST && !kind.contains_key(key) {
            kind.clear();
        }
        kind.insert(key.into(), value);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{Memo, MOST};
    use std::sync::Arc;

    #[test]
    fn a_value_is_recalled_while_the_version_holds_and_forgotten_when_it_moves() {
        let mut memo = Memo::default();
        memo.at(7);
        memo.remember("key", Arc::new(41_u32));
        memo.at(7);
        assert_eq!(*memo.recall::<u32>("key").unwrap(), 41);
        memo.at(8);
        assert!(memo.recall::<u32>("key").is_none());
    }

    #[test]
    fn kinds_do_not_share_keys_and_a_full_kind_starts_over() {
        let mut memo = Memo::default();
        memo.at(1);
        memo.remember("key", Arc::new(1_u32));
        assert!(memo.recall::<String>("key").is_none());
        for i in 0..MOST {
            memo.remember(&format!("s{i}"), Arc::new(i.to_string()));
        }
        assert_eq!(*memo.recall::<String>("s0").unwrap(), "0");
        memo.remember("one more", Arc::new(String::new()));
        assert!(memo.recall::<String>("s0").is_none());
        assert!(memo.recall::<String>("one more").is_some());
        assert_eq!(*memo.recall::<u32>("key").unwrap(), 1);
    }
}
