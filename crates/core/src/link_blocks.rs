//! The blocks duplicate links are found in: for every blocking key of the duplicate
//! engine, the leads of the whole registry filed under it, held in memory.
//!
//! A pair of leads is a *candidate* for a duplicate link when it shares an exact key
//! (phone, visible-digit key, digest, e-mail, whole company core) — without any cap —
//! or a fuzzy key (a 字号 bigram, a contact name) whose block holds at most
//! [`FUZZY_BLOCK_CAP`] leads of the registry. Both depend on the data only, never on
//! which leads were known when one arrived, so the links (candidates scoring at least
//! the threshold, [`crate::collisions::detect`]) are a pure function of the data:
//! replicas that merged in any order, and a rebuild, hold the same links. A fuzzy block
//! that grows past the cap (or shrinks under it) changes the candidates of all its
//! leads; the caller re-derives them ([`LinkBlocks::fuzzy_sizes`]).
//!
//! Each lead's normalised keys are kept packed ([`leadguard_dedup::compact`]), so a
//! pair is scored without reading the lead index or normalising again.

use leadguard_dedup::blocking::{block_keys, KeyKind};
use leadguard_dedup::compact::{self, Interner};
use leadguard_dedup::{dismissed, score_value_at_least, LeadKeys, LeadRecord, PairContext, QuickKeys};
// Keys are hashes and ids random: a fast hasher over them (SipHash was a tenth of
// the link step).
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::duplicate_index::numeric_id;
use crate::error::Result;
use crate::lead_index;

/// The largest fuzzy block (leads sharing a 字号 bigram or a contact name) whose
/// leads are all paired: beyond it a name key says too little to be worth n² scores,
/// and such leads meet through an exact key or a rarer name key. 128 covers the
/// bigrams of ordinary names in a 100,000-lead registry (see `make bench-collisions`).
pub const FUZZY_BLOCK_CAP: usize = 128;

/// A blocking key: its hash and whether it is fuzzy (capped).
type Key = (u64, bool);

struct Entry {
    packed: Box<[u8]>,
    keys: Box<[Key]>,
    /// What dismisses most pairs before the packed keys are decoded or read.
    quick: QuickKeys,
}

/// Every lead's blocking keys and packed normalised keys, and every block's leads.
pub struct LinkBlocks {
    cap: usize,
    leads: HashMap<u64, Entry>,
    blocks: HashMap<u64, Vec<u64>>,
    regions: Interner,
    /// Every lead's keys decoded, kept from one large batch to the next (the pages of
    /// a first sync each score against the whole registry: 10 pages of 10,000 leads
    /// decoded 550,000 leads' keys for 100,000). About 800 bytes a lead; dropped by
    /// the next small batch ([`LinkBlocks::links_of`]), and kept current by
    /// [`LinkBlocks::set`] meanwhile.
    decoded: Option<HashMap<u64, LeadKeys>>,
}

/// Batches relinking this many leads or more decode the whole registry once and keep
/// it decoded; smaller ones decode the pairs they score.
const BULK: usize = 4096;

/// The identifying fields of a lead row (what links are scored on).
pub fn identity(row: &lead_index::LeadRow) -> LeadRecord {
    row.identity()
}

/// The blocking keys of normalised keys, each once.
pub fn keys_of(keys: &LeadKeys) -> Vec<Key> {
    if keys.is_empty() {
        return Vec::new();
    }
    block_keys(keys).into_iter().map(|k| (k.hash, matches!(k.kind, KeyKind::Name | KeyKind::RegionName))).collect()
}

impl LinkBlocks {
    pub fn new(cap: usize) -> LinkBlocks {
        LinkBlocks {
            cap: cap.max(1),
            leads: HashMap::default(),
            blocks: HashMap::default(),
            regions: Interner::default(),
            decoded: None,
        }
    }

    /// Every lead of the lead index table (leads whose id is not 16 hex digits, only
    /// possible in hand-crafted data, take part in no link, as in duplicate checks).
    pub(crate) fn build(conn: &rusqlite::Connection, cap: usize) -> Result<LinkBlocks> {
        let mut rows = Vec::new();
        lead_index::for_each_identity(conn, |id, company, contact, phone, email, region| {
            if let Some(n) = numeric_id(id) {
                let r = LeadRecord {
                    company: company.into(),
                    contact: contact.into(),
                    phone: phone.into(),
                    email: email.into(),
                    region: region.into(),
                    address: None,
                };
                rows.push((n, r));
            }
        })?;
        let mut blocks = LinkBlocks::new(cap);
        for (n, _, prepared) in prepare_all(rows, false) {
            blocks.file(n, Some(prepared));
        }
        Ok(blocks)
    }

    /// The blocks of leads already normalised (the duplicate index's).
    pub fn from_keys(keys: impl IntoIterator<Item = (u64, LeadKeys)>, cap: usize) -> LinkBlocks {
        let mut blocks = LinkBlocks::new(cap);
        for (n, k) in keys {
            blocks.set(n, Some(k));
        }
        blocks
    }

    /// Files a lead under its keys (replacing what it had), or forgets it (`None`).
    pub fn set(&mut self, id: u64, keys: Option<LeadKeys>) {
        self.file(id, keys.map(Prepared::of));
    }

    /// [`LinkBlocks::set`] of keys prepared beforehand ([`prepare_all`]).
    pub(crate) fn file(&mut self, id: u64, prepared: Option<Prepared>) {
        if let Some(old) = self.leads.remove(&id) {
            for (k, _) in old.keys.iter() {
                if let Some(list) = self.blocks.get_mut(k) {
                    list.retain(|m| *m != id);
                    if list.is_empty() {
                        self.blocks.remove(k);
                    }
                }
            }
        }
        let Some(Prepared { keys, block, quick }) = prepared else {
            if let Some(d) = &mut self.decoded {
                d.remove(&id);
            }
            return;
        };
        for (k, _) in &block {
            self.blocks.entry(*k).or_default().push(id);
        }
        let mut packed = Vec::new();
        compact::encode(&keys, &mut self.regions, &mut packed);
        // What a decode of the packed keys gives, exactly as a fresh decode would.
        if let Some(d) = &mut self.decoded {
            d.insert(id, compact::decode(&packed, &self.regions));
        }
        self.leads.insert(id, Entry { packed: packed.into_boxed_slice(), keys: block.into_boxed_slice(), quick });
    }

    /// The blocking keys a lead is filed under.
    pub fn keys(&self, id: u64) -> &[Key] {
        self.leads.get(&id).map_or(&[], |e| &e.keys)
    }

    /// How many leads are filed.
    pub fn len(&self) -> usize {
        self.leads.len()
    }

    /// How many leads a block holds.
    pub fn size(&self, key: u64) -> usize {
        self.blocks.get(&key).map_or(0, Vec::len)
    }

    /// The leads of a block.
    pub fn members(&self, key: u64) -> &[u64] {
        self.blocks.get(&key).map_or(&[], Vec::as_slice)
    }

    /// Whether a fuzzy block of `size` leads pairs its leads.
    pub fn usable(&self, fuzzy: bool, size: usize) -> bool {
        !fuzzy || size <= self.cap
    }

    /// Whether two leads are a candidate pair: they share an exact key, or a fuzzy key
    /// whose block is within the cap.
    pub fn is_candidate(&self, a: u64, b: u64) -> bool {
        let theirs = self.keys(b);
        self.keys(a).iter().any(|k| theirs.contains(k) && self.usable(k.1, self.size(k.0)))
    }

    /// The leads `id` is a candidate pair with, sorted, without `id`.
    #[cfg(test)]
    pub fn candidates(&self, id: u64) -> Vec<u64> {
        let mut out = Vec::new();
        self.candidates_into(id, &mut out);
        out
    }

    /// [`LinkBlocks::candidates`] into a reused buffer.
    fn candidates_into(&self, id: u64, out: &mut Vec<u64>) {
        out.clear();
        for &(k, fuzzy) in self.keys(id) {
            let members = self.members(k);
            if self.usable(fuzzy, members.len()) {
                out.extend(members.iter().copied().filter(|m| *m != id));
            }
        }
        out.sort_unstable();
        out.dedup();
    }

    /// The links of `affected` leads: every candidate pair with at least one of them
    /// whose score reaches `threshold`, as `(lower id, higher id, score)`, sorted.
    /// Parallel over the machine's cores when there are many leads.
    /// In bulk, every lead's keys are decoded once (and kept for the next large batch)
    /// rather than once per pair.
    pub fn links_of(&mut self, affected: &[u64], threshold: f32) -> Vec<(u64, u64, f32)> {
        let threads = if affected.len() < BULK { 1 } else { std::thread::available_parallelism().map_or(1, |p| p.get()).min(8) };
        if affected.len() < BULK {
            // A small batch ends the bulk work: the decoded keys are not worth their
            // memory. Freeing 100,000 leads' keys takes a tenth of a second: on another
            // thread (here if none can start).
            if let Some(decoded) = self.decoded.take() {
                let _ = std::thread::Builder::new().spawn(move || drop(decoded));
            }
        } else if self.decoded.is_none() {
            // Decoded on every core too (a page of a first sync decodes the registry).
            let _decode = crate::phase_times::phase("links: score: decode");
            let entries: Vec<(&u64, &Entry)> = self.leads.iter().collect();
            let chunk = entries.len().div_ceil(threads).max(1);
            let regions = &self.regions;
            let decoded = std::thread::scope(|s| {
                let handles: Vec<_> = entries
                    .chunks(chunk)
                    .map(|part| s.spawn(move || part.iter().map(|(id, e)| (**id, compact::decode(&e.packed, regions))).collect::<Vec<_>>()))
                    .collect();
                handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
            });
            self.decoded = Some(decoded);
        }
        self.score_links(affected, threshold, threads)
    }

    fn score_links(&self, affected: &[u64], threshold: f32, threads: usize) -> Vec<(u64, u64, f32)> {
        let is_affected: HashSet<u64> = affected.iter().copied().collect();
        let empty = HashMap::default();
        let unpacked: &HashMap<u64, LeadKeys> = self.decoded.as_ref().unwrap_or(&empty);
        let work = |part: &[u64]| {
            let mut out = Vec::new();
            let (mut mine, mut other) = (LeadKeys::default(), LeadKeys::default());
            let mut candidates = Vec::new();
            for &a in part {
                let Some(ea) = self.leads.get(&a) else { continue };
                let x = match unpacked.get(&a) {
                    Some(k) => k,
                    None => {
                        compact::decode_into(&ea.packed, &self.regions, &mut mine);
                        &mine
                    }
                };
                self.candidates_into(a, &mut candidates);
                for &b in &candidates {
                    // A pair of two affected leads is scored once, from its lower side.
                    if b < a && is_affected.contains(&b) {
                        continue;
                    }
                    let Some(eb) = self.leads.get(&b) else { continue };
                    if dismissed(&ea.quick, &eb.quick, threshold) {
                        continue;
                    }
                    let y = match unpacked.get(&b) {
                        Some(k) => k,
                        None => {
                            compact::decode_into(&eb.packed, &self.regions, &mut other);
                            &other
                        }
                    };
                    // Scored from the lower id's side, as a rebuild would.
                    let (lo, hi, p, q) = if a < b { (a, b, x, y) } else { (b, a, y, x) };
                    if let Some(s) = score_value_at_least(p, q, threshold, PairContext::default()) {
                        out.push((lo, hi, s));
                    }
                }
            }
            out
        };
        let mut links = if threads == 1 {
            work(affected)
        } else {
            let chunk = affected.len().div_ceil(threads);
            std::thread::scope(|s| {
                let handles: Vec<_> = affected.chunks(chunk).map(|part| s.spawn(move || work(part))).collect();
                handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
            })
        };
        links.sort_unstable_by(|x, y| (x.0, x.1).cmp(&(y.0, y.1)));
        links
    }
}

/// A lead's keys ready to be filed: what [`LinkBlocks::set`] derives from them without
/// reading the blocks.
pub(crate) struct Prepared {
    keys: LeadKeys,
    block: Vec<Key>,
    quick: QuickKeys,
}

impl Prepared {
    fn of(mut keys: LeadKeys) -> Prepared {
        // The places in a name served to find its region; packed keys hold none.
        keys.company.places = Vec::new();
        let block = keys_of(&keys);
        let quick = QuickKeys::of(&keys);
        Prepared { keys, block, quick }
    }
}

/// Normalises many records and prepares their keys for [`LinkBlocks::file`], on every
/// core when there are many (in their order); with `keep`, a copy of the normalised
/// keys too (for the duplicate index).
pub(crate) fn prepare_all(rows: Vec<(u64, LeadRecord)>, keep: bool) -> Vec<(u64, Option<LeadKeys>, Prepared)> {
    let one = |(n, r): &(u64, LeadRecord)| {
        let keys = LeadKeys::from_record(r);
        (*n, keep.then(|| keys.clone()), Prepared::of(keys))
    };
    let threads = if rows.len() < BULK { 1 } else { std::thread::available_parallelism().map_or(1, |p| p.get()).min(8) };
    if threads == 1 {
        return rows.iter().map(one).collect();
    }
    let chunk = rows.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = rows.chunks(chunk).map(|part| s.spawn(move || part.iter().map(one).collect::<Vec<_>>())).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(company: &str, phone: &str) -> LeadKeys {
        LeadKeys::from_record(&LeadRecord {
            company: company.into(),
            contact: "陈明".into(),
            phone: phone.into(),
            region: "深圳".into(),
            ..LeadRecord::default()
        })
    }

    #[test]
    fn an_exact_key_pairs_leads_however_many_share_it() {
        let mut b = LinkBlocks::new(1);
        for i in 0..10 {
            b.set(i, Some(keys(&format!("腾达{i}科技"), "13912345678")));
        }
        assert_eq!(b.candidates(3).len(), 9);
    }

    #[test]
    fn a_fuzzy_block_over_the_cap_pairs_nobody() {
        let mut b = LinkBlocks::new(2);
        b.set(1, Some(keys("腾达科技", "13900000001")));
        b.set(3, Some(keys("腾达电子", "13900000003")));
        assert!(b.candidates(1).contains(&3), "腾达 holds two leads");
        b.set(2, Some(keys("腾达科技有限公司", "13900000002")));
        assert!(!b.candidates(1).contains(&3), "腾达 now holds three leads");
        assert!(b.candidates(1).contains(&2), "the same company core is an exact key");
        b.set(2, None);
        assert!(b.candidates(1).contains(&3), "two again once one leaves");
    }
}
