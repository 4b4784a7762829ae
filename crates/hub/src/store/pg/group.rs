//! A write group's pushes stored together: one round trip per kind of read or write
//! for the whole group, not per push (`writer.rs` hands the group over).
//!
//! Why: the writer is one connection, so its round trips are the hub's push rate —
//! ≈14 per push one after another took ≈3 ms, ≤ 330 pushes/s (`make bench-hub`). Here
//! a group of pushes costs ≈8 round trips whatever its size (BEGIN, a savepoint, one
//! read, up to four writes, COMMIT):
//!
//! 1. reads, in one statement (`READ_BATCH`): the devices' last syncs, the documents'
//!    scopes, every hash, the leads the authorship checks will ask about (the changes'
//!    root keys and list objects) and those leads' match rows;
//! 2. checks, in memory, push after push in arrival order: a push sees the leads,
//!    names and documents of the pushes accepted before it; one that fails
//!    (forged authorship, a bad change, a scope mismatch) is answered with its error
//!    and leaves nothing behind — nothing is written before every push is checked;
//! 3. writes for the accepted pushes: documents, leads and match data in one
//!    statement, names, then the feed row advanced once for the group (each push's
//!    changes numbered in order),
//!    the plain marks (documents and the company-wide flag of their stored changes,
//!    under the feed lock), and one `unnest` insert of every change, which reads them.
//!
//! A check that needs the *changes* of a document an earlier push of the group wrote
//! to (a case's owner, a branch's policy) cuts the group there: what came before is
//! written first, and the rest runs as a new batch that sees it. Anything the
//! database refuses (another hub stored the same new change or document a moment
//! before) makes the writer redo the group push by push (`changes::store_new`).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};

use leadguard_protocol::Ack;
use leadguard_schema::event::MatchData;
use leadguard_schema::{DocState, Effects};
use postgres::types::ToSql;
use postgres::Transaction;

use super::changes::{ack, Checks};
use super::pool::Statements;
use crate::check::MatchRow;
use crate::error::HubError;
use crate::scope::Device;
use crate::store::{now_ms, ValidChange};

/// One push waiting in the writer's queue.
pub(super) struct PushJob {
    pub device: Device,
    pub changes: Vec<ValidChange>,
    pub checks: Checks,
}

/// Each push's outcome, in order; `Err` means the database refused the group's writes
/// (redo it push by push).
pub(super) fn store_all(tx: &mut Transaction<'_>, st: &mut Statements, pushes: &[PushJob]) -> Result<Vec<Result<Vec<Ack>, HubError>>, HubError> {
    let mut out = Vec::with_capacity(pushes.len());
    while out.len() < pushes.len() {
        // The first push of a batch never conflicts, so each batch takes at least one.
        out.extend(store_batch(tx, st, &pushes[out.len()..])?);
    }
    Ok(out)
}

/// Where a push's change gets its receipt: as first stored, or the group's new change.
#[derive(Clone, Copy)]
enum Slot {
    Stored(i64, i64, Option<i64>),
    New(usize),
}

/// A new change of the group, numbered in order of `Batch::new`.
struct NewChange<'a> {
    change: &'a ValidChange,
    device: &'a str,
    prev_sync: Option<i64>,
}

/// What the accepted pushes of a batch write, and what later pushes of it see.
#[derive(Default)]
struct Batch<'a> {
    scopes: HashMap<String, String>,
    new_docs: Vec<(String, String)>,
    new: Vec<NewChange<'a>>,
    new_index: HashMap<[u8; 32], usize>,
    /// Documents that gain changes in this batch (a check reading their changes cuts it).
    changed_docs: HashSet<String>,
    leads: HashMap<String, (String, String)>,
    /// `(doc_id, list_obj)` of each new lead: its owner.
    lists: HashMap<(String, String), String>,
    names: Vec<(String, String, String)>,
    plain: Vec<String>,
    matching: Vec<(String, MatchData)>,
}

/// What one push adds, merged into the batch once all its changes pass.
#[derive(Default)]
struct Pending {
    leads: Vec<(String, String, String)>,
    names: Vec<(String, String, String)>,
    plain: Vec<String>,
    matching: Vec<(String, MatchData)>,
}

/// Answers the authorship checks read from the database, fetched for the whole batch.
#[derive(Default)]
struct Cache {
    lead_home: HashMap<String, Option<String>>,
    list_owner: HashMap<(String, String), Option<String>>,
    /// Leads whose match rows were read with the batch, and the rows found.
    match_asked: HashSet<String>,
    match_rows: HashMap<String, MatchRow>,
}

/// The checked pushes of a batch: outcomes and slots of a prefix of its pushes.
fn store_batch(tx: &mut Transaction<'_>, st: &mut Statements, pushes: &[PushJob]) -> Result<Vec<Result<Vec<Ack>, HubError>>, HubError> {
    let (prev_syncs, mut batch, stored, mut cache) = read_batch(tx, st, pushes)?;
    let mut outcomes: Vec<Result<Vec<Slot>, HubError>> = Vec::with_capacity(pushes.len());
    for push in pushes {
        let prev_sync = prev_syncs.get(&push.device.id).copied().flatten();
        match check_push(tx, st, &mut cache, &mut batch, &stored, push, prev_sync)? {
            Checked::Cut => break,
            Checked::Done(outcome) => outcomes.push(outcome),
        }
    }
    let (first_seq, now) = write_batch(tx, st, &batch, &mut cache)?;
    Ok(outcomes
        .into_iter()
        .zip(pushes)
        .map(|(outcome, push)| {
            let slots = outcome?;
            Ok(slots
                .into_iter()
                .zip(&push.changes)
                .map(|(slot, c)| match slot {
                    Slot::Stored(seq, received_at, prev) => ack(c.hash, seq, received_at, prev),
                    Slot::New(n) => ack(c.hash, first_seq + n as i64, now, batch.new[n].prev_sync),
                })
                .collect())
        })
        .collect())
}

type Stored = HashMap<Vec<u8>, (i64, String, i64, Option<i64>)>;

/// Each pushing device's last sync (or enrolment), by device id.
type PrevSyncs = HashMap<String, Option<i64>>;

/// Every read of a batch in one statement, one round trip (each is one more wait for
/// the database on a busy machine: `docs/BENCHMARKS.md`). Rows are tagged by what they
/// answer, in a shared layout (`kind, t1‥t7 text, b bytea, i1‥i3 bigint`):
/// 0 a device's last sync (`t1` id, `i1`); 1 a document's scope (`t1`, `t2`); 2 a stored
/// change (`b` hash, `t1` scope, `i1` seq, `i2` received, `i3` previous sync); 3 a lead
/// (`t1` id, `t2` doc, `t3` list), asked by id (`$4`: a registration writes its root
/// key) or by list (`$5`, `$6`: an update writes into the lead's list); 4 the match row
/// of such a lead (`t1` id, `t2‥t7` its columns).
///
/// Each key list is joined as `unnest`, not tested with `= ANY`: a table the planner
/// believes small (a new hub's, growing faster than autovacuum analyses it) is then
/// scanned once beside a hash of the keys, where `= ANY` on a sequential scan compares
/// every row with every key — a group of 250 hashes against 7,500 changes took ≈80 ms
/// (`pg_stat_statements` under `make bench-hub`).
const READ_BATCH: &str = "
    SELECT 0, d.id, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::bytea,
           coalesce(d.last_sync_at, d.enrolled_at), NULL::bigint, NULL::bigint
      FROM unnest($1::text[]) AS k (id) JOIN devices d ON d.id = k.id
    UNION ALL SELECT 1, d.doc_id, d.scope, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM unnest($2::text[]) AS k (doc_id) JOIN docs d ON d.doc_id = k.doc_id
    UNION ALL SELECT 2, c.scope, NULL, NULL, NULL, NULL, NULL, NULL, c.hash, c.hub_seq, c.received_at, c.device_prev_sync
      FROM unnest($3::bytea[]) AS k (hash) JOIN changes c ON c.hash = k.hash
    UNION ALL SELECT 3, l.lead_id, l.doc_id, l.list_obj, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM unnest($4::text[]) AS k (lead_id) JOIN leads l ON l.lead_id = k.lead_id
    UNION ALL SELECT 3, l.lead_id, l.doc_id, l.list_obj, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
      FROM leads l JOIN unnest($5::text[], $6::text[]) AS q (doc_id, list_obj) ON l.doc_id = q.doc_id AND l.list_obj = q.list_obj
    UNION ALL SELECT 4, m.lead_id, m.company, m.region, m.company_key, m.phone_visible, m.phone_digest, m.email_digest, NULL, NULL, NULL, NULL
      FROM unnest($4::text[]) AS k (lead_id) JOIN lead_match m ON m.lead_id = k.lead_id
    UNION ALL SELECT 4, m.lead_id, m.company, m.region, m.company_key, m.phone_visible, m.phone_digest, m.email_digest, NULL, NULL, NULL, NULL
      FROM leads l JOIN unnest($5::text[], $6::text[]) AS q (doc_id, list_obj) ON l.doc_id = q.doc_id AND l.list_obj = q.list_obj
        JOIN lead_match m ON m.lead_id = l.lead_id";

/// The batch's reads (`READ_BATCH`): devices' last syncs, documents' scopes, stored
/// hashes, the leads its checks will look up and their match rows.
fn read_batch<'a>(
    tx: &mut Transaction<'_>,
    st: &mut Statements,
    pushes: &'a [PushJob],
) -> Result<(PrevSyncs, Batch<'a>, Stored, Cache), HubError> {
    let devices: Vec<&str> = pushes.iter().map(|p| p.device.id.as_str()).collect::<HashSet<_>>().into_iter().collect();
    let all = || pushes.iter().flat_map(|p| &p.changes);
    let docs: Vec<&str> = all().map(|c| c.doc_id.as_str()).collect::<HashSet<_>>().into_iter().collect();
    let hashes: Vec<&[u8]> = all().map(|c| &c.hash.0[..]).collect();
    // Asked before the hashes are known: a re-pushed change asks too (rare, and harmless).
    let (mut leads, mut lists) = (Vec::new(), Vec::new());
    for p in pushes.iter().filter(|p| !matches!(p.checks, Checks::None)) {
        for c in &p.changes {
            asked_about(c, &mut leads, &mut lists);
        }
    }
    let (list_docs, list_objs): (Vec<&str>, Vec<&str>) = lists.iter().map(|(d, o)| (d.as_str(), o.as_str())).unzip();
    let read = st.get(tx, READ_BATCH)?;
    let rows = tx.query(&read, &[&devices, &docs, &hashes, &leads, &list_docs, &list_objs])?;
    let mut cache = Cache::default();
    cache.lead_home.extend(leads.iter().map(|l| (l.clone(), None)));
    cache.list_owner.extend(lists.into_iter().map(|k| (k, None)));
    cache.match_asked.extend(leads);
    let (mut prev, mut scopes, mut stored) = (HashMap::new(), HashMap::new(), Stored::new());
    for r in rows {
        let text = |i: usize| r.get::<_, Option<String>>(i).unwrap_or_default();
        match r.get::<_, i32>(0) {
            0 => _ = prev.insert(text(1), r.get(9)),
            1 => _ = scopes.insert(text(1), text(2)),
            2 => _ = stored.insert(r.get(8), (r.get(9), text(1), r.get(10), r.get(11))),
            3 => {
                let (lead, doc, list) = (text(1), text(2), text(3));
                // Its match row, if it has one, is among the rows of kind 4.
                cache.match_asked.insert(lead.clone());
                cache.lead_home.insert(lead.clone(), Some(doc.clone()));
                cache.list_owner.insert((doc, list), Some(lead));
            }
            _ => {
                let row = MatchRow { company: text(2), region: text(3), company_key: text(4), phone_visible: text(5), phone_digest: text(6), email_digest: text(7) };
                cache.match_rows.insert(text(1), row);
            }
        }
    }
    Ok((prev, Batch { scopes, ..Batch::default() }, stored, cache))
}

/// The root keys (leads) and objects (lists) a change writes: what the schema's check
/// asks `lead_home` and `list_owner` about. A change that does not decode asks nothing
/// (its check refuses it).
fn asked_about(c: &ValidChange, leads: &mut Vec<String>, lists: &mut Vec<(String, String)>) {
    use automerge::legacy::{Key, ObjectId};
    let Ok(change) = automerge::Change::from_bytes(c.bytes.clone()) else { return };
    let Ok(expanded) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change.decode())) else { return };
    // Lists the change makes itself are answered from the change (`check_leads`).
    let (actor, start) = (change.actor_id().to_hex_string(), change.start_op().get());
    let made: HashSet<String> = expanded
        .operations
        .iter()
        .enumerate()
        .filter(|(_, op)| matches!(op.action, automerge::legacy::OpType::Make(_)))
        .map(|(i, _)| format!("{}@{actor}", start + i as u64))
        .collect();
    for op in &expanded.operations {
        match (&op.obj, &op.key) {
            (ObjectId::Root, Key::Map(k)) => leads.push(k.to_string()),
            (ObjectId::Id(obj), _) => {
                let obj = obj.to_string();
                if !made.contains(&obj) {
                    lists.push((c.doc_id.clone(), obj));
                }
            }
            _ => {}
        }
    }
}

enum Checked {
    /// The push reads what an earlier push of the batch wrote: the batch ends before it.
    Cut,
    Done(Result<Vec<Slot>, HubError>),
}

/// Checks one push against the database and the batch so far; if it passes, adds it
/// to the batch. A database error fails the batch (the writer redoes it push by push).
fn check_push<'a>(
    tx: &mut Transaction<'_>,
    st: &mut Statements,
    cache: &mut Cache,
    batch: &mut Batch<'a>,
    stored: &Stored,
    push: &'a PushJob,
    prev_sync: Option<i64>,
) -> Result<Checked, HubError> {
    let mut new_docs: Vec<(String, String)> = Vec::new();
    let scope_of = |doc: &str, new_docs: &[(String, String)]| {
        batch.scopes.get(doc).cloned().or_else(|| new_docs.iter().find(|(d, _)| d == doc).map(|(_, s)| s.clone()))
    };
    // Each document's scope as stored, or as its first change in this push names it.
    for c in &push.changes {
        if scope_of(&c.doc_id, &new_docs).is_none() {
            new_docs.push((c.doc_id.clone(), c.scope.clone()));
        }
    }
    let mut pending = Pending::default();
    let mut slots = Vec::with_capacity(push.changes.len());
    let mut new: Vec<&'a ValidChange> = Vec::new();
    let mut new_here: HashMap<[u8; 32], usize> = HashMap::new();
    for (i, c) in push.changes.iter().enumerate() {
        if scope_of(&c.doc_id, &new_docs).as_deref() != Some(c.scope.as_str()) {
            return Ok(Checked::Done(Err(HubError::ScopeMismatch { doc_id: c.doc_id.clone() })));
        }
        if let Some(&n) = new_here.get(&c.hash.0) {
            slots.push(Slot::New(batch.new.len() + n));
            continue;
        }
        let earlier = batch.new_index.get(&c.hash.0).map(|&n| (n, batch.new[n].change.scope.as_str()));
        match (stored.get(&c.hash.0[..]), earlier) {
            (Some((_, scope, ..)), _) if *scope != c.scope => {
                return Ok(Checked::Done(Err(HubError::ScopeMismatch { doc_id: c.doc_id.clone() })));
            }
            (None, Some((_, scope))) if scope != c.scope => {
                return Ok(Checked::Done(Err(HubError::ScopeMismatch { doc_id: c.doc_id.clone() })));
            }
            (Some(&(seq, _, received_at, prev)), _) => slots.push(Slot::Stored(seq, received_at, prev)),
            (None, Some((n, _))) => slots.push(Slot::New(n)),
            (None, None) => {
                let author = match push.checks {
                    Checks::None => {
                        pending.plain.push(c.doc_id.clone());
                        None
                    }
                    Checks::Device => Some(Some(&push.device)),
                    Checks::Adopted => Some(None),
                };
                if let Some(device) = author {
                    let state = BatchState::new(tx, st, cache, batch, &pending, &c.doc_id);
                    let checked = crate::authorship::check(&state, device, i, &c.doc_id, &c.bytes);
                    if let Some(e) = state.failed.into_inner() {
                        return Err(e.into());
                    }
                    if state.cut.get() {
                        return Ok(Checked::Cut);
                    }
                    match checked.and_then(|r| r.map_err(|violation| HubError::Refused { index: i, violation })) {
                        Ok(fx) => record(&mut pending, &c.doc_id, &fx),
                        Err(e) => return Ok(Checked::Done(Err(e))),
                    }
                }
                new_here.insert(c.hash.0, new.len());
                slots.push(Slot::New(batch.new.len() + new.len()));
                new.push(c);
            }
        }
    }
    // Every change passed: the push joins the batch.
    for (doc, scope) in new_docs {
        batch.scopes.insert(doc.clone(), scope.clone());
        batch.new_docs.push((doc, scope));
    }
    for c in new {
        batch.new_index.insert(c.hash.0, batch.new.len());
        batch.changed_docs.insert(c.doc_id.clone());
        batch.new.push(NewChange { change: c, device: &push.device.id, prev_sync });
    }
    for (lead, doc, list) in pending.leads {
        batch.lists.insert((doc.clone(), list.clone()), lead.clone());
        batch.leads.insert(lead, (doc, list));
    }
    batch.names.extend(pending.names);
    batch.plain.extend(pending.plain);
    batch.matching.extend(pending.matching);
    Ok(Checked::Done(Ok(slots)))
}

/// What a checked change creates (as `changes::record`, names pending too).
fn record(pending: &mut Pending, doc_id: &str, fx: &Effects) {
    super::changes::note_created(&mut pending.plain, &mut pending.leads, &mut pending.matching, doc_id, fx);
    if let Some(branch) = crate::authorship::directory_branch(doc_id) {
        pending.names.extend(fx.entries.iter().map(|e| (branch.clone(), e.id.clone(), e.name.clone())));
    }
}

/// The batch's writes; returns the first sequence number and the receipt time of its
/// new changes.
fn write_batch(tx: &mut Transaction<'_>, st: &mut Statements, batch: &Batch<'_>, cache: &mut Cache) -> Result<(i64, i64), HubError> {
    write_rows(tx, st, batch, cache)?;
    for (branch, rep, name) in &batch.names {
        tx.execute(
            "INSERT INTO directory_names (branch, rep, name) VALUES ($1, $2, $3)
             ON CONFLICT (branch, rep) DO UPDATE SET name = excluded.name",
            &[branch, rep, name],
        )?;
    }
    if batch.new.is_empty() {
        return Ok((0, 0));
    }
    // Numbers the changes: the feed row is locked from here to the group's commit.
    let advance = st.get(
        tx,
        "UPDATE hub_feed SET last_seq = last_seq + $1, last_received_at = greatest(last_received_at, $2)
         WHERE id = 1 RETURNING last_seq, last_received_at",
    )?;
    let head = tx.query_one(&advance, &[&(batch.new.len() as i64), &now_ms()])?;
    let (last_seq, now): (i64, i64) = (head.get(0), head.get(1));
    let first_seq = last_seq - batch.new.len() as i64 + 1;
    // Under the feed lock, before the insert (`changes::mark_plain` says why).
    super::changes::mark_plain(tx, st, &batch.plain)?;
    let insert = st.get(
        tx,
        "INSERT INTO changes (hub_seq, hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes, company_wide)
         SELECT seq, hash, doc_id, scope, device_id, $6, prev, bytes, (SELECT NOT plain FROM docs d WHERE d.doc_id = n.doc_id)
         FROM unnest($1::bigint[], $2::bytea[], $3::text[], $4::text[], $5::text[], $7::bigint[], $8::bytea[])
           AS n (seq, hash, doc_id, scope, device_id, prev, bytes)",
    )?;
    let seqs: Vec<i64> = (first_seq..=last_seq).collect();
    let hashes: Vec<&[u8]> = batch.new.iter().map(|n| &n.change.hash.0[..]).collect();
    let docs: Vec<&str> = batch.new.iter().map(|n| n.change.doc_id.as_str()).collect();
    let scopes: Vec<&str> = batch.new.iter().map(|n| n.change.scope.as_str()).collect();
    let devices: Vec<&str> = batch.new.iter().map(|n| n.device).collect();
    let prevs: Vec<Option<i64>> = batch.new.iter().map(|n| n.prev_sync).collect();
    let bytes: Vec<&[u8]> = batch.new.iter().map(|n| &n.change.bytes[..]).collect();
    tx.execute(&insert, &[&seqs, &hashes, &docs, &scopes, &devices, &now, &prevs, &bytes])?;
    Ok((first_seq, now))
}

/// The batch's new documents and leads and its match data (folded, in order, into the
/// rows read with the batch), in one statement for the three tables. Empty arrays
/// insert nothing.
fn write_rows(tx: &mut Transaction<'_>, st: &mut Statements, batch: &Batch<'_>, cache: &mut Cache) -> Result<(), HubError> {
    if batch.new_docs.is_empty() && batch.leads.is_empty() && batch.matching.is_empty() {
        return Ok(());
    }
    // Match data of a lead the batch's read found neither by id nor by list (not
    // expected: a registration writes the lead's root key, an update into its list)
    // is read here.
    let unasked: Vec<&str> =
        batch.matching.iter().map(|(l, _)| l.as_str()).filter(|l| !cache.match_asked.contains(*l)).collect::<HashSet<_>>().into_iter().collect();
    if !unasked.is_empty() {
        let read = st.get(
            tx,
            "SELECT m.lead_id, m.company, m.region, m.company_key, m.phone_visible, m.phone_digest, m.email_digest
             FROM unnest($1::text[]) AS k (lead_id) JOIN lead_match m ON m.lead_id = k.lead_id",
        )?;
        for r in tx.query(&read, &[&unasked])? {
            let row = MatchRow { company: r.get(1), region: r.get(2), company_key: r.get(3), phone_visible: r.get(4), phone_digest: r.get(5), email_digest: r.get(6) };
            cache.match_rows.insert(r.get(0), row);
        }
        cache.match_asked.extend(unasked.into_iter().map(str::to_owned));
    }
    let mut rows: HashMap<String, MatchRow> = HashMap::new();
    for (lead, m) in &batch.matching {
        rows.entry(lead.clone()).or_insert_with(|| cache.match_rows.get(lead).cloned().unwrap_or_default()).apply(m);
    }
    let column = |f: fn(&MatchRow) -> &str| rows.values().map(f).collect::<Vec<&str>>();
    let ids: Vec<&str> = rows.keys().map(String::as_str).collect();
    let (docs, scopes): (Vec<&str>, Vec<&str>) = batch.new_docs.iter().map(|(d, s)| (d.as_str(), s.as_str())).unzip();
    let leads: Vec<&str> = batch.leads.keys().map(String::as_str).collect();
    let lead_docs: Vec<&str> = batch.leads.values().map(|(d, _)| d.as_str()).collect();
    let lists: Vec<&str> = batch.leads.values().map(|(_, l)| l.as_str()).collect();
    // Every data-modifying WITH runs to completion whether or not its rows are read.
    let write = st.get(
        tx,
        "WITH added AS (INSERT INTO docs (doc_id, scope) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING RETURNING 1),
           new_leads AS (INSERT INTO leads (lead_id, doc_id, list_obj) SELECT * FROM unnest($3::text[], $4::text[], $5::text[])),
           new_matching AS (
             INSERT INTO lead_match (lead_id, company, region, company_key, phone_visible, phone_digest, email_digest)
             SELECT * FROM unnest($6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
             ON CONFLICT (lead_id) DO UPDATE SET company = excluded.company, region = excluded.region,
               company_key = excluded.company_key, phone_visible = excluded.phone_visible,
               phone_digest = excluded.phone_digest, email_digest = excluded.email_digest)
         SELECT count(*) FROM added",
    )?;
    let added: i64 = tx
        .query_one(
            &write,
            &[
                &docs,
                &scopes,
                &leads,
                &lead_docs,
                &lists,
                &ids,
                &column(|m| &m.company),
                &column(|m| &m.region),
                &column(|m| &m.company_key),
                &column(|m| &m.phone_visible),
                &column(|m| &m.phone_digest),
                &column(|m| &m.email_digest),
            ],
        )?
        .get(0);
    if added != docs.len() as i64 {
        // Another hub added one of the documents since our read: its scope decides; redo.
        return Err(HubError::Task("a document was added by another hub meanwhile".into()));
    }
    Ok(())
}

/// The authorship checks' view during a batch: this push's pending writes, the
/// batch's accepted ones, the prefetched answers, then the database.
struct BatchState<'t, 'c, 'b> {
    tx: RefCell<&'t mut Transaction<'c>>,
    statements: RefCell<&'t mut Statements>,
    cache: RefCell<&'t mut Cache>,
    batch: &'t Batch<'b>,
    pending: &'t Pending,
    doc_id: &'t str,
    branch: Option<String>,
    failed: RefCell<Option<postgres::Error>>,
    /// Set when a check reads changes an earlier push of the batch adds.
    cut: Cell<bool>,
}

impl<'t, 'c, 'b> BatchState<'t, 'c, 'b> {
    fn new(
        tx: &'t mut Transaction<'c>,
        st: &'t mut Statements,
        cache: &'t mut Cache,
        batch: &'t Batch<'b>,
        pending: &'t Pending,
        doc_id: &'t str,
    ) -> Self {
        BatchState {
            tx: RefCell::new(tx),
            statements: RefCell::new(st),
            cache: RefCell::new(cache),
            batch,
            pending,
            doc_id,
            branch: crate::authorship::directory_branch(doc_id),
            failed: RefCell::new(None),
            cut: Cell::new(false),
        }
    }

    fn rows(&self, sql: &'static str, args: &[&(dyn ToSql + Sync)]) -> Vec<postgres::Row> {
        let mut tx = self.tx.borrow_mut();
        let statement = self.statements.borrow_mut().get(&mut **tx, sql);
        statement.and_then(|s| tx.query(&s, args)).unwrap_or_else(|e| {
            self.failed.borrow_mut().get_or_insert(e);
            Vec::new()
        })
    }

    fn one(&self, sql: &'static str, args: &[&(dyn ToSql + Sync)]) -> Option<String> {
        self.rows(sql, args).first().map(|r| r.get(0))
    }

    /// Whether the batch adds changes to `doc` (then its stored changes are not all).
    fn changed(&self, doc: &str) -> bool {
        let changed = self.batch.changed_docs.contains(doc);
        if changed {
            self.cut.set(true);
        }
        changed
    }
}

impl crate::case_rights::HubDocs for BatchState<'_, '_, '_> {
    fn policy(&self, branch: &str) -> leadguard_core::policy::Policy {
        let doc = format!("directory/{branch}");
        if self.changed(&doc) {
            return leadguard_core::policy::Policy::default();
        }
        let rows = self.rows("SELECT bytes FROM changes WHERE doc_id = $1 ORDER BY hub_seq", &[&doc]);
        crate::entitlement::policy_of(&rows.iter().map(|r| (r.get::<_, Vec<u8>>(0), 0, None)).collect::<Vec<_>>())
    }
    fn doc_changes(&self, doc_id: &str) -> Vec<(Vec<u8>, i64, Option<i64>)> {
        if self.changed(doc_id) {
            return Vec::new();
        }
        let rows = self.rows("SELECT bytes, received_at, device_prev_sync FROM changes WHERE doc_id = $1 ORDER BY hub_seq", &[&doc_id]);
        rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect()
    }
    fn rep_branch(&self, rep: &str) -> Option<String> {
        // The first branch (by name) whose directory lists `rep`, stored or pending.
        let pending = self.pending.names.iter().chain(&self.batch.names).filter(|(_, r, _)| r == rep).map(|(b, ..)| b.clone());
        let stored = self.one("SELECT branch FROM directory_names WHERE rep = $1 ORDER BY branch LIMIT 1", &[&rep]);
        pending.chain(stored).min()
    }
}

impl DocState for BatchState<'_, '_, '_> {
    fn lead_home(&self, lead: &str) -> Option<String> {
        if let Some((_, doc, _)) = self.pending.leads.iter().find(|(id, ..)| id == lead) {
            return Some(doc.clone());
        }
        if let Some((doc, _)) = self.batch.leads.get(lead) {
            return Some(doc.clone());
        }
        if let Some(known) = self.cache.borrow().lead_home.get(lead) {
            return known.clone();
        }
        let home = self.one("SELECT doc_id FROM leads WHERE lead_id = $1", &[&lead]);
        self.cache.borrow_mut().lead_home.insert(lead.to_owned(), home.clone());
        home
    }
    fn list_owner(&self, obj: &str) -> Option<String> {
        let here = |doc: &str, list: &str| doc == self.doc_id && list == obj;
        if let Some((id, ..)) = self.pending.leads.iter().find(|(_, doc, list)| here(doc, list)) {
            return Some(id.clone());
        }
        let key = (self.doc_id.to_owned(), obj.to_owned());
        if let Some(id) = self.batch.lists.get(&key) {
            return Some(id.clone());
        }
        if let Some(known) = self.cache.borrow().list_owner.get(&key) {
            return known.clone();
        }
        let owner = self.one("SELECT lead_id FROM leads WHERE doc_id = $1 AND list_obj = $2", &[&self.doc_id, &obj]);
        self.cache.borrow_mut().list_owner.insert(key, owner.clone());
        owner
    }
    fn entry_name(&self, rep: &str) -> Option<String> {
        let branch = self.branch.as_deref()?;
        let named = |(b, r, _): &&(String, String, String)| b == branch && r == rep;
        if let Some((.., name)) = self.pending.names.iter().rev().find(named).or_else(|| self.batch.names.iter().rev().find(named)) {
            return Some(name.clone());
        }
        self.one("SELECT name FROM directory_names WHERE branch = $1 AND rep = $2", &[&branch, &rep])
    }
}

#[cfg(test)]
#[path = "group_tests.rs"]
mod tests;
