//! Effective times: when an event counts, in hub time.
//!
//! A laptop clock is not evidence (a rep can set it forward to make a colleague's
//! protection look expired, or back to stretch their own). What the hub proves about
//! an event is its *evidence window*: it was written after its device's last
//! successful sync (`from`) and before the hub first received the change carrying it
//! (`to`). An event's effective time is its device time clamped into that window.
//! An event the hub has not received yet has only the lower bound: a laptop offline
//! works on its own clock, and its view is provisional until the receipt arrives.
//!
//! Receipts are replicated data (every replica records the same receipt for a change),
//! so every replica with the same events and receipts computes the same times.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::Event;

/// The hub's receipt of the change that carries an event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Receipt {
    /// The pushing device's previous successful sync, as the hub recorded it.
    pub device_prev_sync: Option<DateTime<Utc>>,
    /// When the hub first received the change (`None`: not at the hub yet).
    pub received_at: Option<DateTime<Utc>>,
}

/// Receipts of a lead's events, by event id. Empty = nothing has reached the hub.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timing(HashMap<String, Receipt>);

impl Timing {
    /// No receipts at all (a registry that never synced; pure tests).
    pub fn none() -> Timing {
        Timing::default()
    }

    pub fn insert(&mut self, event_id: impl Into<String>, receipt: Receipt) {
        self.0.insert(event_id.into(), receipt);
    }

    pub fn receipt(&self, event_id: &str) -> Receipt {
        self.0.get(event_id).copied().unwrap_or_default()
    }

    /// The evidence window of `e`: from the later of the sync the event names and
    /// the hub's record of its device's previous sync, to the hub's receipt. A lower
    /// end after the receipt can only be a device's false claim: the receipt wins.
    pub fn window(&self, e: &Event) -> Window {
        let r = self.receipt(&e.id);
        let from = e.after.max(r.device_prev_sync);
        let from = match (from, r.received_at) {
            (Some(f), Some(to)) if f > to => Some(to),
            (f, _) => f,
        };
        Window { from, to: r.received_at }
    }
}

/// `t` clamped into `w` (an open end does not bound).
pub fn clamp(t: DateTime<Utc>, w: &Window) -> DateTime<Utc> {
    let t = w.from.map_or(t, |f| t.max(f));
    w.to.map_or(t, |to| t.min(to))
}

/// The effective time of every event (in document order).
///
/// One device writes in sequence, each event on top of the last, so along the
/// document its events never go back in time: a clock moved back between two writes
/// does not reorder them (still within each event's own window).
pub fn effective_times(events: &[Event], timing: &Timing) -> Vec<DateTime<Utc>> {
    let mut last: HashMap<&str, DateTime<Utc>> = HashMap::new();
    events
        .iter()
        .map(|e| {
            let w = timing.window(e);
            let mut t = clamp(e.device_time, &w);
            if let Some(prev) = last.get(e.device.as_str()) {
                t = t.max(*prev);
                if let Some(to) = w.to {
                    t = t.min(to);
                }
            }
            last.insert(&e.device, t);
            t
        })
        .collect()
}

/// The order events are replayed in: by effective time, document order on ties.
/// A change that inserts an event early in a lead's list cannot move it back in time.
pub fn replay_order(times: &[DateTime<Utc>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_by_key(|&i| (times[i], i));
    order
}

/// When a claim can have happened, in hub-clock time (docs/RULES.md, time and trust).
///
/// `from`: the writing device's last successful sync before the claim (`None`: the
/// device had never synced, so since the beginning). `to`: when the hub first received
/// the change carrying the claim (`None`: not at the hub yet, so open-ended).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct Window {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

impl Window {
    /// Whether the two windows share a moment: neither claim provably came first.
    pub fn overlaps(&self, other: &Window) -> bool {
        !self.before(other) && !other.before(self)
    }

    /// Whether this claim provably happened before `other`: the hub had it before
    /// `other`'s device last synced.
    pub fn before(&self, other: &Window) -> bool {
        matches!((self.to, other.from), (Some(to), Some(from)) if to <= from)
    }
}
