//! The registry's duplicate index: [`leadguard_dedup::Index`] kept in step with the
//! lead index table.
//!
//! It is built on the first duplicate check from `lead_index` (no Automerge document
//! is loaded), then updated after every committed write and merge through
//! [`crate::hooks`]. Lead ids are 16 hex digits, i.e. a `u64`, which is the id the
//! dedup index takes; an id that is not (only possible in hand-crafted data) is left
//! out of duplicate checks.

use leadguard_dedup::{Config, Index, LeadKeys, LeadRecord, Match};

use crate::error::Result;
use crate::model::LeadFields;
use crate::registry::Registry;

/// Candidates scored per lead when merges look for duplicate links: the best-blocked
/// 64 (sharing phone, e-mail or name keys) rather than the 512 an interactive check
/// scores; see `bench-collisions`.
pub const COLLISION_CANDIDATES: usize = 64;

pub struct DedupIndex {
    index: Index,
}

pub fn numeric_id(lead_id: &str) -> Option<u64> {
    (lead_id.len() == 16).then(|| u64::from_str_radix(lead_id, 16).ok()).flatten()
}

pub fn lead_id(n: u64) -> String {
    format!("{n:016x}")
}

pub fn record(f: &LeadFields) -> LeadRecord {
    let s = |o: &Option<String>| o.clone().unwrap_or_default();
    LeadRecord {
        company: s(&f.company),
        contact: s(&f.contact),
        phone: s(&f.phone),
        email: s(&f.email),
        region: s(&f.region),
        address: None,
    }
}

impl DedupIndex {
    /// Replaces the entry of one lead.
    pub fn upsert(&mut self, lead_id: &str, fields: &LeadFields) {
        if let Some(n) = numeric_id(lead_id) {
            self.index.remove(n);
            self.index.insert(n, &record(fields));
        }
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Ids of known leads matching `keys` above the threshold (collision detection).
    pub(crate) fn candidates(&self, keys: &LeadKeys, limit: usize, exclude: Option<u64>) -> Vec<u64> {
        self.index.check_keys_scoring_at_most(keys, limit, exclude, COLLISION_CANDIDATES).into_iter().map(|m| m.id).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

impl Registry {
    /// Builds the duplicate index from the lead index table if it is not built yet.
    pub fn warm_dedup(&mut self) -> Result<usize> {
        self.refresh_if_changed()?;
        if self.hooks.dedup.is_none() {
            let mut index = Index::new(Config::default());
            crate::index::for_each_identity(&self.conn, |id, company, contact, phone, email, region| {
                if let Some(n) = numeric_id(id) {
                    let r = LeadRecord {
                        company: company.into(),
                        contact: contact.into(),
                        phone: phone.into(),
                        email: email.into(),
                        region: region.into(),
                        address: None,
                    };
                    index.insert_keys(n, LeadKeys::from_record(&r));
                }
            })?;
            self.hooks.dedup = Some(DedupIndex { index });
        }
        Ok(self.hooks.dedup.as_ref().map_or(0, DedupIndex::len))
    }

    /// Likely duplicates of `fields` (at or above the branch policy's threshold), best
    /// first, ignoring `exclude`.
    pub fn duplicates(&mut self, fields: &LeadFields, limit: usize, exclude: Option<&str>) -> Result<Vec<(String, Match)>> {
        let threshold = self.policy(self.branch()).dup_threshold();
        let mut found = self.possible_duplicates(fields, limit, exclude)?;
        found.retain(|(_, m)| m.score >= threshold);
        Ok(found)
    }

    /// Likely and possible duplicates of `fields` (score at least
    /// `Config::possible`), best first, ignoring `exclude`; a match below the branch
    /// policy's threshold is only possibly the same customer.
    pub fn possible_duplicates(&mut self, fields: &LeadFields, limit: usize, exclude: Option<&str>) -> Result<Vec<(String, Match)>> {
        self.warm_dedup()?;
        let Some(d) = &self.hooks.dedup else { return Ok(Vec::new()) };
        let keys = LeadKeys::from_record(&record(fields));
        let found = d.index.check_possible(&keys, limit, exclude.and_then(numeric_id));
        Ok(found.into_iter().map(|m| (lead_id(m.id), m)).collect())
    }
}
