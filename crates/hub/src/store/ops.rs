//! Operating the hub's database: the census behind `/metrics`, the hub's epoch, online
//! backup and restore.
//!
//! **Epoch.** Every hub database has an epoch: a random id and the change sequence it
//! started from. A restore starts a new epoch at the backup's last change. Devices see
//! the epoch in `GET /v1/me`; one that finds it changed knows the hub lost every
//! change after `start_seq`, re-sends its own (they are acknowledged anew) and pulls
//! again from `start_seq`. The re-sent changes get new receipts whose windows contain
//! the lost ones (the device's last sync as the hub remembers it is older, the new
//! receipt later), so an honest device's effective times do not move.
//!
//! **Backup** uses SQLite's online backup on a read-only connection: it runs beside a
//! serving hub and copies a consistent snapshot. **Restore** needs the hub stopped
//! (`serve` holds a shared lock on `hub.lock`, restore an exclusive one), checks the
//! backup before touching anything, and moves the current database aside instead of
//! deleting it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::{now_ms, SqliteStore, APPLICATION_ID, MIGRATIONS};
use crate::error::HubError;

/// Device counts and the log's length, read at each `/metrics` scrape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Census {
    pub enrolled: i64,
    pub pending: i64,
    pub revoked: i64,
    pub high_seq: i64,
}

/// The hub's epoch (see the module doc).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Epoch {
    pub id: String,
    pub start_seq: u64,
}

/// What a backup holds, printed by `backup` and checked by `restore`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackupSummary {
    pub file: PathBuf,
    pub schema_version: i64,
    pub changes: i64,
    pub high_seq: i64,
    pub devices: i64,
    pub bytes: u64,
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Restored {
    pub from: BackupSummary,
    /// Where the replaced database went (None if there was none).
    pub replaced: Option<PathBuf>,
    pub epoch: String,
    pub epoch_start_seq: u64,
}

impl SqliteStore {
    pub fn census(&self) -> Result<Census, HubError> {
        let conn = self.reader();
        let (enrolled, pending, revoked) = conn.query_row(
            "SELECT coalesce(sum(revoked_at IS NULL AND enrolled_at IS NOT NULL), 0),
                    coalesce(sum(revoked_at IS NULL AND enrolled_at IS NULL), 0),
                    coalesce(sum(revoked_at IS NOT NULL), 0) FROM devices",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let high_seq = conn.query_row("SELECT coalesce(max(hub_seq), 0) FROM changes", [], |r| r.get(0))?;
        Ok(Census { enrolled, pending, revoked, high_seq })
    }

    pub fn epoch(&self) -> Result<Epoch, HubError> {
        read_epoch(&self.reader())
    }

    /// Whether the database answers (for `/healthz`).
    pub fn ping(&self) -> Result<(), HubError> {
        self.reader().query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?;
        Ok(())
    }
}

fn read_epoch(conn: &Connection) -> Result<Epoch, HubError> {
    let get = |key: &str| -> Result<Option<String>, HubError> {
        Ok(conn.query_row("SELECT value FROM hub_meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    };
    let id = get("epoch")?.ok_or_else(|| HubError::ForeignDatabase("hub_meta has no epoch".into()))?;
    let start_seq = get("epoch_start_seq")?.and_then(|v| v.parse().ok()).unwrap_or(0);
    Ok(Epoch { id, start_seq })
}

/// The database file of a hub data directory.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("hub.sqlite")
}

/// Opens a file read-only and checks it is a hub database this hub can read, whole.
fn inspect(file: &Path) -> Result<(Connection, BackupSummary), HubError> {
    let conn = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(|e| HubError::ForeignDatabase(format!("{}: {e}", file.display())))?;
    let app_id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0))?;
    if app_id != APPLICATION_ID {
        return Err(HubError::ForeignDatabase(format!("{} is not a Leadguard hub database", file.display())));
    }
    let schema_version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    if schema_version as usize > MIGRATIONS.len() {
        return Err(HubError::ForeignDatabase(format!(
            "{} has schema version {schema_version}, newer than this hub ({})",
            file.display(),
            MIGRATIONS.len()
        )));
    }
    let integrity: String = conn.query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))?;
    if integrity != "ok" {
        return Err(HubError::ForeignDatabase(format!("{} is damaged: {integrity}", file.display())));
    }
    let (changes, high_seq) =
        conn.query_row("SELECT count(*), coalesce(max(hub_seq), 0) FROM changes", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let devices = conn.query_row("SELECT count(*) FROM devices", [], |r| r.get(0))?;
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    Ok((conn, BackupSummary { file: file.to_owned(), schema_version, changes, high_seq, devices, bytes }))
}

/// Copies the hub database of `data_dir` to `output` while the hub may be serving.
/// The copy is written beside `output` and renamed into place once checked, so a
/// failed backup never leaves a half file under the name asked for.
pub fn backup(data_dir: &Path, output: &Path) -> Result<BackupSummary, HubError> {
    let (source, _) = inspect(&database_path(data_dir))?;
    let dir = output.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let partial = dir.join(format!(
        ".{}.partial",
        output.file_name().and_then(|n| n.to_str()).unwrap_or("hub-backup.sqlite")
    ));
    let _ = std::fs::remove_file(&partial);
    {
        let mut target = Connection::open(&partial)?;
        let step = rusqlite::backup::Backup::new(&source, &mut target)?;
        // Small steps with a pause let a serving hub keep writing during a long copy.
        step.run_to_completion(1024, Duration::from_millis(5), None)?;
    }
    let checked = inspect(&partial).map(|(_, s)| s);
    match checked {
        Ok(mut summary) => {
            std::fs::rename(&partial, output).map_err(|e| io(output, e))?;
            summary.file = output.to_owned();
            Ok(summary)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// Replaces the hub database of `data_dir` with `input` (the hub must be stopped).
/// The current database and its WAL move to `replaced-<time>/` in the data directory.
pub fn restore(data_dir: &Path, input: &Path) -> Result<Restored, HubError> {
    let _lock = DataLock::exclusive(data_dir)?;
    let (backup_conn, summary) = inspect(input)?;
    let db = database_path(data_dir);
    let replaced = if db.exists() {
        let aside = data_dir.join(format!("replaced-{}", now_ms()));
        std::fs::create_dir_all(&aside).map_err(|e| io(&aside, e))?;
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", db.display()));
            if from.exists() {
                let to = aside.join(from.file_name().expect("a file name"));
                std::fs::rename(&from, &to).map_err(|e| io(&from, e))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    {
        let mut target = Connection::open(&db)?;
        rusqlite::backup::Backup::new(&backup_conn, &mut target)?.run_to_completion(4096, Duration::ZERO, None)?;
    }
    drop(backup_conn);
    // Migrate an older backup, then start the new epoch at its last change.
    let store = SqliteStore::open(data_dir)?;
    let epoch = store.write(|conn| {
        let id: String = conn.query_row("SELECT lower(hex(randomblob(16)))", [], |r| r.get(0))?;
        let start: i64 = conn.query_row("SELECT coalesce(max(hub_seq), 0) FROM changes", [], |r| r.get(0))?;
        conn.execute(
            "INSERT INTO hub_meta(key, value) VALUES ('epoch', ?1), ('epoch_start_seq', ?2)
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            rusqlite::params![id, start.to_string()],
        )?;
        read_epoch(conn)
    })?;
    Ok(Restored { from: summary, replaced, epoch: epoch.id, epoch_start_seq: epoch.start_seq })
}

fn io(path: &Path, e: std::io::Error) -> HubError {
    HubError::Io(format!("{}: {e}", path.display()))
}

/// A lock on a hub data directory: `serve` holds it shared (several hub processes may
/// serve one database), `restore` exclusive. The OS drops it when the process dies.
pub struct DataLock {
    _file: std::fs::File,
}

impl DataLock {
    fn open(data_dir: &Path) -> Result<std::fs::File, HubError> {
        std::fs::create_dir_all(data_dir).map_err(|e| io(data_dir, e))?;
        let path = data_dir.join("hub.lock");
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(|e| io(&path, e))
    }

    pub fn shared(data_dir: &Path) -> Result<Self, HubError> {
        let file = Self::open(data_dir)?;
        file.try_lock_shared().map_err(|_| HubError::Busy("a restore is running on this data directory".into()))?;
        Ok(DataLock { _file: file })
    }

    pub fn exclusive(data_dir: &Path) -> Result<Self, HubError> {
        let file = Self::open(data_dir)?;
        file.try_lock().map_err(|_| HubError::Busy("a hub is serving this data directory: stop it first".into()))?;
        Ok(DataLock { _file: file })
    }
}
