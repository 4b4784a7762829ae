//! The SQLite file of one device's registry: opening it safely, migrations, `meta`.
//!
//! The file is `<data>/registry.sqlite`. It is opened in WAL mode with
//! `synchronous=FULL` so a change that a command reported as saved survives kill -9
//! and power loss. `application_id` marks the file as ours: a file that is not a
//! Leadguard registry (another program's database, or garbage) is refused with
//! `corrupt_store` and never written to. `user_version` counts applied migrations;
//! a file from a newer Leadguard is refused rather than misread.

use std::path::{Path, PathBuf};

use leadguard_migrations::{MigrateError, Migration};
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::error::{Error, Result};

/// `PRAGMA application_id` of a Leadguard registry ("LGRG").
pub const APPLICATION_ID: i32 = 0x4C47_5247;

/// File name of the registry inside the data directory.
pub const FILE_NAME: &str = "registry.sqlite";

/// Schema migrations, applied in order; `user_version` = number applied.
/// Never edit an entry once released: append a new one.
const MIGRATIONS: &[&str] = &[
    // 1: documents, their changes, meta, derived lead index.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
    CREATE TABLE docs (
        doc_id TEXT PRIMARY KEY,
        scope TEXT NOT NULL,
        snapshot BLOB,
        snapshot_seq INTEGER NOT NULL DEFAULT 0,
        lead_count INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE TABLE changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        hash BLOB NOT NULL UNIQUE,
        doc_id TEXT NOT NULL REFERENCES docs(doc_id),
        origin TEXT NOT NULL CHECK (origin IN ('local', 'remote')),
        bytes BLOB NOT NULL,
        hub_seq INTEGER,
        hub_received_at TEXT,
        device_prev_sync TEXT
    ) STRICT;
    CREATE INDEX changes_by_doc ON changes(doc_id, seq);
    CREATE INDEX changes_pending ON changes(seq) WHERE origin = 'local' AND hub_seq IS NULL;
    CREATE TABLE lead_index (
        lead_id TEXT PRIMARY KEY,
        doc_id TEXT NOT NULL,
        branch TEXT NOT NULL,
        company TEXT NOT NULL DEFAULT '',
        contact TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL DEFAULT '',
        email TEXT NOT NULL DEFAULT '',
        region TEXT NOT NULL DEFAULT '',
        industry TEXT NOT NULL DEFAULT '',
        need TEXT NOT NULL DEFAULT '',
        state TEXT NOT NULL,
        owner TEXT,
        protected_until INTEGER,
        claimed_at INTEGER,
        previous_owner TEXT,
        pool_since INTEGER,
        registered_by TEXT,
        registered_at INTEGER,
        updated_at INTEGER NOT NULL,
        ignored_events INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    CREATE INDEX lead_by_owner ON lead_index(owner, state, protected_until);
    CREATE INDEX lead_by_state ON lead_index(state, protected_until);
    CREATE INDEX lead_by_updated ON lead_index(updated_at);
    CREATE INDEX lead_by_doc ON lead_index(doc_id);
    "#,
    // 2: "my leads, newest first" walks this index instead of sorting every owned lead.
    r#"
    CREATE INDEX lead_by_owner_updated ON lead_index(owner, updated_at);
    "#,
    // 3: substring search of 3+ characters through an FTS5 trigram index kept in step
    // with lead_index by triggers (a LIKE scan costs ~0.4 s at 1M leads).
    r#"
    CREATE VIRTUAL TABLE lead_fts USING fts5(text, tokenize = 'trigram');
    INSERT INTO lead_fts(rowid, text)
        SELECT rowid, company || ' ' || contact || ' ' || phone || ' ' || email FROM lead_index;
    CREATE TRIGGER lead_fts_insert AFTER INSERT ON lead_index BEGIN
        INSERT INTO lead_fts(rowid, text)
        VALUES (new.rowid, new.company || ' ' || new.contact || ' ' || new.phone || ' ' || new.email);
    END;
    CREATE TRIGGER lead_fts_update AFTER UPDATE OF company, contact, phone, email ON lead_index BEGIN
        DELETE FROM lead_fts WHERE rowid = old.rowid;
        INSERT INTO lead_fts(rowid, text)
        VALUES (new.rowid, new.company || ' ' || new.contact || ' ' || new.phone || ' ' || new.email);
    END;
    CREATE TRIGGER lead_fts_delete AFTER DELETE ON lead_index BEGIN
        DELETE FROM lead_fts WHERE rowid = old.rowid;
    END;
    "#,
    // 4: collision cases (derived). `event_changes` maps an event to the change that
    // carries it (for its hub receipt); `dup_links` holds duplicate matches (a < b);
    // `cases` / `case_leads` the cases found, re-derived for the leads each write or
    // merge touches.
    r#"
    CREATE TABLE event_changes (
        event_id TEXT PRIMARY KEY,
        lead_id TEXT NOT NULL,
        hash BLOB NOT NULL
    ) STRICT;
    CREATE INDEX event_changes_by_hash ON event_changes(hash);
    CREATE TABLE dup_links (
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (a, b)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX dup_links_by_b ON dup_links(b);
    CREATE TABLE cases (
        case_id TEXT PRIMARY KEY,
        branch TEXT NOT NULL,
        kind TEXT NOT NULL,
        surfaced_at TEXT,
        body TEXT NOT NULL
    ) STRICT;
    CREATE TABLE case_leads (
        lead_id TEXT NOT NULL,
        case_id TEXT NOT NULL,
        PRIMARY KEY (lead_id, case_id)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX case_leads_by_case ON case_leads(case_id);
    CREATE TABLE case_reps (
        rep TEXT NOT NULL,
        case_id TEXT NOT NULL,
        PRIMARY KEY (rep, case_id)
    ) STRICT, WITHOUT ROWID;
    "#,
    // 5: which notifications this device's user has seen in the app, and which were
    // shown as desktop notifications (device-local, not replicated).
    r#"
    CREATE TABLE notification_state (
        id TEXT PRIMARY KEY,
        seen INTEGER NOT NULL DEFAULT 0,
        delivered INTEGER NOT NULL DEFAULT 0
    ) STRICT, WITHOUT ROWID;
    "#,
    // 6: the tamper-evident audit log (`audit.rs`): a hash chain of the ownership events
    // this device wrote or merged; append-only (triggers refuse UPDATE and DELETE).
    r#"
    CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        hub_time TEXT,
        lead_id TEXT NOT NULL,
        event_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        rep TEXT NOT NULL,
        summary_zh TEXT NOT NULL,
        summary_en TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
    ) STRICT;
    CREATE INDEX audit_by_lead ON audit_log(lead_id, seq);
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_log BEGIN
        SELECT RAISE(ABORT, 'the audit log is append-only');
    END;
    "#,
    // 7: decide and appeal events by case (`collisions/marks.rs`), so where a case
    // stands is read without loading documents. Registries with leads fill it once.
    r#"
    CREATE TABLE case_marks (
        event_id TEXT PRIMARY KEY,
        case_id TEXT NOT NULL,
        lead_id TEXT NOT NULL,
        event TEXT NOT NULL
    ) STRICT;
    CREATE INDEX case_marks_by_case ON case_marks(case_id);
    INSERT INTO meta(key, value) SELECT 'case_marks.pending', '1' WHERE EXISTS (SELECT 1 FROM lead_index);
    "#,
    // 8: pulled changes the schema refused (`quarantine.rs`): kept aside with their
    // reason, never merged.
    r#"
    CREATE TABLE quarantine (
        hash BLOB PRIMARY KEY,
        hub_seq INTEGER,
        doc_id TEXT NOT NULL,
        scope TEXT NOT NULL,
        reason TEXT NOT NULL,
        message TEXT NOT NULL,
        actor TEXT NOT NULL,
        rep TEXT,
        received_at TEXT,
        quarantined_at TEXT NOT NULL,
        bytes BLOB NOT NULL
    ) STRICT;
    CREATE INDEX quarantine_by_hub_seq ON quarantine(hub_seq);
    "#,
    // 9: sealed contacts (`sealing.rs`, docs/VISIBILITY.md). `lead_keys`: the keys of
    // the leads this device registered (`own`; `pushed` once the hub stored them) or
    // was granted. `lead_index.match_*`: a sealed lead's identifying fields as every
    // replica sees them (cases are derived from these), NULL when they equal the shown
    // ones.
    r#"
    CREATE TABLE lead_keys (
        lead_id TEXT PRIMARY KEY,
        key TEXT NOT NULL,
        origin TEXT NOT NULL CHECK (origin IN ('own', 'grant')),
        pushed INTEGER NOT NULL DEFAULT 0
    ) STRICT, WITHOUT ROWID;
    ALTER TABLE lead_index ADD COLUMN match_contact TEXT;
    ALTER TABLE lead_index ADD COLUMN match_phone TEXT;
    ALTER TABLE lead_index ADD COLUMN match_email TEXT;
    "#,
    // 10: relations between leads (rule 10, `relations.rs`): one row per relation a
    // lead's fields hold (`b` = '' for a referral naming no lead, `rep` = '' for no
    // referrer), derived like the lead index. Registries with leads derive
    // them once (`relations.pending`).
    r#"
    CREATE TABLE lead_relations (
        a TEXT NOT NULL,
        b TEXT NOT NULL,
        kind TEXT NOT NULL,
        rep TEXT NOT NULL,
        note TEXT,
        PRIMARY KEY (a, b, kind, rep)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX lead_relations_by_b ON lead_relations(b);
    INSERT INTO meta(key, value) SELECT 'relations.pending', '1' WHERE EXISTS (SELECT 1 FROM lead_index);
    "#,
    // 11: the trigram index catches up once per transaction, not per lead row: FTS5
    // writes its pending terms to disk at every statement savepoint of a transaction
    // it takes part in (~9 % of a large merge). The triggers now only note the rows;
    // `lead_index::sync_fts` indexes them before the commit. (Not `INSERT OR IGNORE`:
    // in a trigger fired by an upsert, the upsert's conflict policy would apply.)
    r#"
    CREATE TABLE lead_fts_pending (row INTEGER PRIMARY KEY) STRICT;
    DROP TRIGGER lead_fts_insert;
    DROP TRIGGER lead_fts_update;
    DROP TRIGGER lead_fts_delete;
    CREATE TRIGGER lead_fts_note_insert AFTER INSERT ON lead_index BEGIN
        INSERT INTO lead_fts_pending(row) SELECT new.rowid
            WHERE NOT EXISTS (SELECT 1 FROM lead_fts_pending WHERE row = new.rowid);
    END;
    CREATE TRIGGER lead_fts_note_update AFTER UPDATE OF company, contact, phone, email ON lead_index BEGIN
        INSERT INTO lead_fts_pending(row) SELECT old.rowid
            WHERE NOT EXISTS (SELECT 1 FROM lead_fts_pending WHERE row = old.rowid);
    END;
    CREATE TRIGGER lead_fts_note_delete AFTER DELETE ON lead_index BEGIN
        INSERT INTO lead_fts_pending(row) SELECT old.rowid
            WHERE NOT EXISTS (SELECT 1 FROM lead_fts_pending WHERE row = old.rowid);
    END;
    "#,
    // 12: the customer grade (客户等级, A/B/C) in lists. Registries with leads derive
    // the index once more (`grade.pending`).
    r#"
    ALTER TABLE lead_index ADD COLUMN grade TEXT NOT NULL DEFAULT '';
    INSERT INTO meta(key, value) SELECT 'grade.pending', '1' WHERE EXISTS (SELECT 1 FROM lead_index);
    "#,
];

/// Opens an existing registry file, checking it is ours, and migrates it.
pub fn open_existing(data_dir: &Path) -> Result<Connection> {
    let path = file_path(data_dir);
    if !path.exists() {
        return Err(Error::NotInitialized(data_dir.display().to_string()));
    }
    let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| corrupt_or(e, &path))?;
    check_ours(&conn, &path)?;
    configure(&conn).map_err(|e| corrupt_or(e, &path))?;
    migrate(&conn)?;
    Ok(conn)
}

/// A read-only connection to an existing registry, for the apps' listings and
/// searches (`api::Host`): in WAL mode it reads the last committed state and never
/// waits for the writer's transaction.
pub fn open_reader(data_dir: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(file_path(data_dir), OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(std::time::Duration::from_secs(15))?;
    conn.set_prepared_statement_cache_capacity(32);
    conn.pragma_update(None, "cache_size", -16_384)?;
    Ok(conn)
}

/// A second connection to a registry that only moves the write-ahead log into the
/// database file (a checkpoint, which waits for the disk), so that a long run of
/// writes — a sync applying pulled changes — can checkpoint between its steps
/// without holding the registry, instead of inside a step (SQLite's automatic
/// checkpoint runs in the commit that crosses 1,000 log pages).
pub struct Checkpointer(Connection);

impl Checkpointer {
    pub fn open(data_dir: &Path) -> Result<Checkpointer> {
        let conn = Connection::open_with_flags(file_path(data_dir), OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        conn.busy_timeout(std::time::Duration::from_secs(15))?;
        Ok(Checkpointer(conn))
    }

    /// Copies what it can of the log into the file without blocking readers or
    /// writers.
    pub fn run(&self) -> Result<()> {
        self.0.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Turns SQLite's automatic checkpoint of this connection on (the default, every
/// 1,000 log pages) or off (a [`Checkpointer`] does it).
pub fn set_auto_checkpoint(conn: &Connection, on: bool) -> Result<()> {
    conn.pragma_update(None, "wal_autocheckpoint", if on { 1000 } else { 0 })?;
    Ok(())
}

/// Creates a new registry file. Refuses if any file is already there.
pub fn create(data_dir: &Path) -> Result<Connection> {
    std::fs::create_dir_all(data_dir)?;
    let path = file_path(data_dir);
    if path.exists() {
        return Err(crate::Reason::RegistryExists { path: path.display().to_string() }.into());
    }
    let conn = Connection::open(&path)?;
    configure(&conn)?;
    conn.pragma_update(None, "application_id", APPLICATION_ID)?;
    migrate(&conn)?;
    Ok(conn)
}

pub fn file_path(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(15))?;
    // The derivation pipeline cycles through more statements than rusqlite's default
    // 16-entry cache: evicted ones were re-prepared on every call (seen in profiles).
    conn.set_prepared_statement_cache_capacity(128);
    // 32 MiB of page cache (SQLite's default is 2 MiB): at 100,000 leads the lead
    // index, its trigram index and the change log no longer fit the default, and every
    // merge re-read their pages from the OS.
    conn.pragma_update(None, "cache_size", -32_768)?;
    // One plan per statement whatever its parameters (SQLite's query planner stability
    // guarantee). Without it, a cached statement whose plan SQLite once weighed against
    // a bound value (a join over `changes`, with its partial index) was re-prepared on
    // every run: ~8 % of a merge went to re-parsing the receipts and catch-up queries.
    // No query here needs a plan per value (no statistics, no case-sensitive LIKE).
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // Statement journals in memory: an upsert of a lead row with its trigger (and any
    // statement that may fail halfway) journals the pages it changes, and in a temporary
    // file that was ~9 % of a merge's samples, in write system calls.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Freed pages are zeroed: a forgotten customer's readable rows do not survive in
    // the file (docs/VISIBILITY.md, revocation).
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(())
}

fn corrupt_or(e: rusqlite::Error, path: &Path) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
            Error::Corrupt(format!("{} is not a Leadguard registry or is damaged: {e}", path.display()))
        }
        _ => Error::Sqlite(e),
    }
}

fn check_ours(conn: &Connection, path: &Path) -> Result<()> {
    let id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(|e| corrupt_or(e, path))?;
    if id != APPLICATION_ID {
        return Err(Error::Corrupt(format!(
            "{} is not a Leadguard registry (application_id {id:#x}); it was left untouched",
            path.display()
        )));
    }
    Ok(())
}

fn migrate(conn: &Connection) -> Result<()> {
    let steps: Vec<Migration> = MIGRATIONS.iter().map(|sql| Migration::sql(sql)).collect();
    match leadguard_migrations::migrate(conn, &steps, None) {
        Ok(_) => Ok(()),
        Err(MigrateError::UnknownVersion { found, known }) => Err(Error::Corrupt(format!(
            "the registry has schema version {found}, newer than this Leadguard understands ({known})"
        ))),
        Err(MigrateError::Sqlite(e)) => Err(e.into()),
    }
}

/// Meta key of a director's assigned branches (comma-separated), kept from its
/// enrolment (`sync::enroll`) for who may decide a case (`collisions::decide`).
pub const META_DIRECTOR_BRANCHES: &str = "sync.director_branches";

/// Reads a `meta` value.
pub fn meta_get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?.query_row([key], |r| r.get(0)).optional()?)
}

/// Writes a `meta` value (`None` deletes it).
pub fn meta_set(conn: &Connection, key: &str, value: Option<&str>) -> Result<()> {
    match value {
        Some(v) => conn
            .prepare_cached("INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value")?
            .execute([key, v])?,
        None => conn.prepare_cached("DELETE FROM meta WHERE key = ?1")?.execute([key])?,
    };
    Ok(())
}

/// Reads a required `meta` value; its absence means the file is damaged.
pub fn meta_require(conn: &Connection, key: &str) -> Result<String> {
    meta_get(conn, key)?.ok_or_else(|| Error::Corrupt(format!("registry meta `{key}` is missing")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user_version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
    }

    /// Files written by earlier releases: `user_version` = the migrations applied, each
    /// in order. Every such file opens and gets exactly the migrations it lacks.
    #[test]
    fn a_registry_at_any_earlier_schema_version_opens_and_is_brought_up_to_date() {
        for applied in 0..=MIGRATIONS.len() {
            let dir = tempfile::tempdir().unwrap();
            let conn = Connection::open(file_path(dir.path())).unwrap();
            conn.pragma_update(None, "application_id", APPLICATION_ID).unwrap();
            for sql in &MIGRATIONS[..applied] {
                conn.execute_batch(sql).unwrap();
            }
            conn.pragma_update(None, "user_version", applied as i64).unwrap();
            conn.execute_batch("CREATE TABLE kept (x); INSERT INTO kept VALUES (42);").unwrap();
            drop(conn);

            let conn = open_existing(dir.path()).unwrap();
            assert_eq!(user_version(&conn), MIGRATIONS.len() as i64, "from version {applied}");
            let kept: i64 = conn.query_row("SELECT x FROM kept", [], |r| r.get(0)).unwrap();
            assert_eq!(kept, 42, "data already there survives");
        }
    }

    #[test]
    fn a_registry_from_a_newer_leadguard_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(create(dir.path()).unwrap());
        let conn = Connection::open(file_path(dir.path())).unwrap();
        conn.pragma_update(None, "user_version", MIGRATIONS.len() as i64 + 1).unwrap();
        drop(conn);
        assert!(matches!(open_existing(dir.path()), Err(Error::Corrupt(_))));
    }
}
