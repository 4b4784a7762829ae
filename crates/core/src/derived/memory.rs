//! Queries answered by the in-memory views (the duplicate index and the short-search
//! text), each built from `lead_index` on first use and then kept current by the
//! pipeline ([`super::views`]) after every commit.

use chrono::{DateTime, Utc};
use leadguard_dedup::{LeadKeys, Match};

use crate::duplicate_index::{lead_id, numeric_id, DuplicateIndex};
use crate::error::Result;
use crate::lead_index::{self, Page, COUNT_CAP};
use crate::model::LeadFields;
use crate::registry::Registry;

impl Registry {
    /// Builds the duplicate index from the lead index table if it is not built yet.
    pub fn warm_dedup(&mut self) -> Result<usize> {
        self.refresh_if_changed()?;
        if self.memory.dedup.is_none() {
            self.memory.dedup = Some(DuplicateIndex::build(&self.conn)?);
        }
        Ok(self.memory.dedup.as_ref().map_or(0, DuplicateIndex::len))
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
        // The typed values' digests (once per value), to meet sealed leads.
        let typed = self.identity_of(fields, None)?;
        let Some(d) = &self.memory.dedup else { return Ok(Vec::new()) };
        let keys = LeadKeys::from_record(&typed);
        let found = d.check_possible(&keys, limit, exclude.and_then(numeric_id));
        Ok(found.into_iter().map(|m| (lead_id(m.id), m)).collect())
    }

    /// One page of every lead matching the search text `q` (see [`crate::short_search`]).
    pub fn short_search(&mut self, q: &str, at: DateTime<Utc>, limit: u32, offset: u64) -> Result<Page> {
        self.refresh_if_changed()?;
        let (ids, total) = self.memory.search.with(&self.conn, |s| s.find(q.trim(), offset, limit.min(1000)))?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(row) = lead_index::get(&self.conn, &id)? {
                rows.push(row.at(at));
            }
        }
        Ok(Page { rows, total: total.min(COUNT_CAP), total_capped: total > COUNT_CAP })
    }
}