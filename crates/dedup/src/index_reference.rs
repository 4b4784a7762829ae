//! Test only: a straightforward index — keys kept as `LeadKeys`, postings as a
//! `HashMap` of `Vec`s — that the packed [`crate::Index`] must answer exactly like.

use crate::blocking::{block_keys, KeyKind};
use crate::record::LeadKeys;
use crate::score::{company_similarity, score_at_least, Config, Match, PairContext, SHARED_PHONE_COMPANIES};
use rustc_hash::FxHashMap;

#[derive(Default)]
pub struct Reference {
    pub config: Config,
    slots: Vec<Option<(u64, LeadKeys)>>,
    free: Vec<u32>,
    by_id: FxHashMap<u64, u32>,
    postings: FxHashMap<u64, Vec<u32>>,
}

impl Reference {
    pub fn new(config: Config) -> Self {
        Reference { config, ..Reference::default() }
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn insert_keys(&mut self, id: u64, mut keys: LeadKeys) {
        self.remove(id);
        keys.company.places = Vec::new();
        let slot = self.free.pop().unwrap_or_else(|| {
            self.slots.push(None);
            (self.slots.len() - 1) as u32
        });
        for k in block_keys(&keys) {
            self.postings.entry(k.hash).or_default().push(slot);
        }
        self.slots[slot as usize] = Some((id, keys));
        self.by_id.insert(id, slot);
    }

    pub fn remove(&mut self, id: u64) -> bool {
        let Some(slot) = self.by_id.remove(&id) else { return false };
        if let Some((_, keys)) = self.slots[slot as usize].take() {
            for k in block_keys(&keys) {
                let list = self.postings.get_mut(&k.hash).expect("filed");
                if let Some(pos) = list.iter().position(|s| *s == slot) {
                    list.swap_remove(pos);
                }
                if list.is_empty() {
                    self.postings.remove(&k.hash);
                }
            }
        }
        self.free.push(slot);
        true
    }

    pub fn keys(&self, id: u64) -> Option<&LeadKeys> {
        self.slots[*self.by_id.get(&id)? as usize].as_ref().map(|(_, k)| k)
    }

    pub fn search(&self, keys: &LeadKeys, limit: usize, exclude: Option<u64>, max_candidates: usize, threshold: f32) -> Vec<Match> {
        if limit == 0 || keys.is_empty() {
            return Vec::new();
        }
        let bkeys = block_keys(keys);
        let has_region_keys = bkeys.iter().any(|k| k.kind == KeyKind::RegionName);
        let plain_limit = if has_region_keys { self.config.max_posting / 8 } else { self.config.max_posting };
        let mut ctx = PairContext::default();
        let mut hits: FxHashMap<u32, u32> = FxHashMap::default();
        for k in &bkeys {
            let Some(list) = self.postings.get(&k.hash) else { continue };
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
        let id = |slot: u32| self.slots[slot as usize].as_ref().map_or(u64::MAX, |(id, _)| *id);
        let mut ranked: Vec<(u32, u32)> = hits.into_iter().collect();
        // A full sort (not a selection): the first `max_candidates` by shared keys, then id.
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(id(a.0).cmp(&id(b.0))));
        ranked.truncate(max_candidates);
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
