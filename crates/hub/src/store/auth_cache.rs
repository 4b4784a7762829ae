//! Credentials recently verified, so a sync's requests do not each hash-look-up
//! their credential in the database (and hop to the blocking pool to do it).
//!
//! Revocation stays effective: a revocation through this hub process forgets the
//! device's entries at once; one made elsewhere (the `revoke` command, another hub
//! over the same PostgreSQL database) takes effect here within [`AUTH_WINDOW`], the
//! most an entry lives after its credential was last checked in the database
//! (docs/OPERATIONS.md). Only successful checks are kept: an unknown credential is
//! looked up every time, as before.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::scope::Device;

/// How long a verified credential is trusted without asking the database again.
pub const AUTH_WINDOW: Duration = Duration::from_secs(2);

/// Entries kept at most (expired ones are dropped first; then everything).
const MAX_ENTRIES: usize = 50_000;

pub(crate) struct AuthCache {
    window: Duration,
    /// SHA-256 of the credential (never the credential itself) → device, checked at.
    entries: Mutex<HashMap<Vec<u8>, (Device, Instant)>>,
    /// Revocations through this process so far: a check that started before one is
    /// not remembered (the device it found may be the one just revoked).
    revocations: AtomicU64,
}

impl AuthCache {
    pub(crate) fn new(window: Duration) -> Self {
        AuthCache { window, entries: Mutex::new(HashMap::new()), revocations: AtomicU64::new(0) }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Vec<u8>, (Device, Instant)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The device of a credential whose digest was verified within the window.
    pub(crate) fn get(&self, digest: &[u8]) -> Option<Device> {
        if self.window.is_zero() {
            return None;
        }
        let entries = self.entries();
        let (device, checked) = entries.get(digest)?;
        (checked.elapsed() < self.window).then(|| device.clone())
    }

    /// Where a database check starts: when, and after how many revocations.
    pub(crate) fn check_starts(&self) -> (Instant, u64) {
        (Instant::now(), self.revocations.load(Ordering::SeqCst))
    }

    /// Remembers a credential the database verified in the check that started at `start`,
    /// unless a revocation came through this process meanwhile.
    pub(crate) fn put(&self, digest: Vec<u8>, device: Device, start: (Instant, u64)) {
        if self.window.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if self.revocations.load(Ordering::SeqCst) != start.1 {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, at)| at.elapsed() < self.window);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(digest, (device, start.0));
    }

    /// Forgets every credential of `device_id` (it was just revoked).
    pub(crate) fn forget(&self, device_id: &str) {
        let mut entries = self.entries();
        self.revocations.fetch_add(1, Ordering::SeqCst);
        entries.retain(|_, (device, _)| device.id != device_id);
    }
}
