//! Automerge documents persisted as a snapshot plus the changes after it.
//!
//! Table `changes` keeps every change this device has (local or from the hub), in
//! arrival order (`seq`); `docs.snapshot` is a compacted save of the document taken
//! every [`SNAPSHOT_EVERY`] changes, covering all changes with `seq <= snapshot_seq`.
//! Loading a document = snapshot + the changes after it. Only the documents a command
//! touches are loaded: listing and search use the derived index tables instead.
//!
//! Several processes may open one registry (the desktop app and the CLI). Every write
//! runs inside `BEGIN IMMEDIATE` and first catches the cached document up with changes
//! other processes committed, so two processes never produce two different changes
//! with the same (actor, seq).

use std::collections::HashMap;

use automerge::{ActorId, AutoCommit, Change, ChangeHash, ReadDoc};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};

/// A snapshot is taken after this many changes since the last one.
pub const SNAPSHOT_EVERY: u32 = 256;

/// Documents kept in memory at most; older ones are dropped (they reload on demand).
const CACHE_LIMIT: usize = 64;

/// One loaded document.
pub struct LoadedDoc {
    pub doc: AutoCommit,
    /// Highest `changes.seq` applied to `doc`.
    pub max_seq: i64,
    since_snapshot: u32,
    last_used: u64,
}

/// A change just committed locally: what was stored.
#[derive(Debug, Clone)]
pub struct Committed {
    pub hash: ChangeHash,
}

pub struct DocCache {
    actor: ActorId,
    docs: HashMap<String, LoadedDoc>,
    clock: u64,
}

impl DocCache {
    pub fn new(actor: ActorId) -> DocCache {
        DocCache { actor, docs: HashMap::new(), clock: 0 }
    }

    /// Forgets every loaded document (after a failed write, so memory never holds a
    /// change the database does not).
    pub fn clear(&mut self) {
        self.docs.clear();
    }

    /// Forgets one loaded document (after a change failed to apply to it).
    pub fn forget(&mut self, doc_id: &str) {
        self.docs.remove(doc_id);
    }

    pub fn exists(conn: &Connection, doc_id: &str) -> Result<bool> {
        Ok(conn
            .query_row("SELECT 1 FROM docs WHERE doc_id = ?1", [doc_id], |_| Ok(()))
            .optional()?
            .is_some())
    }

    /// Registers a new, empty document.
    pub fn create(&mut self, conn: &Connection, doc_id: &str, scope: &str) -> Result<&mut LoadedDoc> {
        conn.execute("INSERT INTO docs(doc_id, scope) VALUES (?1, ?2)", params![doc_id, scope])?;
        self.evict_if_full();
        self.clock += 1;
        let doc = AutoCommit::new().with_actor(self.actor.clone());
        let loaded = LoadedDoc { doc, max_seq: 0, since_snapshot: 0, last_used: self.clock };
        Ok(self.docs.entry(doc_id.to_string()).insert_entry(loaded).into_mut())
    }

    /// The document, loaded if needed and caught up with every stored change.
    pub fn get(&mut self, conn: &Connection, doc_id: &str) -> Result<&mut LoadedDoc> {
        self.clock += 1;
        if !self.docs.contains_key(doc_id) {
            self.evict_if_full();
            let loaded = load(conn, doc_id, &self.actor)?;
            self.docs.insert(doc_id.to_string(), loaded);
        }
        let clock = self.clock;
        let loaded = self.docs.get_mut(doc_id).ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Document, id: doc_id.to_string() }))?;
        loaded.last_used = clock;
        catch_up(conn, doc_id, loaded)?;
        Ok(loaded)
    }

    /// Merges changes whose rows were just stored (up to `changes.seq` = `last_seq`)
    /// into the loaded document, which was caught up before they were stored: they
    /// are already decoded, so they are not read back. On an error the caller must
    /// [`forget`](Self::forget) the document (it may hold part of them).
    pub fn merge_stored(&mut self, doc_id: &str, changes: impl IntoIterator<Item = Change>, last_seq: i64) -> Result<()> {
        let loaded = self.docs.get_mut(doc_id).ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Document, id: doc_id.to_string() }))?;
        let changes: Vec<Change> = changes.into_iter().collect();
        let n = changes.len() as u32;
        loaded.doc.apply_changes(changes)?;
        loaded.max_seq = last_seq;
        loaded.since_snapshot += n;
        Ok(())
    }

    /// Commits the pending operations of `doc_id` as one change with `message`, stores
    /// it (origin local) and takes a snapshot when due. Returns `None` if there was
    /// nothing to commit.
    pub fn commit(&mut self, conn: &Connection, doc_id: &str, message: &str, time: i64) -> Result<Option<Committed>> {
        let loaded = self.docs.get_mut(doc_id).ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Document, id: doc_id.to_string() }))?;
        let opts = automerge::transaction::CommitOptions::default().with_message(message).with_time(time);
        let Some(hash) = loaded.doc.commit_with(opts) else { return Ok(None) };
        let mut change = loaded
            .doc
            .get_last_local_change()
            .ok_or_else(|| Error::Decode("committed change not found".into()))?;
        conn.execute(
            "INSERT INTO changes(hash, doc_id, origin, bytes) VALUES (?1, ?2, 'local', ?3)",
            params![&hash.0[..], doc_id, &change.bytes()[..]],
        )?;
        let seq = conn.last_insert_rowid();
        loaded.max_seq = seq;
        loaded.since_snapshot += 1;
        maybe_snapshot(conn, doc_id, loaded)?;
        Ok(Some(Committed { hash }))
    }

    fn evict_if_full(&mut self) {
        while self.docs.len() >= CACHE_LIMIT {
            let Some(oldest) = self.docs.iter().min_by_key(|(_, d)| d.last_used).map(|(k, _)| k.clone()) else {
                return;
            };
            self.docs.remove(&oldest);
        }
    }
}

/// Loads a document from its snapshot and later changes (not cached).
pub fn load(conn: &Connection, doc_id: &str, actor: &ActorId) -> Result<LoadedDoc> {
    let (snapshot, snapshot_seq): (Option<Vec<u8>>, i64) = conn
        .query_row("SELECT snapshot, snapshot_seq FROM docs WHERE doc_id = ?1", [doc_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Document, id: doc_id.to_string() }))?;
    let doc = match snapshot {
        Some(bytes) => AutoCommit::load(&bytes)?,
        None => AutoCommit::new(),
    }
    .with_actor(actor.clone());
    let mut loaded = LoadedDoc { doc, max_seq: snapshot_seq, since_snapshot: 0, last_used: 0 };
    catch_up(conn, doc_id, &mut loaded)?;
    Ok(loaded)
}

/// Applies changes stored after `loaded.max_seq` (written by another process, or
/// after the snapshot).
fn catch_up(conn: &Connection, doc_id: &str, loaded: &mut LoadedDoc) -> Result<()> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, bytes FROM changes WHERE doc_id = ?1 AND seq > ?2 ORDER BY seq")?;
    let mut rows = stmt.query(params![doc_id, loaded.max_seq])?;
    let mut changes = Vec::new();
    let mut max = loaded.max_seq;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let bytes: Vec<u8> = r.get(1)?;
        let change = Change::from_bytes(bytes)
            .map_err(|e| Error::Decode(format!("change {seq} of {doc_id}: {e}")))?;
        changes.push(change);
        max = seq;
    }
    if !changes.is_empty() {
        loaded.since_snapshot += changes.len() as u32;
        loaded.doc.apply_changes(changes)?;
        loaded.max_seq = max;
    }
    Ok(())
}

fn maybe_snapshot(conn: &Connection, doc_id: &str, loaded: &mut LoadedDoc) -> Result<()> {
    if loaded.since_snapshot < SNAPSHOT_EVERY {
        return Ok(());
    }
    // A change waiting for missing dependencies is not in `save()`: snapshotting now
    // would hide it behind `snapshot_seq`. Wait until the dependencies arrive.
    if !loaded.doc.get_missing_deps(&[]).is_empty() {
        return Ok(());
    }
    let bytes = loaded.doc.save();
    conn.execute(
        "UPDATE docs SET snapshot = ?2, snapshot_seq = ?3 WHERE doc_id = ?1",
        params![doc_id, bytes, loaded.max_seq],
    )?;
    loaded.since_snapshot = 0;
    Ok(())
}
