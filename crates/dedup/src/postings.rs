//! Postings: blocking key → the index slots filed under it, packed for memory.
//!
//! At 1M leads there are ~8M keys and most (a phone, an e-mail, a digest) belong to a
//! single lead, so the table maps a key to one `u32`: the slot itself, or — with the
//! top bit set — the number of a shared list. The table is a [`KeyTable`]: 12 bytes
//! per entry, filled to between 68% and 85%, i.e. ≈ 16 bytes per key (a `HashMap<u64,
//! u32>` takes 17 bytes per bucket at power-of-two sizes, 24–34 bytes per key).

const LIST: u32 = 1 << 31;
/// The value that marks an empty entry (slots and list numbers are below it).
const EMPTY: u32 = u32::MAX;

/// One entry: a 64-bit key split in two halves (so the entry is 12 bytes, not 16) and
/// its value.
#[derive(Debug, Clone, Copy)]
struct Entry {
    lo: u32,
    hi: u32,
    val: u32,
}

impl Entry {
    const VACANT: Entry = Entry { lo: 0, hi: 0, val: EMPTY };

    fn key(&self) -> u64 {
        (u64::from(self.hi) << 32) | u64::from(self.lo)
    }
}

/// A `u64` → `u32` map by open addressing with linear probing and backward-shift
/// deletion, grown by a quarter when 85% full. Values must be below `u32::MAX`.
#[derive(Debug, Default)]
pub struct KeyTable {
    entries: Vec<Entry>,
    len: usize,
}

impl KeyTable {
    fn home(&self, key: u64) -> usize {
        // Multiplicative mixing (ids may be sequential), then the high bits scaled to
        // the table size.
        let h = (key ^ (key >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        ((u128::from(h) * self.entries.len() as u128) >> 64) as usize
    }

    fn next(&self, i: usize) -> usize {
        if i + 1 == self.entries.len() {
            0
        } else {
            i + 1
        }
    }

    fn find(&self, key: u64) -> Option<usize> {
        if self.entries.is_empty() {
            return None;
        }
        let mut i = self.home(key);
        loop {
            let e = &self.entries[i];
            if e.val == EMPTY {
                return None;
            }
            if e.key() == key {
                return Some(i);
            }
            i = self.next(i);
        }
    }

    /// The value of `key`.
    pub fn get(&self, key: u64) -> Option<u32> {
        self.find(key).map(|i| self.entries[i].val)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no key is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Set the value of `key` (< `u32::MAX`), returning the previous one.
    pub fn insert(&mut self, key: u64, val: u32) -> Option<u32> {
        assert!(val != EMPTY, "KeyTable values are below u32::MAX");
        if let Some(i) = self.find(key) {
            return Some(std::mem::replace(&mut self.entries[i].val, val));
        }
        if (self.len + 1) * 20 > self.entries.len() * 17 {
            self.grow();
        }
        let mut i = self.home(key);
        while self.entries[i].val != EMPTY {
            i = self.next(i);
        }
        self.entries[i] = Entry { lo: key as u32, hi: (key >> 32) as u32, val };
        self.len += 1;
        None
    }

    fn grow(&mut self) {
        let cap = (self.entries.len() + self.entries.len() / 4).max(16);
        let old = std::mem::replace(&mut self.entries, vec![Entry::VACANT; cap]);
        for e in old.into_iter().filter(|e| e.val != EMPTY) {
            let mut i = self.home(e.key());
            while self.entries[i].val != EMPTY {
                i = self.next(i);
            }
            self.entries[i] = e;
        }
    }

    /// Remove `key`, returning its value.
    pub fn remove(&mut self, key: u64) -> Option<u32> {
        let mut i = self.find(key)?;
        let val = self.entries[i].val;
        self.len -= 1;
        // Backward shift: move later entries of the run into the hole when their home
        // is not between the hole and them.
        let mut j = i;
        loop {
            j = self.next(j);
            let e = self.entries[j];
            if e.val == EMPTY {
                break;
            }
            let h = self.home(e.key());
            let stays = if i <= j { i < h && h <= j } else { i < h || h <= j };
            if !stays {
                self.entries[i] = e;
                i = j;
            }
        }
        self.entries[i] = Entry::VACANT;
        Some(val)
    }
}

/// Key → slots multimap.
#[derive(Debug, Default)]
pub struct Postings {
    map: KeyTable,
    lists: Vec<Vec<u32>>,
    free_lists: Vec<u32>,
}

impl Postings {
    /// File `slot` (< 2³¹) under `key`.
    pub fn add(&mut self, key: u64, slot: u32) {
        debug_assert!(slot < LIST);
        match self.map.find(key) {
            None => {
                self.map.insert(key, slot);
            }
            Some(i) if self.map.entries[i].val & LIST == 0 => {
                let list = vec![self.map.entries[i].val, slot];
                let n = match self.free_lists.pop() {
                    Some(n) => {
                        self.lists[n as usize] = list;
                        n
                    }
                    None => {
                        self.lists.push(list);
                        u32::try_from(self.lists.len() - 1).ok().filter(|n| n | LIST != EMPTY).expect("fewer than 2^31 - 1 shared keys")
                    }
                };
                self.map.entries[i].val = LIST | n;
            }
            Some(i) => self.lists[(self.map.entries[i].val & !LIST) as usize].push(slot),
        }
    }

    /// Remove `slot` from `key` (no-op when absent).
    pub fn remove(&mut self, key: u64, slot: u32) {
        let Some(v) = self.map.get(key) else { return };
        if v & LIST == 0 {
            if v == slot {
                self.map.remove(key);
            }
            return;
        }
        let n = v & !LIST;
        let list = &mut self.lists[n as usize];
        if let Some(pos) = list.iter().position(|s| *s == slot) {
            list.swap_remove(pos);
        }
        if list.len() <= 1 {
            let remaining = list.first().copied();
            self.lists[n as usize] = Vec::new();
            self.free_lists.push(n);
            match remaining {
                Some(s) => {
                    self.map.insert(key, s);
                }
                None => {
                    self.map.remove(key);
                }
            }
        }
    }

    /// The slots filed under `key`.
    pub fn get(&self, key: u64) -> &[u32] {
        match self.map.find(key) {
            None => &[],
            Some(i) => {
                let v = &self.map.entries[i].val;
                if v & LIST == 0 {
                    std::slice::from_ref(v)
                } else {
                    &self.lists[(v & !LIST) as usize]
                }
            }
        }
    }

    /// Number of distinct keys.
    pub fn keys(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rustc_hash::FxHashMap;

    #[test]
    fn single_shared_and_removed() {
        let mut p = Postings::default();
        p.add(1, 10);
        assert_eq!(p.get(1), [10]);
        p.add(1, 11);
        p.add(1, 12);
        assert_eq!(p.get(1), [10, 11, 12]);
        p.remove(1, 10);
        p.remove(1, 12);
        assert_eq!(p.get(1), [11]);
        p.add(2, 20);
        p.add(2, 21); // reuses the freed list
        assert_eq!(p.lists.len(), 1);
        p.remove(1, 11);
        assert_eq!(p.get(1), [] as [u32; 0]);
        assert_eq!(p.keys(), 1);
        p.remove(2, 99);
        assert_eq!(p.get(2), [20, 21]);
    }

    proptest! {
        /// The table answers like a `HashMap` through inserts, overwrites and removals
        /// (keys from a small range so runs collide and deletions shift them).
        #[test]
        fn key_table_is_a_map(ops in proptest::collection::vec((any::<bool>(), 0u64..300, 0u32..1000), 0..2000)) {
            let mut t = KeyTable::default();
            let mut reference: FxHashMap<u64, u32> = FxHashMap::default();
            for (add, k, v) in ops {
                // Spread some keys over the whole range, keep others small and sequential.
                let k = if k % 3 == 0 { k.wrapping_mul(0x5851_F42D_4C95_7F2D) } else { k };
                if add {
                    prop_assert_eq!(t.insert(k, v), reference.insert(k, v));
                } else {
                    prop_assert_eq!(t.remove(k), reference.remove(&k));
                }
                prop_assert_eq!(t.len(), reference.len());
            }
            for k in 0..300u64 {
                for k in [k, k.wrapping_mul(0x5851_F42D_4C95_7F2D)] {
                    prop_assert_eq!(t.get(k), reference.get(&k).copied());
                }
            }
        }
    }
}
