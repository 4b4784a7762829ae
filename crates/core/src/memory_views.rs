//! Keeps in-memory derived state (the duplicate index, the short-search text) in step
//! with committed writes.
//!
//! Writes report each lead whose fields may have changed; the reports are held until
//! the SQLite transaction commits and dropped if it rolls back, so the in-memory index
//! never knows a lead the database does not.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::{Event, LeadFields};
use leadguard_dedup::{LeadKeys, LeadRecord};

#[derive(Default)]
pub struct MemoryViews {
    pending: Vec<(String, LeadRecord, LeadFields, i64)>,
    /// The duplicate index, once built.
    pub(crate) dedup: Option<crate::duplicate_index::DuplicateIndex>,
    /// The text of searches, once built; shared with the apps' lead reader.
    pub(crate) search: crate::short_search::SharedSearch,
    /// The blocks duplicate links are found in, once built: changed inside the
    /// transaction (by the collision view) and dropped if it rolls back.
    pub(crate) links: Option<crate::link_blocks::LinkBlocks>,
    /// The digest cache: `None` until read, `Some(None)` on a device without the
    /// company keys. Kept across [`MemoryViews::drop_memory`] (the keys do not change
    /// with the database).
    pub(crate) digests: Option<Option<Box<dyn crate::duplicate_index::KeyedDigests + Send>>>,
    /// Set while pulled changes are applied in the app's sync: plain values not
    /// digested yet are left for later ([`crate::digest_backlog`]).
    pub(crate) defer_digests: bool,
    /// Leads whose identity still lacks a keyed digest of a plain value. Kept across
    /// [`MemoryViews::drop_memory`] and rollbacks: re-deriving a lead that needs
    /// nothing changes nothing.
    pub(crate) digest_backlog: std::collections::BTreeSet<String>,
    /// A fuzzy block cap other than [`crate::link_blocks::FUZZY_BLOCK_CAP`] (tests only).
    pub(crate) fuzzy_cap: Option<usize>,
    /// Histories the collision view read, by lead: a case is re-derived from all the
    /// leads of its customer, most of them unchanged, and reading a lead from its
    /// Automerge document costs far more than a copy. An entry goes when the lead's
    /// events change ([`crate::derived::lead_changed`]); all go on a rollback.
    pub(crate) histories: HashMap<String, Arc<Vec<Event>>>,
    /// Keys the link blocks normalised in the open transaction, with the identity they
    /// came from: the duplicate index takes them at the commit instead of normalising
    /// the same leads again (a page of a first sync normalises 10,000).
    pub(crate) normalised: HashMap<u64, (LeadRecord, LeadKeys)>,
}

/// Histories kept at most; beyond, the cache starts over.
pub(crate) const HISTORIES_KEPT: usize = 50_000;

impl MemoryViews {
    /// A lead's fields (and its `updated_at`, epoch ms) were written in the open
    /// transaction: its identity (what the duplicate index reads, the same on every
    /// replica) and its fields as this device shows them (searched).
    pub fn lead_written(&mut self, lead_id: &str, identity: &LeadRecord, shown: &LeadFields, updated_at: i64) {
        // Kept even before the search text is built: the apps' reader may build it
        // before this commits (a build and a commit order themselves on its lock).
        self.pending.push((lead_id.to_string(), identity.clone(), shown.clone(), updated_at));
    }

    /// Forgets the in-memory state (another process changed the database).
    pub fn drop_memory(&mut self) {
        self.dedup = None;
        self.search.clear();
        self.links = None;
        self.histories.clear();
        self.pending.clear();
        self.normalised.clear();
    }

    pub fn checkpoint(&self) -> usize {
        self.pending.len()
    }

    pub fn rollback(&mut self, checkpoint: usize) {
        self.pending.truncate(checkpoint);
        self.normalised.clear();
        self.links = None;
        self.histories.clear();
    }

    pub fn commit(&mut self) {
        let mut normalised = std::mem::take(&mut self.normalised);
        if let Some(index) = &mut self.dedup {
            for (id, identity, _, _) in &self.pending {
                // Keys normalised from this very identity, else normalised here.
                let known = crate::duplicate_index::numeric_id(id).and_then(|n| normalised.remove(&n)).filter(|(r, _)| r == identity);
                match known {
                    Some((_, keys)) => index.upsert_keys(id, keys),
                    None => index.upsert(id, identity),
                }
            }
        }
        self.search.upsert_all(self.pending.iter().map(|(id, _, shown, updated_at)| (id.as_str(), shown, *updated_at)));
        self.pending.clear();
    }
}
