//! The hub receipts of a lead's events, read from the store, and whether a new
//! receipt calls for re-deriving the leads it covers.
//!
//! An event's effective time depends on the receipt of the change that carries it
//! ([`crate::timing`]), so a receipt arriving (an acknowledgement of this device's
//! push, or a pulled copy of a change it already had) can change a lead's status: the
//! lead is re-derived through [`crate::derived`] in the same transaction.

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use crate::error::Result;
use crate::model::Event;
use crate::registry::Registry;
use crate::timing::{Receipt, Timing};

fn parse_time(s: Option<String>) -> Option<DateTime<Utc>> {
    s.and_then(|v| DateTime::parse_from_rfc3339(&v).ok()).map(|t| t.with_timezone(&Utc))
}

impl Registry {
    /// The receipts of `events` (those whose change reached the hub).
    pub fn timing(&self, events: &[Event]) -> Result<Timing> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.hub_received_at, c.device_prev_sync FROM event_changes ec
             JOIN changes c ON c.hash = ec.hash WHERE ec.event_id = ?1",
        )?;
        let mut timing = Timing::none();
        for e in events {
            let row: Option<(Option<String>, Option<String>)> =
                stmt.query_row([&e.id], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            if let Some((received, prev)) = row {
                let receipt = Receipt { received_at: parse_time(received), device_prev_sync: parse_time(prev) };
                if receipt != Receipt::default() {
                    timing.insert(e.id.clone(), receipt);
                }
            }
        }
        Ok(timing)
    }

    /// Whether the receipt `[device_prev_sync, received_at]` of a local change can move
    /// the effective time of the events it carries: only if the change was written
    /// (device clock, whole seconds) outside it. An honest clock's change stays put,
    /// so a large push does not re-derive every lead it touched.
    pub(crate) fn receipt_moves(
        &self,
        hash: &[u8; 32],
        device_prev_sync: Option<DateTime<Utc>>,
        received_at: DateTime<Utc>,
    ) -> Result<bool> {
        let bytes: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT bytes FROM changes WHERE hash = ?1")?
            .query_row([&hash[..]], |r| r.get(0))
            .optional()?;
        let Some(change) = bytes.and_then(|b| automerge::Change::from_bytes(b).ok()) else { return Ok(true) };
        let Some(written) = DateTime::<Utc>::from_timestamp(change.timestamp(), 0) else { return Ok(true) };
        // The device time lies in [written, written + 1 s).
        let inside = device_prev_sync.is_none_or(|f| written >= f) && written + chrono::Duration::seconds(1) <= received_at;
        Ok(!inside)
    }

}
