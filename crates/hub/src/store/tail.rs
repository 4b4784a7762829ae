//! The feed's tail in memory: the changes most recently stored in the database, kept
//! by each hub process so a routine pull is served without reading the log again —
//! the same for both backends, over a [`Source`] each implements (`pg/feed.rs`,
//! `sqlite_feed.rs`).
//!
//! Why: in a burst of syncs every laptop of a branch pulls the same few hundred new
//! changes. Each pull read them again: on PostgreSQL an index range, the heap and a
//! sort per pull, ≈70% of the database's time (`make bench-hub`,
//! `pg_stat_statements`); on SQLite the same ranges, each change's bytes and strings
//! copied out of the file for every colleague's page. Now one read per *refresh*
//! fetches what was stored since the last one, every pull waiting meanwhile is served
//! from memory, and the page shares the kept changes instead of copying them.
//!
//! What keeps it exact — the page is the one the backend's own pull would read:
//!
//! * **Fresh.** A pull waits for a refresh that *started after it arrived* (one runs at
//!   a time; the pulls that came during it share the next). A refresh reads the feed's
//!   head and the changes up to it in one snapshot: `hub_seq` values become visible in
//!   order (SQLite has one writer; PostgreSQL numbers under the feed row's lock), so
//!   that snapshot holds every change up to the head, whichever hub process stored it.
//! * **Whole.** The tail holds every change with `start < hub_seq <= head`; a pull
//!   from before `start` (a laptop catching up, or evicted changes) reads the
//!   database as before.
//! * **Visible as in the database.** A change's scope, author and bytes never change.
//!   Its `company_wide` flag only ever goes from true to false (a document, once it
//!   holds a plain contact, stays plain: `mark_plain`), so a change kept as not
//!   company-wide is served by its scope alone, as the database would; a change kept
//!   as company-wide may have been marked since (by any hub): before one is served
//!   outside its own scope ranges, the database says whether it still is.
//! * **One epoch.** A restore starts a new epoch and may reuse sequence numbers: a
//!   refresh that finds another epoch, or a head behind its own, starts over.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, RwLock, RwLockReadGuard, RwLockWriteGuard};

use leadguard_protocol::page::PageForm;
use leadguard_protocol::{ChangeHash, HubTime, PageEntry, PULL_BYTE_BUDGET};

use super::ranges::Ranges;
use super::{Page, PageChanges};
use crate::error::HubError;
use crate::scope::Device;

/// Changes kept at most, and their bytes at most (the oldest go first).
pub(crate) const KEEP_CHANGES: usize = 100_000;
pub(crate) const KEEP_BYTES: usize = 64 << 20;

/// Pulls served from a tail since the process started (`/metrics`).
pub(crate) static SERVED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Changes one refresh statement reads at most (a hub far behind reads in several).
const REFRESH_CHUNK: usize = 5_000;

/// One stored change as read from the database.
pub(crate) struct Row {
    pub seq: u64,
    pub hash: ChangeHash,
    pub doc_id: String,
    pub scope: String,
    pub device: String,
    pub received_at: i64,
    pub device_prev_sync: Option<i64>,
    pub bytes: Vec<u8>,
    pub company_wide: bool,
}

/// One read of the feed, all from one snapshot: the epoch, the head, and changes up to
/// the head in `hub_seq` order.
pub(crate) struct Read {
    pub epoch: String,
    pub head: u64,
    pub rows: Vec<Row>,
}

/// What a tail reads from its database.
pub(crate) trait Source {
    /// Up to `chunk` changes after `after`, through the head.
    fn after(&self, after: u64, chunk: usize) -> Result<Read, HubError>;
    /// The newest `n` changes through the head.
    fn newest(&self, n: usize) -> Result<Read, HubError>;
    /// Which of `seqs` are company-wide now.
    fn still_company_wide(&self, seqs: &[u64]) -> Result<HashSet<u64>, HubError>;
}

/// One stored change as the tail keeps it, shared (not copied) by every page it goes
/// on: in a burst each change goes on every colleague's page, and copying its bytes
/// and strings into each page was a fifth of a busy hub's CPU in malloc and memcpy.
pub(crate) struct Kept {
    seq: u64,
    hash: ChangeHash,
    doc_id: String,
    scope: Arc<str>,
    device: Arc<str>,
    /// `scope` and `device` as numbers of the window's names: a pull scans every
    /// branch's new changes to find its own, comparing numbers instead of strings.
    scope_name: u32,
    device_name: u32,
    received_at: i64,
    device_prev_sync: Option<i64>,
    bytes: Vec<u8>,
    /// As last read (or cleared since by a plain change of its document); true means
    /// "ask the database before serving it outside its scope".
    company_wide: AtomicBool,
    /// Its compact page form, worked out by the first page it goes on.
    form: OnceLock<PageForm>,
}

impl PageEntry for Kept {
    fn hub_seq(&self) -> u64 {
        self.seq
    }
    fn hash(&self) -> &ChangeHash {
        &self.hash
    }
    fn doc_id(&self) -> &str {
        &self.doc_id
    }
    fn scope(&self) -> &str {
        &self.scope
    }
    fn device(&self) -> &str {
        &self.device
    }
    fn received_at(&self) -> HubTime {
        HubTime(self.received_at)
    }
    fn device_prev_sync(&self) -> Option<HubTime> {
        self.device_prev_sync.map(HubTime)
    }
    fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    fn form(&self) -> Option<&PageForm> {
        Some(self.form.get_or_init(|| PageForm::of(&self.bytes, &self.hash)))
    }
}

#[derive(Default)]
struct Window {
    epoch: Option<String>,
    /// Every change with `start < hub_seq <= head` is in `changes`, in order.
    start: u64,
    head: u64,
    changes: VecDeque<Arc<Kept>>,
    bytes: usize,
    /// The scopes and devices of kept changes, numbered (one window's; a reload starts
    /// afresh).
    names: HashMap<Arc<str>, u32>,
}

#[derive(Default)]
struct Flight {
    /// Refreshes started and finished so far; whether one runs now; whether the last
    /// finished one succeeded.
    started: u64,
    finished: u64,
    running: bool,
    ok: bool,
}

pub(crate) struct Tail {
    keep_changes: usize,
    keep_bytes: usize,
    kept: RwLock<Window>,
    flight: Mutex<Flight>,
    landed: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Whether `scope` lies in one of `ranges` (`[from, to)`, compared bytewise as the
/// database's `COLLATE "C"` does).
fn in_ranges(ranges: &[(String, String)], scope: &str) -> bool {
    ranges.iter().any(|(from, to)| scope.as_bytes() >= from.as_bytes() && scope.as_bytes() < to.as_bytes())
}

/// Whether a kept change belongs on a device's page.
enum Verdict {
    Serve,
    Skip,
    /// Company-wide when last read, outside the device's ranges: ask the database.
    Ask,
}

impl Window {
    /// The number of a scope or device name, and the name shared.
    fn name(&mut self, name: String) -> (u32, Arc<str>) {
        if let Some((shared, &number)) = self.names.get_key_value(name.as_str()) {
            return (number, shared.clone());
        }
        let number = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let shared: Arc<str> = name.into();
        self.names.insert(shared.clone(), number);
        (number, shared)
    }

    fn keep(&mut self, row: Row) -> Arc<Kept> {
        let (scope_name, scope) = self.name(row.scope);
        let (device_name, device) = self.name(row.device);
        Arc::new(Kept {
            seq: row.seq,
            hash: row.hash,
            doc_id: row.doc_id,
            scope,
            device,
            scope_name,
            device_name,
            received_at: row.received_at,
            device_prev_sync: row.device_prev_sync,
            bytes: row.bytes,
            company_wide: AtomicBool::new(row.company_wide),
            form: OnceLock::new(),
        })
    }

    /// Adds changes read after the head, through `through`; clears the company-wide
    /// mark of kept changes whose document now holds a plain contact; drops the oldest
    /// beyond the limits.
    fn append(&mut self, read: Vec<Row>, through: u64, keep_changes: usize, keep_bytes: usize) {
        let plain_now: HashSet<&str> = read.iter().filter(|k| !k.company_wide).map(|k| k.doc_id.as_str()).collect();
        if !plain_now.is_empty() && self.changes.iter().any(|k| k.company_wide.load(Relaxed)) {
            for k in self.changes.iter() {
                if k.company_wide.load(Relaxed) && plain_now.contains(k.doc_id.as_str()) {
                    k.company_wide.store(false, Relaxed);
                }
            }
        }
        for row in read {
            let k = self.keep(row);
            self.bytes += k.bytes.len();
            self.changes.push_back(k);
        }
        self.head = self.head.max(through);
        while self.changes.len() > keep_changes || (self.bytes > keep_bytes && self.changes.len() > 1) {
            let Some(old) = self.changes.pop_front() else { break };
            self.bytes -= old.bytes.len();
            self.start = old.seq;
        }
    }
}

impl Tail {
    fn window(&self) -> RwLockReadGuard<'_, Window> {
        self.kept.read().unwrap_or_else(|p| p.into_inner())
    }

    fn window_mut(&self) -> RwLockWriteGuard<'_, Window> {
        self.kept.write().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn new() -> Self {
        Tail::with_limits(KEEP_CHANGES, KEEP_BYTES)
    }

    pub(crate) fn with_limits(keep_changes: usize, keep_bytes: usize) -> Self {
        Tail {
            keep_changes: keep_changes.max(1),
            keep_bytes,
            kept: RwLock::new(Window::default()),
            flight: Mutex::new(Flight::default()),
            landed: Condvar::new(),
        }
    }

    /// The page [`super::changes::pull`] would serve, from memory; `None` when the
    /// tail cannot serve it (a cursor before the tail, a failed refresh): the caller
    /// reads the database.
    pub(crate) fn pull(&self, source: &impl Source, device: &Device, since: u64, limit: usize, ranges: &Ranges) -> Result<Option<Page>, HubError> {
        // A cursor from before the tail goes to the database without waiting for a refresh.
        let before_tail = {
            let kept = self.window();
            kept.epoch.is_some() && since < kept.start
        };
        if before_tail || !self.refreshed_since_now(source) {
            return Ok(None);
        }
        let limit = limit.max(1);
        let mut asked: HashMap<u64, bool> = HashMap::new();
        loop {
            let (page, unknown) = {
                let kept = self.window();
                if kept.epoch.is_none() || since < kept.start {
                    return Ok(None);
                }
                assemble(&kept, device, since, limit, ranges, &asked)
            };
            if unknown.is_empty() {
                SERVED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                return Ok(Some(page));
            }
            let still = source.still_company_wide(&unknown)?;
            for seq in unknown {
                asked.insert(seq, still.contains(&seq));
            }
        }
    }

    /// Reads the newest changes now (a serving hub's start), so the first pulls do not
    /// wait for it.
    pub(crate) fn warm(&self, source: &impl Source) -> Result<(), HubError> {
        self.refresh(source)
    }

    /// Waits for a refresh that started after this call; false if it failed (the
    /// pull then reads the database, which says what is wrong if anything is).
    fn refreshed_since_now(&self, source: &impl Source) -> bool {
        let mut flight = lock(&self.flight);
        let needed = flight.started + 1;
        loop {
            if flight.finished >= needed {
                return flight.ok;
            }
            if !flight.running {
                flight.started += 1;
                flight.running = true;
                let number = flight.started;
                drop(flight);
                let result = self.refresh(source);
                if let Err(e) = &result {
                    tracing::warn!(error = %e, "the feed's tail could not be refreshed; pulls read the database");
                }
                flight = lock(&self.flight);
                flight.running = false;
                flight.finished = number;
                flight.ok = result.is_ok();
                self.landed.notify_all();
                return flight.ok;
            }
            flight = self.landed.wait(flight).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Reads what the database stored after the tail's head (all of it, in chunks).
    fn refresh(&self, source: &impl Source) -> Result<(), HubError> {
        loop {
            let (epoch, head) = {
                let kept = self.window();
                (kept.epoch.clone(), kept.head)
            };
            let read = source.after(head, REFRESH_CHUNK)?;
            if epoch.as_deref() != Some(read.epoch.as_str()) || read.head < head {
                // First use, or a restore: start over from the newest changes.
                return self.reload(source);
            }
            let full = read.rows.len() >= REFRESH_CHUNK;
            let through = if full { read.rows.last().map_or(read.head, |k| k.seq) } else { read.head };
            self.window_mut().append(read.rows, through, self.keep_changes, self.keep_bytes);
            if !full {
                return Ok(());
            }
        }
    }

    /// Starts over: the newest changes up to what the tail keeps, as of one snapshot.
    fn reload(&self, source: &impl Source) -> Result<(), HubError> {
        let Read { epoch, head, mut rows } = source.newest(self.keep_changes)?;
        rows.sort_by_key(|k| k.seq);
        // Fewer than asked: the whole log. Else everything after the one before the oldest read.
        let start = if rows.len() < self.keep_changes { 0 } else { rows.first().map_or(head, |k| k.seq - 1) };
        // Built whole, then swapped in: a pull never sees it half filled.
        let mut fresh = Window { epoch: Some(epoch), start, head: start, ..Window::default() };
        fresh.append(rows, head, self.keep_changes, self.keep_bytes);
        *self.window_mut() = fresh;
        Ok(())
    }
}

/// The page from the kept changes after `since`, with what the database said of the
/// company-wide ones (`asked`); and the changes it must still be asked about (none:
/// the page is final).
fn assemble(kept: &Window, device: &Device, since: u64, limit: usize, ranges: &Ranges, asked: &HashMap<u64, bool>) -> (Page, Vec<u64>) {
    let mut served: Vec<Arc<Kept>> = Vec::new();
    let mut more = false;
    let mut unknown = Vec::new();
    let mut candidates = 0usize;
    let mut bytes_total = 0usize;
    // Names compared as numbers: the device's own (None: no change of it is kept), the
    // one scope asked for, and each scope's place in the device's ranges, decided once.
    let own = kept.names.get(device.id.as_str()).copied();
    let only = match ranges {
        Ranges::Scope(scope) => kept.names.get(scope.as_str()).copied(),
        Ranges::Employee(_) => None,
    };
    const UNDECIDED: u8 = 0;
    const INSIDE: u8 = 1;
    let mut placed = vec![UNDECIDED; kept.names.len()];
    let from = kept.changes.partition_point(|k| k.seq <= since);
    for k in kept.changes.range(from..) {
        if Some(k.device_name) == own {
            continue;
        }
        let verdict = match ranges {
            // One scope: every change in it, company-wide or not (`PULL_SCOPE`).
            Ranges::Scope(_) => {
                if Some(k.scope_name) == only { Verdict::Serve } else { Verdict::Skip }
            }
            Ranges::Employee(ranges) => {
                let place = &mut placed[k.scope_name as usize];
                if *place == UNDECIDED {
                    *place = if in_ranges(ranges, &k.scope) { INSIDE } else { INSIDE + 1 };
                }
                match (*place == INSIDE, k.company_wide.load(Relaxed)) {
                    (true, _) => Verdict::Serve,
                    (false, false) => Verdict::Skip,
                    (false, true) => match asked.get(&k.seq) {
                        Some(true) => Verdict::Serve,
                        Some(false) => Verdict::Skip,
                        None => Verdict::Ask,
                    },
                }
            }
        };
        match verdict {
            Verdict::Skip => continue,
            Verdict::Ask => unknown.push(k.seq),
            Verdict::Serve if unknown.is_empty() => {}
            // After a change still to be asked about, the page is not final: only
            // count how far it may reach.
            Verdict::Serve => candidates += 1,
        }
        if !unknown.is_empty() {
            if served.len() + unknown.len() + candidates >= limit {
                break;
            }
            continue;
        }
        let full = served.len() >= limit || (bytes_total >= PULL_BYTE_BUDGET && !served.is_empty());
        if full {
            more = true;
            break;
        }
        bytes_total += k.bytes.len();
        served.push(k.clone());
    }
    let next_cursor = match (more, served.last()) {
        (true, Some(last)) => last.seq,
        _ => kept.head.max(since),
    };
    let changes = PageChanges::Kept(served.into_iter().map(|k| k as Arc<dyn PageEntry + Send + Sync>).collect());
    (Page { changes, more, next_cursor }, unknown)
}
