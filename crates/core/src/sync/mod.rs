//! The sync client: joins a device to a hub and exchanges changes with it.
//!
//! A sync is three steps over the change log (docs/ARCHITECTURE.md, "Sync"):
//!
//! 1. **push** the local changes without a `hub_seq`, oldest first, in batches; the
//!    hub's acks (sequence number, first-receipt time, this device's previous sync)
//!    are recorded on each change: they are the evidence window of its claims;
//! 2. **pull** every readable change after the last cursor, page by page, merging
//!    each page in one transaction and then advancing the cursor. The last push
//!    asks for the first page in its answer (`leadguard_protocol::push_page`), so
//!    a sync with something to push and one page to pull is two requests; a hub
//!    that does not serve it answers without a page and the client pulls it;
//! 3. **complete**: the hub records the time of this successful sync; new local
//!    events carry it as `after`, and the hub stamps it on the next pushes.
//!
//! Every step is idempotent, so a sync cut at any point (network, kill -9 of either
//! side) is finished by simply running it again: re-pushed changes get their
//! original receipts, re-pulled changes are recognised as duplicates. Transient
//! failures are retried with backoff inside one run.
//!
//! The HTTP transport is `leadguard_protocol::client` (https, or http on loopback).

mod convert;
pub mod epoch;
pub mod online_check;

use crate::registry::Registry;
use crate::store;
use leadguard_protocol::client::{ClientError, HubClient};
use leadguard_protocol::{PullResponse, PushChange, PushRequest, MAX_CHANGE_BYTES, MAX_PUSH_CHANGES};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use ts_rs::TS;

/// Meta key of the hub's id for this device (the hub assigns it at enrolment).
pub const META_HUB_DEVICE_ID: &str = "sync.hub_device_id";
pub use crate::store::META_DIRECTOR_BRANCHES;

/// Changes per push request (well under the hub's limits).
const PUSH_BATCH: usize = 2_000;
/// Change bytes per push request, leaving headroom under the 8 MiB body limit.
const PUSH_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Attempts per request for transient failures (connection cut, hub restarting).
const ATTEMPTS: u32 = 8;

/// Why a sync or enrolment failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("this device is not enrolled with a hub: run `leadguard enroll --hub URL --token TOKEN`")]
    NotEnrolled,
    #[error("this device is enrolled with {current}; it cannot join another hub ({requested})")]
    OtherHub { current: String, requested: String },
    #[error("the enrolment token is for branch {hub:?} but this registry belongs to branch {local:?}")]
    BranchMismatch { hub: String, local: String },
    #[error(transparent)]
    Hub(#[from] ClientError),
    #[error("the hub answered inconsistently: {0}")]
    Protocol(String),
    #[error(transparent)]
    Store(#[from] crate::Error),
    /// The registry could not be reached (the app's host could not open it).
    #[error("{}", .0.message)]
    Unavailable(crate::ApiError),
    /// The company keys the hub sent do not parse, or their file cannot be written.
    #[error("company keys: {0}")]
    CompanyKeys(#[from] leadguard_seal::SealError),
}

impl From<SyncError> for crate::ApiError {
    fn from(e: SyncError) -> Self {
        let detail = e.to_string();
        if let SyncError::Unavailable(inner) = e {
            return inner;
        }
        crate::ApiError::from(match &e {
            SyncError::Store(inner) => inner.reason(),
            SyncError::BranchMismatch { .. } | SyncError::OtherHub { .. } => crate::Reason::SyncConflict { detail },
            SyncError::Hub(ClientError::BadUrl(_)) => crate::Reason::BadArguments { detail },
            _ => crate::Reason::SyncFailed { detail },
        })
    }
}

/// Where a running sync is, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    Pushing,
    Pulling,
    /// Keyed digests of pulled plain leads, for duplicate checks
    /// ([`crate::digest_backlog`]): `done` of `total` leads.
    Digesting,
    Completing,
    Done,
}

/// Progress reported during a sync: `done` of `total` changes in `phase`
/// (`total` is unknown while pulling: the hub only says whether more remain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncProgress {
    pub phase: SyncPhase,
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number | null")]
    pub total: Option<u64>,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct SyncReport {
    /// Local changes the hub acknowledged in this run.
    #[ts(type = "number")]
    pub pushed: u64,
    /// Changes received from the hub.
    #[ts(type = "number")]
    pub pulled: u64,
    /// Of those, changes that were new to this device.
    #[ts(type = "number")]
    pub applied: u64,
    /// Of those, changes refused by the schema check and set aside (quarantined):
    /// they affect nothing; managers see them in the quarantine list.
    #[ts(type = "number")]
    #[serde(default)]
    pub quarantined: u64,
    /// Leads whose history changed through pulled changes.
    pub touched_leads: Vec<String>,
    /// Hub time of this successful sync (the `after` of the next local events).
    pub synced_at: Option<chrono::DateTime<chrono::Utc>>,
    /// This device's clock minus the hub's, in seconds, measured when the sync
    /// completed (positive: the device is ahead).
    #[ts(type = "number | null")]
    pub clock_skew_secs: Option<i64>,
    /// The device clock is more than [`CLOCK_TOLERANCE_SECS`] off the hub: what this
    /// device writes offline counts at hub time, not at its clock (shown to the rep).
    pub clock_off: bool,
    /// The hub cursor reached.
    #[ts(type = "number")]
    pub cursor: u64,
    /// Set when this sync found the hub restored from a backup: how many of this
    /// device's changes it sent again (the hub had lost them).
    #[ts(type = "number | null")]
    #[serde(default)]
    pub resent_after_restore: Option<u64>,
    /// Requests sent, and compressed body bytes sent and received.
    #[ts(type = "number")]
    pub requests: u64,
    #[ts(type = "number")]
    pub bytes_sent: u64,
    #[ts(type = "number")]
    pub bytes_received: u64,
}

/// The result of joining a hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Enrolled {
    pub hub_url: String,
    pub hub_device_id: String,
    pub rep: String,
    pub branch: String,
    pub role: String,
}

/// Joins this device's registry to the hub at `hub_url` with a one-time token.
/// The credential is kept in the registry; the token is spent.
pub fn enroll(reg: &mut Registry, hub_url: &str, token: &str) -> Result<Enrolled, SyncError> {
    let client = HubClient::new(hub_url)?;
    if let Some(current) = reg.hub_url()? {
        if current != client.base_url() && reg.device_token()?.is_some() {
            return Err(SyncError::OtherHub { current, requested: client.base_url().to_owned() });
        }
    }
    let e = client.enroll(token.trim())?;
    if e.branch != reg.branch() {
        return Err(SyncError::BranchMismatch { hub: e.branch, local: reg.branch().to_owned() });
    }
    // The company keys go beside the registry, not into it (docs/VISIBILITY.md): a
    // copied registry file alone digests nothing. Written before the credential, so an
    // enrolled device always has them.
    if let Some(text) = &e.company_keys {
        let first = !company_keys_path(reg.data_dir()).exists();
        leadguard_seal::CompanyKeys::parse(text)?.write(&company_keys_path(reg.data_dir()))?;
        if first {
            // Every lead's identity now carries keyed digests (plain ones too): the
            // derived rows are rebuilt so this replica derives what enrolled ones do.
            reg.company_keys_installed()?;
        }
    }
    reg.set_hub_url(Some(client.base_url()))?;
    reg.set_device_token(Some(&e.credential))?;
    store::meta_set(reg.connection(), META_HUB_DEVICE_ID, Some(&e.device_id))?;
    let branches = (!e.branches.is_empty()).then(|| e.branches.join(","));
    store::meta_set(reg.connection(), META_DIRECTOR_BRANCHES, branches.as_deref())?;
    Ok(Enrolled {
        hub_url: client.base_url().to_owned(),
        hub_device_id: e.device_id,
        rep: e.rep,
        branch: e.branch,
        role: e.role.as_str().to_owned(),
    })
}

/// The company key file of the registry in `data_dir`.
pub fn company_keys_path(data_dir: &std::path::Path) -> std::path::PathBuf {
    crate::sealing::company_keys_path(data_dir)
}

/// The authenticated client for this registry's hub.
pub fn client(reg: &Registry) -> Result<HubClient, SyncError> {
    match (reg.hub_url()?, reg.device_token()?) {
        (Some(url), Some(credential)) => Ok(HubClient::new(&url)?.with_credential(&credential)),
        _ => Err(SyncError::NotEnrolled),
    }
}

/// Pulled changes in the first slice of a page applied under a hold budget
/// ([`RegistryAccess::hold_budget`]); later slices are sized from the time per
/// change measured, between [`SLICE_MIN`] and [`SLICE_MAX`].
pub const APPLY_BATCH: usize = 250;
const SLICE_MIN: usize = 8;
const SLICE_MAX: usize = 1_000;

/// How far a device clock may be off the hub before the rep is told.
pub const CLOCK_TOLERANCE_SECS: i64 = 5 * 60;

/// Meta key of the device clock's skew measured at the last sync (seconds).
pub const META_CLOCK_SKEW: &str = "sync.clock_skew_secs";

/// The device clock's skew against the hub at the last successful sync, if any.
pub fn last_clock_skew(reg: &Registry) -> Result<Option<i64>, crate::Error> {
    Ok(store::meta_get(reg.connection(), META_CLOCK_SKEW)?.and_then(|v| v.parse().ok()))
}

/// How the sync engine reaches the registry. The CLI holds it for the whole run
/// (`&mut Registry`); the app's host ([`crate::api::Host`]) lends it for each local
/// step only — reading pending changes, recording acknowledgements, applying a pulled
/// page — so the network exchange, retries and back-off included, never keeps the
/// user's other commands waiting.
pub trait RegistryAccess {
    fn with_registry<T>(&mut self, f: impl FnOnce(&mut Registry) -> Result<T, SyncError>) -> Result<T, SyncError>;

    /// How long one step may hold the registry while applying pulled changes;
    /// `None`: nothing else waits for it, a page is applied in one transaction (fewer
    /// commits, and the derived state's upkeep amortised over the whole page).
    fn hold_budget(&self) -> Option<Duration> {
        None
    }
}

impl RegistryAccess for &mut Registry {
    fn with_registry<T>(&mut self, f: impl FnOnce(&mut Registry) -> Result<T, SyncError>) -> Result<T, SyncError> {
        f(self)
    }
}

/// One full sync with the hub: push, pull, complete (device clock: the system's).
pub fn sync(reg: &mut Registry, progress: &mut dyn FnMut(&SyncProgress)) -> Result<SyncReport, SyncError> {
    sync_with_clock(reg, &chrono::Utc::now, progress)
}

/// [`sync`] with the device clock given (`--now` in the CLI, tests): the clock is
/// compared with the hub's when the sync completes.
pub fn sync_with_clock(
    mut reg: &mut Registry,
    clock: &dyn Fn() -> chrono::DateTime<chrono::Utc>,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<SyncReport, SyncError> {
    sync_using(&mut reg, clock, progress)
}

/// [`sync_with_clock`] reaching the registry through `access`, one local step at a time.
pub fn sync_using(
    access: &mut impl RegistryAccess,
    clock: &dyn Fn() -> chrono::DateTime<chrono::Utc>,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<SyncReport, SyncError> {
    let client = access.with_registry(|reg| client(reg))?;
    let mut report = SyncReport::default();
    let me = retry(|| client.me())?;
    report.resent_after_restore = access.with_registry(|reg| epoch::follow(reg, me.epoch.as_ref()))?;
    let first_page = push_all(access, &client, &mut report, progress)?;
    let pulled = pull_all(access, &client, first_page, &mut report, progress);
    if access.hold_budget().is_some() {
        // Back to SQLite's own checkpoints (the pull turned them off).
        access.with_registry(|reg| Ok(store::set_auto_checkpoint(reg.connection(), true)?))?;
    }
    pulled?;
    work_off_digests(access, progress)?;
    exchange_lead_keys(access, &client)?;
    progress(&SyncProgress { phase: SyncPhase::Completing, done: 0, total: None });
    let done = retry(|| client.complete(report.cursor))?;
    let synced_at = convert::datetime(done.synced_at)?;
    let skew = (clock() - synced_at).num_seconds();
    access.with_registry(|reg| {
        reg.set_last_sync_at(synced_at)?;
        store::meta_set(reg.connection(), META_CLOCK_SKEW, Some(&skew.to_string()))?;
        Ok(())
    })?;
    report.synced_at = Some(synced_at);
    report.clock_skew_secs = Some(skew);
    report.clock_off = skew.abs() > CLOCK_TOLERANCE_SECS;
    report.requests = client.traffic().requests();
    report.bytes_sent = client.traffic().sent();
    report.bytes_received = client.traffic().received();
    progress(&SyncProgress { phase: SyncPhase::Done, done: report.pulled, total: Some(report.pulled) });
    Ok(report)
}

/// Pushes the pending changes; the last batch asks for the first pull page in its
/// answer (one round trip fewer), which is returned when the hub served it.
fn push_all(
    access: &mut impl RegistryAccess,
    client: &HubClient,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<Option<PullResponse>, SyncError> {
    let total = access.with_registry(|reg| Ok(reg.pending_count()?))?;
    let since = pull_cursor(access)?;
    let mut first_page = None;
    progress(&SyncProgress { phase: SyncPhase::Pushing, done: 0, total: Some(total) });
    loop {
        let mut pending = access.with_registry(|reg| Ok(reg.pending_changes(PUSH_BATCH.min(MAX_PUSH_CHANGES))?))?;
        if pending.is_empty() {
            return Ok(first_page);
        }
        // Keep the request under the body limit; always send at least one change.
        let mut bytes = 0;
        let keep = pending
            .iter()
            .position(|c| {
                bytes += c.bytes.len();
                bytes > PUSH_BATCH_BYTES
            })
            .unwrap_or(pending.len())
            .max(1);
        pending.truncate(keep);
        if let Some(big) = pending.iter().find(|c| c.bytes.len() > MAX_CHANGE_BYTES) {
            return Err(SyncError::Protocol(format!(
                "local change in {} is {} bytes, over the hub's {MAX_CHANGE_BYTES}-byte limit",
                big.doc_id,
                big.bytes.len()
            )));
        }
        let request = PushRequest {
            changes: pending
                .iter()
                .map(|c| PushChange { doc_id: c.doc_id.clone(), scope: c.scope.clone(), bytes: c.bytes.clone() })
                .collect(),
        };
        // The last batch as far as we know; changes made meanwhile still go in later
        // batches, and the pull goes on from the page's cursor.
        let last = report.pushed + request.changes.len() as u64 >= total;
        let response = if last && first_page.is_none() {
            let answer = retry(|| client.push_with_page(&request, since))?;
            first_page = answer.page;
            answer.push
        } else {
            retry(|| client.push(&request))?
        };
        let acks = convert::acks(&pending, &response.acks)?;
        let marked = access.with_registry(|reg| Ok(reg.mark_acknowledged(&acks)?))?;
        if marked != acks.len() {
            return Err(SyncError::Protocol(format!("{} of {} acknowledged changes were recorded", marked, acks.len())));
        }
        report.pushed += acks.len() as u64;
        progress(&SyncProgress { phase: SyncPhase::Pushing, done: report.pushed, total: Some(total.max(report.pushed)) });
    }
}

/// The cursor the next pull starts from.
fn pull_cursor(access: &mut impl RegistryAccess) -> Result<u64, SyncError> {
    Ok(u64::try_from(access.with_registry(|reg| Ok(reg.last_pulled_hub_seq()?))?).unwrap_or(0))
}

/// Pulls and applies pages from the last cursor, starting with `first_page` when
/// the push brought it.
fn pull_all(
    access: &mut impl RegistryAccess,
    client: &HubClient,
    mut first_page: Option<PullResponse>,
    report: &mut SyncReport,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<(), SyncError> {
    let mut since = pull_cursor(access)?;
    let mut touched = std::collections::BTreeSet::new();
    let mut slice = APPLY_BATCH;
    let mut checkpoints: Option<store::Checkpointer> = None;
    progress(&SyncProgress { phase: SyncPhase::Pulling, done: 0, total: None });
    loop {
        let page = match first_page.take() {
            Some(page) => page,
            None => retry(|| client.pull(since, None))?,
        };
        if page.next_cursor < since {
            return Err(SyncError::Protocol(format!(
                "the hub's cursor went back from {since} to {}: was the hub database replaced?",
                page.next_cursor
            )));
        }
        let remote = convert::remote_changes(&page.changes)?;
        // A page is applied in hub order, in slices sized to the hold budget (other
        // commands run between slices); the cursor moves past the page after its
        // last slice, so a sync cut short re-pulls the page and re-applies it, which
        // changes nothing already applied.
        let budget = access.hold_budget();
        if budget.is_some() && checkpoints.is_none() {
            // Checkpoints between slices, outside the hold (see `store::Checkpointer`).
            let dir = access.with_registry(|reg| {
                store::set_auto_checkpoint(reg.connection(), false)?;
                Ok(reg.data_dir().to_path_buf())
            })?;
            checkpoints = Some(store::Checkpointer::open(&dir)?);
        }
        let mut size = if budget.is_some() { slice } else { remote.len().max(1) };
        let mut rest = &remote[..];
        while !rest.is_empty() {
            let (batch, after) = rest.split_at(size.min(rest.len()));
            // Timed inside the hold: waiting for the registry is not the slice's cost.
            let (applied, took) = access.with_registry(|reg| {
                let started = std::time::Instant::now();
                // The app's sync digests pulled plain leads after the pull, outside the
                // registry (crate::digest_backlog); the CLI's, here and now.
                let applied = if budget.is_some() { reg.apply_remote_deferring_digests(batch)? } else { reg.apply_remote(batch)? };
                Ok((applied, started.elapsed()))
            })?;
            if let Some(budget) = budget {
                slice = next_slice(batch.len(), took, budget);
                size = slice;
            }
            report.applied += applied.applied as u64;
            report.quarantined += applied.quarantined as u64;
            touched.extend(applied.touched_leads);
            rest = after;
            if let Some(c) = &checkpoints {
                c.run()?;
            }
        }
        report.pulled += page.changes.len() as u64;
        let next = i64::try_from(page.next_cursor).unwrap_or(i64::MAX);
        access.with_registry(|reg| Ok(reg.set_last_pulled_hub_seq(next)?))?;
        since = page.next_cursor;
        progress(&SyncProgress { phase: SyncPhase::Pulling, done: report.pulled, total: None });
        if !page.more {
            break;
        }
    }
    report.cursor = since;
    report.touched_leads = touched.into_iter().collect();
    Ok(())
}

/// Leads digested per pass: ~1.5 values each, ~9 ms a value on one core.
const DIGEST_PASS: usize = 256;

/// Digests the pulled plain leads the apply left without their keyed digests
/// ([`crate::digest_backlog`]): the values on spare cores without the registry, then
/// the leads re-derived in slices sized to the hold budget.
fn work_off_digests(access: &mut impl RegistryAccess, progress: &mut dyn FnMut(&SyncProgress)) -> Result<(), SyncError> {
    let budget = access.hold_budget();
    let threads = crate::digest_backlog::spare_threads();
    let mut slice = APPLY_BATCH;
    let mut left_before = usize::MAX;
    let mut done_leads = 0u64;
    while let Some(work) = access.with_registry(|reg| Ok(reg.digest_work(DIGEST_PASS)?))? {
        let left = access.with_registry(|reg| Ok(reg.digest_backlog_len()))?;
        if left >= left_before {
            break; // no progress (a digest the cache keeps losing): the next sync goes on
        }
        left_before = left;
        progress(&SyncProgress { phase: SyncPhase::Digesting, done: done_leads, total: Some(done_leads + left as u64) });
        let done = work.compute(threads)?;
        access.with_registry(|reg| Ok(reg.digest_absorb(done)?))?;
        let mut rest = &work.leads[..];
        while !rest.is_empty() {
            let size = if budget.is_some() { slice } else { rest.len() };
            let (now, after) = rest.split_at(size.min(rest.len()));
            let took = access.with_registry(|reg| {
                let started = std::time::Instant::now();
                reg.digest_fill(now)?;
                Ok(started.elapsed())
            })?;
            if let Some(budget) = budget {
                slice = next_slice(now.len(), took, budget);
            }
            rest = after;
        }
        done_leads += work.leads.len() as u64;
    }
    Ok(())
}

/// Pushes the keys of leads this device registered, then takes the hub's grants and
/// revocations (docs/VISIBILITY.md): after the pull, so a granted key finds its lead.
fn exchange_lead_keys(access: &mut impl RegistryAccess, client: &HubClient) -> Result<(), SyncError> {
    use leadguard_protocol::{KeysPush, LeadKeyEntry};
    // A hub older than lead keys answers 404: the keys wait for its upgrade.
    let older_hub = |e: &ClientError| matches!(e, ClientError::Hub { status: 404, .. });
    let own = access.with_registry(|reg| Ok(reg.lead_keys_to_push()?))?;
    if !own.is_empty() {
        let request = KeysPush { keys: own.into_iter().map(|(lead_id, key)| LeadKeyEntry { lead_id, key }).collect() };
        let stored = match retry(|| client.push_keys(&request)) {
            Err(SyncError::Hub(e)) if older_hub(&e) => return Ok(()),
            other => other?,
        };
        access.with_registry(|reg| Ok(reg.lead_keys_pushed(&stored.stored)?))?;
    }
    let answer = match retry(|| client.pull_keys()) {
        Err(SyncError::Hub(e)) if older_hub(&e) => return Ok(()),
        other => other?,
    };
    let grants: Vec<(String, String)> = answer.grants.into_iter().map(|g| (g.lead_id, g.key)).collect();
    access.with_registry(|reg| Ok(reg.apply_lead_keys(&grants, &answer.revocations)?))?;
    Ok(())
}

/// The next slice's size: as many changes as fit the budget at the time per change
/// just measured, moving half-way there (one slow step, e.g. a fuzzy block crossing
/// the cap, should not shrink the next to nothing).
fn next_slice(applied: usize, took: Duration, budget: Duration) -> usize {
    let per_change = took.as_secs_f64() / applied.max(1) as f64;
    let fits = if per_change > 0.0 { (budget.as_secs_f64() / per_change) as usize } else { SLICE_MAX };
    ((applied + fits.clamp(SLICE_MIN, SLICE_MAX)) / 2).clamp(SLICE_MIN, SLICE_MAX)
}

/// Runs `f`, retrying transient failures with exponential backoff (0.1 s … 6.4 s).
pub(crate) fn retry<T>(mut f: impl FnMut() -> Result<T, ClientError>) -> Result<T, SyncError> {
    let mut delay = Duration::from_millis(100);
    let mut attempt = 1;
    loop {
        match f() {
            Err(e) if e.is_retryable() && attempt < ATTEMPTS => {
                std::thread::sleep(delay);
                delay *= 2;
                attempt += 1;
            }
            other => return Ok(other?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slice_is_sized_to_the_hold_budget_within_bounds() {
        let budget = Duration::from_millis(40);
        // 1 ms per change: 40 fit; from 250 the next slice moves half-way there.
        assert_eq!(next_slice(250, Duration::from_millis(250), budget), 145);
        assert_eq!(next_slice(40, Duration::from_millis(40), budget), 40);
        // Very slow changes never stop the sync; very fast ones stay bounded.
        assert_eq!(next_slice(8, Duration::from_secs(5), budget), SLICE_MIN);
        assert_eq!(next_slice(1_000, Duration::ZERO, budget), SLICE_MAX);
    }
}
