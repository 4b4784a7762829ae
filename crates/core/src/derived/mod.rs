//! Derived state: every table and in-memory index computed from the Automerge
//! documents, kept current through one pipeline.
//!
//! Each derived view implements [`DerivedView`] and is named once, in [`VIEWS`]. Every
//! path that changes a lead — a local write ([`crate::writes`]), a merge of pulled
//! changes or a hub receipt ([`crate::replication`]), a policy change — reports it
//! with [`lead_changed`] inside its transaction and ends with [`finish`]; [`rebuild`]
//! derives every view from scratch, and [`verify`] compares the views with a rebuild.
//! A new derived table is one more view in the list, not four more call sites.

pub(crate) mod event_map;
pub(crate) mod memory;
mod views;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use leadguard_dedup::LeadRecord;

use crate::error::Result;
use crate::layout;
use crate::model::{Event, EventKind};
use crate::registry::Registry;
use crate::status::Status;
use crate::store;

/// Meta key set once every case of the registry has been derived.
pub const META_CASES_BUILT: &str = "collisions.built";
/// Meta key set by migration 10 when a registry with leads has yet to derive its
/// relations (`lead_relations`).
pub const META_RELATIONS_PENDING: &str = "relations.pending";
/// Set by migration 12 on a registry with leads: the lead index gains the grade.
pub const META_GRADE_PENDING: &str = "grade.pending";
/// Meta key set once every status is derived on effective (hub-clamped) times.
pub const META_EFFECTIVE_TIMES: &str = "status.effective_times";

/// Every derived view, in the order they take a change in: the event → change map
/// first (statuses are judged on receipts), then the lead rows (which derive the
/// status the views after them read), then what reads those rows.
pub(crate) static VIEWS: &[&dyn DerivedView] =
    &[&views::EventMap, &views::LeadRows, &views::LeadRelations, &views::CaseMarks, &views::InMemory, &views::Cases];

/// Rows of a derived table for comparison: key (never a rowid) → content.
pub(crate) type Rows = BTreeMap<String, String>;

/// Whether a view is derived lead by lead (cheap: checked first after a crash) or
/// across leads and changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    Lead,
    Across,
}

/// One derived table or in-memory index.
pub(crate) trait DerivedView: Sync {
    fn name(&self) -> &'static str;
    fn reach(&self) -> Reach;
    /// Whether it lives in SQLite (the doctor checks those) rather than in memory.
    fn persistent(&self) -> bool {
        true
    }
    /// The functions that change this view's state: only the views may call them
    /// (`derived::tests` checks that no other file of the crate does).
    #[allow(dead_code)] // read by the tests
    fn writers(&self) -> &'static [&'static str];
    /// Empties the view before a rebuild, inside the open transaction.
    fn clear(&self, reg: &mut Registry) -> Result<()>;
    /// Rebuild work that does not come from a lead's events (run after every view is
    /// cleared, before the leads are replayed).
    fn seed(&self, _reg: &mut Registry) -> Result<()> {
        Ok(())
    }
    /// A lead's events or receipts changed, inside the open transaction.
    fn lead_changed(&self, _reg: &mut Registry, _lead: &mut LeadChange<'_>) -> Result<()> {
        Ok(())
    }
    /// The transaction's leads are all in: views that relate leads to each other run.
    fn batch_done(&self, _reg: &mut Registry, _batch: &Batch) -> Result<()> {
        Ok(())
    }
    /// The view's content by table, for comparison with a rebuild.
    fn snapshot(&self, reg: &mut Registry) -> Result<Vec<(&'static str, Rows)>>;
}

/// One lead whose events or receipts changed.
pub(crate) struct LeadChange<'a> {
    pub lead_id: &'a str,
    pub doc_id: &'a str,
    pub branch: &'a str,
    /// Its whole history, in document order.
    pub events: &'a [Event],
    /// Events whose carrying change is new here: (event id, change hash).
    pub carried: &'a [(String, [u8; 32])],
    /// The status as of its last event: derived by the lead-rows view, read by the
    /// views after it.
    pub stored: Option<Status>,
    /// Its identifying fields differ from its previous row (set by the lead-rows
    /// view): a re-derivation can change them too, when a policy or a receipt decides
    /// differently whether an edit took effect.
    pub identity_changed: bool,
    /// Its identifying fields before this change (`None`: a new lead); set by the
    /// lead-rows view.
    pub previous: Option<LeadRecord>,
    /// Its identifying fields now (set by the lead-rows view).
    pub identity: Option<LeadRecord>,
}

impl<'a> LeadChange<'a> {
    pub(crate) fn new(
        lead_id: &'a str,
        doc_id: &'a str,
        branch: &'a str,
        events: &'a [Event],
        carried: &'a [(String, [u8; 32])],
    ) -> LeadChange<'a> {
        LeadChange { lead_id, doc_id, branch, events, carried, stored: None, identity_changed: false, previous: None, identity: None }
    }
}

/// The leads one transaction changed, for the views that relate leads to each other.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    /// Leads whose identifying fields may differ.
    pub fields: BTreeSet<String>,
    /// Leads whose claims or receipts may differ.
    pub claims: BTreeSet<String>,
    /// The identifying fields of the leads of `fields` when the transaction began
    /// (`None`: new), what the duplicate links were derived from.
    pub previous: HashMap<String, Option<LeadRecord>>,
    /// How many events each lead derived in this transaction holds: a lone lead with
    /// one event needs no case derivation, and its history need not be read again.
    pub events: HashMap<String, usize>,
}

impl Batch {
    pub(crate) fn claims_changed(&mut self, leads: impl IntoIterator<Item = String>) {
        self.claims.extend(leads);
    }
}

/// Every view takes in one changed lead (inside the open transaction).
pub(crate) fn lead_changed(reg: &mut Registry, batch: &mut Batch, mut lead: LeadChange<'_>, fields_changed: bool) -> Result<()> {
    reg.memory.histories.remove(lead.lead_id);
    for view in VIEWS {
        let _t = crate::phase_times::phase(view.name());
        view.lead_changed(reg, &mut lead)?;
    }
    if fields_changed || lead.identity_changed {
        batch.fields.insert(lead.lead_id.to_string());
        batch.previous.entry(lead.lead_id.to_string()).or_insert(lead.previous.take());
    }
    batch.claims.insert(lead.lead_id.to_string());
    batch.events.insert(lead.lead_id.to_string(), lead.events.len());
    Ok(())
}

/// Ends a transaction's changes: the views across leads catch up.
pub(crate) fn finish(reg: &mut Registry, batch: &Batch) -> Result<()> {
    if batch.fields.is_empty() && batch.claims.is_empty() {
        return Ok(());
    }
    for view in VIEWS {
        let _t = crate::phase_times::phase(view.name());
        view.batch_done(reg, batch)?;
    }
    Ok(())
}

/// Re-derives `leads` (all leads if `None`) of one shard; `carried` lists (event,
/// lead, change) for events whose carrying change is new. Returns the leads found.
pub(crate) fn reindex_doc(
    reg: &mut Registry,
    batch: &mut Batch,
    doc_id: &str,
    leads: Option<&[String]>,
    carried: &[(String, String, [u8; 32])],
    fields_changed: &dyn Fn(&str) -> bool,
) -> Result<u64> {
    let loaded = reg.docs.get(&reg.conn, doc_id)?;
    let ids = match leads {
        Some(l) => l.to_vec(),
        None => layout::lead_ids(&loaded.doc),
    };
    let read = crate::phase_times::phase("read histories");
    let mut histories = Vec::with_capacity(ids.len());
    for id in &ids {
        if let Some(events) = layout::read_events(&loaded.doc, id)? {
            histories.push((id.clone(), events));
        }
    }
    drop(read);
    reindex_histories(reg, batch, doc_id, histories, carried, fields_changed)
}

/// [`reindex_doc`] of histories the caller already read from the document (a merge
/// reads them to audit the events it brings). Each is kept for the collision view,
/// which reads the same histories once the transaction's leads are in.
pub(crate) fn reindex_histories(
    reg: &mut Registry,
    batch: &mut Batch,
    doc_id: &str,
    histories: Vec<(String, Vec<Event>)>,
    carried: &[(String, String, [u8; 32])],
    fields_changed: &dyn Fn(&str) -> bool,
) -> Result<u64> {
    let branch = layout::branch_of_doc(doc_id).to_string();
    let digests = crate::phase_times::phase("digests");
    if !reg.memory.defer_digests {
        prewarm_new_leads(reg, &histories)?;
    }
    drop(digests);
    let count = histories.len() as u64;
    reg.conn.execute(
        "UPDATE docs SET lead_count = ?2 WHERE doc_id = ?1 AND lead_count < ?2",
        rusqlite::params![doc_id, layout::lead_ids(&reg.docs.get(&reg.conn, doc_id)?.doc).len() as i64],
    )?;
    let mut carried_by_lead: HashMap<&str, Vec<(String, [u8; 32])>> = HashMap::new();
    for (ev, lead, hash) in carried {
        carried_by_lead.entry(lead.as_str()).or_default().push((ev.clone(), *hash));
    }
    for (id, events) in histories {
        let mine = carried_by_lead.remove(id.as_str()).unwrap_or_default();
        let change = LeadChange::new(&id, doc_id, &branch, &events, &mine);
        lead_changed(reg, batch, change, fields_changed(&id))?;
        if reg.memory.histories.len() < crate::memory_views::HISTORIES_KEPT {
            reg.memory.histories.insert(id, std::sync::Arc::new(events));
        }
    }
    Ok(count)
}

/// Digests the plain phones, e-mails and contacts of leads this device has not
/// derived before (a first sync brings thousands) on every core at once; a lead it
/// knows reuses the digests of its index row instead.
fn prewarm_new_leads(reg: &mut Registry, histories: &[(String, Vec<Event>)]) -> Result<()> {
    let mut fields = Vec::new();
    for (id, events) in histories {
        if crate::lead_index::get(&reg.conn, id)?.is_some() {
            continue;
        }
        fields.extend(events.iter().filter_map(|e| match &e.kind {
            EventKind::Register { fields } | EventKind::Update { fields } => Some(fields),
            _ => None,
        }));
    }
    if fields.len() > 1 {
        reg.prewarm_digests(fields)?;
    }
    Ok(())
}

/// Re-derives `leads` wherever they live (their receipts changed).
pub(crate) fn reindex_leads(reg: &mut Registry, batch: &mut Batch, leads: &BTreeSet<String>) -> Result<()> {
    let mut by_doc: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for lead in leads {
        if let Some(row) = crate::lead_index::get(&reg.conn, lead)? {
            by_doc.entry(row.doc_id).or_default().push(lead.clone());
        }
    }
    for (doc, leads) in by_doc {
        reindex_doc(reg, batch, &doc, Some(&leads), &[], &|_| false)?;
    }
    Ok(())
}

/// Re-derives every lead (of `branch` if given). Returns the number of leads.
pub(crate) fn reindex_all(reg: &mut Registry, batch: &mut Batch, branch: Option<&str>) -> Result<u64> {
    let mut n = 0;
    for doc_id in lead_documents(reg, branch)? {
        n += reindex_doc(reg, batch, &doc_id, None, &[], &|_| false)?;
    }
    Ok(n)
}

/// Every lead document (of `branch` if given), in id order.
fn lead_documents(reg: &Registry, branch: Option<&str>) -> Result<Vec<String>> {
    let prefix = branch.map_or("%".to_string(), |b| format!("{b}/%"));
    let mut stmt = reg
        .conn
        .prepare("SELECT doc_id FROM docs WHERE doc_id NOT LIKE 'directory/%' AND doc_id LIKE ?1 ORDER BY doc_id")?;
    let rows = stmt.query_map([prefix], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(rows)
}

/// Every lead of the registry.
pub(crate) fn all_leads(reg: &Registry) -> Result<BTreeSet<String>> {
    let mut stmt = reg.conn.prepare("SELECT lead_id FROM lead_index")?;
    let rows = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<BTreeSet<String>>>()?;
    Ok(rows)
}

/// Which views a rebuild covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    /// The views derived lead by lead.
    Leads,
    /// Every view.
    All,
}

fn in_depth(view: &dyn DerivedView, depth: Depth) -> bool {
    depth == Depth::All || view.reach() == Reach::Lead
}

/// Derives the views of `depth` from scratch, inside the open transaction.
pub(crate) fn rebuild(reg: &mut Registry, depth: Depth) -> Result<()> {
    let views: Vec<&dyn DerivedView> = VIEWS.iter().copied().filter(|v| in_depth(*v, depth)).collect();
    for view in &views {
        view.clear(reg)?;
    }
    for view in &views {
        view.seed(reg)?;
    }
    let mut batch = Batch::default();
    for doc_id in lead_documents(reg, None)? {
        reindex_doc(reg, &mut batch, &doc_id, None, &[], &|_| true)?;
    }
    if depth == Depth::All {
        finish(reg, &batch)?;
    }
    Ok(())
}

/// The content of the views of `depth` (the persistent ones only, unless `memory`).
pub(crate) fn snapshot(reg: &mut Registry, depth: Depth, memory: bool) -> Result<Vec<(&'static str, Rows)>> {
    let mut out = Vec::new();
    for view in VIEWS.iter().filter(|v| in_depth(**v, depth) && (memory || v.persistent())) {
        out.extend(view.snapshot(reg)?);
    }
    Ok(out)
}

/// How one derived view compared with a rebuild from scratch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewCheck {
    pub view: &'static str,
    /// Rows (entries, for a view in memory) after the rebuild, over all its tables.
    pub rows: usize,
    /// `table: key` of every row whose content differs or that only one side has.
    pub drift: Vec<String>,
}

/// Compares every view, in memory too, with a rebuild from scratch and leaves the
/// registry as it was (the rebuild is rolled back).
pub(crate) fn verify(reg: &mut Registry) -> Result<Vec<ViewCheck>> {
    reg.refresh_if_changed()?;
    reg.conn.execute_batch("BEGIN IMMEDIATE")?;
    let outcome = (|| {
        let mut before = Vec::new();
        for view in VIEWS {
            before.push(view.snapshot(reg)?);
        }
        rebuild(reg, Depth::All)?;
        let mut checks = Vec::new();
        for (view, before) in VIEWS.iter().zip(before) {
            let after = view.snapshot(reg)?;
            let rows = after.iter().map(|(_, r)| r.len()).sum();
            checks.push(ViewCheck { view: view.name(), rows, drift: drift(&before, &after) });
        }
        Ok::<_, crate::error::Error>(checks)
    })();
    let _ = reg.conn.execute_batch("ROLLBACK");
    // The rebuild's in-memory state and cached documents belong to the rolled-back
    // transaction.
    reg.memory.drop_memory();
    reg.docs.clear();
    outcome
}

fn drift(before: &[(&'static str, Rows)], after: &[(&'static str, Rows)]) -> Vec<String> {
    let mut out = Vec::new();
    for ((table, b), (_, a)) in before.iter().zip(after) {
        out.extend(a.iter().filter(|(k, v)| b.get(*k) != Some(*v)).map(|(k, _)| format!("{table}: {k}")));
        out.extend(b.keys().filter(|k| !a.contains_key(*k)).map(|k| format!("{table}: {k}")));
    }
    out
}

impl Registry {
    /// Derives every view once for a registry written by a version that predates
    /// cases or effective times (it judged events on device clocks and mapped events
    /// to changes by their messages). Cheap when done.
    pub(crate) fn ensure_derived_current(&mut self) -> Result<()> {
        if store::meta_get(&self.conn, META_CASES_BUILT)?.is_some()
            && store::meta_get(&self.conn, META_EFFECTIVE_TIMES)?.is_some()
            && store::meta_get(&self.conn, META_RELATIONS_PENDING)?.is_none()
            && store::meta_get(&self.conn, META_GRADE_PENDING)?.is_none()
        {
            return Ok(());
        }
        self.rebuild_derived()?;
        store::meta_set(&self.conn, META_EFFECTIVE_TIMES, Some("1"))?;
        store::meta_set(&self.conn, META_RELATIONS_PENDING, None)?;
        store::meta_set(&self.conn, META_GRADE_PENDING, None)
    }

    /// Compares every derived view with a rebuild from scratch, changing nothing:
    /// each view kept current write by write must equal its rebuild.
    pub fn verify_derived(&mut self) -> Result<Vec<ViewCheck>> {
        verify(self)
    }

    /// Rebuilds every derived view from the documents, in one transaction.
    pub fn rebuild_derived(&mut self) -> Result<()> {
        self.refresh_if_changed()?;
        self.transact(|reg| {
            rebuild(reg, Depth::All)?;
            store::meta_set(&reg.conn, META_CASES_BUILT, Some("1"))
        })
    }
}
