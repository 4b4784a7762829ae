//! Keeps in-memory derived state (the duplicate index) in step with committed writes.
//!
//! Writes report each lead whose fields may have changed; the reports are held until
//! the SQLite transaction commits and dropped if it rolls back, so the in-memory index
//! never knows a lead the database does not.

use crate::model::LeadFields;

#[derive(Default)]
pub struct Hooks {
    pending: Vec<(String, LeadFields)>,
    /// Listener for committed lead fields (the duplicate index), when one is attached.
    pub(crate) listener: Option<Box<dyn LeadListener>>,
}

/// Receives the fields of every lead written, after the write committed.
pub trait LeadListener: Send {
    fn lead_committed(&mut self, lead_id: &str, fields: &LeadFields);
}

impl Hooks {
    pub fn lead_written(&mut self, lead_id: &str, fields: &LeadFields) {
        if self.listener.is_some() {
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
        if let Some(listener) = &mut self.listener {
            for (id, fields) in self.pending.drain(..) {
                listener.lead_committed(&id, &fields);
            }
        } else {
            self.pending.clear();
        }
    }
}
