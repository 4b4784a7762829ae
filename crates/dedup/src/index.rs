//! The in-memory duplicate index: normalised leads plus postings from blocking keys to
//! leads, kept in step with the registry by `insert`/`remove`.
//!
//! A check normalises the candidate once, follows its blocking keys, ranks the leads
//! found by how many keys they share, and scores at most `max_candidates` of them —
//! never a scan, so its cost depends on how common the candidate's keys are, not on
//! how many leads are indexed.

use crate::blocking::{block_keys, BlockKey, KeyKind};
use crate::record::{LeadKeys, LeadRecord};
use crate::postings::Postings;
use crate::score::{company_similarity, score_at_least, Config, Match, PairContext, SHARED_PHONE_COMPANIES};
use rustc_hash::FxHashMap;

/// An in-memory duplicate index over leads identified by caller-chosen `u64` ids.
#[derive(Debug, Default)]
pub struct Index {
    config: Config,
    slots: Vec<Option<(u64, LeadKeys)>>,
    free: Vec<u32>,
    by_id: FxHashMap<u64, u32>,
    postings: Postings,
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
                self.slots.push(None);
                u32::try_from(self.slots.len() - 1).ok().filter(|s| *s < 1 << 31).expect("index holds at most 2^31 leads")
            }
        };
        for k in block_keys(&keys) {
            self.postings.add(k.hash, slot);
        }
        self.slots[slot as usize] = Some((id, keys));
        self.by_id.insert(id, slot);
    }

    /// Remove a lead; returns whether it was indexed.
    pub fn remove(&mut self, id: u64) -> bool {
        let Some(slot) = self.by_id.remove(&id) else {
            return false;
        };
        if let Some((_, keys)) = self.slots[slot as usize].take() {
            for k in block_keys(&keys) {
                self.postings.remove(k.hash, slot);
            }
        }
        self.free.push(slot);
        true
    }

    /// The normalised form of an indexed lead (without the places of its company
    /// name, which only served to find its region).
    pub fn keys(&self, id: u64) -> Option<&LeadKeys> {
        let slot = *self.by_id.get(&id)?;
        self.slots[slot as usize].as_ref().map(|(_, k)| k)
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
            let id = |slot: u32| self.slots[slot as usize].as_ref().map_or(u64::MAX, |(id, _)| *id);
            ranked.select_nth_unstable_by(max_candidates, |a, b| b.1.cmp(&a.1).then(id(a.0).cmp(&id(b.0))));
            ranked.truncate(max_candidates);
        }
        let mut out: Vec<Match> = ranked
            .into_iter()
            .filter_map(|(slot, _)| {
                let (id, other) = self.slots[slot as usize].as_ref()?;
                if Some(*id) == exclude {
                    return None;
                }
                let pair_ctx = if keys.phone.compare(&other.phone) == crate::normalize::PhoneMatch::Same { ctx } else { PairContext::default() };
                let s = score_at_least(keys, other, threshold, pair_ctx)?;
                Some(Match { id: *id, score: s.score, reasons: s.reasons, against: s.against })
            })
            .collect();
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
        let mut seen: Vec<&crate::normalize::CompanyName> = Vec::new();
        let names = std::iter::once(&keys.company)
            .chain(slots.iter().take(64).filter_map(|s| self.slots[*s as usize].as_ref().map(|(_, k)| &k.company)));
        for name in names {
            if name.core.is_empty() {
                continue;
            }
            if !seen.iter().any(|n| company_similarity(n, name).is_some_and(|s| s >= 0.9)) {
                seen.push(name);
                if seen.len() >= 2 * SHARED_PHONE_COMPANIES as usize {
                    break;
                }
            }
        }
        seen.len() as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn empty_candidate_matches_nothing() {
        let mut idx = Index::new(Config::default());
        idx.insert(1, &lead("北京市锦信环保科技有限公司", "丁艳", "13626445365", ""));
        assert!(idx.check(&LeadRecord::default(), 10).is_empty());
    }
}
