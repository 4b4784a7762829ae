//! The registry of one device: open/init, and every write as one SQLite transaction.
//!
//! A write appends an event to a lead in its shard document, commits it as one
//! Automerge change (message `{dev, rep, at}`), stores the change and the re-derived
//! index row, and commits the SQLite transaction: only then does the command report
//! success. The event is first replayed on the lead's current status
//! ([`crate::status::check`]) so a command that breaks a rule is refused with a typed
//! error and nothing is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use automerge::ActorId;
use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use crate::docs::DocCache;
use crate::error::{Error, Result};
use crate::index::{self, LeadRow};
use crate::layout;
use crate::model::{Event, EventKind, LeadFields, Policy, Rep, Role};
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
    pub(crate) conn: Connection,
    pub(crate) docs: DocCache,
    data_dir: PathBuf,
    device: String,
    rep_id: String,
    branch: String,
    shard_size: u32,
    pub(crate) reps: BTreeMap<String, Rep>,
    pub(crate) policies: HashMap<String, Policy>,
    pub(crate) hooks: crate::hooks::Hooks,
    /// `PRAGMA data_version` when the directory was last read.
    data_version: i64,
    /// This process's share of the registry's open session (unclean-shutdown marker).
    _session: Option<crate::session::Session>,
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
    /// Creates the registry in `data_dir` for the device's user.
    pub fn init(data_dir: &Path, opts: InitOptions, now: DateTime<Utc>) -> Result<Registry> {
        validate_id(crate::FormField::RepId, &opts.rep.id)?;
        validate_id(crate::FormField::Branch, &opts.rep.branch)?;
        if opts.rep.name.trim().is_empty() {
            return Err(crate::Reason::FieldRequired { field: crate::FormField::Name }.into());
        }
        crate::validation::check_rep(&opts.rep)?;
        if opts.shard_size == 0 {
            return Err(crate::Reason::ShardSize {}.into());
        }
        let conn = store::create(data_dir)?;
        let (session, _) = crate::session::Session::begin(data_dir)?;
        let actor = ActorId::random();
        let device = actor.to_hex_string()[..16].to_string();
        {
            let tx = conn.unchecked_transaction()?;
            store::meta_set(&tx, "actor", Some(&actor.to_hex_string()))?;
            store::meta_set(&tx, "device_id", Some(&device))?;
            store::meta_set(&tx, "rep_id", Some(&opts.rep.id))?;
            store::meta_set(&tx, "branch", Some(&opts.rep.branch))?;
            store::meta_set(&tx, "shard_size", Some(&opts.shard_size.to_string()))?;
            store::meta_set(&tx, "shard_n", Some("0"))?;
            store::meta_set(&tx, "created_at", Some(&now.to_rfc3339()))?;
            store::meta_set(&tx, crate::collisions::rebuild::META_CASES_BUILT, Some("1"))?;
            store::meta_set(&tx, crate::collisions::rebuild::META_EFFECTIVE_TIMES, Some("1"))?;
            tx.commit()?;
        }
        let mut reg = Registry::from_conn(data_dir, conn)?;
        reg._session = Some(session);
        let rep = opts.rep.clone();
        reg.write_directory(&rep.id.clone(), now, |doc| layout::put_rep(doc, &rep))?;
        Ok(reg)
    }

    /// Opens the registry in `data_dir` (`not_initialized` if there is none).
    pub fn open(data_dir: &Path) -> Result<Registry> {
        let conn = store::open_existing(data_dir)?;
        let (session, unclean) = crate::session::Session::begin(data_dir)?;
        let mut reg = Registry::from_conn(data_dir, conn)?;
        reg._session = Some(session);
        reg.ensure_cases_built()?;
        if unclean {
            // The last session was killed or crashed: check the derived tables now
            // (writes are transactional, so this should find nothing; it is cheap
            // insurance against what a bug or a bit flip may have left).
            let report = reg.doctor_after_crash()?;
            let json = serde_json::to_string(&report).unwrap_or_default();
            store::meta_set(&reg.conn, crate::doctor::META_LAST_REPORT, Some(&json))?;
        }
        Ok(reg)
    }

    fn from_conn(data_dir: &Path, conn: Connection) -> Result<Registry> {
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
            hooks: crate::hooks::Hooks::default(),
            data_version: 0,
            _session: None,
        };
        reg.reload_directory(&reg.branch.clone())?;
        Ok(reg)
    }

    /// Re-reads reps and policy of `branch` from its directory document.
    pub(crate) fn reload_directory(&mut self, branch: &str) -> Result<()> {
        let id = layout::directory_doc_id(branch);
        if !DocCache::exists(&self.conn, &id)? {
            self.policies.insert(branch.to_string(), Policy::default());
            return Ok(());
        }
        let loaded = self.docs.get(&self.conn, &id)?;
        let reps = layout::read_reps(&loaded.doc)?;
        let policy = layout::read_policy(&loaded.doc)?;
        self.reps.retain(|_, r| r.branch != branch);
        for r in reps {
            self.reps.insert(r.id.clone(), r);
        }
        self.policies.insert(branch.to_string(), policy);
        Ok(())
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
            self.hooks.drop_memory();
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
        let hooks_before = self.hooks.checkpoint();
        match f(self) {
            Ok(v) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => {
                    self.hooks.commit();
                    Ok(v)
                }
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    self.docs.clear();
                    self.hooks.rollback(hooks_before);
                    Err(e.into())
                }
            },
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                self.docs.clear();
                self.hooks.rollback(hooks_before);
                Err(e)
            }
        }
    }

    /// The change message: device, rep, device clock and the ids of the events the
    /// change writes (so every replica maps event → change → hub receipt alike).
    fn message(&self, rep: &str, now: DateTime<Utc>, events: &[&str]) -> String {
        serde_json::json!({ "dev": self.device, "rep": rep, "at": now.to_rfc3339(), "ev": events }).to_string()
    }

    /// Appends events (each on behalf of `rep`) in one transaction. Commands use the
    /// session rep; seeding and tests may write for others.
    pub fn write_events(&mut self, items: Vec<(Target, String, EventKind)>, now: DateTime<Utc>) -> Result<Vec<Written>> {
        self.write_events_at(items.into_iter().map(|(t, r, k)| (t, r, k, now)).collect())
    }

    /// Like [`Registry::write_events`] with a device time per event (seeding history).
    pub fn write_events_at(&mut self, items: Vec<(Target, String, EventKind, DateTime<Utc>)>) -> Result<Vec<Written>> {
        let after = self.last_sync_at()?;
        let edits_fields = items.iter().any(|i| matches!(i.2, EventKind::Register { .. } | EventKind::Update { .. }));
        if edits_fields {
            self.warm_dedup()?;
        }
        self.transact(|reg| {
            let mut out: Vec<Written> = Vec::with_capacity(items.len());
            let (mut fields, mut claims) = (BTreeSet::new(), BTreeSet::new());
            for (target, rep, kind, at) in items {
                let target = match target {
                    Target::Previous => Target::Lead(
                        out.last().map(|w| w.lead_id.clone()).ok_or_else(|| Error::from(crate::Reason::NoPreviousItem {}))?,
                    ),
                    t => t,
                };
                let w = reg.write_one(target, &rep, kind, at, after)?;
                if matches!(w.event.kind, EventKind::Register { .. } | EventKind::Update { .. }) {
                    fields.insert(w.lead_id.clone());
                }
                claims.insert(w.lead_id.clone());
                out.push(w);
            }
            reg.refresh_collisions(&fields, &claims)?;
            Ok(out)
        })
    }

    /// Hands the device to another rep of the directory (a shared laptop; the demo
    /// seeds as a manager and then opens as a rep).
    pub fn set_session_rep(&mut self, rep_id: &str) -> Result<()> {
        if !self.reps.contains_key(rep_id) {
            return Err(Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Rep, id: rep_id.to_string() }));
        }
        store::meta_set(&self.conn, "rep_id", Some(rep_id))?;
        self.rep_id = rep_id.to_string();
        Ok(())
    }

    fn write_one(
        &mut self,
        target: Target,
        rep: &str,
        kind: EventKind,
        now: DateTime<Utc>,
        after: Option<DateTime<Utc>>,
    ) -> Result<Written> {
        let (lead_id, doc_id, branch, events) = match target {
            Target::New => {
                let doc_id = self.current_shard()?;
                (new_id(), doc_id, self.branch.clone(), Vec::new())
            }
            Target::Previous => return Err(crate::Reason::NoPreviousItem {}.into()),
            Target::Lead(id) => {
                let row = index::get(&self.conn, &id)?.ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Lead, id: id.clone() }))?;
                let loaded = self.docs.get(&self.conn, &row.doc_id)?;
                let events = layout::read_events(&loaded.doc, &id)?
                    .ok_or_else(|| Error::Corrupt(format!("lead {id} is indexed but missing from {}", row.doc_id)))?;
                (id, row.doc_id, row.branch, events)
            }
        };
        let event = Event { id: new_id(), kind, rep: rep.to_string(), device: self.device.clone(), device_time: now, after };
        crate::validation::check_event(&event)?;
        let policy = self.policy(&branch);
        let mut all = events;
        let timing = self.timing(&all)?;
        let status = status::check(&all, &policy, &event, &timing)
            .map_err(|r| r.into_error_named(|id| self.rep(id).map(|r| r.name.clone())))?;
        let message = self.message(rep, now, &[&event.id]);
        let loaded = self.docs.get(&self.conn, &doc_id)?;
        layout::append_event(&mut loaded.doc, &lead_id, &event)?;
        if let Some(c) = self.docs.commit(&self.conn, &doc_id, &message, now.timestamp())? {
            self.note_event_change(&event.id, &lead_id, &c.hash.0)?;
        }
        crate::audit::record_events(&self.conn, &lead_id, std::slice::from_ref(&event))?;
        crate::collisions::marks::record(&self.conn, &lead_id, std::slice::from_ref(&event))?;
        if matches!(event.kind, EventKind::Register { .. }) {
            self.conn.execute("UPDATE docs SET lead_count = lead_count + 1 WHERE doc_id = ?1", [&doc_id])?;
        }
        all.push(event.clone());
        // Store the status as of the last event; queries apply later expiry.
        let stored = status::derive(&all, &policy, DateTime::<Utc>::MIN_UTC, &timing);
        index::upsert(&self.conn, &lead_id, &doc_id, &branch, &stored)?;
        self.hooks.lead_written(&lead_id, &stored.fields, stored.updated_at.map_or(0, |t| t.timestamp_millis()));
        Ok(Written { lead_id, event, status })
    }

    /// The shard new leads go into, opening the next one when the current one is full.
    fn current_shard(&mut self) -> Result<String> {
        let n: u32 = store::meta_require(&self.conn, "shard_n")?
            .parse()
            .map_err(|_| Error::Corrupt("registry meta `shard_n` is malformed".into()))?;
        let id = layout::shard_doc_id(&self.branch, &self.device, n);
        let count: Option<i64> = rusqlite::OptionalExtension::optional(self.conn.query_row(
            "SELECT lead_count FROM docs WHERE doc_id = ?1",
            [&id],
            |r| r.get(0),
        ))?;
        match count {
            None => {
                self.docs.create(&self.conn, &id, &layout::branch_scope(&self.branch))?;
                Ok(id)
            }
            Some(c) if c < i64::from(self.shard_size) => Ok(id),
            Some(_) => {
                let next = layout::shard_doc_id(&self.branch, &self.device, n + 1);
                store::meta_set(&self.conn, "shard_n", Some(&(n + 1).to_string()))?;
                self.docs.create(&self.conn, &next, &layout::branch_scope(&self.branch))?;
                Ok(next)
            }
        }
    }

    /// Writes to the directory document of the session's branch.
    fn write_directory(
        &mut self,
        rep: &str,
        now: DateTime<Utc>,
        f: impl FnOnce(&mut automerge::AutoCommit) -> Result<()>,
    ) -> Result<()> {
        let branch = self.branch.clone();
        let id = layout::directory_doc_id(&branch);
        let message = self.message(rep, now, &[]);
        self.transact(|reg| {
            if !DocCache::exists(&reg.conn, &id)? {
                reg.docs.create(&reg.conn, &id, &layout::branch_scope(&branch))?;
            }
            let loaded = reg.docs.get(&reg.conn, &id)?;
            f(&mut loaded.doc)?;
            reg.docs.commit(&reg.conn, &id, &message, now.timestamp())?;
            Ok(())
        })?;
        self.reload_directory(&branch)
    }

    // ----- commands (as the session rep) -----

    /// Registers a new lead. It is claimed at once if the registration is complete.
    pub fn add_lead(&mut self, fields: LeadFields, now: DateTime<Utc>) -> Result<Written> {
        self.add_lead_acknowledging(fields, &[], now)
    }

    /// Registers a lead; when the rep registers it although the duplicate check named
    /// `acknowledged` leads, that is recorded with the registration (one transaction).
    pub fn add_lead_acknowledging(&mut self, fields: LeadFields, acknowledged: &[String], now: DateTime<Utc>) -> Result<Written> {
        if fields.is_empty() {
            return Err(crate::Reason::LeadNeedsField {}.into());
        }
        let me = self.session()?.id.clone();
        let mut items = vec![(Target::New, me.clone(), EventKind::Register { fields })];
        if !acknowledged.is_empty() {
            let mut leads = acknowledged.to_vec();
            leads.sort();
            leads.dedup();
            items.push((Target::Previous, me, EventKind::DuplicateAcknowledged { leads }));
        }
        Ok(self.write_events(items, now)?.remove(0))
    }

    /// Registers many leads in one transaction (imports, demo, benchmarks).
    pub fn add_leads(&mut self, leads: Vec<LeadFields>, now: DateTime<Utc>) -> Result<Vec<Written>> {
        let me = self.session()?.id.clone();
        self.write_events(
            leads.into_iter().map(|f| (Target::New, me.clone(), EventKind::Register { fields: f })).collect(),
            now,
        )
    }

    /// Appends one event on behalf of the session rep.
    pub fn act(&mut self, lead_id: &str, kind: EventKind, now: DateTime<Utc>) -> Result<Written> {
        let me = self.session()?.id.clone();
        Ok(self.write_events(vec![(Target::Lead(lead_id.to_string()), me, kind)], now)?.remove(0))
    }

    /// Moves every lead `from` owns to `to` in one transaction, and marks `from` as
    /// departed. History is kept: each lead gets a `handover` event.
    pub fn handover(&mut self, from: &str, to: &str, now: DateTime<Utc>) -> Result<Vec<String>> {
        let me = self.require_role(&[Role::Manager], "hand customers over")?.id.clone();
        if from == to {
            return Err(crate::Reason::HandoverSameRep {}.into());
        }
        let mut departing = self.rep(from).cloned().ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Rep, id: from.to_string() }))?;
        let target = self.rep(to).ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Rep, id: to.to_string() }))?;
        if !target.active {
            return Err(crate::Reason::RepLeft { rep: to.to_string() }.into());
        }
        let leads = index::owned_by(&self.conn, from, now)?;
        let items = leads
            .iter()
            .map(|(id, _)| {
                (Target::Lead(id.clone()), me.clone(), EventKind::Handover { from: from.into(), to: to.into() })
            })
            .collect();
        self.write_events(items, now)?;
        departing.active = false;
        self.write_directory(&me, now, |doc| layout::put_rep(doc, &departing))?;
        Ok(leads.into_iter().map(|(id, _)| id).collect())
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
        crate::validation::check_rep(&rep)?;
        self.write_directory(&me, now, |doc| layout::put_rep(doc, &rep))
    }

    /// Sets the branch policy (managers only) and re-derives the branch's index rows.
    pub fn set_policy(&mut self, policy: Policy, now: DateTime<Utc>) -> Result<()> {
        let me = self.require_role(&[Role::Manager], "set the protection policy")?.id.clone();
        policy.validate()?;
        self.write_directory(&me, now, |doc| layout::put_policy(doc, &policy))?;
        self.reindex()?;
        // Whether an edit completed a registration depends on the policy.
        self.transact(|reg| reg.refresh_all_cases())
    }

    // ----- reads -----

    /// The index row of a lead.
    pub fn row(&self, lead_id: &str) -> Result<LeadRow> {
        index::get(&self.conn, lead_id)?.ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::Lead, id: lead_id.to_string() }))
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
        let s = status::derive(&events, &self.policy(&row.branch), at, &self.timing(&events)?);
        Ok((events, s))
    }

    /// Rebuilds every index row from the documents (after a policy change, or when the
    /// index is suspect). Returns the number of leads indexed.
    pub fn reindex(&mut self) -> Result<u64> {
        let doc_ids: Vec<(String, String)> = {
            let mut stmt = self.conn.prepare("SELECT doc_id, scope FROM docs WHERE doc_id NOT LIKE 'directory/%'")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<Vec<_>>>()?;
            rows
        };
        self.transact(|reg| {
            let mut n = 0;
            for (doc_id, _) in &doc_ids {
                n += reg.reindex_doc(doc_id, None)?;
            }
            Ok(n)
        })
    }

    /// Re-derives the index rows of `leads` (all leads if `None`) in one shard.
    pub(crate) fn reindex_doc(&mut self, doc_id: &str, leads: Option<&[String]>) -> Result<u64> {
        let branch = doc_id.split('/').next().unwrap_or_default().to_string();
        let policy = self.policy(&branch);
        let loaded = self.docs.get(&self.conn, doc_id)?;
        let ids = match leads {
            Some(l) => l.to_vec(),
            None => layout::lead_ids(&loaded.doc),
        };
        let mut histories = Vec::with_capacity(ids.len());
        for id in &ids {
            if let Some(events) = layout::read_events(&loaded.doc, id)? {
                histories.push((id.clone(), events));
            }
        }
        let mut rows = Vec::with_capacity(histories.len());
        for (id, events) in histories {
            crate::collisions::marks::record(&self.conn, &id, &events)?;
            let timing = self.timing(&events)?;
            rows.push((id, status::derive(&events, &policy, DateTime::<Utc>::MIN_UTC, &timing)));
        }
        let count = rows.len() as u64;
        self.conn.execute(
            "UPDATE docs SET lead_count = ?2 WHERE doc_id = ?1 AND lead_count < ?2",
            params![doc_id, layout::lead_ids(&self.docs.get(&self.conn, doc_id)?.doc).len() as i64],
        )?;
        for (id, s) in rows {
            index::upsert(&self.conn, &id, doc_id, &branch, &s)?;
            self.hooks.lead_written(&id, &s.fields, s.updated_at.map_or(0, |t| t.timestamp_millis()));
        }
        Ok(count)
    }
}

fn validate_id(field: crate::FormField, s: &str) -> Result<()> {
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
    uuid::Uuid::new_v4().simple().to_string()[..16].to_string()
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}
