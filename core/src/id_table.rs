//! A hash table from ids to small values, laid out so that a lookup reads one cache line.
//!
//! Decisions are bounded by memory, not by work: at 100,000 people a general hash map costs a
//! miss for its control bytes, one for the entry and one for the person's grants. Here each slot
//! holds the id inline (ids are at most 32 bytes of ASCII) beside its value in one 64-byte,
//! line-aligned slot, probed linearly, so a lookup touches one line (rarely the next, which the
//! hardware prefetches). [`IdTable::home`] and [`IdTable::peek`] split a lookup in two so that a
//! batch of decisions can start every miss before it needs the first (see `decide_many`).

use std::hash::Hasher;

/// An id as held in a slot: its bytes, zero-padded to 32.
pub(crate) type Key = [u8; 32];

/// The key of an id. Ids longer than 32 bytes never occur (every id is a short prefix and a
/// 26-character ULID); were one given, only its first 32 bytes would count.
pub(crate) fn key(id: &str) -> Key {
    let mut k = [0u8; 32];
    for (slot, byte) in k.iter_mut().zip(id.as_bytes()) {
        *slot = *byte;
    }
    k
}

/// Where the probe for a key with hash `hash` starts in a table of `len` slots (a power of two).
fn slot_of(hash: u64, len: usize) -> usize {
    let mask = len.wrapping_sub(1);
    // Masked to the table, the hash fits in a usize on every target.
    usize::try_from(hash & mask as u64).unwrap_or(0)
}

/// One slot: an id and its value in one cache line.
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(64))]
struct Slot<V> {
    key: Key,
    used: bool,
    value: V,
}

/// Ids to values; `V` should fit in the 31 bytes the key leaves in a line.
#[derive(Debug, Clone)]
pub(crate) struct IdTable<V> {
    slots: Vec<Slot<V>>,
    len: usize,
}

impl<V> Default for IdTable<V> {
    fn default() -> Self {
        IdTable {
            slots: Vec::new(),
            len: 0,
        }
    }
}

impl<V: Copy + Default> IdTable<V> {
    /// A table sized for `n` ids at most two-thirds full, where linear probing stays short.
    pub(crate) fn with_capacity(n: usize) -> IdTable<V> {
        let slots = (n + n / 2).max(8).next_power_of_two();
        IdTable {
            slots: vec![Slot::default(); slots],
            len: 0,
        }
    }

    /// Where the probe for `id` starts: the hash of its key, masked to the table.
    pub(crate) fn home(&self, id: &str) -> usize {
        let mut h = FxHasher::default();
        h.write(&key(id));
        slot_of(h.finish(), self.slots.len())
    }

    /// Reads the slot at `home` (a byte of it) so that its line is in cache when the lookup
    /// comes; a batch ORs these bytes together and waits on the result once.
    pub(crate) fn peek(&self, home: usize) -> u8 {
        self.slots.get(home).map_or(0, |slot| u8::from(slot.used))
    }

    /// The value of `id`, probing from `home` (which must be [`IdTable::home`] of `id`).
    pub(crate) fn get_from(&self, home: usize, id: &str) -> Option<&V> {
        let k = key(id);
        let mask = self.slots.len().wrapping_sub(1);
        let mut at = home;
        for _ in 0..self.slots.len() {
            let slot = self.slots.get(at)?;
            if !slot.used {
                return None;
            }
            if slot.key == k {
                return Some(&slot.value);
            }
            at = (at + 1) & mask;
        }
        None
    }

    /// The value of `id`.
    pub(crate) fn get(&self, id: &str) -> Option<&V> {
        self.get_from(self.home(id), id)
    }

    /// The value of `id`, inserted as `V::default()` first if absent; the table grows before it
    /// would pass two-thirds full.
    pub(crate) fn entry(&mut self, id: &str) -> &mut V {
        if (self.len + 1) * 3 > self.slots.len() * 2 {
            self.grow();
        }
        let k = key(id);
        let mask = self.slots.len() - 1;
        let mut at = self.home(id);
        // The table is never full (see above), so the probe ends at the id or an empty slot.
        while self.slots.get(at).is_some_and(|s| s.used && s.key != k) {
            at = (at + 1) & mask;
        }
        // `at` is masked to the table, whose length is a power of two of at least 8 after
        // `grow`, so it is always in bounds; returning `&mut V` leaves no other arm to take.
        #[allow(clippy::indexing_slicing)]
        let slot = &mut self.slots[at];
        if !slot.used {
            *slot = Slot {
                key: k,
                used: true,
                value: V::default(),
            };
            self.len += 1;
        }
        &mut slot.value
    }

    fn grow(&mut self) {
        let old = std::mem::take(&mut self.slots);
        self.slots = vec![Slot::default(); (old.len() * 2).max(8)];
        self.len = 0;
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.used) {
            let mut h = FxHasher::default();
            h.write(&slot.key);
            let mut at = slot_of(h.finish(), self.slots.len());
            while self.slots.get(at).is_some_and(|s| s.used) {
                at = (at + 1) & mask;
            }
            // The new table has twice the slots the old one filled, so an empty one is found.
            if let Some(free) = self.slots.get_mut(at) {
                *free = slot;
                self.len += 1;
            }
        }
    }
}

/// The multiply-rotate hash of rustc's `FxHasher`, with a final avalanche: ids are made by the
/// server, so no one can pick colliding keys, and SipHash would cost more than a decision.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            for (w, b) in word.iter_mut().zip(rest) {
                *w = *b;
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    /// Ids differ mostly in their last characters, which land in the high bits of the last
    /// word, and tables index by the low bits: a final avalanche (murmur3's `fmix64`) moves
    /// every input bit into every output bit, so ids never pile into one run of slots.
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z ^= z >> 33;
        z = z.wrapping_mul(0xff51_afd7_ed55_8ccd);
        z ^= z >> 33;
        z = z.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        z ^ (z >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_entered_and_nothing_else_across_growth() {
        let mut t: IdTable<u32> = IdTable::with_capacity(2);
        for i in 0..1000u32 {
            *t.entry(&format!("usr_{i:026}")) = i;
        }
        for i in 0..1000u32 {
            assert_eq!(t.get(&format!("usr_{i:026}")), Some(&i));
        }
        assert_eq!(t.get("usr_missing"), None);
        assert_eq!(t.len, 1000);
        *t.entry("usr_00000000000000000000000007") += 1;
        assert_eq!(t.get("usr_00000000000000000000000007"), Some(&8));
        assert_eq!(t.len, 1000, "entering an id again does not add a slot");
    }

    #[test]
    fn an_empty_table_finds_nothing() {
        let t: IdTable<u32> = IdTable::default();
        assert_eq!(t.get("usr_a"), None);
        assert_eq!(t.peek(t.home("usr_a")), 0);
    }
}
