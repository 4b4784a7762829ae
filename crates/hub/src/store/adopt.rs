//! Adopting a history (`leadguard-hub adopt`): the changes a laptop wrote before the
//! branch had a hub, stored as if pushed, so the laptops that enrol afterwards pull
//! the branch's past and a re-push of those changes gets their receipts.
//!
//! The operator vouches for the file (it is a command on the hub machine, like
//! `enroll`), so no device is tied to the changes: they are recorded under a
//! revoked pseudo-device of the branch, "adopted history". Everything else is as for
//! a push: the scopes must be the branch's, and every change passes the schema's
//! checks in order (a lead created once, only appended to; directory entries well
//! formed). Adopting is idempotent; a history of many pushes is stored push by push,
//! so an interrupted adoption is completed by running it again.

use super::{now_ms, SqliteStore, ValidChange};
use crate::error::HubError;
use crate::scope::Device;
use leadguard_protocol::{Ack, PushRequest, Role};
use rusqlite::params;
use serde::Serialize;

/// What an adoption stored.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Adopted {
    /// The pseudo-device the changes are recorded under.
    pub device_id: String,
    /// Changes in the history.
    pub changes: usize,
    /// Of those, changes the hub did not hold before.
    pub new: usize,
}

/// The revoked pseudo-device of `branch` an adopted history is recorded under (both
/// backends): a manager of the branch may write every scope the branch's history uses.
pub(super) fn pseudo_device(branch: &str) -> Result<Device, HubError> {
    if branch.trim().is_empty() || branch.len() > 128 || branch.chars().any(char::is_control) {
        return Err(HubError::Malformed("branch must be 1 to 128 printable characters".into()));
    }
    Ok(Device {
        id: format!("adopted-{}", crate::secret::short_id()?),
        rep: "(history)".into(),
        name: "adopted history".into(),
        branch: branch.to_owned(),
        role: Role::Manager,
        branches: Vec::new(),
    })
}

/// Validates each frame for the pseudo-device and stores it with `push` (either
/// backend's, checks without an author), counting what is new after `high_before`.
pub(super) fn store_frames(
    device: Device,
    frames: Vec<PushRequest>,
    high_before: u64,
    mut push: impl FnMut(&Device, &[ValidChange]) -> Result<Vec<Ack>, HubError>,
) -> Result<Adopted, HubError> {
    let (mut changes, mut new) = (0, 0);
    for frame in frames {
        let valid = crate::validate::validate_push(&device, frame)?;
        changes += valid.len();
        new += push(&device, &valid)?.iter().filter(|a| a.hub_seq > high_before).count();
    }
    Ok(Adopted { device_id: device.id, changes, new })
}

impl SqliteStore {
    /// Stores the history `frames` for `branch`.
    pub fn adopt(&self, branch: &str, frames: Vec<PushRequest>) -> Result<Adopted, HubError> {
        let device = pseudo_device(branch)?;
        let record = device.clone();
        self.write(move |tx| {
            let now = now_ms();
            tx.execute(
                "INSERT INTO devices (id, rep, name, branch, role, created_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
                params![record.id, record.rep, record.name, record.branch, record.role.as_str(), now],
            )?;
            Ok(())
        })?;
        let high_before = self.high_seq()?;
        store_frames(device, frames, high_before, |device, valid| {
            self.push_with(device, valid, |conn, i, c| crate::authorship::check_and_record_adopted(conn, i, &c.doc_id, &c.bytes))
        })
    }

    fn high_seq(&self) -> Result<u64, HubError> {
        let seq: i64 = self.reader().query_row("SELECT coalesce(max(hub_seq), 0) FROM changes", [], |r| r.get(0))?;
        Ok(seq as u64)
    }
}
