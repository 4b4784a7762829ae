//! Following the hub across a restore from backup.
//!
//! The hub's `GET /v1/me` names its database's epoch. A new epoch means the hub was
//! restored and holds nothing after `start_seq`: everything this device had
//! acknowledged or pulled past it is unknown to the hub now. The device forgets those
//! sequence numbers (keeping the receipt times it has, which stay its evidence until
//! the hub's new receipts replace them), so its own changes are pending again and
//! are re-sent, and pulls start again at `start_seq`, where other devices' re-sent
//! changes arrive with their new receipts. Nothing this device holds is dropped.

use leadguard_protocol::HubEpoch;
use rusqlite::params;

use crate::registry::Registry;
use crate::replication::META_LAST_PULLED;
use crate::store;

use super::SyncError;

/// Meta key of the hub epoch this device last synced with.
pub const META_HUB_EPOCH: &str = "sync.hub_epoch";

/// Compares the hub's epoch (from `GET /v1/me`) with the one this device knew; after
/// a restore, rewinds the device's acknowledgements and cursor to the epoch's start.
/// Returns the number of this device's own changes that became pending again (None:
/// no restore seen).
pub(super) fn follow(reg: &mut Registry, epoch: Option<&HubEpoch>) -> Result<Option<u64>, SyncError> {
    let Some(epoch) = epoch else { return Ok(None) };
    let conn = reg.connection();
    let known = store::meta_get(conn, META_HUB_EPOCH)?;
    if known.as_deref() == Some(epoch.id.as_str()) {
        return Ok(None);
    }
    let start = i64::try_from(epoch.start_seq).unwrap_or(i64::MAX);
    let tx = conn.unchecked_transaction().map_err(crate::Error::from)?;
    let resent = if known.is_some() {
        let own: i64 = tx
            .query_row("SELECT count(*) FROM changes WHERE origin = 'local' AND hub_seq > ?1", params![start], |r| r.get(0))
            .map_err(crate::Error::from)?;
        tx.execute("UPDATE changes SET hub_seq = NULL WHERE hub_seq > ?1", params![start]).map_err(crate::Error::from)?;
        let cursor: i64 = store::meta_get(&tx, META_LAST_PULLED)?.and_then(|v| v.parse().ok()).unwrap_or(0);
        store::meta_set(&tx, META_LAST_PULLED, Some(&cursor.min(start).to_string()))?;
        Some(u64::try_from(own).unwrap_or(0))
    } else {
        // The first epoch this device sees: nothing to rewind.
        None
    };
    store::meta_set(&tx, META_HUB_EPOCH, Some(&epoch.id))?;
    tx.commit().map_err(crate::Error::from)?;
    Ok(resent)
}
