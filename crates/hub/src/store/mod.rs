//! The hub's database: devices, enrolment tokens, documents' scopes, the change log,
//! the company keys and the hub's epoch — behind one [`Backend`] trait with two
//! implementations:
//!
//! - SQLite (`sqlite.rs`, with `changes.rs`, `devices.rs`, `keys.rs`, `ops.rs` and the
//!   group-commit `writer.rs`): one file in the data directory, the embedded default;
//! - PostgreSQL (`pg/`): one database that several hub processes share
//!   (`--database postgres://…`).
//!
//! Both serve routine pulls from the feed's tail in memory (`tail.rs`), read through
//! each backend's feed (`sqlite_feed.rs`, `pg/feed.rs`).
//!
//! Both keep the properties the protocol rests on: an acknowledged change is
//! committed; a re-push returns the first receipt; receipts never decrease along
//! `hub_seq`; and a pull cursor never skips a change (`hub_seq` values become visible
//! in order — SQLite has one writer, PostgreSQL takes them from a counter row locked
//! by the push transaction, `pg/changes.rs`).

mod adopt;
mod auth_cache;
mod changes;
pub(crate) mod devices;
mod keys;
pub(crate) mod lead_keys;
pub(crate) mod match_keys;
pub mod ops;
pub mod pg;
mod ranges;
mod sqlite;
mod sqlite_feed;
pub(crate) mod tail;
#[cfg(test)]
#[path = "tail_tests.rs"]
mod tail_tests;
mod writer;

pub use adopt::Adopted;
pub use changes::ValidChange;
pub(crate) use changes::mark_plain;
pub use devices::{DeviceRow, Enrolment};
pub use ops::{Census, Epoch};
pub use sqlite::SqliteStore;
pub(crate) use sqlite::{APPLICATION_ID, MIGRATIONS};

use crate::error::HubError;
use crate::scope::Device;
use leadguard_protocol::{Ack, HubTime, KeyGrants, LeadKeyEntry, PageEntry, PullResponse, PushRequest, Role, SyncCompleted};
use leadguard_seal::CompanyKeys;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A pull page as a backend serves it.
#[derive(Debug)]
pub struct Page {
    pub changes: PageChanges,
    /// As in [`PullResponse`].
    pub more: bool,
    pub next_cursor: u64,
}

/// A page's changes: read for it, or the backend's own records of them, shared with
/// every page they go on (the PostgreSQL tail's).
pub enum PageChanges {
    Read(Vec<leadguard_protocol::PulledChange>),
    Kept(Vec<Arc<dyn PageEntry + Send + Sync>>),
}

impl std::fmt::Debug for PageChanges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, n) = match self {
            PageChanges::Read(c) => ("read", c.len()),
            PageChanges::Kept(c) => ("kept", c.len()),
        };
        write!(f, "{n} changes ({kind})")
    }
}

impl Page {
    pub fn len(&self) -> usize {
        match &self.changes {
            PageChanges::Read(c) => c.len(),
            PageChanges::Kept(c) => c.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The page on the wire: compact (`PAGE_CONTENT_TYPE`) or plain.
    pub fn encode(&self, compact: bool) -> Vec<u8> {
        use leadguard_protocol::{encode_plain_page, page::encode_compact_page};
        match (&self.changes, compact) {
            (PageChanges::Read(c), true) => encode_compact_page(c, self.more, self.next_cursor),
            (PageChanges::Read(c), false) => encode_plain_page(c, self.more, self.next_cursor),
            (PageChanges::Kept(c), true) => encode_compact_page(c, self.more, self.next_cursor),
            (PageChanges::Kept(c), false) => encode_plain_page(c, self.more, self.next_cursor),
        }
    }

    /// The page as a [`PullResponse`] (its changes copied out of the backend's records).
    pub fn into_response(self) -> PullResponse {
        let changes = match self.changes {
            PageChanges::Read(c) => c,
            PageChanges::Kept(c) => c
                .iter()
                .map(|k| leadguard_protocol::PulledChange {
                    hub_seq: k.hub_seq(),
                    hash: *k.hash(),
                    doc_id: k.doc_id().to_owned(),
                    scope: k.scope().to_owned(),
                    device: k.device().to_owned(),
                    received_at: k.received_at(),
                    device_prev_sync: k.device_prev_sync(),
                    bytes: k.bytes().to_vec(),
                })
                .collect(),
        };
        PullResponse { changes, more: self.more, next_cursor: self.next_cursor }
    }
}

impl From<PullResponse> for Page {
    fn from(r: PullResponse) -> Page {
        Page { changes: PageChanges::Read(r.changes), more: r.more, next_cursor: r.next_cursor }
    }
}

/// What the HTTP layer and the CLI ask of a hub database. Every method is blocking
/// (handlers call it on the blocking pool) and every write is committed before it
/// returns Ok.
pub trait Backend: Send + Sync {
    /// Where the data lives, for logs (a file path, or a database URL without password).
    fn describe(&self) -> String;

    /// Stores a batch atomically and returns one ack per change, in order; stores the
    /// bytes as they are (pushes from devices go through [`Backend::push_checked`]).
    fn push(&self, device: &Device, changes: &[ValidChange]) -> Result<Vec<Ack>, HubError>;
    /// [`Backend::push`] after the schema and authorship checks (`crate::authorship`),
    /// in the same transaction; re-pushed changes get their first receipts unchecked.
    fn push_checked(&self, device: &Device, changes: &[ValidChange]) -> Result<Vec<Ack>, HubError>;
    /// Up to `limit` changes after `since` that `device` may read and did not push,
    /// within the pull byte budget; with `only_scope`, just that scope.
    fn pull(&self, device: &Device, since: u64, limit: usize, only_scope: Option<&str>) -> Result<PullResponse, HubError>;
    /// [`Backend::pull`], with the compact forms of the page's changes the backend kept.
    fn pull_page(&self, device: &Device, since: u64, limit: usize, only_scope: Option<&str>) -> Result<Page, HubError> {
        Ok(self.pull(device, since, limit, only_scope)?.into())
    }
    /// Number of changes stored.
    fn change_count(&self) -> Result<u64, HubError>;

    /// Creates a device record and a one-time token valid for `ttl_ms`. For a
    /// director, `branch` lists its assigned branches, comma-separated (the first is
    /// its home branch).
    fn create_enrolment(&self, rep: &str, name: &str, branch: &str, role: Role, ttl_ms: i64) -> Result<Enrolment, HubError>;
    /// Exchanges a one-time token for a credential (the token is spent in the same transaction).
    fn enroll(&self, token: &str) -> Result<(Device, String), HubError>;
    /// The device holding `credential`, unless unknown or revoked.
    fn authenticate(&self, credential: &str) -> Result<Option<Device>, HubError>;
    /// Revokes a device: its credential and any unused token stop working at once.
    fn revoke(&self, device_id: &str) -> Result<(), HubError>;
    /// Every device record, oldest first.
    fn list_devices(&self) -> Result<Vec<DeviceRow>, HubError>;
    /// The device's last successful sync, if any.
    fn last_sync(&self, device_id: &str) -> Result<Option<HubTime>, HubError>;
    /// Records a successful sync; later pushes carry its time as `device_prev_sync`.
    fn complete_sync(&self, device: &Device, cursor: u64) -> Result<SyncCompleted, HubError>;

    /// The company keys a device of `role` is given.
    fn company_keys_for(&self, role: Role) -> Result<CompanyKeys, HubError>;
    /// Device counts and the log's length (`/metrics`).
    fn census(&self) -> Result<Census, HubError>;
    /// The hub's epoch (`store::ops`).
    fn epoch(&self) -> Result<Epoch, HubError>;
    /// Whether the database answers (`/healthz`).
    fn ping(&self) -> Result<(), HubError>;
    /// Opens what a serving hub keeps open (PostgreSQL: the whole connection pool), so
    /// the first burst of syncs after a start does not also pay for connecting.
    fn warm_up(&self) -> Result<(), HubError> {
        Ok(())
    }

    /// Keeps the keys `device` pushed for leads the hub holds in a scope it writes
    /// (the first key of a lead wins; only from a device that wrote into the lead's
    /// document). Returns the leads whose stored key is the pushed one (`lead_keys.rs`).
    fn store_lead_keys(&self, device: &Device, keys: Vec<LeadKeyEntry>, now_ms: i64) -> Result<Vec<String>, HubError>;
    /// The keys of the leads `device`'s user may see in full now, and the leads it
    /// reads but may not see in full ([`crate::entitlement`]).
    fn key_grants(&self, device: &Device, now: chrono::DateTime<chrono::Utc>) -> Result<KeyGrants, HubError>;
    /// The distributors' online check ([`crate::check`], `match_keys.rs`): whether a
    /// customer matching `req` is protected by someone else, and until when.
    fn check(&self, device: &Device, req: &leadguard_protocol::CheckRequest, now: chrono::DateTime<chrono::Utc>) -> Result<leadguard_protocol::CheckAnswer, HubError>;
    /// Stores a laptop's history as `branch`'s past (`adopt.rs`).
    fn adopt(&self, branch: &str, frames: Vec<PushRequest>) -> Result<Adopted, HubError>;
}

/// Which database a hub command works on: `--database`, or the SQLite file of `--data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// `<dir>/hub.sqlite`.
    Sqlite(PathBuf),
    /// A PostgreSQL connection string (`postgres://user@host:port/db`).
    Postgres(String),
}

impl Database {
    /// `--database` when given, else the SQLite file of the data directory. Only
    /// PostgreSQL URLs are accepted for `--database`.
    pub fn choose(database: Option<&str>, data_dir: &Path) -> Result<Self, HubError> {
        match database.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(Database::Sqlite(data_dir.to_owned())),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Database::Postgres(url.to_owned()))
            }
            Some(other) => Err(HubError::Malformed(format!(
                "--database takes a postgres:// URL, not {:?} (leave it out for the SQLite file in --data)",
                pg::redact(other)
            ))),
        }
    }
}

pub use auth_cache::AUTH_WINDOW;

/// An opened hub database of either backend; derefs to [`Backend`], except for
/// authentication and revocation, which pass through the credentials recently
/// verified ([`auth_cache`]).
pub struct Store {
    backend: Box<dyn Backend>,
    verified: auth_cache::AuthCache,
}

impl Store {
    /// Opens (creating and migrating if needed) `<dir>/hub.sqlite`.
    pub fn open(dir: &Path) -> Result<Self, HubError> {
        Ok(Store::from_backend(SqliteStore::open(dir)?))
    }

    /// A store over an already opened backend.
    pub fn from_backend(backend: impl Backend + 'static) -> Self {
        Store { backend: Box::new(backend), verified: auth_cache::AuthCache::new(AUTH_WINDOW) }
    }

    /// Opens the database `db` names, creating and migrating its schema if needed.
    pub fn connect(db: &Database) -> Result<Self, HubError> {
        match db {
            Database::Sqlite(dir) => Store::open(dir),
            Database::Postgres(url) => Ok(Store::from_backend(pg::PgStore::connect(url)?)),
        }
    }

    /// The same store trusting a verified credential for `window` (zero: always ask
    /// the database) instead of [`AUTH_WINDOW`].
    pub fn with_auth_window(mut self, window: std::time::Duration) -> Self {
        self.verified = auth_cache::AuthCache::new(window);
        self
    }

    /// The device of a credential verified within the window, without asking the
    /// database (cheap: the async handlers call it before any blocking work).
    pub fn recently_verified(&self, credential: &str) -> Option<Device> {
        self.verified.get(&crate::secret::digest(credential))
    }

    /// The device holding `credential`, unless unknown or revoked: from the credentials
    /// verified within the window, else from the database.
    pub fn authenticate(&self, credential: &str) -> Result<Option<Device>, HubError> {
        let digest = crate::secret::digest(credential);
        if let Some(device) = self.verified.get(&digest) {
            return Ok(Some(device));
        }
        let start = self.verified.check_starts();
        let device = self.backend.authenticate(credential)?;
        if let Some(d) = &device {
            self.verified.put(digest, d.clone(), start);
        }
        Ok(device)
    }

    /// Revokes a device: refused by this hub at once (its verified credentials are
    /// forgotten), by other hub processes within [`AUTH_WINDOW`].
    pub fn revoke(&self, device_id: &str) -> Result<(), HubError> {
        let revoked = self.backend.revoke(device_id);
        self.verified.forget(device_id);
        revoked
    }
}

impl std::ops::Deref for Store {
    type Target = dyn Backend;

    fn deref(&self) -> &Self::Target {
        &*self.backend
    }
}

/// Pulls this process served from its feed's tail (`tail.rs`) since it started.
pub(crate) fn pulls_from_tail() -> u64 {
    tail::SERVED.load(std::sync::atomic::Ordering::Relaxed)
}

/// What the hub's writer did (either backend's group commit), for `/metrics`: how
/// many groups it committed, how many writes they held, and how long it was busy
/// (from a group's BEGIN to its COMMIT). Busy time over wall time is the writer's
/// utilisation; busy time per write is the service time a queued push waits behind.
#[derive(Default)]
pub struct WriteStats {
    groups: std::sync::atomic::AtomicU64,
    writes: std::sync::atomic::AtomicU64,
    busy_ns: std::sync::atomic::AtomicU64,
}

/// The process's writer statistics.
pub static WRITE_STATS: WriteStats =
    WriteStats { groups: std::sync::atomic::AtomicU64::new(0), writes: std::sync::atomic::AtomicU64::new(0), busy_ns: std::sync::atomic::AtomicU64::new(0) };

impl WriteStats {
    pub(crate) fn record(&self, writes: usize, busy: std::time::Duration) {
        use std::sync::atomic::Ordering::Relaxed;
        self.groups.fetch_add(1, Relaxed);
        self.writes.fetch_add(writes as u64, Relaxed);
        self.busy_ns.fetch_add(busy.as_nanos() as u64, Relaxed);
    }

    /// Groups committed, writes in them, seconds busy.
    pub fn read(&self) -> (u64, u64, f64) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.groups.load(Relaxed), self.writes.load(Relaxed), self.busy_ns.load(Relaxed) as f64 / 1e9)
    }
}

/// Current hub time in milliseconds.
pub(crate) fn now_ms() -> i64 {
    leadguard_protocol::HubTime::now().0
}

/// The store tests run on both backends: a fresh SQLite file and a fresh PostgreSQL
/// database (on the server of `leadguard_tests::postgres`, which fails the test when
/// PostgreSQL cannot start).
#[cfg(test)]
pub(crate) fn every_backend() -> Vec<(&'static str, tempfile::TempDir, Store)> {
    let (sqlite_dir, pg_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let sqlite = Store::open(sqlite_dir.path()).unwrap();
    let pg = Store::connect(&Database::Postgres(leadguard_tests::postgres::fresh_database())).expect("PostgreSQL store");
    vec![("sqlite", sqlite_dir, sqlite), ("postgres", pg_dir, pg)]
}
