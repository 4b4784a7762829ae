//! Wire types (`leadguard_protocol`) to store types (`crate::replication`), with
//! the consistency checks a client owes the data it is about to record as evidence.

use super::SyncError;
use crate::replication::{Ack, PendingChange, RemoteChange};
use chrono::{DateTime, Utc};
use leadguard_protocol::{HubTime, PulledChange};

pub(super) fn datetime(t: HubTime) -> Result<DateTime<Utc>, SyncError> {
    t.to_datetime().ok_or_else(|| SyncError::Protocol(format!("hub time {} ms is out of range", t.0)))
}

fn seq(s: u64) -> Result<i64, SyncError> {
    i64::try_from(s).map_err(|_| SyncError::Protocol(format!("hub_seq {s} is out of range")))
}

/// The hub's acks for `sent`, checked to be one per change, in order.
pub(super) fn acks(sent: &[PendingChange], acks: &[leadguard_protocol::Ack]) -> Result<Vec<Ack>, SyncError> {
    if sent.len() != acks.len() {
        return Err(SyncError::Protocol(format!("{} changes pushed, {} acks received", sent.len(), acks.len())));
    }
    sent.iter()
        .zip(acks)
        .map(|(c, a)| {
            if a.hash.0 != c.hash {
                return Err(SyncError::Protocol(format!("ack for {} does not match the change pushed", a.hash)));
            }
            Ok(Ack {
                hash: c.hash,
                hub_seq: seq(a.hub_seq)?,
                received_at: datetime(a.received_at)?,
                device_prev_sync: a.device_prev_sync.map(datetime).transpose()?,
            })
        })
        .collect()
}

pub(super) fn remote_changes(pulled: &[PulledChange]) -> Result<Vec<RemoteChange>, SyncError> {
    pulled
        .iter()
        .map(|p| {
            Ok(RemoteChange {
                hub_seq: seq(p.hub_seq)?,
                doc_id: p.doc_id.clone(),
                scope: p.scope.clone(),
                hash: p.hash.0,
                bytes: p.bytes.clone(),
                received_at: datetime(p.received_at)?,
                device_prev_sync: p.device_prev_sync.map(datetime).transpose()?,
            })
        })
        .collect()
}
