//! The in-memory duplicate index: normalised leads plus postings from blocking keys to
//! leads, kept in step with the registry by `insert`/`remove`.
//!
//! A check normalises the candidate once, follows its blocking keys, ranks the leads
//! found by how many keys they share, and scores at most `max_candidates` of them —
//! never a scan, so its cost depends on how common the candidate's keys are, not on
//! how many leads are indexed.

use crate::blocking::{block_keys, BlockKey, KeyKind};
use crate::compact::{self, Interner};
use crate::normalize::CompanyName;
use crate::postings::{KeyTable, Postings};
use crate::record::{LeadKeys, LeadRecord};
use crate::score::{company_similarity, score_at_least, Config, Match, PairContext, SHARED_PHONE_COMPANIES};
use rustc_hash::FxHashMap;

/// `Slot::at` of a free slot.
const FREE: u64 = u64::MAX;

/// An indexed lead: its id and where its packed keys start in the arena.
#[derive(Debug, Clone, Copy)]
struct Slot {
    id: u64,
    at: u64,
}

/// An in-memory duplicate index over leads identified by caller-chosen `u64` ids.
///
/// Memory: each lead is a dense `u32` slot (id and arena offset, 16 bytes), its
/// normalised keys packed back to back in one byte arena ([`crate::compact`]), its
/// blocking keys as 12-byte entries of an open-addressing table (or 4 bytes in a shared
/// list), and its id in a second such table — ≈ 270 bytes per lead at 1M leads.
#[derive(Debug, Default)]
pub struct Index {
    config: Config,
    slots: Vec<Slot>,
    free: Vec<u32>,
    by_id: KeyTable,
    postings: Postings,
    /// Packed keys of the leads, each preceded by its length.
    arena: Vec<u8>,
    /// Bytes of the arena held by removed or replaced leads.
    garbage: usize,
    regions: Interner,
    scratch: Vec<u8>,
}


impl Index {
    /// An empty index.
    pub fn new(config: Config) -> Self {
        Index { config, ..Index::default() }
    }

    /// The configuration in use.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Number of indexed leads.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// True when no lead is indexed.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Index (or re-index, replacing the previous version of) a lead.
    pub fn insert(&mut self, id: u64, record: &LeadRecord) {
        self.insert_keys(id, LeadKeys::from_record(record));
    }

    /// Index precomputed keys (e.g. rebuilt from a stored index table).
    pub fn insert_keys(&mut self, id: u64, mut keys: LeadKeys) {
        self.remove(id);
        // The places in a name served to find its region; the index compares regions.
        keys.company.places = Vec::new();
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.slots.push(Slot { id, at: FREE });
                u32::try_from(self.slots.len() - 1).ok().filter(|s| *s < 1 << 31).expect("index holds at most 2^31 leads")
            }
        };
        for k in block_keys(&keys) {
            self.postings.add(k.hash, slot);
        }
        if self.garbage > 1 << 16 && self.garbage > self.arena.len() / 2 {
            self.compact_arena();
        }
        let at = self.arena.len() as u64;
        compact::push_framed(&keys, &mut self.regions, &mut self.scratch, &mut self.arena);
        self.slots[slot as usize] = Slot { id, at };
        self.by_id.insert(id, slot);
    }

    /// Remove a lead; returns whether it was indexed.
    pub fn remove(&mut self, id: u64) -> bool {
        let Some(slot) = self.by_id.remove(id) else {
            return false;
        };
        let s = std::mem::replace(&mut self.slots[slot as usize], Slot { id: 0, at: FREE });
        if s.at != FREE {
            let (packed, frame) = compact::framed(&self.arena[s.at as usize..]);
            let keys = compact::decode(packed, &self.regions);
            for k in block_keys(&keys) {
                self.postings.remove(k.hash, slot);
            }
            self.garbage += frame;
        }
        self.free.push(slot);
        true
    }

    /// Rewrite the arena without the bytes of removed leads.
    fn compact_arena(&mut self) {
        let mut arena = Vec::with_capacity(self.arena.len() - self.garbage);
        for s in self.slots.iter_mut().filter(|s| s.at != FREE) {
            let start = s.at as usize;
            let (_, frame) = compact::framed(&self.arena[start..]);
            s.at = arena.len() as u64;
            arena.extend_from_slice(&self.arena[start..start + frame]);
        }
        self.arena = arena;
        self.garbage = 0;
    }

    /// The packed keys of a live slot.
    fn packed(&self, s: Slot) -> &[u8] {
        compact::framed(&self.arena[s.at as usize..]).0
    }

    /// The normalised form of an indexed lead (without the places of its company
    /// name, which only served to find its region), unpacked.
    pub fn keys(&self, id: u64) -> Option<LeadKeys> {
        let s = self.slots[self.by_id.get(id)? as usize];
        (s.at != FREE).then(|| compact::decode(self.packed(s), &self.regions))
    }

    /// Every indexed lead: its id and normalised keys (as [`Index::keys`]), in no
    /// particular order. Cheaper than normalising the leads again.
    pub fn entries(&self) -> impl Iterator<Item = (u64, LeadKeys)> + '_ {
        self.slots.iter().filter(|s| s.at != FREE).map(|s| (s.id, compact::decode(self.packed(*s), &self.regions)))
    }

    /// Known leads matching `record` at or above the threshold, best first, at most `limit`.
    pub fn check(&self, record: &LeadRecord, limit: usize) -> Vec<Match> {
        self.check_keys(&LeadKeys::from_record(record), limit)
    }

    /// [`Index::check`] for precomputed keys.
    pub fn check_keys(&self, keys: &LeadKeys, limit: usize) -> Vec<Match> {
        self.check_keys_excluding(keys, limit, None)
    }

    /// Like [`Index::check_keys`], ignoring the lead `exclude` (a lead checked against
    /// an index that already holds it).
    pub fn check_keys_excluding(&self, keys: &LeadKeys, limit: usize, exclude: Option<u64>) -> Vec<Match> {
        self.check_keys_scoring_at_most(keys, limit, exclude, self.config.max_candidates)
    }

    /// Like [`Index::check_keys_excluding`], scoring at most `max_candidates` of the
    /// best-blocked candidates (bulk callers trade a little recall on very common
    /// names for speed).
    pub fn check_keys_scoring_at_most(
        &self,
        keys: &LeadKeys,
        limit: usize,
        exclude: Option<u64>,
        max_candidates: usize,
    ) -> Vec<Match> {
        self.search(keys, limit, exclude, max_candidates, self.config.threshold)
    }

    /// Likely *and possible* matches of `keys`: every known lead scoring at least
    /// `config.possible`, best first (a match below `config.threshold` is only
    /// possibly the same customer).
    pub fn check_possible(&self, keys: &LeadKeys, limit: usize, exclude: Option<u64>) -> Vec<Match> {
        self.search(keys, limit, exclude, self.config.max_candidates, self.config.possible.min(self.config.threshold))
    }

    fn search(&self, keys: &LeadKeys, limit: usize, exclude: Option<u64>, max_candidates: usize, threshold: f32) -> Vec<Match> {
        if limit == 0 || keys.is_empty() {
            return Vec::new();
        }
        let mut hits: FxHashMap<u32, u32> = FxHashMap::default();
        let bkeys: Vec<BlockKey> = block_keys(keys);
        // With a region, same-region name keys find the firms that can match on name;
        // plain name keys then only add the few leads filed without a region.
        let has_region_keys = bkeys.iter().any(|k| k.kind == KeyKind::RegionName);
        let plain_limit = if has_region_keys { self.config.max_posting / 8 } else { self.config.max_posting };
        let mut ctx = PairContext::default();
        for k in &bkeys {
            let list = self.postings.get(k.hash);
            if list.is_empty() {
                continue;
            }
            let weight = match k.kind {
                KeyKind::Exact => 4,
                KeyKind::Phone => {
                    ctx.phone_companies = self.companies_among(list, keys);
                    4
                }
                KeyKind::RegionName if list.len() <= self.config.max_posting => 2,
                KeyKind::Name if list.len() <= plain_limit => 1,
                _ => continue,
            };
            for slot in list {
                *hits.entry(*slot).or_insert(0) += weight;
            }
        }
        let mut ranked: Vec<(u32, u32)> = hits.into_iter().collect();
        if ranked.len() > max_candidates {
            // Ties by lead id, not slot: which candidates survive the cut must not
            // depend on the order the index learnt the leads in.
            let id = |slot: u32| {
                let s = self.slots[slot as usize];
                if s.at == FREE {
                    u64::MAX
                } else {
                    s.id
                }
            };
            ranked.select_nth_unstable_by(max_candidates, |a, b| b.1.cmp(&a.1).then(id(a.0).cmp(&id(b.0))));
            ranked.truncate(max_candidates);
        }
        let mut other = LeadKeys::default();
        let mut out: Vec<Match> = Vec::new();
        for (slot, _) in ranked {
            let s = self.slots[slot as usize];
            if s.at == FREE || Some(s.id) == exclude {
                continue;
            }
            compact::decode_into(self.packed(s), &self.regions, &mut other);
            let pair_ctx = if keys.phone.compare(&other.phone) == crate::normalize::PhoneMatch::Same { ctx } else { PairContext::default() };
            if let Some(sc) = score_at_least(keys, &other, threshold, pair_ctx) {
                out.push(Match { id: s.id, score: sc.score, reasons: sc.reasons, against: sc.against });
            }
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
        out.truncate(limit);
        out
    }

    /// How many different companies the leads filed under one phone (and the lead being
    /// checked) belong to; names at least 90% alike count as one. Counts up to the
    /// point where the phone stops identifying a company, so it stays cheap.
    fn companies_among(&self, slots: &[u32], keys: &LeadKeys) -> u32 {
        if slots.len() + 1 < SHARED_PHONE_COMPANIES as usize {
            return 0;
        }
        let mut seen: Vec<CompanyName> = Vec::new();
        let mut scratch = CompanyName::default();
        for i in 0..=slots.len().min(64) {
            let name = if i == 0 {
                &keys.company
            } else {
                let s = self.slots[slots[i - 1] as usize];
                if s.at == FREE {
                    continue;
                }
                compact::decode_company_into(self.packed(s), &mut scratch);
                &scratch
            };
            if name.core.is_empty() {
                continue;
            }
            if !seen.iter().any(|n| company_similarity(n, name).is_some_and(|s| s >= 0.9)) {
                seen.push(name.clone());
                if seen.len() >= 2 * SHARED_PHONE_COMPANIES as usize {
                    break;
                }
            }
        }
        seen.len() as u32
    }
}

#[cfg(test)]
#[path = "index_reference.rs"]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lead(company: &str, contact: &str, phone: &str, email: &str) -> LeadRecord {
        LeadRecord {
            company: company.into(),
            contact: contact.into(),
            phone: phone.into(),
            email: email.into(),
            region: "北京".into(),
            address: None,
        }
    }

    #[test]
    fn insert_check_remove() {
        let mut idx = Index::new(Config::default());
        idx.insert(7, &lead("北京市锦信环保科技有限公司", "丁艳", "13626445365", "zhou982@ie994a6.com"));
        idx.insert(8, &lead("北京市晨合医疗器械股份有限公司", "方秀芬", "18095996287", ""));
        assert_eq!(idx.len(), 2);
        let m = idx.check(&lead("锦信环保", "丁女士", "136****5365", ""), 10);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].id, 7);
        assert!(idx.remove(7));
        assert!(!idx.remove(7));
        assert!(idx.check(&lead("锦信环保", "丁女士", "136****5365", ""), 10).is_empty());
        assert_eq!(idx.len(), 1);
    }

    #[test]
    fn reinserting_an_id_replaces_it() {
        let mut idx = Index::new(Config::default());
        idx.insert(1, &lead("北京市锦信环保科技有限公司", "丁艳", "13626445365", ""));
        idx.insert(1, &lead("北京市晨合医疗器械股份有限公司", "方秀芬", "18095996287", ""));
        assert_eq!(idx.len(), 1);
        assert!(idx.check(&lead("锦信环保科技", "丁艳", "13626445365", ""), 10).is_empty());
        assert_eq!(idx.check(&lead("晨合医疗器械", "方秀芬", "18095996287", ""), 10)[0].id, 1);
    }

    #[test]
    fn entries_are_the_indexed_leads_and_their_keys() {
        let mut idx = Index::new(Config::default());
        idx.insert(1, &lead("北京市锦信环保科技有限公司", "丁艳", "13626445365", ""));
        idx.insert(2, &lead("北京市晨合医疗器械股份有限公司", "方秀芬", "18095996287", ""));
        idx.remove(1);
        let entries: Vec<(u64, LeadKeys)> = idx.entries().collect();
        assert_eq!(entries, vec![(2, idx.keys(2).unwrap())]);
    }

    #[test]
    fn empty_candidate_matches_nothing() {
        let mut idx = Index::new(Config::default());
        idx.insert(1, &lead("北京市锦信环保科技有限公司", "丁艳", "13626445365", ""));
        assert!(idx.check(&LeadRecord::default(), 10).is_empty());
    }

    const COMPANIES: &[&str] = &[
        "北京市锦信环保科技有限公司", "锦信（北京）环保", "锦信环保", "北京锦信医疗器械股份有限公司", "天华恒智能科技有限公司",
        "华恒智能", "上海市广东新能", "深圳市晨合医疗器械有限公司", "晨合医疗", "The Palm (Los Angeles)", "Restaurant Katsu",
        "Katsu", "",
    ];
    const CONTACTS: &[&str] = &["丁艳", "丁女士", "方秀芬", "王总", "王建国", "Jianguo Wang", "Lydia Doosey", ""];
    const PHONES: &[&str] = &[
        "13626445365", "136****5365", "13626445366", "18095996287", "010-65521234", "0512-6552 1234", "+1 415 555 0100", "",
    ];
    const EMAILS: &[&str] = &["zhou982@ie994a6.com", "ding@jinxin.cn", "a@qq.com", ""];
    const REGIONS: &[&str] = &["北京", "上海", "广东", ""];
    const ADDRESSES: &[Option<&str>] = &[None, Some("北京市朝阳区建国路88号"), Some("9 N. Main Ave"), Some("9 North Main Avenue")];

    fn record_strategy() -> impl Strategy<Value = LeadRecord> {
        (0..COMPANIES.len(), 0..CONTACTS.len(), 0..PHONES.len(), 0..EMAILS.len(), 0..REGIONS.len(), 0..ADDRESSES.len()).prop_map(
            |(c, k, p, e, r, a)| LeadRecord {
                company: COMPANIES[c].into(),
                contact: CONTACTS[k].into(),
                phone: PHONES[p].into(),
                email: EMAILS[e].into(),
                region: REGIONS[r].into(),
                address: ADDRESSES[a].map(Into::into),
            },
        )
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u64, LeadRecord),
        Remove(u64),
        Check(LeadRecord, Option<u64>, usize),
    }

    fn op_strategy() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0u64..24, record_strategy()).prop_map(|(id, r)| Op::Insert(id.wrapping_mul(0x9E37_79B9_7F4A_7C15), r)),
            1 => (0u64..24).prop_map(|id| Op::Remove(id.wrapping_mul(0x9E37_79B9_7F4A_7C15))),
            2 => (record_strategy(), proptest::option::of(0u64..24), 1usize..6)
                .prop_map(|(r, ex, m)| Op::Check(r, ex.map(|id| id.wrapping_mul(0x9E37_79B9_7F4A_7C15)), m)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Inserted, replaced and removed leads: the packed index finds exactly what the
        /// straightforward one finds (same ids, scores, reasons), with the default limits
        /// and with limits small enough to cut candidates and skip long name postings.
        #[test]
        fn packed_index_answers_like_the_reference(ops in proptest::collection::vec(op_strategy(), 1..120), small in any::<bool>()) {
            let config = if small { Config { max_candidates: 3, max_posting: 4, ..Config::default() } } else { Config::default() };
            let mut idx = Index::new(config.clone());
            let mut reference = reference::Reference::new(config.clone());
            for op in ops {
                match op {
                    Op::Insert(id, r) => {
                        idx.insert(id, &r);
                        reference.insert_keys(id, LeadKeys::from_record(&r));
                        prop_assert_eq!(idx.keys(id), reference.keys(id).cloned());
                    }
                    Op::Remove(id) => prop_assert_eq!(idx.remove(id), reference.remove(id)),
                    Op::Check(r, exclude, max_candidates) => {
                        let keys = LeadKeys::from_record(&r);
                        let possible = config.possible.min(config.threshold);
                        prop_assert_eq!(
                            idx.check_possible(&keys, 10, exclude),
                            reference.search(&keys, 10, exclude, config.max_candidates, possible)
                        );
                        prop_assert_eq!(
                            idx.check_keys_scoring_at_most(&keys, 3, exclude, max_candidates),
                            reference.search(&keys, 3, exclude, max_candidates, config.threshold)
                        );
                    }
                }
                prop_assert_eq!(idx.len(), reference.len());
            }
        }
    }

    #[test]
    fn arena_is_compacted_after_many_replacements() {
        let mut idx = Index::new(Config::default());
        let a = lead("北京市锦信环保科技有限公司", "丁艳", "13626445365", "zhou982@ie994a6.com");
        let b = lead("北京市晨合医疗器械股份有限公司", "方秀芬", "18095996287", "");
        for round in 0..4000u64 {
            idx.insert(round % 50, if round % 2 == 0 { &a } else { &b });
        }
        assert!(idx.arena.len() < 4 * ((1 << 16) + 50 * 200), "arena {} bytes", idx.arena.len());
        assert_eq!(idx.len(), 50);
        assert_eq!(idx.keys(1), Some({
            let mut k = LeadKeys::from_record(&b);
            k.company.places.clear();
            k
        }));
        // Odd ids were last written as `b`.
        let found = idx.check(&lead("晨合医疗器械", "方秀芬", "18095996287", ""), 100);
        assert_eq!(found.iter().map(|m| m.id).collect::<Vec<_>>(), (1..50).step_by(2).collect::<Vec<_>>());
    }
}
