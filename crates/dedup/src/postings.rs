//! Postings: blocking key → the index slots filed under it, packed for memory.
//!
//! At 1M leads there are ~8M keys and most (a phone, an e-mail, a digest) belong to a
//! single lead, so the table maps a key to one `u32`: the slot itself, or — with the
//! top bit set — the number of a shared list. That is 16 bytes per key instead of a
//! `Vec` per key (40+ bytes and an allocation).

use rustc_hash::FxHashMap;

const LIST: u32 = 1 << 31;

/// Key → slots multimap.
#[derive(Debug, Default)]
pub struct Postings {
    map: FxHashMap<u64, u32>,
    lists: Vec<Vec<u32>>,
    free_lists: Vec<u32>,
}

impl Postings {
    /// File `slot` (< 2³¹) under `key`.
    pub fn add(&mut self, key: u64, slot: u32) {
        debug_assert!(slot < LIST);
        match self.map.get_mut(&key) {
            None => {
                self.map.insert(key, slot);
            }
            Some(v) if *v & LIST == 0 => {
                let list = vec![*v, slot];
                let n = match self.free_lists.pop() {
                    Some(n) => {
                        self.lists[n as usize] = list;
                        n
                    }
                    None => {
                        self.lists.push(list);
                        u32::try_from(self.lists.len() - 1).expect("fewer than 2^31 shared keys")
                    }
                };
                *v = LIST | n;
            }
            Some(v) => self.lists[(*v & !LIST) as usize].push(slot),
        }
    }

    /// Remove `slot` from `key` (no-op when absent).
    pub fn remove(&mut self, key: u64, slot: u32) {
        let Some(v) = self.map.get_mut(&key) else { return };
        if *v & LIST == 0 {
            if *v == slot {
                self.map.remove(&key);
            }
            return;
        }
        let n = *v & !LIST;
        let list = &mut self.lists[n as usize];
        if let Some(pos) = list.iter().position(|s| *s == slot) {
            list.swap_remove(pos);
        }
        if list.len() <= 1 {
            let remaining = list.first().copied();
            self.lists[n as usize] = Vec::new();
            self.free_lists.push(n);
            match remaining {
                Some(s) => *v = s,
                None => {
                    self.map.remove(&key);
                }
            }
        }
    }

    /// The slots filed under `key`.
    pub fn get(&self, key: u64) -> &[u32] {
        match self.map.get(&key) {
            None => &[],
            Some(v) if *v & LIST == 0 => std::slice::from_ref(v),
            Some(v) => &self.lists[(*v & !LIST) as usize],
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
}
