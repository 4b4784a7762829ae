//! Keeps in-memory derived state (the duplicate index) in step with committed writes.
//!
//! Writes report each lead whose fields may have changed; the reports are held until
//! the SQLite transaction commits and dropped if it rolls back, so the in-memory index
//! never knows a lead the database does not.

use crate::model::LeadFields;

#[derive(Default)]
pub struct Hooks {
    pending: Vec<(String, LeadFields)>,
    /// The duplicate index, once built.
    pub(crate) dedup: Option<crate::dedup_link::DedupIndex>,
}

impl Hooks {
    pub fn lead_written(&mut self, lead_id: &str, fields: &LeadFields) {
        if self.dedup.is_some() {
            self.pending.push((lead_id.to_string(), fields.clone()));
        }
    }

    pub fn checkpoint(&self) -> usize {
        self.pending.len()
    }

    pub fn rollback(&mut self, checkpoint: usize) {
        self.pending.truncate(checkpoint);
    }

    pub fn commit(&mut self) {
        if let Some(index) = &mut self.dedup {
            for (id, fields) in self.pending.drain(..) {
                index.upsert(&id, &fields);
            }
        } else {
            self.pending.clear();
        }
    }
}
