//! The in-memory duplicate index: [`leadguard_dedup::Index`] over every lead's
//! identifying fields, kept in step with the lead index table. (Collision detection
//! finds its `dup_links` in [`crate::link_blocks`] instead.)
//!
//! It is built on the first duplicate check from `lead_index` (no Automerge document
//! is loaded; [`crate::derived::memory`]), then updated after every committed write and
//! merge through [`crate::memory_views`]. Lead ids are 16 hex digits, i.e. a `u64`, which is the id the
//! dedup index takes; an id that is not (only possible in hand-crafted data) is left
//! out of duplicate checks.

use leadguard_dedup::{Config, Index, LeadKeys, LeadRecord, Match};

use crate::error::Result;
use crate::model::LeadFields;

pub struct DuplicateIndex {
    index: Index,
}

pub fn numeric_id(lead_id: &str) -> Option<u64> {
    (lead_id.len() == 16).then(|| u64::from_str_radix(lead_id, 16).ok()).flatten()
}

pub fn lead_id(n: u64) -> String {
    format!("{n:016x}")
}

/// The identifying fields of a lead as every replica sees them: a sealed contact,
/// phone or e-mail counts as absent, and a sealed phone is matched on its masked form
/// (docs/VISIBILITY.md: cases are derived from open fields only).
pub fn record(f: &LeadFields) -> LeadRecord {
    let s = |o: &Option<String>| o.clone().filter(|v| !leadguard_seal::is_sealed(v)).unwrap_or_default();
    let phone = match f.phone.as_deref() {
        Some(p) if leadguard_seal::is_sealed(p) => f.phone_masked.clone().unwrap_or_default(),
        _ => s(&f.phone),
    };
    LeadRecord {
        company: s(&f.company),
        contact: s(&f.contact),
        phone,
        email: s(&f.email),
        region: s(&f.region),
        address: None,
    }
}

impl DuplicateIndex {
    /// Builds the index from the lead index table (no document is loaded).
    pub(crate) fn build(conn: &rusqlite::Connection) -> Result<DuplicateIndex> {
        let mut index = Index::new(Config::default());
        crate::lead_index::for_each_identity(conn, |id, company, contact, phone, email, region| {
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
        Ok(DuplicateIndex { index })
    }

    /// Likely and possible matches of `keys` (see [`Index::check_possible`]).
    pub(crate) fn check_possible(&self, keys: &LeadKeys, limit: usize, exclude: Option<u64>) -> Vec<Match> {
        self.index.check_possible(keys, limit, exclude)
    }

    /// The keys the index holds for a lead (verification).
    pub(crate) fn keys(&self, lead_id: &str) -> Option<LeadKeys> {
        numeric_id(lead_id).and_then(|n| self.index.keys(n))
    }

    /// Replaces the entry of one lead.
    pub fn upsert(&mut self, lead_id: &str, fields: &LeadFields) {
        if let Some(n) = numeric_id(lead_id) {
            self.index.remove(n);
            self.index.insert(n, &record(fields));
        }
    }

    /// Every indexed lead's numeric id and keys (what the link blocks start from).
    pub(crate) fn entries(&self) -> impl Iterator<Item = (u64, LeadKeys)> + '_ {
        self.index.entries()
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }
}
