//! The event → change map (`event_changes`): which change carries each event, so the
//! hub receipt of an event can be found ([`crate::receipts`], [`crate::timing`]).

use std::collections::{BTreeSet, HashMap};

use automerge::Change;
use rusqlite::params;

use crate::error::Result;
use crate::layout;
use crate::registry::Registry;

/// The ids of the events a change inserts, read from its operations. The change
/// message also lists them (`{dev, rep, at, ev: [...]}`), but a message is the
/// device's word: a change that does not label its events, or labels another
/// change's, must not escape the receipt of the change that really carries them.
pub(crate) fn carried_events(change: &Change) -> Vec<String> {
    // decode() expects a validated change (it is: it was parsed from bytes); a panic
    // in it must still not abort a merge.
    let Ok(expanded) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change.decode())) else {
        return Vec::new();
    };
    carried_in(&expanded)
}

/// [`carried_events`] of a change already expanded.
pub(crate) fn carried_in(expanded: &automerge::ExpandedChange) -> Vec<String> {
    use automerge::legacy::OpType;
    expanded
        .operations
        .iter()
        .filter(|op| op.insert)
        .filter_map(|op| match &op.action {
            OpType::Put(automerge::ScalarValue::Str(s)) => serde_json::from_str::<serde_json::Value>(s)
                .ok()
                .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_string)),
            _ => None,
        })
        .collect()
}

impl Registry {
    /// Remembers which change carries an event (to find its hub receipt).
    pub(crate) fn note_event_change(&self, event_id: &str, lead_id: &str, hash: &[u8]) -> Result<()> {
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO event_changes(event_id, lead_id, hash) VALUES (?1, ?2, ?3)")?
            .execute(params![event_id, lead_id, hash])?;
        Ok(())
    }

    /// Leads whose events are carried by these changes.
    pub(crate) fn leads_of_changes(&self, hashes: &[[u8; 32]]) -> Result<BTreeSet<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT DISTINCT lead_id FROM event_changes WHERE hash = ?1")?;
        let mut out = BTreeSet::new();
        for h in hashes {
            for id in stmt.query_map([&h[..]], |r| r.get::<_, String>(0))? {
                out.insert(id?);
            }
        }
        Ok(out)
    }

    /// Notes the carrying change of every event in every lead document, from the
    /// stored changes.
    pub(crate) fn note_all_event_changes(&mut self) -> Result<()> {
        let reg = self;
        let doc_ids: Vec<String> = {
            let mut stmt = reg.conn.prepare("SELECT doc_id FROM docs WHERE doc_id NOT LIKE 'directory/%'")?;
            let rows = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            rows
        };
        for doc_id in &doc_ids {
            let mut event_lead: HashMap<String, String> = HashMap::new();
            {
                let loaded = reg.docs.get(&reg.conn, doc_id)?;
                for lead in layout::lead_ids(&loaded.doc) {
                    for e in layout::read_events(&loaded.doc, &lead)?.unwrap_or_default() {
                        event_lead.insert(e.id, lead.clone());
                    }
                }
            }
            let changes: Vec<(Vec<u8>, Vec<u8>)> = {
                // In hub order, so a copied event id maps to the hub's first change.
                let mut stmt = reg.conn.prepare(
                    "SELECT hash, bytes FROM changes WHERE doc_id = ?1 ORDER BY hub_seq IS NULL, hub_seq, seq",
                )?;
                let rows = stmt.query_map([doc_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            for (hash, bytes) in changes {
                let Ok(change) = Change::from_bytes(bytes) else { continue };
                for ev in carried_events(&change) {
                    if let Some(lead) = event_lead.get(&ev) {
                        reg.note_event_change(&ev, lead, &hash)?;
                    }
                }
            }
        }
        Ok(())
    }
}
