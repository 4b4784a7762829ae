//! The registry of one device: the facade every command goes through. It holds the
//! store, the document cache, the directory (reps, policies, the session's rep) and
//! the in-memory views, runs every write in one transaction ([`Registry::transact`]),
//! and places new leads in shards.
//!
//! Opening and creating it is in [`crate::lifecycle`], the lead writes in
//! [`crate::writes`], the derived state they keep current in [`crate::derived`]. The
//! device's identity and directory are private to this module; only the storage
//! handles (`conn`, `docs`, `memory`) are shared with the crate, for the pipeline and
//! the modules that read derived tables.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use automerge::ActorId;
use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::documents::DocCache;
use crate::error::{Error, Result};
use crate::lead_index;
pub use crate::lead_index::{Filter, LeadRow, Page};
use crate::layout;
use crate::model::{Event, Rep, Role};
use crate::policy::Policy;
use crate::status::{self, Status};
use crate::store;

/// Leads per shard document unless configured otherwise (see ARCHITECTURE.md for the
/// measurements behind it).
pub const DEFAULT_SHARD_SIZE: u32 = 500;

/// What `init` needs to know about the device's user.
#[derive(Debug, Clone)]
pub struct InitOptions {
    pub rep: Rep,
    /// Leads per shard document (benchmarks vary it).
    pub shard_size: u32,
}

/// One device's registry.
pub struct Registry {
    /// The store (SQLite): read by the derived tables' modules, written by the
    /// pipeline and the writes, inside [`Registry::transact`].
    pub(crate) conn: Connection,
    /// Automerge documents loaded from the store.
    pub(crate) docs: DocCache,
    data_dir: PathBuf,
    device: String,
    rep_id: String,
    branch: String,
    shard_size: u32,
    reps: BTreeMap<String, Rep>,
    policies: HashMap<String, Policy>,
    /// The in-memory views ([`crate::derived`] keeps them current).
    pub(crate) memory: crate::memory_views::MemoryViews,
    /// `PRAGMA data_version` when the directory was last read.
    data_version: i64,
    /// Bumped whenever a directory is re-read (copies of it, the apps' lead reader's,
    /// know when to refresh).
    directory_version: u64,
    /// This process's share of the registry's open session (unclean-shutdown marker).
    _session: Option<crate::shutdown_marker::Session>,
}

/// A lead's target in a write: a new lead, an existing one, or the lead of the
/// previous item of the same batch (an event written with a registration).
#[derive(Debug, Clone)]
pub enum Target {
    New,
    Lead(String),
    Previous,
}

/// The result of one write.
#[derive(Debug, Clone)]
pub struct Written {
    pub lead_id: String,
    pub event: Event,
    pub status: Status,
}

impl Registry {
    pub(crate) fn from_conn(data_dir: &Path, conn: Connection, session: crate::shutdown_marker::Session) -> Result<Registry> {
        let actor_hex = store::meta_require(&conn, "actor")?;
        let actor = ActorId::from(
            hex_decode(&actor_hex).ok_or_else(|| Error::Corrupt("registry meta `actor` is malformed".into()))?,
        );
        let shard_size = store::meta_require(&conn, "shard_size")?
            .parse()
            .map_err(|_| Error::Corrupt("registry meta `shard_size` is malformed".into()))?;
        let mut reg = Registry {
            device: store::meta_require(&conn, "device_id")?,
            rep_id: store::meta_require(&conn, "rep_id")?,
            branch: store::meta_require(&conn, "branch")?,
            docs: DocCache::new(actor),
            data_dir: data_dir.to_path_buf(),
            conn,
            shard_size,
            reps: BTreeMap::new(),
            policies: HashMap::new(),
            memory: crate::memory_views::MemoryViews::default(),
            data_version: 0,
            directory_version: 0,
            _session: Some(session),
        };
        reg.reload_directory(&reg.branch.clone())?;
        // Other branches' directories (replicated company-wide, staff class): their
        // reps' names for the warning that names owner and branch.
        let others: Vec<String> = {
            let mut stmt = reg.conn.prepare("SELECT doc_id FROM docs WHERE doc_id LIKE 'directory/%'")?;
            let ids = stmt.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            ids.into_iter().filter_map(|id| id.strip_prefix("directory/").map(str::to_string)).filter(|b| *b != reg.branch).collect()
        };
        for b in others {
            reg.reload_directory(&b)?;
        }
        Ok(reg)
    }

    /// Re-reads reps and policy of `branch` from its directory document.
    pub(crate) fn reload_directory(&mut self, branch: &str) -> Result<()> {
        self.directory_version += 1;
        let id = layout::directory_doc_id(branch);
        if !DocCache::exists(&self.conn, &id)? {
            self.policies.insert(branch.to_string(), Policy::default());
            return Ok(());
        }
        let loaded = self.docs.get(&self.conn, &id)?;
        let reps = layout::read_reps(&loaded.doc)?;
        let policy = layout::read_policy(&loaded.doc)?;
        self.reps.retain(|_, r| r.branch != branch);
        let mine = self.branch.clone();
        for r in reps {
            // Another branch's directory never shadows one of this branch's reps.
            if branch != mine && self.reps.get(&r.id).is_some_and(|x| x.branch == mine) {
                continue;
            }
            self.reps.insert(r.id.clone(), r);
        }
        self.policies.insert(branch.to_string(), policy);
        Ok(())
    }

    /// Changes whenever the directory (reps, policies) may have changed.
    pub(crate) fn directory_version(&self) -> u64 {
        self.directory_version
    }

    /// Re-reads the directory and drops the in-memory indexes if another process
    /// committed since we last looked
    /// (the CLI and the desktop app may share a registry).
    pub fn refresh_if_changed(&mut self) -> Result<()> {
        // Inside a transaction nothing else can have committed (and dropping the
        // in-memory indexes would lose the transaction's pending reports).
        if !self.conn.is_autocommit() {
            return Ok(());
        }
        let v: i64 = self.conn.pragma_query_value(None, "data_version", |r| r.get(0))?;
        if v != self.data_version {
            self.data_version = v;
            // Another process wrote: the in-memory indexes are rebuilt on next use.
            self.memory.drop_memory();
            let branches: Vec<String> = self.policies.keys().cloned().collect();
            for b in branches {
                self.reload_directory(&b)?;
            }
        }
        Ok(())
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }
    pub fn device(&self) -> &str {
        &self.device
    }
    pub fn branch(&self) -> &str {
        &self.branch
    }
    /// The device's user.
    pub fn session(&self) -> Result<&Rep> {
        self.reps
            .get(&self.rep_id)
            .ok_or_else(|| Error::Corrupt(format!("the device's rep {} is missing from the directory", self.rep_id)))
    }
    pub fn rep(&self, id: &str) -> Option<&Rep> {
        self.reps.get(id)
    }
    pub fn reps(&self) -> impl Iterator<Item = &Rep> {
        self.reps.values()
    }
    /// The policy of `branch` (the default if none was set).
    pub fn policy(&self, branch: &str) -> Policy {
        self.policies.get(branch).cloned().unwrap_or_default()
    }
    /// The rules a lead of document `doc_id` follows: its branch's policy, as it
    /// applies to a distributor's report when the document holds reports.
    pub fn lead_policy(&self, branch: &str, doc_id: &str) -> Policy {
        let policy = self.policy(branch);
        if layout::is_report_doc(doc_id) {
            policy.for_report()
        } else {
            policy
        }
    }
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn require_role(&self, roles: &[Role], _what: &str) -> Result<&Rep> {
        let me = self.session()?;
        if roles.contains(&me.role) {
            Ok(me)
        } else {
            Err(crate::Reason::RoleRequired { roles: roles.to_vec() }.into())
        }
    }

    /// Runs `f` in one immediate transaction; on error nothing is written and the
    /// in-memory documents are dropped (they may hold the failed change).
    pub(crate) fn transact<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let memory_before = self.memory.checkpoint();
        // The trigram index catches up once, at the end (`lead_index::sync_fts`).
        match f(self).and_then(|v| {
            let _t = crate::phase_times::phase("trigram index");
            crate::lead_index::sync_fts(&self.conn).map(|()| v)
        }) {
            Ok(v) => match crate::phase_times::time("commit", || self.conn.execute_batch("COMMIT")) {
                Ok(()) => {
                    self.memory.commit();
                    Ok(v)
                }
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    self.docs.clear();
                    self.memory.rollback(memory_before);
                    Err(e.into())
                }
            },
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                self.docs.clear();
                self.memory.rollback(memory_before);
                Err(e)
            }
        }
    }

    /// Hands the device to another rep of the directory (a shared laptop; the demo
    /// seeds as a manager and then opens as a rep).
    pub fn set_session_rep(&mut self, rep_id: &str) -> Result<()> {
        if !self.reps.contains_key(rep_id) {
            return Err(Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Rep, id: rep_id.to_string() }));
        }
        store::meta_set(&self.conn, "rep_id", Some(rep_id))?;
        self.rep_id = rep_id.to_string();
        self.directory_version += 1;
        Ok(())
    }

    // ----- commands (as the session rep) -----

    /// The change message: device, rep, device clock and the ids of the events the
    /// change writes (so every replica maps event → change → hub receipt alike).
    pub(crate) fn message(&self, rep: &str, now: DateTime<Utc>, events: &[&str]) -> String {
        serde_json::json!({ "dev": self.device, "rep": rep, "at": now.to_rfc3339(), "ev": events }).to_string()
    }

    /// The shard new leads go into, opening the next one when the current one is full.
    /// The document a new lead goes to: the device's current shard, or for a
    /// distributor its current report document (the only scope it may write).
    pub(crate) fn current_shard(&mut self) -> Result<String> {
        let n: u32 = store::meta_require(&self.conn, "shard_n")?
            .parse()
            .map_err(|_| Error::Corrupt("registry meta `shard_n` is malformed".into()))?;
        let (doc_id, scope): (fn(&Self, u32) -> String, String) = if self.session()?.role == Role::Distributor {
            (|r, n| layout::report_doc_id(&r.branch, &r.rep_id, n), layout::report_scope(&self.branch, &self.rep_id))
        } else {
            (|r, n| layout::shard_doc_id(&r.branch, &r.device, n), layout::branch_scope(&self.branch))
        };
        let id = doc_id(self, n);
        let count: Option<i64> = rusqlite::OptionalExtension::optional(self.conn.query_row(
            "SELECT lead_count FROM docs WHERE doc_id = ?1",
            [&id],
            |r| r.get(0),
        ))?;
        match count {
            None => {
                self.docs.create(&self.conn, &id, &scope)?;
                Ok(id)
            }
            Some(c) if c < i64::from(self.shard_size) => Ok(id),
            Some(_) => {
                let next = doc_id(self, n + 1);
                store::meta_set(&self.conn, "shard_n", Some(&(n + 1).to_string()))?;
                self.docs.create(&self.conn, &next, &scope)?;
                Ok(next)
            }
        }
    }

    /// Moves new leads to a fresh shard when the current one holds leads already:
    /// at enrolment, so sealed registrations do not land in a document that holds
    /// plain contacts (the hub serves such a document to its branch only).
    pub(crate) fn start_fresh_shard(&mut self) -> Result<()> {
        let n: u32 = store::meta_require(&self.conn, "shard_n")?
            .parse()
            .map_err(|_| Error::Corrupt("registry meta `shard_n` is malformed".into()))?;
        let id = if self.session()?.role == Role::Distributor {
            layout::report_doc_id(&self.branch, &self.rep_id, n)
        } else {
            layout::shard_doc_id(&self.branch, &self.device, n)
        };
        let count: Option<i64> =
            rusqlite::OptionalExtension::optional(self.conn.query_row("SELECT lead_count FROM docs WHERE doc_id = ?1", [&id], |r| r.get(0)))?;
        if count.unwrap_or(0) > 0 {
            store::meta_set(&self.conn, "shard_n", Some(&(n + 1).to_string()))?;
        }
        Ok(())
    }

    /// Adds or updates a rep of the session's branch (managers only).
    pub fn put_rep(&mut self, rep: Rep, now: DateTime<Utc>) -> Result<()> {
        let me = self.require_role(&[Role::Manager], "manage reps")?.id.clone();
        validate_id(crate::FormField::RepId, &rep.id)?;
        if rep.branch != self.branch {
            return Err(crate::Reason::RepWrongBranch { branch: self.branch.clone() }.into());
        }
        if rep.name.trim().is_empty() {
            return Err(crate::Reason::FieldRequired { field: crate::FormField::Name }.into());
        }
        crate::schema_check::check_rep(&rep)?;
        self.write_directory(&me, now, |doc| layout::put_rep(doc, &rep))
    }

    // ----- reads -----

    /// The index row of a lead.
    pub fn row(&self, lead_id: &str) -> Result<LeadRow> {
        lead_index::get(&self.conn, lead_id)?.ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Lead, id: lead_id.to_string() }))
    }

    /// One page of leads matching `filter` and the optional search text, newest
    /// first, as seen at `at` (never loads a document).
    pub fn list(&self, filter: &Filter, search: Option<&str>, at: DateTime<Utc>, limit: u32, offset: u64) -> Result<Page> {
        lead_index::list(&self.conn, filter, search, at, limit, offset)
    }

    /// [`Registry::list`] of the leads in `region` or a place inside it (华南: 广州, 深圳 …).
    pub fn list_in_region(&self, filter: &Filter, search: Option<&str>, region: &str, at: DateTime<Utc>, limit: u32, offset: u64) -> Result<Page> {
        lead_index::list_within(&self.conn, filter, search, &crate::regions::within(region), at, limit, offset)
    }

    /// The full history of a lead (loads its shard document).
    pub fn events(&mut self, lead_id: &str) -> Result<Vec<Event>> {
        let row = self.row(lead_id)?;
        let loaded = self.docs.get(&self.conn, &row.doc_id)?;
        layout::read_events(&loaded.doc, lead_id)?
            .ok_or_else(|| Error::Corrupt(format!("lead {lead_id} is indexed but missing from {}", row.doc_id)))
    }

    /// The derived status of a lead at `at`.
    pub fn status(&mut self, lead_id: &str, at: DateTime<Utc>) -> Result<(Vec<Event>, Status)> {
        let row = self.row(lead_id)?;
        let events = self.events(lead_id)?;
        let s = status::derive(&events, &self.lead_policy(&row.branch, &row.doc_id), at, &self.timing(&events)?);
        Ok((events, s))
    }

}

pub(crate) fn validate_id(field: crate::FormField, s: &str) -> Result<()> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(crate::Reason::IdMalformed { field, value: s.to_string() }.into())
    }
}

/// A new random id (16 hex digits).
pub fn new_id() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    hex::encode(bytes)
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    hex::decode(s).ok()
}
