//! Re-deriving every case from scratch: for registries written before cases existed
//! (schema 4), and after a policy change (what counts as a claim may change).

use std::collections::{BTreeSet, HashMap};

use automerge::Change;

use crate::error::Result;
use crate::layout;
use crate::registry::Registry;
use crate::store;

/// Meta key set once every case of the registry has been derived.
pub const META_CASES_BUILT: &str = "collisions.built";
/// Meta key set once every status is derived on effective (hub-clamped) times.
pub const META_EFFECTIVE_TIMES: &str = "status.effective_times";

/// The ids of the events a change inserts, read from its operations. The change
/// message also lists them (`{dev, rep, at, ev: [...]}`), but a message is the
/// device's word: a change that does not label its events, or labels another
/// change's, must not escape the receipt of the change that really carries them.
pub(crate) fn carried_events(change: &Change) -> Vec<String> {
    use automerge::legacy::OpType;
    // decode() expects a validated change (it is: it was parsed from bytes); a panic
    // in it must still not abort a merge.
    let Ok(expanded) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change.decode())) else {
        return Vec::new();
    };
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
    /// Derives cases once for a registry that predates them, and statuses once for one
    /// that predates effective times (it judged events on device clocks and mapped
    /// events to changes by their messages). Cheap when done.
    pub(crate) fn ensure_cases_built(&mut self) -> Result<()> {
        if store::meta_get(&self.conn, META_CASES_BUILT)?.is_some()
            && store::meta_get(&self.conn, META_EFFECTIVE_TIMES)?.is_some()
        {
            return Ok(());
        }
        self.rebuild_collisions()?;
        self.reindex()?;
        store::meta_set(&self.conn, META_EFFECTIVE_TIMES, Some("1"))
    }

    /// Rebuilds the event → change map, every duplicate link and every case.
    pub fn rebuild_collisions(&mut self) -> Result<()> {
        self.warm_dedup()?;
        self.transact(|reg| reg.rebuild_collisions_within())
    }

    /// [`Registry::rebuild_collisions`] inside the caller's transaction (the doctor
    /// rebuilds the index rows first, in the same transaction).
    pub(crate) fn rebuild_collisions_within(&mut self) -> Result<()> {
        let reg = self;
        {
            reg.conn.execute_batch(
                "DELETE FROM event_changes; DELETE FROM dup_links; DELETE FROM cases;
                 DELETE FROM case_leads; DELETE FROM case_reps;",
            )?;
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
            let leads: BTreeSet<String> = {
                let mut stmt = reg.conn.prepare("SELECT lead_id FROM lead_index")?;
                let rows = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<BTreeSet<String>>>()?;
                rows
            };
            reg.refresh_collisions(&leads, &BTreeSet::new())?;
            store::meta_set(&reg.conn, META_CASES_BUILT, Some("1"))?;
            Ok(())
        }
    }

    /// Re-derives the cases of every lead (claims may have changed with the policy).
    pub(crate) fn refresh_all_cases(&mut self) -> Result<()> {
        let leads: BTreeSet<String> = {
            let mut stmt = self.conn.prepare("SELECT lead_id FROM lead_index")?;
            let rows = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<BTreeSet<String>>>()?;
            rows
        };
        self.refresh_collisions(&BTreeSet::new(), &leads)
    }
}
