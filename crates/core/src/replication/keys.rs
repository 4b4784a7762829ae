//! Lead keys through the hub (docs/VISIBILITY.md "Keys and entitlement"): the keys of
//! the leads this device registered go up once; the hub's grants (leads this device's
//! user may now see in full) and revocations (leads they no longer may) come down.
//!
//! A grant re-derives the lead's rows with its contacts opened; a revocation deletes
//! the key and re-derives them masked, then the write-ahead log is truncated, so
//! (with `secure_delete`, `store.rs`) no readable copy stays in the data directory.

use std::collections::BTreeSet;

use crate::derived::{self, Batch};
use crate::error::Result;
use crate::registry::Registry;

/// What applying the hub's key answer changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyReport {
    /// Leads whose key is new here.
    pub granted: Vec<String>,
    /// Leads whose key this device deleted.
    pub revoked: Vec<String>,
}

impl Registry {
    /// Keys of leads this device registered that the hub has not stored yet:
    /// `(lead id, key as 64 hex digits)`.
    pub fn lead_keys_to_push(&self) -> Result<Vec<(String, String)>> {
        self.unpushed_lead_keys()
    }

    /// The hub stored these keys.
    pub fn lead_keys_pushed(&mut self, lead_ids: &[String]) -> Result<()> {
        self.mark_lead_keys_pushed(lead_ids)
    }

    /// Keeps the granted keys, forgets the revoked ones, and re-derives the rows of
    /// every lead that changed, in one transaction; after a revocation the
    /// write-ahead log is truncated.
    pub fn apply_lead_keys(&mut self, grants: &[(String, String)], revocations: &[String]) -> Result<KeyReport> {
        let report = self.transact(|reg| {
            let mut report = KeyReport::default();
            for (lead, key) in grants {
                if reg.keep_granted_key(lead, key)? {
                    report.granted.push(lead.clone());
                }
            }
            for lead in revocations {
                if reg.forget_lead_key(lead)? {
                    report.revoked.push(lead.clone());
                }
            }
            let changed: BTreeSet<String> = report.granted.iter().chain(&report.revoked).cloned().collect();
            if !changed.is_empty() {
                let mut batch = Batch::default();
                derived::reindex_leads(reg, &mut batch, &changed)?;
                derived::finish(reg, &batch)?;
            }
            if !report.revoked.is_empty() {
                // The full-text index keeps deleted terms in its segments until they
                // are merged: bring it up to the re-derived rows first (it catches up
                // once per transaction, `lead_index::sync_fts`), then merge them now.
                crate::lead_index::sync_fts(&reg.conn)?;
                reg.conn.execute("INSERT INTO lead_fts(lead_fts) VALUES ('optimize')", [])?;
            }
            Ok(report)
        })?;
        if !report.revoked.is_empty() {
            self.forget_readable_copies()?;
        }
        Ok(report)
    }

    /// Truncates the write-ahead log (its frames may hold the pages of rows derived
    /// with a key that is gone) and empties the free pages.
    fn forget_readable_copies(&mut self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}
