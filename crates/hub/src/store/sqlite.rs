//! The SQLite backend: the embedded default, one file in the hub's data directory.
//!
//! Durability is the point: WAL with `synchronous=FULL`, and every push is one
//! transaction committed before the acks are sent, so a hub killed with -9 never
//! loses a change it acknowledged. One writer connection, owned by a thread that
//! commits the writes queued meanwhile together (group commit, `writer.rs`), and one
//! reader connection, which WAL lets run beside the writer, so pulls and
//! authentication do not queue behind a large push. The operations themselves live in
//! `changes.rs`, `devices.rs`, `keys.rs` and `ops.rs`.

use super::tail::Tail;
use super::{keys, writer, Adopted, Census, DeviceRow, Enrolment, Epoch, ValidChange};
use crate::scope::Device;
use leadguard_protocol::{Ack, HubTime, KeyGrants, LeadKeyEntry, PullResponse, PushRequest, Role, SyncCompleted};
use leadguard_seal::CompanyKeys;
use crate::error::HubError;
use leadguard_migrations::{MigrateError, Migration};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// `PRAGMA application_id` of hub databases ("LGHB").
pub(crate) const APPLICATION_ID: i32 = 0x4c47_4842;

/// Schema migrations; `user_version` is the number applied.
pub(crate) const MIGRATIONS: &[Migration] = &[Migration::sql(r#"
CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    rep           TEXT NOT NULL,
    name          TEXT NOT NULL,
    branch        TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('rep', 'manager', 'distributor')),
    created_at    INTEGER NOT NULL,
    enrolled_at   INTEGER,
    credential    BLOB UNIQUE,          -- SHA-256 of the device credential
    revoked_at    INTEGER,
    last_sync_at  INTEGER,              -- hub time of the last sync/complete
    last_cursor   INTEGER
);
CREATE INDEX devices_branch ON devices (branch, role);
CREATE TABLE enrol_tokens (
    token_hash  BLOB PRIMARY KEY,       -- SHA-256 of the one-time token
    device_id   TEXT NOT NULL REFERENCES devices (id),
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE TABLE docs (
    doc_id  TEXT PRIMARY KEY,
    scope   TEXT NOT NULL               -- fixed by the first change received
);
CREATE TABLE changes (
    hub_seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    hash              BLOB NOT NULL UNIQUE,
    doc_id            TEXT NOT NULL REFERENCES docs (doc_id),
    scope             TEXT NOT NULL,
    device_id         TEXT NOT NULL REFERENCES devices (id),
    received_at       INTEGER NOT NULL, -- hub time of first receipt, never updated
    device_prev_sync  INTEGER,          -- the pusher's last sync before that
    bytes             BLOB NOT NULL
);
CREATE INDEX changes_scope ON changes (scope, hub_seq);
"#),
// 2: what the authorship checks need: where each lead lives and which object is its
// event list; the name last accepted for each rep of a branch directory; filled from
// the changes already stored.
Migration::sql_then(r#"
CREATE TABLE leads (
    lead_id   TEXT PRIMARY KEY,
    doc_id    TEXT NOT NULL,
    list_obj  TEXT NOT NULL             -- counter@actor of the list's creation
);
CREATE INDEX leads_by_list ON leads (doc_id, list_obj);
CREATE TABLE directory_names (
    branch  TEXT NOT NULL,
    rep     TEXT NOT NULL,
    name    TEXT NOT NULL,
    PRIMARY KEY (branch, rep)
);
"#, crate::authorship::backfill),
// 3: the hub's epoch (store/ops.rs): a new one after each restore.
Migration::sql(r#"
CREATE TABLE hub_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
INSERT INTO hub_meta(key, value) VALUES ('epoch', lower(hex(randomblob(16)))), ('epoch_start_seq', '0');
"#),
// 4: the keys of sealed leads (store/lead_keys.rs, docs/VISIBILITY.md).
Migration::sql(super::lead_keys::MIGRATION),
// 5: documents that hold a contact in plain text (a legacy document, written before
// its device was enrolled): served to their own branch only; every other document is
// served company-wide to employees (changes.rs, docs/VISIBILITY.md). Documents stored
// before this migration count as plain: a hub does not widen what it served.
Migration::sql(r#"
ALTER TABLE docs ADD COLUMN plain INTEGER NOT NULL DEFAULT 0;
UPDATE docs SET plain = 1;
"#),
// 6: the receptionist role (front desk, rule 16) in the devices' role check.
Migration::sql_then("", allow_receptionists),
// 7: each lead's match data for the distributors' online check (match_keys.rs),
// filled from the changes already stored.
Migration::sql_then(super::match_keys::MIGRATION, super::match_keys::backfill),
// 8: the director role (rule 17) and the branches assigned to a director.
Migration::sql_then("ALTER TABLE devices ADD COLUMN branches TEXT;", allow_directors),
// 9: whether a change is served company-wide (its document holds no plain contact),
// kept on the change itself so a pull reads index ranges (its scopes, then the
// company-wide changes) instead of testing every change after its cursor against
// `docs.plain` (changes.rs). The second index finds a document's changes when it
// turns plain.
Migration::sql(r#"
ALTER TABLE changes ADD COLUMN company_wide INTEGER NOT NULL DEFAULT 0;
UPDATE changes SET company_wide = 1 WHERE doc_id IN (SELECT doc_id FROM docs WHERE plain = 0);
CREATE INDEX changes_company_wide ON changes (hub_seq) WHERE company_wide = 1;
CREATE INDEX changes_company_wide_doc ON changes (doc_id) WHERE company_wide = 1;
"#)];

/// Widens the `devices.role` check to the receptionist (rule 16).
fn allow_receptionists(conn: &Connection) -> rusqlite::Result<()> {
    widen_role_check(conn, "'manager', 'distributor'", "receptionist")
}

/// Widens the `devices.role` check to the director (rule 17).
fn allow_directors(conn: &Connection) -> rusqlite::Result<()> {
    widen_role_check(conn, "'distributor', 'receptionist'", "director")
}

/// Adds `role` after the role list ending in `last_two` in the `devices.role` check.
/// SQLite cannot alter a CHECK, and rebuilding `devices` would trip the foreign keys
/// of the change log; the procedure SQLite documents for a change no existing row can
/// violate (sqlite.org/lang_altertable.html, "making other kinds of table schema
/// changes") edits the table's SQL in place and bumps the schema version.
fn widen_role_check(conn: &Connection, last_two: &str, role: &str) -> rusqlite::Result<()> {
    let version: i64 = conn.pragma_query_value(None, "schema_version", |r| r.get(0))?;
    conn.pragma_update(None, "writable_schema", "ON")?;
    let edited = conn.execute(
        "UPDATE sqlite_schema SET sql = replace(sql, ?1 || ')', ?1 || ', ''' || ?2 || ''')')
         WHERE type = 'table' AND name = 'devices' AND sql NOT LIKE '%''' || ?2 || '''%'",
        rusqlite::params![last_two, role],
    );
    conn.pragma_update(None, "schema_version", version + 1)?;
    conn.pragma_update(None, "writable_schema", "OFF")?;
    edited.map(|_| ())
}

/// Reader connections: pulls and authentication (every request) run beside each
/// other and beside the writer (WAL), instead of queueing for one connection.
const READERS: usize = 4;

/// The hub database.
pub struct SqliteStore {
    path: PathBuf,
    writer: writer::Writer,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    /// The newest changes, from which routine pulls are served (`tail.rs`, read
    /// through `sqlite_feed.rs`).
    tail: Tail,
}

impl SqliteStore {
    /// Opens (creating and migrating if needed) `<dir>/hub.sqlite`. A file that is
    /// not a hub database is refused and left untouched.
    pub fn open(dir: &Path) -> Result<Self, HubError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| HubError::ForeignDatabase(format!("cannot create {}: {e}", dir.display())))?;
        let path = dir.join("hub.sqlite");
        let mut writer = Connection::open(&path)?;
        configure(&writer)?;
        migrate(&mut writer, &path)?;
        keys::ensure(&writer)?;
        let readers = (0..READERS)
            .map(|_| {
                let reader = Connection::open(&path)?;
                configure(&reader)?;
                Ok(Mutex::new(reader))
            })
            .collect::<Result<_, HubError>>()?;
        Ok(SqliteStore { path, writer: writer::Writer::start(writer), readers, next_reader: AtomicUsize::new(0), tail: Tail::new() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` in a write transaction (grouped with others) and returns its result
    /// once committed: an Ok answer is on disk.
    pub(crate) fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, HubError> + Send + 'static,
    ) -> Result<T, HubError> {
        self.writer.write(f)
    }

    /// A free reader connection, or (all busy) the next one in turn.
    pub(crate) fn reader(&self) -> MutexGuard<'_, Connection> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        let n = self.readers.len();
        for i in 0..n {
            match self.readers[(start + i) % n].try_lock() {
                Ok(conn) => return conn,
                // A panic while holding the lock cannot leave SQLite half-written, so
                // a poisoned lock is safe to reuse.
                Err(std::sync::TryLockError::Poisoned(p)) => return p.into_inner(),
                Err(std::sync::TryLockError::WouldBlock) => {}
            }
        }
        self.readers[start % n].lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn configure(conn: &Connection) -> Result<(), HubError> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<(), HubError> {
    let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    if app_id != APPLICATION_ID && (app_id != 0 || tables > 0) {
        return Err(HubError::ForeignDatabase(path.display().to_string()));
    }
    match leadguard_migrations::migrate(conn, MIGRATIONS, Some(APPLICATION_ID)) {
        Ok(_) => Ok(()),
        Err(MigrateError::UnknownVersion { found, known }) => Err(HubError::ForeignDatabase(format!(
            "{} has schema version {found}, newer than this hub ({known})",
            path.display()
        ))),
        Err(MigrateError::Sqlite(e)) => Err(e.into()),
    }
}


/// The trait over the inherent operations (defined beside the tables they use).
impl super::Backend for SqliteStore {
    fn describe(&self) -> String {
        self.path.display().to_string()
    }
    fn push(&self, device: &Device, changes: &[ValidChange]) -> Result<Vec<Ack>, HubError> {
        SqliteStore::push(self, device, changes)
    }
    fn push_checked(&self, device: &Device, changes: &[ValidChange]) -> Result<Vec<Ack>, HubError> {
        SqliteStore::push_checked(self, device, changes)
    }
    fn pull(&self, device: &Device, since: u64, limit: usize, only_scope: Option<&str>) -> Result<PullResponse, HubError> {
        Ok(self.pull_page(device, since, limit, only_scope)?.into_response())
    }
    fn pull_page(&self, device: &Device, since: u64, limit: usize, only_scope: Option<&str>) -> Result<super::Page, HubError> {
        let ranges = super::ranges::pull_ranges(device, only_scope);
        match self.tail.pull(self, device, since, limit, &ranges)? {
            Some(page) => Ok(page),
            // A cursor from before the tail (a laptop catching up).
            None => Ok(self.pull_from_log(device, since, limit, only_scope)?.into()),
        }
    }
    fn change_count(&self) -> Result<u64, HubError> {
        SqliteStore::change_count(self)
    }
    fn create_enrolment(&self, rep: &str, name: &str, branch: &str, role: Role, ttl_ms: i64) -> Result<Enrolment, HubError> {
        SqliteStore::create_enrolment(self, rep, name, branch, role, ttl_ms)
    }
    fn enroll(&self, token: &str) -> Result<(Device, String), HubError> {
        SqliteStore::enroll(self, token)
    }
    fn authenticate(&self, credential: &str) -> Result<Option<Device>, HubError> {
        SqliteStore::authenticate(self, credential)
    }
    fn revoke(&self, device_id: &str) -> Result<(), HubError> {
        SqliteStore::revoke(self, device_id)
    }
    fn list_devices(&self) -> Result<Vec<DeviceRow>, HubError> {
        SqliteStore::list_devices(self)
    }
    fn last_sync(&self, device_id: &str) -> Result<Option<HubTime>, HubError> {
        SqliteStore::last_sync(self, device_id)
    }
    fn complete_sync(&self, device: &Device, cursor: u64) -> Result<SyncCompleted, HubError> {
        SqliteStore::complete_sync(self, device, cursor)
    }
    fn company_keys_for(&self, role: Role) -> Result<CompanyKeys, HubError> {
        SqliteStore::company_keys_for(self, role)
    }
    fn census(&self) -> Result<Census, HubError> {
        SqliteStore::census(self)
    }
    fn epoch(&self) -> Result<Epoch, HubError> {
        SqliteStore::epoch(self)
    }
    fn warm_up(&self) -> Result<(), HubError> {
        // The tail's first read (up to `KEEP_CHANGES` changes) before the first pull.
        self.tail.warm(self)
    }
    fn ping(&self) -> Result<(), HubError> {
        SqliteStore::ping(self)
    }
    fn store_lead_keys(&self, device: &Device, keys: Vec<LeadKeyEntry>, now_ms: i64) -> Result<Vec<String>, HubError> {
        SqliteStore::store_lead_keys(self, device, keys, now_ms)
    }
    fn key_grants(&self, device: &Device, now: chrono::DateTime<chrono::Utc>) -> Result<KeyGrants, HubError> {
        SqliteStore::key_grants(self, device, now)
    }
    fn check(&self, device: &Device, req: &leadguard_protocol::CheckRequest, now: chrono::DateTime<chrono::Utc>) -> Result<leadguard_protocol::CheckAnswer, HubError> {
        SqliteStore::check(self, device, req, now)
    }
    fn adopt(&self, branch: &str, frames: Vec<PushRequest>) -> Result<Adopted, HubError> {
        SqliteStore::adopt(self, branch, frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn reopening_keeps_the_schema_and_a_foreign_file_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        drop(Store::open(dir.path()).unwrap());

        let other = tempfile::tempdir().unwrap();
        let foreign = other.path().join("hub.sqlite");
        let conn = Connection::open(&foreign).unwrap();
        conn.execute_batch("CREATE TABLE mine (x); INSERT INTO mine VALUES (42);").unwrap();
        drop(conn);
        assert!(matches!(Store::open(other.path()), Err(HubError::ForeignDatabase(_))));
        let conn = Connection::open(&foreign).unwrap();
        let x: i64 = conn.query_row("SELECT x FROM mine", [], |r| r.get(0)).unwrap();
        assert_eq!(x, 42);
    }
}
