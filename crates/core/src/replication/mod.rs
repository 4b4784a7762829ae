//! The store side of sync: what the sync client (`crate::sync`, written against this)
//! pushes, how the hub's acknowledgements are recorded, and how pulled changes are
//! merged.
//!
//! The unit of exchange is one Automerge change (its 32-byte hash identifies it).
//! Local changes stay "pending" until the hub acknowledges them with a `hub_seq`.
//! Pulled changes are applied idempotently: a change already present only gets its
//! hub evidence recorded. Applying a batch stores the changes, merges them into their
//! documents and re-derives the index rows of exactly the leads they touched, all in
//! one SQLite transaction.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use automerge::{ChangeHash, Prop, ReadDoc, ROOT};
use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use leadguard_schema::{Reason, Violation};

mod decode;
pub mod keys;
pub mod quarantine;

use decode::{Decoded, Decoding};
use quarantine::ReplicaLists;
use crate::derived::{self, Batch};
use crate::documents::DocCache;
use crate::error::{Error, Result};
use crate::layout;
use crate::registry::Registry;
use crate::store;

pub const META_HUB_URL: &str = "sync.hub_url";
pub const META_DEVICE_TOKEN: &str = "sync.device_token";
pub const META_LAST_PULLED: &str = "sync.last_pulled_hub_seq";
pub const META_LAST_SYNC: &str = "sync.last_sync_at";

/// A local change the hub has not acknowledged yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingChange {
    /// Local order; push in this order.
    pub local_seq: i64,
    pub doc_id: String,
    pub scope: String,
    /// Automerge change hash.
    pub hash: [u8; 32],
    /// The encoded Automerge change.
    pub bytes: Vec<u8>,
}

/// The hub's receipt for one pushed change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub hash: [u8; 32],
    pub hub_seq: i64,
    /// Hub clock when the hub first received the change.
    pub received_at: DateTime<Utc>,
    /// The pushing device's previous successful sync (hub clock), if any.
    pub device_prev_sync: Option<DateTime<Utc>>,
}

/// A change pulled from the hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteChange {
    pub hub_seq: i64,
    pub doc_id: String,
    pub scope: String,
    pub hash: [u8; 32],
    pub bytes: Vec<u8>,
    pub received_at: DateTime<Utc>,
    pub device_prev_sync: Option<DateTime<Utc>>,
}

/// What [`Registry::apply_remote`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Changes new to this device.
    pub applied: usize,
    /// Changes it already had (their hub evidence was recorded).
    pub duplicates: usize,
    /// Leads whose events changed, sorted.
    pub touched_leads: Vec<String>,
    /// Documents that received changes, sorted.
    pub touched_docs: Vec<String>,
    /// A directory document (reps, policy) changed.
    pub directory_changed: bool,
    /// Changes the schema refused: stored aside (`quarantine_list`), not merged.
    pub quarantined: usize,
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339()
}

impl Registry {
    /// Up to `limit` local changes without a `hub_seq`, oldest first (documents in a
    /// `local:` scope never leave the laptop).
    pub fn pending_changes(&self, limit: usize) -> Result<Vec<PendingChange>> {
        self.local_changes("AND c.hub_seq IS NULL ORDER BY c.seq LIMIT ?1", limit as i64)
    }

    /// Every change this laptop wrote that may leave it (acknowledged or not), oldest
    /// first: the history a hub adopts when it starts from this laptop's registry
    /// (`leadguard history export`).
    pub fn history_changes(&self) -> Result<Vec<PendingChange>> {
        self.local_changes("ORDER BY c.seq LIMIT ?1", i64::MAX)
    }

    /// Local changes outside `local:` scopes, narrowed and ordered by `tail`.
    fn local_changes(&self, tail: &str, limit: i64) -> Result<Vec<PendingChange>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT c.seq, c.doc_id, d.scope, c.hash, c.bytes FROM changes c JOIN docs d USING (doc_id)
             WHERE c.origin = 'local' AND d.scope NOT LIKE 'local:%' {tail}"
        ))?;
        let rows = stmt.query_map([limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Vec<u8>>(3)?, r.get(4)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (local_seq, doc_id, scope, hash, bytes) = row?;
            let hash: [u8; 32] =
                hash.try_into().map_err(|_| Error::Corrupt(format!("change {local_seq} has a malformed hash")))?;
            out.push(PendingChange { local_seq, doc_id, scope, hash, bytes });
        }
        Ok(out)
    }

    /// Number of local changes not yet acknowledged.
    pub fn pending_count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM changes c JOIN docs d USING (doc_id)
             WHERE c.origin = 'local' AND c.hub_seq IS NULL AND d.scope NOT LIKE 'local:%'",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Records the hub's receipts. Unknown hashes are ignored; returns how many
    /// changes were updated.
    pub fn mark_acknowledged(&mut self, acks: &[Ack]) -> Result<usize> {
        self.transact(|reg| {
            let mut stmt = reg.conn.prepare_cached(
                "UPDATE changes SET hub_seq = ?2, hub_received_at = ?3, device_prev_sync = ?4 WHERE hash = ?1",
            )?;
            let mut n = 0;
            for a in acks {
                n += stmt.execute(params![
                    &a.hash[..],
                    a.hub_seq,
                    rfc(a.received_at),
                    a.device_prev_sync.map(rfc)
                ])?;
            }
            drop(stmt);
            // A receipt closes the evidence windows of the claims the change carries.
            let hashes: Vec<[u8; 32]> = acks.iter().map(|a| a.hash).collect();
            let leads = reg.leads_of_changes(&hashes)?;
            // ... and moves their events' effective times into it, when written outside.
            let mut moved = Vec::new();
            for a in acks {
                if reg.receipt_moves(&a.hash, a.device_prev_sync, a.received_at)? {
                    moved.push(a.hash);
                }
            }
            let moved = reg.leads_of_changes(&moved)?;
            let mut batch = Batch::default();
            derived::reindex_leads(reg, &mut batch, &moved)?;
            batch.claims_changed(leads);
            derived::finish(reg, &batch)?;
            Ok(n)
        })
    }

    /// Merges changes pulled from the hub. Idempotent. Each new change is checked
    /// against the schema first (`quarantine.rs`): a bad one is stored aside with its
    /// reason and not merged, and the rest of the batch goes on. One transaction: a
    /// storage failure leaves nothing half-applied.
    pub fn apply_remote(&mut self, changes: &[RemoteChange]) -> Result<ApplyReport> {
        if changes.iter().any(|c| !c.doc_id.starts_with("directory/")) {
            self.warm_dedup()?;
        }
        let now = Utc::now();
        // Pulled changes commit without waiting for the disk (synchronous=NORMAL in
        // WAL mode: a power cut may lose the last commits, never corrupts the file).
        // Safe because applying a pull acknowledges nothing to anyone: the hub keeps
        // every change, and the pull cursor is written after the page with
        // synchronous=FULL, which syncs the WAL up to and including these commits;
        // a page lost with its cursor is pulled again. Local writes and push
        // acknowledgements keep synchronous=FULL.
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let applied = self.transact(|reg| {
            let mut report = ApplyReport::default();
            let mut batch = Batch::default();
            let mut receipts_changed: Vec<[u8; 32]> = Vec::new();
            let mut policy_changed = false;
            let mut by_doc: BTreeMap<&str, Vec<(&RemoteChange, Decoded)>> = BTreeMap::new();
            let decode = crate::phase_times::phase("decode and check");
            let mut fresh: Vec<&RemoteChange> = Vec::with_capacity(changes.len());
            let known_phase = crate::phase_times::phase("decode and check: known");
            {
                let mut known_stmt = reg.conn.prepare_cached("SELECT hub_seq FROM changes WHERE hash = ?1")?;
                let mut receipt_stmt = reg.conn.prepare_cached(
                    "UPDATE changes SET hub_seq = ?2, hub_received_at = ?3, device_prev_sync = ?4 WHERE hash = ?1",
                )?;
                for rc in changes {
                    let known: Option<Option<i64>> = known_stmt.query_row([&rc.hash[..]], |r| r.get(0)).optional()?;
                    if let Some(hub_seq) = known {
                        if hub_seq.is_none() {
                            receipt_stmt.execute(params![&rc.hash[..], rc.hub_seq, rfc(rc.received_at), rc.device_prev_sync.map(rfc)])?;
                            receipts_changed.push(rc.hash);
                        }
                        report.duplicates += 1;
                        continue;
                    }
                    if quarantine::is_quarantined(&reg.conn, &rc.hash)? {
                        report.duplicates += 1;
                        continue;
                    }
                    fresh.push(rc);
                }
            }
            drop(known_phase);
            // Parsing and expanding the new changes read only their bytes: every core.
            let decoded = crate::phase_times::time("decode and check: decode", || decode::decode_all(&fresh));
            for (rc, decoded) in fresh.iter().copied().zip(decoded) {
                match decoded {
                    Decoding::Ok(d) => by_doc.entry(rc.doc_id.as_str()).or_default().push((rc, *d)),
                    Decoding::WrongHash => {
                        let v = Violation::new(Reason::Undecodable, "the change does not match its hash");
                        quarantine::put(&reg.conn, rc, None, &v, now)?;
                        report.quarantined += 1;
                    }
                    Decoding::Bad(e) => {
                        let v = Violation::new(Reason::Undecodable, format!("the change does not decode: {e}"));
                        quarantine::put(&reg.conn, rc, None, &v, now)?;
                        report.quarantined += 1;
                    }
                }
            }
            let mut touched = BTreeSet::new();
            // Leads whose identifying fields may have changed (their duplicate links
            // are re-scored); follow-ups, claims and decisions only change claims.
            let mut fields_touched = BTreeSet::new();
            let admitted = crate::phase_times::time("decode and check: schema", || reg.check_in_hub_order(by_doc, &mut report, now))?;
            drop(decode);
            for (doc_id, (exists, items)) in admitted {
                let before = match exists {
                    Some(true) => reg.docs.get(&reg.conn, doc_id)?.doc.get_heads(),
                    _ => Vec::new(),
                };
                let accepted = crate::phase_times::time("merge into documents", || reg.admit(doc_id, items, exists, &mut report, now))?;
                // Which change carries which event (for the claims' hub receipts).
                let mut carried: HashMap<&str, &RemoteChange> = HashMap::new();
                let mut unlabelled = false;
                for (rc, d) in &accepted {
                    unlabelled |= d.events.is_empty();
                    // A copied event id keeps the hub's first change (the batch is
                    // in hub order): every replica maps it alike.
                    for ev in &d.events {
                        carried.entry(ev.as_str()).or_insert(rc);
                    }
                }
                if accepted.is_empty() {
                    continue;
                }
                let patches_phase = crate::phase_times::phase("patches and audit");
                let loaded = reg.docs.get(&reg.conn, doc_id)?;
                report.touched_docs.push(doc_id.to_string());
                // A document new here: every lead at its root is new (the patches
                // from an empty document would list exactly these).
                let patches = if before.is_empty() {
                    let leads: BTreeSet<String> = loaded.doc.keys(ROOT).collect();
                    Err(leads)
                } else {
                    let after = loaded.doc.get_heads();
                    Ok(loaded.doc.diff(&before, &after))
                };
                if doc_id.starts_with("directory/") {
                    report.directory_changed = true;
                    let branch = doc_id.trim_start_matches("directory/").to_string();
                    let old = reg.policy(&branch);
                    reg.reload_directory(&branch)?;
                    if reg.policy(&branch) != old {
                        derived::reindex_all(reg, &mut batch, Some(&branch))?;
                        policy_changed = true;
                    }
                    continue;
                }
                let mut leads = BTreeSet::new();
                let patches = match patches {
                    Ok(patches) => patches,
                    Err(all) => {
                        leads = all;
                        Vec::new()
                    }
                };
                for p in patches {
                    match (p.path.first(), &p.action) {
                        (Some((_, Prop::Map(key))), _) => {
                            leads.insert(key.clone());
                        }
                        (None, automerge::PatchAction::PutMap { key, .. }) if p.obj == ROOT => {
                            leads.insert(key.clone());
                        }
                        _ => {}
                    }
                }
                let leads: Vec<String> = leads.into_iter().collect();
                let mut notes = Vec::new();
                // The histories read here are the ones the views derive from.
                let mut read = Vec::new();
                if !carried.is_empty() {
                    let loaded = reg.docs.get(&reg.conn, doc_id)?;
                    // The audit entries of the document's merged events, appended
                    // together (one read and one write of the chain head).
                    let mut entries = Vec::new();
                    for (lead, events) in leads.iter().zip(decode::read_histories(&loaded.doc, &leads)) {
                        let Some(events) = events? else { continue };
                        for e in &events {
                            if let Some(rc) = carried.get(e.id.as_str()) {
                                if matches!(e.kind, crate::model::EventKind::Register { .. } | crate::model::EventKind::Update { .. }) {
                                    fields_touched.insert(lead.clone());
                                }
                                // The change was stored with this receipt just now.
                                entries.extend(crate::audit::merged_entry(lead, e, rc.received_at));
                                notes.push((e.id.clone(), lead.clone(), rc.hash));
                            }
                        }
                        read.push((lead.clone(), events));
                    }
                    crate::audit::append_all(&reg.conn, entries)?;
                }
                if unlabelled {
                    // A change that does not list its events: assume any field changed.
                    fields_touched.extend(leads.iter().cloned());
                }
                drop(patches_phase);
                // With the event → change map: statuses are judged on receipts.
                let fields_changed = |l: &str| fields_touched.contains(l);
                if carried.is_empty() {
                    derived::reindex_doc(reg, &mut batch, doc_id, Some(&leads), &notes, &fields_changed)?;
                } else {
                    derived::reindex_histories(reg, &mut batch, doc_id, read, &notes, &fields_changed)?;
                }
                touched.extend(leads);
            }
            let windows = reg.leads_of_changes(&receipts_changed)?;
            derived::reindex_leads(reg, &mut batch, &windows)?;
            if policy_changed {
                // Whether an edit completed a registration depends on the policy.
                batch.claims_changed(derived::all_leads(reg)?);
            }
            derived::finish(reg, &batch)?;
            report.touched_leads = touched.into_iter().collect();
            Ok(report)
        });
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        applied
    }

    /// Checks every new change of a pull in hub order, across documents, and
    /// quarantines the bad ones; returns the admitted ones by document (hub order
    /// within each). Hub order across documents matters: a lead belongs to the
    /// document whose change created it first, so a copy created later elsewhere is
    /// refused the same way whether both arrived in one pull or in two.
    #[allow(clippy::type_complexity)]
    fn check_in_hub_order<'c>(
        &mut self,
        by_doc: BTreeMap<&'c str, Vec<(&'c RemoteChange, Decoded)>>,
        report: &mut ApplyReport,
        now: DateTime<Utc>,
    ) -> Result<BTreeMap<&'c str, (Option<bool>, Vec<(&'c RemoteChange, Decoded)>)>> {
        struct DocCheck<'c> {
            exists: Option<bool>,
            lists: ReplicaLists,
            batch: HashSet<ChangeHash>,
            /// The document's name in each scope its changes came with (parsed once).
            named: HashMap<&'c str, std::result::Result<leadguard_schema::DocName, Violation>>,
        }
        let mut all: Vec<(&'c str, &'c RemoteChange, Decoded)> =
            by_doc.into_iter().flat_map(|(d, items)| items.into_iter().map(move |(rc, c)| (d, rc, c))).collect();
        all.sort_by_key(|(_, rc, _)| rc.hub_seq);
        let mut states: HashMap<&'c str, DocCheck<'c>> = HashMap::new();
        // Leads created by changes admitted in this pull → their document.
        let mut homes: HashMap<String, String> = HashMap::new();
        let mut out: BTreeMap<&'c str, (Option<bool>, Vec<(&'c RemoteChange, Decoded)>)> = BTreeMap::new();
        for (doc_id, rc, decoded) in all {
            let change = &decoded.change;
            if !states.contains_key(doc_id) {
                let exists = self.doc_in_scope(doc_id, &rc.scope)?;
                let lists = match exists {
                    Some(true) => ReplicaLists::from_doc(Some(&self.docs.get(&self.conn, doc_id)?.doc)),
                    _ => ReplicaLists::from_doc(None),
                };
                states.insert(doc_id, DocCheck { exists, lists, batch: HashSet::new(), named: HashMap::new() });
            }
            let st = states.get_mut(doc_id).expect("inserted above");
            let verdict = if st.exists == Some(false) {
                Err(Violation::new(Reason::WrongScope, format!("document {doc_id} lives in another scope than {}", rc.scope)))
            } else {
                let replica = quarantine::ReplicaState::with_lists(&self.conn, &st.lists.lists, &homes);
                let named = st.named.entry(rc.scope.as_str()).or_insert_with(|| leadguard_schema::DocName::in_scope(doc_id, &rc.scope));
                let (conn, docs, batch, exists) = (&self.conn, &mut self.docs, &st.batch, st.exists);
                let mut present = |h: &ChangeHash| {
                    batch.contains(h)
                        || (exists == Some(true) && docs.get(conn, doc_id).is_ok_and(|l| l.doc.get_change_by_hash(h).is_some()))
                };
                quarantine::check(&self.conn, rc, change, decoded.expanded.as_ref(), Some(named), &mut present, &replica)?
            };
            match verdict {
                Ok(fx) => {
                    st.lists.accept(doc_id, &fx, &mut homes);
                    st.batch.insert(change.hash());
                    out.entry(doc_id).or_insert_with(|| (st.exists, Vec::new())).1.push((rc, decoded));
                }
                Err(v) => {
                    quarantine::put(&self.conn, rc, Some(change), &v, now)?;
                    report.quarantined += 1;
                }
            }
        }
        Ok(out)
    }

    /// Stores and merges the admitted changes of one document; returns those merged.
    /// The check needed no merge in between (it tracked the leads and changes the
    /// pull adds), so the document takes the whole batch at once, from the changes
    /// already decoded (not read back from the rows just stored); should Automerge
    /// refuse it, the changes are merged one by one and the one it refuses is
    /// quarantined.
    fn admit<'c>(
        &mut self,
        doc_id: &str,
        accepted: Vec<(&'c RemoteChange, Decoded)>,
        exists: Option<bool>,
        report: &mut ApplyReport,
        now: DateTime<Utc>,
    ) -> Result<Vec<(&'c RemoteChange, Decoded)>> {
        if accepted.is_empty() {
            return Ok(accepted);
        }
        // The document as stored so far (a new one: empty), before the rows below.
        if exists.is_none() {
            self.docs.create(&self.conn, doc_id, &accepted[0].0.scope)?;
        } else {
            self.docs.get(&self.conn, doc_id)?;
        }
        let store_row = |conn: &rusqlite::Connection, rc: &RemoteChange| -> Result<i64> {
            conn.prepare_cached(
                "INSERT INTO changes(hash, doc_id, origin, bytes, hub_seq, hub_received_at, device_prev_sync)
                 VALUES (?1, ?2, 'remote', ?3, ?4, ?5, ?6)",
            )?
            .execute(params![&rc.hash[..], doc_id, rc.bytes, rc.hub_seq, rfc(rc.received_at), rc.device_prev_sync.map(rfc)])?;
            Ok(conn.last_insert_rowid())
        };
        let mut last_seq = 0;
        for (rc, _) in &accepted {
            last_seq = store_row(&self.conn, rc)?;
        }
        let changes = accepted.iter().map(|(_, d)| d.change.clone());
        let Err(e) = self.docs.merge_stored(doc_id, changes, last_seq) else {
            report.applied += accepted.len();
            return Ok(accepted);
        };
        if matches!(e, Error::Sqlite(_) | Error::Io(_)) {
            return Err(e);
        }
        for (rc, _) in &accepted {
            self.conn.execute("DELETE FROM changes WHERE hash = ?1", [&rc.hash[..]])?;
        }
        self.docs.forget(doc_id);
        let mut kept = Vec::with_capacity(accepted.len());
        let mut refused: HashSet<ChangeHash> = HashSet::new();
        for (rc, decoded) in accepted {
            let change = &decoded.change;
            let why = if change.deps().iter().any(|d| refused.contains(d)) {
                Some(Violation::new(Reason::DependsOnQuarantined, "the change depends on a change that does not apply"))
            } else {
                store_row(&self.conn, rc)?;
                match self.docs.get(&self.conn, doc_id).map(|_| ()) {
                    Ok(()) => None,
                    Err(e) if matches!(e, Error::Sqlite(_) | Error::Io(_)) => return Err(e),
                    Err(e) => {
                        self.conn.execute("DELETE FROM changes WHERE hash = ?1", [&rc.hash[..]])?;
                        self.docs.forget(doc_id);
                        Some(Violation::new(Reason::Undecodable, format!("the change does not apply: {e}")))
                    }
                }
            };
            match why {
                Some(v) => {
                    refused.insert(change.hash());
                    quarantine::put(&self.conn, rc, Some(change), &v, now)?;
                    report.quarantined += 1;
                }
                None => kept.push((rc, decoded)),
            }
        }
        report.applied += kept.len();
        Ok(kept)
    }

    /// Whether document `doc_id` exists here in `scope` (`Some(true)`), in another
    /// scope (`Some(false)`), or not at all (`None`).
    fn doc_in_scope(&self, doc_id: &str, scope: &str) -> Result<Option<bool>> {
        let existing: Option<String> =
            self.conn.prepare_cached("SELECT scope FROM docs WHERE doc_id = ?1")?.query_row([doc_id], |r| r.get(0)).optional()?;
        Ok(existing.map(|s| s == scope))
    }

    // ----- sync state in `meta` -----

    pub fn hub_url(&self) -> Result<Option<String>> {
        store::meta_get(&self.conn, META_HUB_URL)
    }
    pub fn set_hub_url(&mut self, url: Option<&str>) -> Result<()> {
        store::meta_set(&self.conn, META_HUB_URL, url)
    }
    pub fn device_token(&self) -> Result<Option<String>> {
        store::meta_get(&self.conn, META_DEVICE_TOKEN)
    }
    pub fn set_device_token(&mut self, token: Option<&str>) -> Result<()> {
        store::meta_set(&self.conn, META_DEVICE_TOKEN, token)
    }
    /// The highest `hub_seq` pulled so far (0 before the first pull).
    pub fn last_pulled_hub_seq(&self) -> Result<i64> {
        match store::meta_get(&self.conn, META_LAST_PULLED)? {
            Some(v) => v.parse().map_err(|_| Error::Corrupt(format!("meta {META_LAST_PULLED} is malformed"))),
            None => Ok(0),
        }
    }
    pub fn set_last_pulled_hub_seq(&mut self, seq: i64) -> Result<()> {
        store::meta_set(&self.conn, META_LAST_PULLED, Some(&seq.to_string()))
    }
    /// Hub time of the last successful sync; new events carry it as `after`.
    pub fn last_sync_at(&self) -> Result<Option<DateTime<Utc>>> {
        Ok(store::meta_get(&self.conn, META_LAST_SYNC)?
            .and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
            .map(|t| t.with_timezone(&Utc)))
    }
    pub fn set_last_sync_at(&mut self, at: DateTime<Utc>) -> Result<()> {
        store::meta_set(&self.conn, META_LAST_SYNC, Some(&rfc(at)))
    }

    /// Whether a document exists locally (for tests and diagnostics).
    pub fn has_doc(&self, doc_id: &str) -> Result<bool> {
        DocCache::exists(&self.conn, doc_id)
    }
}

/// The layout helpers the sync client may need (scopes of the session's branch).
pub fn branch_scope(branch: &str) -> String {
    layout::branch_scope(branch)
}
