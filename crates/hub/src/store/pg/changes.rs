//! The change log in PostgreSQL: the SQLite backend's rules (`store/changes.rs`) over
//! a database several hubs write at once.
//!
//! **Never skip.** A PostgreSQL sequence hands out numbers at insert time, and two
//! transactions may commit them out of order: a pull between the two commits would move
//! its cursor past the one still in flight. So a push that stores anything locks the
//! feed's head row (`hub_feed`) once its checks are done, numbers its changes from it
//! and commits before the next push can read it: `hub_seq` becomes visible strictly in
//! order, whichever hub took the push, and each pull reads its page and the feed's head
//! in one snapshot. Pushes that store nothing new (re-pushes) do not take the lock.

use std::cell::RefCell;
use std::collections::HashMap;

use leadguard_protocol::{Ack, ChangeHash, HubTime, PullResponse, PulledChange, PULL_BYTE_BUDGET};
use leadguard_schema::{DocState, Effects};
use postgres::types::ToSql;
use postgres::{GenericClient, Transaction};

use super::pool::{Pool, Statements};
use super::writer::Writer;
use crate::error::HubError;
use crate::scope::Device;
use crate::store::ranges::{exact_end, pull_ranges, Ranges};
use crate::store::{now_ms, ValidChange};

/// A stored change's receipt: `hub_seq, scope, received_at, device_prev_sync`.
type Receipt = (i64, String, i64, Option<i64>);

/// The receipts of whichever of `hashes` are stored, in one round trip.
pub(super) fn find_all(tx: &mut impl GenericClient, st: &mut Statements, hashes: &[&[u8]]) -> Result<HashMap<Vec<u8>, Receipt>, HubError> {
    // `unnest`, not `= ANY`: see `group::READ_BATCH`.
    let find = st.get(
        tx,
        "SELECT c.hash, c.hub_seq, c.scope, c.received_at, c.device_prev_sync FROM unnest($1::bytea[]) AS k (hash) JOIN changes c ON c.hash = k.hash",
    )?;
    Ok(tx.query(&find, &[&hashes])?.into_iter().map(|r| (r.get(0), (r.get(1), r.get(2), r.get(3), r.get(4)))).collect())
}

/// Which checks a new change passes before it is stored.
#[derive(Clone, Copy)]
pub(super) enum Checks {
    /// None (`Backend::push`: bytes as they are).
    None,
    /// The schema's, with the pushing device as author (`Backend::push_checked`).
    Device,
    /// The schema's without an author: a history the operator adopts (`Backend::adopt`).
    Adopted,
}

/// Stores a batch atomically (see `Backend::push`) after `checks`.
///
/// Every push goes to the hub's writer (group commit, stored with the pushes queued
/// beside it: `group.rs`), which reads the batch's hashes with the rest of its reads:
/// a batch of nothing but re-pushes is answered from the log there without locking the
/// feed (no round trip of its own on a pooled connection first — that lookup was one
/// more statement per push for the rare re-push). Two pushes of the same new change
/// racing through two hubs: the second's group is redone push by push, where it fails
/// on the unique hash (or lead) and its retry gets the first receipt — the client
/// retries a failed push anyway.
pub(super) fn push(writer: &Writer, device: &Device, changes: &[ValidChange], checks: Checks) -> Result<Vec<Ack>, HubError> {
    writer.push(super::group::PushJob { device: device.clone(), changes: changes.to_vec(), checks })
}

/// What a push creates besides its changes, written in one statement each at its end
/// (the checks of its later changes see them through `PgState`).
#[derive(Default)]
struct Pending {
    /// New leads: `(lead_id, doc_id, list_obj)`.
    leads: Vec<(String, String, String)>,
    /// Documents that now hold a plain contact.
    plain: Vec<String>,
    /// Registrations' and updates' match data, folded into `lead_match` once the
    /// leads exist (`match_keys`).
    matching: Vec<(String, leadguard_schema::event::MatchData)>,
}

/// The storing part of one push alone, in its savepoint of the writer's group
/// transaction: what the writer falls back to when a group's pushes could not be
/// stored together (`group.rs`). A fixed number of round trips per push, whatever its size (one per document and per
/// lookup the authorship checks make), and the feed row locked by one statement just
/// before the one insert of its changes.
pub(super) fn store_new(tx: &mut Transaction<'_>, st: &mut Statements, device: &Device, changes: &[ValidChange], checks: Checks) -> Result<Vec<Ack>, HubError> {
    // The lower end of the evidence window: the device's last sync, or its enrolment
    // (`store/changes.rs` explains why).
    let prev = st.get(tx, "SELECT coalesce(last_sync_at, enrolled_at) FROM devices WHERE id = $1")?;
    let prev_sync: Option<i64> = tx.query_one(&prev, &[&device.id])?.get(0);
    // Each document's scope as stored, its row added if new (one round trip each).
    let add_doc = st.get(
        tx,
        "WITH added AS (INSERT INTO docs (doc_id, scope) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING scope)
         SELECT scope FROM added UNION ALL SELECT scope FROM docs WHERE doc_id = $1",
    )?;
    let doc_scope = st.get(tx, "SELECT scope FROM docs WHERE doc_id = $1")?;
    let mut doc_scopes: HashMap<&str, String> = HashMap::new();
    for c in changes {
        if !doc_scopes.contains_key(c.doc_id.as_str()) {
            let row = match tx.query_opt(&add_doc, &[&c.doc_id, &c.scope])? {
                Some(row) => row,
                // Added by another hub's transaction that committed after this
                // statement's snapshot: read it again.
                None => tx.query_one(&doc_scope, &[&c.doc_id])?,
            };
            doc_scopes.insert(&c.doc_id, row.get(0));
        }
    }
    let hashes: Vec<&[u8]> = changes.iter().map(|c| &c.hash.0[..]).collect();
    let stored = find_all(tx, st, &hashes)?;
    // Each change: its first receipt, or the index of the new change it repeats.
    enum Slot {
        Stored(Ack),
        New(usize),
    }
    let mut slots = Vec::with_capacity(changes.len());
    let mut new: Vec<&ValidChange> = Vec::new();
    let mut new_index: HashMap<[u8; 32], usize> = HashMap::new();
    let mut pending = Pending::default();
    for (i, c) in changes.iter().enumerate() {
        if doc_scopes[c.doc_id.as_str()] != c.scope {
            return Err(HubError::ScopeMismatch { doc_id: c.doc_id.clone() });
        }
        if let Some(&n) = new_index.get(&c.hash.0) {
            slots.push(Slot::New(n));
            continue;
        }
        let slot = match stored.get(&c.hash.0[..]) {
            Some((_, scope, ..)) if *scope != c.scope => return Err(HubError::ScopeMismatch { doc_id: c.doc_id.clone() }),
            Some(&(seq, _, received_at, prev)) => Slot::Stored(ack(c.hash, seq, received_at, prev)),
            None => {
                match checks {
                    // Unchecked bytes may hold anything: their documents stay branch-only.
                    Checks::None => pending.plain.push(c.doc_id.clone()),
                    Checks::Device => check_and_record(tx, st, &mut pending, Some(device), i, c)?,
                    Checks::Adopted => check_and_record(tx, st, &mut pending, None, i, c)?,
                }
                new_index.insert(c.hash.0, new.len());
                new.push(c);
                Slot::New(new.len() - 1)
            }
        };
        slots.push(slot);
    }
    write_pending(tx, st, &pending)?;
    let (first_seq, now) = if new.is_empty() {
        (0, 0)
    } else {
        // Numbers the changes: the feed row is locked from here to the group's commit.
        let advance = st.get(
            tx,
            "UPDATE hub_feed SET last_seq = last_seq + $1, last_received_at = greatest(last_received_at, $2)
             WHERE id = 1 RETURNING last_seq, last_received_at",
        )?;
        let head = tx.query_one(&advance, &[&(new.len() as i64), &now_ms()])?;
        let (last_seq, now): (i64, i64) = (head.get(0), head.get(1));
        let first_seq = last_seq - new.len() as i64 + 1;
        // Before the insert, so the new changes are stored with their final mark.
        mark_plain(tx, st, &pending.plain)?;
        let insert = st.get(
            tx,
            "INSERT INTO changes (hub_seq, hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes, company_wide)
             SELECT seq, hash, doc_id, scope, $5, $6, $7, bytes, (SELECT NOT plain FROM docs d WHERE d.doc_id = n.doc_id)
             FROM unnest($1::bigint[], $2::bytea[], $3::text[], $4::text[], $8::bytea[]) AS n (seq, hash, doc_id, scope, bytes)",
        )?;
        let seqs: Vec<i64> = (first_seq..=last_seq).collect();
        let hashes: Vec<&[u8]> = new.iter().map(|c| &c.hash.0[..]).collect();
        let docs: Vec<&str> = new.iter().map(|c| c.doc_id.as_str()).collect();
        let scopes: Vec<&str> = new.iter().map(|c| c.scope.as_str()).collect();
        let bytes: Vec<&[u8]> = new.iter().map(|c| &c.bytes[..]).collect();
        tx.execute(&insert, &[&seqs, &hashes, &docs, &scopes, &device.id, &now, &prev_sync, &bytes])?;
        (first_seq, now)
    };
    Ok(slots
        .into_iter()
        .zip(changes)
        .map(|(slot, c)| match slot {
            Slot::Stored(a) => a,
            Slot::New(n) => ack(c.hash, first_seq + n as i64, now, prev_sync),
        })
        .collect())
}

/// Marks `docs` plain (they hold a contact in plain text): from now on they and every
/// change already stored of them are served to their own branch only. Run once the
/// feed row is locked and before this push's changes are inserted: a push through
/// another hub that read the document as not plain has then committed, and its changes
/// are cleared here; this push's insert reads the mark (its changes are stored
/// branch-only at once, not inserted then rewritten with every index); a push that
/// comes after waits for the lock and reads the mark too.
pub(super) fn mark_plain(tx: &mut Transaction<'_>, st: &mut Statements, docs: &[String]) -> Result<(), HubError> {
    if docs.is_empty() {
        return Ok(());
    }
    let mark = st.get(
        tx,
        "WITH marked AS (UPDATE docs d SET plain = true FROM (SELECT DISTINCT doc_id FROM unnest($1::text[]) AS k (doc_id)) k
                         WHERE d.doc_id = k.doc_id AND NOT d.plain RETURNING d.doc_id)
         UPDATE changes SET company_wide = false WHERE company_wide AND doc_id IN (SELECT doc_id FROM marked)",
    )?;
    tx.execute(&mark, &[&docs])?;
    Ok(())
}

/// The push's new leads and match data, one statement each (its plain marks come
/// after its changes: `mark_plain`).
fn write_pending(tx: &mut Transaction<'_>, st: &mut Statements, pending: &Pending) -> Result<(), HubError> {
    if !pending.leads.is_empty() {
        let add = st.get(tx, "INSERT INTO leads (lead_id, doc_id, list_obj) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])")?;
        let column = |f: fn(&(String, String, String)) -> &str| pending.leads.iter().map(f).collect::<Vec<&str>>();
        tx.execute(&add, &[&column(|l| &l.0), &column(|l| &l.1), &column(|l| &l.2)])?;
    }
    super::match_keys::record(tx, st, &pending.matching)
}

pub(super) fn ack(hash: ChangeHash, seq: i64, received_at: i64, prev: Option<i64>) -> Ack {
    Ack { hash, hub_seq: seq as u64, received_at: HubTime(received_at), device_prev_sync: prev.map(HubTime) }
}

/// One page of what `device` may read after `since` (see `Backend::pull`).
pub(super) fn pull(pool: &Pool, device: &Device, since: u64, limit: usize, only_scope: Option<&str>) -> Result<PullResponse, HubError> {
    let mut pooled = pool.get()?;
    let (client, st) = pooled.split();
    let since = i64::try_from(since).unwrap_or(i64::MAX);
    let limit = limit.max(1);
    let fetch = (limit + 1) as i64;
    // One statement, so one snapshot for the feed's head and the rows (and one round
    // trip: no BEGIN, no COMMIT).
    let rows = match pull_ranges(device, only_scope) {
        Ranges::Scope(scope) => {
            let statement = st.get(client, PULL_SCOPE)?;
            client.query(&statement, &[&since, &device.id, &scope, &exact_end(&scope), &fetch])?
        }
        Ranges::Employee(ranges) => {
            let (lo, hi): (Vec<&str>, Vec<&str>) = ranges.iter().map(|(lo, hi)| (lo.as_str(), hi.as_str())).unzip();
            let statement = st.get(client, PULL_EMPLOYEE)?;
            client.query(&statement, &[&since, &device.id, &lo, &hi, &fetch])?
        }
    };
    let max_seq: i64 = rows.first().map(|r| r.get(0)).ok_or_else(|| HubError::ForeignDatabase("hub_feed has no head row".into()))?;
    let mut out = PullResponse::default();
    let mut bytes_total = 0usize;
    // Without changes the statement's one row is the head with NULLs beside it.
    for r in rows.iter().filter(|r| r.get::<_, Option<i64>>(1).is_some()) {
        let full = out.changes.len() >= limit || (bytes_total >= PULL_BYTE_BUDGET && !out.changes.is_empty());
        if full {
            out.more = true;
            break;
        }
        let hash: Vec<u8> = r.get(2);
        let bytes: Vec<u8> = r.get(8);
        bytes_total += bytes.len();
        out.changes.push(PulledChange {
            hub_seq: r.get::<_, i64>(1) as u64,
            hash: ChangeHash(hash.try_into().map_err(|_| HubError::Task("stored hash is not 32 bytes".into()))?),
            doc_id: r.get(3),
            scope: r.get(4),
            device: r.get(5),
            received_at: HubTime(r.get(6)),
            device_prev_sync: r.get::<_, Option<i64>>(7).map(HubTime),
            bytes,
        });
    }
    out.next_cursor = match (out.more, out.changes.last()) {
        (true, Some(last)) => last.hub_seq,
        _ => max_seq.max(since) as u64,
    };
    Ok(out)
}

/// A pull's page beside the feed's head, read in one statement: the head's row
/// (`hub_feed`) joined to the page's rows, or to one row of NULLs when the page is
/// empty. Column 0 is the head, then the change's columns.
macro_rules! with_feed_head {
    ($page:expr) => {
        concat!(
            "SELECT f.last_seq, p.hub_seq, p.hash, p.doc_id, p.scope, p.device_id, p.received_at, p.device_prev_sync, p.bytes
             FROM hub_feed f LEFT JOIN LATERAL (",
            $page,
            ") p ON true WHERE f.id = 1 ORDER BY p.hub_seq"
        )
    };
}

/// The pull: index ranges merged in `hub_seq` order (as the SQLite backend's
/// `pull_query`), so a pull reads what it serves (plus its own changes) rather than
/// every change after its cursor. Scope ranges `[$3, $4)` (an exact scope is the range
/// `[s, s + U+0001)`, a branch's distributors' scopes `['dist:<B>/', 'dist:<B>0')`),
/// each read up to the page's size (`$5`) on `changes_scope_plain` when `$6`
/// (employees: the company-wide changes come from their own range, on
/// `changes_company_wide`), else on `changes_scope`. `$1` is the cursor, `$2` the
/// device (its own changes are not served back). Ranges, not `= ANY`: the planner
/// weighs a range of unknown scopes as narrow and reads it by index, whereas with a
/// generic plan it would walk the log from the cursor for `= ANY($n)`.
/// `COLLATE "C"`: the scope column's (migration 7).
const PULL_EMPLOYEE: &str = with_feed_head!(
    "SELECT * FROM (
        SELECT r.* FROM unnest($3::text[], $4::text[]) AS b (lo, hi) CROSS JOIN LATERAL (
            SELECT hub_seq, hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes FROM changes
            WHERE scope >= b.lo COLLATE \"C\" AND scope < b.hi COLLATE \"C\" AND NOT company_wide AND hub_seq > $1 AND device_id <> $2
            ORDER BY hub_seq LIMIT $5) r
        UNION ALL
        (SELECT hub_seq, hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes FROM changes
         WHERE company_wide AND hub_seq > $1 AND device_id <> $2 ORDER BY hub_seq LIMIT $5)
    ) AS ranges ORDER BY hub_seq LIMIT $5"
);

/// The pull of one scope (a distributor's, or the one a device asked for): its range
/// of `changes_scope`, `[$3, $4)` as in [`PULL_EMPLOYEE`], up to `$5` changes.
const PULL_SCOPE: &str = with_feed_head!(
    "SELECT hub_seq, hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes FROM changes
    WHERE scope >= $3 COLLATE \"C\" AND scope < $4 COLLATE \"C\" AND hub_seq > $1 AND device_id <> $2 ORDER BY hub_seq LIMIT $5"
);

/// What the authorship checks read, from the push transaction (`crate::authorship`).
struct PgState<'t, 'c, 'p> {
    tx: RefCell<&'t mut Transaction<'c>>,
    statements: RefCell<&'t mut Statements>,
    /// Leads created earlier in this push, not yet written.
    pending: &'p Pending,
    doc_id: &'t str,
    branch: Option<String>,
    failed: RefCell<Option<postgres::Error>>,
}

impl PgState<'_, '_, '_> {
    fn query(&self, sql: &'static str, args: &[&(dyn ToSql + Sync)]) -> Option<String> {
        let mut tx = self.tx.borrow_mut();
        let statement = self.statements.borrow_mut().get(&mut **tx, sql);
        match statement.and_then(|s| tx.query_opt(&s, args)) {
            Ok(row) => row.map(|r| r.get(0)),
            Err(e) => {
                self.failed.borrow_mut().get_or_insert(e);
                None
            }
        }
    }
}

impl crate::case_rights::HubDocs for PgState<'_, '_, '_> {
    fn policy(&self, branch: &str) -> leadguard_core::policy::Policy {
        let doc = format!("directory/{branch}");
        let mut tx = self.tx.borrow_mut();
        let statement = self.statements.borrow_mut().get(&mut **tx, "SELECT bytes FROM changes WHERE doc_id = $1 ORDER BY hub_seq");
        match statement.and_then(|s| tx.query(&s, &[&doc])) {
            Ok(rows) => crate::entitlement::policy_of(&rows.iter().map(|r| (r.get::<_, Vec<u8>>(0), 0, None)).collect::<Vec<_>>()),
            Err(e) => {
                self.failed.borrow_mut().get_or_insert(e);
                leadguard_core::policy::Policy::default()
            }
        }
    }
    fn doc_changes(&self, doc_id: &str) -> Vec<(Vec<u8>, i64, Option<i64>)> {
        let mut tx = self.tx.borrow_mut();
        let statement =
            self.statements.borrow_mut().get(&mut **tx, "SELECT bytes, received_at, device_prev_sync FROM changes WHERE doc_id = $1 ORDER BY hub_seq");
        match statement.and_then(|s| tx.query(&s, &[&doc_id])) {
            Ok(rows) => rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect(),
            Err(e) => {
                self.failed.borrow_mut().get_or_insert(e);
                Vec::new()
            }
        }
    }
    fn rep_branch(&self, rep: &str) -> Option<String> {
        self.query("SELECT branch FROM directory_names WHERE rep = $1 ORDER BY branch LIMIT 1", &[&rep])
    }
}

impl DocState for PgState<'_, '_, '_> {
    fn lead_home(&self, lead: &str) -> Option<String> {
        if let Some((_, doc, _)) = self.pending.leads.iter().find(|(id, ..)| id == lead) {
            return Some(doc.clone());
        }
        self.query("SELECT doc_id FROM leads WHERE lead_id = $1", &[&lead])
    }
    fn list_owner(&self, obj: &str) -> Option<String> {
        if let Some((id, ..)) = self.pending.leads.iter().find(|(_, doc, list)| doc == self.doc_id && list == obj) {
            return Some(id.clone());
        }
        self.query("SELECT lead_id FROM leads WHERE doc_id = $1 AND list_obj = $2", &[&self.doc_id, &obj])
    }
    fn entry_name(&self, rep: &str) -> Option<String> {
        let branch = self.branch.as_deref()?;
        self.query("SELECT name FROM directory_names WHERE branch = $1 AND rep = $2", &[&branch, &rep])
    }
}

/// Checks change `index` and records the leads and directory names it creates.
fn check_and_record(
    tx: &mut Transaction<'_>,
    st: &mut Statements,
    pending: &mut Pending,
    device: Option<&Device>,
    index: usize,
    c: &ValidChange,
) -> Result<(), HubError> {
    let state = PgState { tx: RefCell::new(tx), statements: RefCell::new(st), pending, doc_id: &c.doc_id, branch: crate::authorship::directory_branch(&c.doc_id), failed: RefCell::new(None) };
    let checked = crate::authorship::check(&state, device, index, &c.doc_id, &c.bytes)?;
    if let Some(e) = state.failed.into_inner() {
        return Err(e.into());
    }
    let effects = checked.map_err(|violation| HubError::Refused { index, violation })?;
    record(state.tx.into_inner(), pending, &c.doc_id, &effects)
}

/// Notes what a checked change creates besides directory names, for both the push
/// alone and the push in a group (`group.rs`): a plain mark of its document, the leads
/// it creates, and its events' match data.
pub(super) fn note_created(
    plain: &mut Vec<String>,
    leads: &mut Vec<(String, String, String)>,
    matching: &mut Vec<(String, leadguard_schema::event::MatchData)>,
    doc_id: &str,
    fx: &Effects,
) {
    if fx.events.iter().any(|(_, e)| e.plain_contact) {
        plain.push(doc_id.to_owned());
    }
    for lead in &fx.new_leads {
        leads.push((lead.lead.clone(), doc_id.to_owned(), lead.list.clone()));
    }
    matching.extend(fx.events.iter().filter_map(|(lead, ev)| Some((lead.clone(), ev.matching.clone()?))));
}

/// Records what a checked change creates: leads and plain marks pending until the
/// push's end (`write_pending`), directory names at once (rare).
fn record(tx: &mut Transaction<'_>, pending: &mut Pending, doc_id: &str, fx: &Effects) -> Result<(), HubError> {
    note_created(&mut pending.plain, &mut pending.leads, &mut pending.matching, doc_id, fx);
    if let Some(branch) = crate::authorship::directory_branch(doc_id) {
        for e in &fx.entries {
            tx.execute(
                "INSERT INTO directory_names (branch, rep, name) VALUES ($1, $2, $3)
                 ON CONFLICT (branch, rep) DO UPDATE SET name = excluded.name",
                &[&branch, &e.id, &e.name],
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "pull_tests.rs"]
mod tests;
