//! The tamper-evident audit log (审计日志): every event of ownership significance this
//! device writes or merges (registration, pool claim, release, handover, deal,
//! decision, appeal), one row each, in an append-only SQLite table `audit_log`
//! (migration 6) whose rows form a hash chain:
//!
//! `hash = SHA-256(prev_hash || canonical entry bytes)`, `prev_hash` of the first entry
//! = 64 zeros; the canonical bytes are the compact JSON of the entry's stored columns
//! in a fixed order (see [`Canonical`]). Triggers refuse `UPDATE` and `DELETE`; someone
//! who drops them and edits, deletes or reorders rows breaks the chain, and
//! [`verify`] names the first entry that no longer fits. The chain head (last seq and
//! hash) is also kept in `meta` (`audit.head`) so that dropping the newest entries is
//! noticed too — by anyone who does not also rewrite the head: without an anchor
//! outside this file (e.g. the hub), a hash chain cannot stop a complete rewrite.
//!
//! The log is per device and not replicated: it records what *this* device wrote or
//! merged, and when (device clock `at`; `hub_time` = the hub's receipt, known for
//! merged events). Entries are written inside the same SQLite transaction as the event
//! (so a rolled-back write leaves no entry), at most once per event.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;

use crate::error::Result;
use crate::model::{Event, EventKind, FollowupKind, Outcome, Verdict};
use crate::store;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
const HEAD_KEY: &str = "audit.head";

/// One entry of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AuditEntry {
    pub seq: i64,
    /// The writing device's clock (RFC 3339): shown, never trusted alone.
    pub at: String,
    /// The hub's receipt of the event when it was logged (merged events), RFC 3339.
    pub hub_time: Option<String>,
    pub lead_id: String,
    pub event_id: String,
    /// Event kind (`register`, `claim`, `release`, `handover`, `deal`, `decide`, `appeal`).
    pub kind: String,
    pub rep: String,
    pub summary_zh: String,
    pub summary_en: String,
    pub prev_hash: String,
    pub hash: String,
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VerifyReport {
    pub entries: u64,
    pub ok: bool,
    /// The first entry that does not fit the chain (an edited, reordered or inserted
    /// entry, or the one after a deleted entry); for dropped newest entries, the seq
    /// after the last one left.
    pub first_bad_seq: Option<i64>,
    pub problem: Option<String>,
}

/// An entry to append: everything but seq and the hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    pub at: DateTime<Utc>,
    pub hub_time: Option<DateTime<Utc>>,
    pub lead_id: String,
    pub event_id: String,
    pub kind: String,
    pub rep: String,
    pub summary_zh: String,
    pub summary_en: String,
}

/// The bytes an entry's hash covers, in this field order.
#[derive(Serialize)]
struct Canonical<'a> {
    seq: i64,
    at: &'a str,
    hub_time: Option<&'a str>,
    lead_id: &'a str,
    event_id: &'a str,
    kind: &'a str,
    rep: &'a str,
    summary_zh: &'a str,
    summary_en: &'a str,
}

fn hash_of(prev_hash: &str, e: &AuditEntry) -> String {
    let canonical = Canonical {
        seq: e.seq,
        at: &e.at,
        hub_time: e.hub_time.as_deref(),
        lead_id: &e.lead_id,
        event_id: &e.event_id,
        kind: &e.kind,
        rep: &e.rep,
        summary_zh: &e.summary_zh,
        summary_en: &e.summary_en,
    };
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(serde_json::to_vec(&canonical).expect("plain struct serialises"));
    hex::encode(h.finalize())
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Whether an event is of ownership significance and goes into the log. Extend here.
pub fn audited(kind: &EventKind) -> bool {
    match kind {
        EventKind::Register { .. }
        | EventKind::Claim
        | EventKind::Release
        | EventKind::Handover { .. }
        | EventKind::Decide { .. }
        | EventKind::Appeal { .. }
        | EventKind::DuplicateAcknowledged { .. }
        | EventKind::Review { .. }
        | EventKind::Assign { .. } => true,
        EventKind::Followup { followup, .. } => matches!(followup, FollowupKind::Deal | FollowupKind::DepositRefund),
        EventKind::Update { .. } | EventKind::Visit { .. } => false,
    }
}

/// Appends an entry (call inside the write's transaction). Returns it with its seq
/// and hashes; an event already logged is not logged again (returns the old entry).
pub fn append(conn: &Connection, entry: NewEntry) -> Result<AuditEntry> {
    if let Some(existing) = by_event(conn, &entry.event_id)? {
        return Ok(existing);
    }
    let (last_seq, prev_hash) = head(conn)?;
    let e = insert(conn, last_seq, prev_hash, entry)?;
    set_head(conn, &e)?;
    Ok(e)
}

/// Appends entries in order (call inside the write's transaction), skipping events
/// already logged, with one read and one write of the chain head: the same chain as
/// [`append`] one by one. Returns how many were appended.
pub fn append_all(conn: &Connection, entries: impl IntoIterator<Item = NewEntry>) -> Result<usize> {
    let mut last: Option<AuditEntry> = None;
    let mut n = 0;
    let mut logged = conn.prepare_cached("SELECT 1 FROM audit_log WHERE event_id = ?1")?;
    for entry in entries {
        if logged.exists([&entry.event_id])? {
            continue;
        }
        let (last_seq, prev_hash) = match last.take() {
            Some(e) => (e.seq, e.hash),
            None => head(conn)?,
        };
        last = Some(insert(conn, last_seq, prev_hash, entry)?);
        n += 1;
    }
    if let Some(e) = &last {
        set_head(conn, e)?;
    }
    Ok(n)
}

/// The seq and hash of the newest entry (0 and the genesis hash for an empty log).
fn head(conn: &Connection) -> Result<(i64, String)> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS.to_string())))
}

fn set_head(conn: &Connection, e: &AuditEntry) -> Result<()> {
    store::meta_set(conn, HEAD_KEY, Some(&format!("{}:{}", e.seq, e.hash)))
}

/// Inserts `entry` after the entry `last_seq` whose hash is `prev_hash`.
fn insert(conn: &Connection, last_seq: i64, prev_hash: String, entry: NewEntry) -> Result<AuditEntry> {
    let mut e = AuditEntry {
        seq: last_seq + 1,
        at: rfc(entry.at),
        hub_time: entry.hub_time.map(rfc),
        lead_id: entry.lead_id,
        event_id: entry.event_id,
        kind: entry.kind,
        rep: entry.rep,
        summary_zh: entry.summary_zh,
        summary_en: entry.summary_en,
        prev_hash,
        hash: String::new(),
    };
    e.hash = hash_of(&e.prev_hash, &e);
    conn.prepare_cached(
        "INSERT INTO audit_log(seq, at, hub_time, lead_id, event_id, kind, rep, summary_zh, summary_en, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![e.seq, e.at, e.hub_time, e.lead_id, e.event_id, e.kind, e.rep, e.summary_zh, e.summary_en, e.prev_hash, e.hash])?;
    Ok(e)
}

/// Logs the audited ones of `events` of `lead_id` (written by this device: no hub
/// time yet). Returns how many were appended.
pub fn record_events(conn: &Connection, lead_id: &str, events: &[Event]) -> Result<usize> {
    append_all(conn, events.iter().filter(|e| audited(&e.kind)).map(|e| entry_for(lead_id, e, None)))
}

/// The entry of a merged event of `lead_id` whose change the hub received at
/// `hub_time`, if the event is audited (append it with [`append_all`]).
pub fn merged_entry(lead_id: &str, event: &Event, hub_time: DateTime<Utc>) -> Option<NewEntry> {
    audited(&event.kind).then(|| entry_for(lead_id, event, Some(hub_time)))
}

fn entry_for(lead_id: &str, e: &Event, hub_time: Option<DateTime<Utc>>) -> NewEntry {
    let (zh, en) = summary(e);
    let kind = match &e.kind {
        EventKind::Followup { followup: FollowupKind::Deal, .. } => "deal".to_string(),
        k => k.name().to_string(),
    };
    NewEntry {
        at: e.device_time,
        hub_time,
        lead_id: lead_id.to_string(),
        event_id: e.id.clone(),
        kind,
        rep: e.rep.clone(),
        summary_zh: zh,
        summary_en: en,
    }
}

/// `(zh, en)` one-line summary. No contact details: the log is shown to whoever may
/// see the lead at all.
fn summary(e: &Event) -> (String, String) {
    let r = &e.rep;
    match &e.kind {
        EventKind::Register { .. } => (format!("{r} 登记了该客户"), format!("{r} registered the customer")),
        EventKind::Update { .. } => (format!("{r} 修改了客户信息"), format!("{r} edited the customer")),
        EventKind::Claim => (format!("{r} 从公海认领了该客户"), format!("{r} claimed the customer from the public pool")),
        EventKind::Release => (format!("{r} 将该客户释放回公海"), format!("{r} released the customer to the public pool")),
        EventKind::Handover { from, to } => {
            (format!("{r} 办理交接：{from} → {to}"), format!("{r} handed the customer over: {from} → {to}"))
        }
        EventKind::Followup { followup, .. } => {
            let k = serde_json::to_value(followup).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
            if *followup == FollowupKind::Deal {
                (format!("{r} 记录成交，客户永久绑定"), format!("{r} recorded a signed deal (binds the customer)"))
            } else if *followup == FollowupKind::DepositRefund {
                (format!("{r} 记录定金退订，客户不再绑定"), format!("{r} recorded a deposit refund (the deal no longer binds)"))
            } else {
                (format!("{r} 记录跟进（{k}）"), format!("{r} recorded a follow-up ({k})"))
            }
        }
        EventKind::Decide { case_id, outcome, supersedes, .. } => {
            let (oz, oe) = outcome_text(outcome);
            let (sz, se) = match supersedes {
                Some(s) => (format!("（取代裁决 {s}）"), format!(" (replaces decision {s})")),
                None => (String::new(), String::new()),
            };
            (format!("{r} 裁决撞单案件 {case_id}：{oz}{sz}"), format!("{r} decided collision case {case_id}: {oe}{se}"))
        }
        EventKind::Appeal { case_id, decision, .. } => (
            format!("{r} 对案件 {case_id} 的裁决 {decision} 提出申诉"),
            format!("{r} appealed decision {decision} of case {case_id}"),
        ),
        EventKind::DuplicateAcknowledged { leads, .. } => (
            format!("{r} 看到查重提醒（{}）后仍登记", leads.join("、")),
            format!("{r} registered despite the duplicate warning ({})", leads.join(", ")),
        ),
        EventKind::Assign { to, .. } => (format!("{r} 将该客户分配给 {to}"), format!("{r} assigned the customer to {to}")),
        EventKind::Visit { .. } => (format!("{r} 记录了一次到访"), format!("{r} recorded a visit")),
        EventKind::Review { verdict: Verdict::Accept, .. } => (format!("{r} 审核通过该报备"), format!("{r} accepted the report")),
        EventKind::Review { verdict: Verdict::Reject, .. } => (format!("{r} 驳回该报备"), format!("{r} rejected the report")),
    }
}

fn outcome_text(o: &Outcome) -> (String, String) {
    match o {
        Outcome::Owner { rep } => (format!("归属 {rep}"), format!("owner {rep}")),
        Outcome::Split { shares } => {
            let s = shares.iter().map(|s| format!("{} {}%", s.rep, s.pct)).collect::<Vec<_>>().join(", ");
            (format!("分成 {s}"), format!("split {s}"))
        }
        Outcome::Pool => ("归公".to_string(), "to the company pool".to_string()),
        Outcome::Merge { into, owner } => (format!("合并入 {into}，归属 {owner}"), format!("merged into {into}, owner {owner}")),
        Outcome::Undo => ("撤销".to_string(), "undo".to_string()),
    }
}

const COLUMNS: &str = "seq, at, hub_time, lead_id, event_id, kind, rep, summary_zh, summary_en, prev_hash, hash";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.get(0)?,
        at: r.get(1)?,
        hub_time: r.get(2)?,
        lead_id: r.get(3)?,
        event_id: r.get(4)?,
        kind: r.get(5)?,
        rep: r.get(6)?,
        summary_zh: r.get(7)?,
        summary_en: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

fn by_event(conn: &Connection, event_id: &str) -> Result<Option<AuditEntry>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM audit_log WHERE event_id = ?1"))?
        .query_row([event_id], row)
        .optional()?)
}

/// The entries of one lead, oldest first.
pub fn for_lead(conn: &Connection, lead_id: &str) -> Result<Vec<AuditEntry>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM audit_log WHERE lead_id = ?1 ORDER BY seq"))?;
    let rows = stmt.query_map([lead_id], row)?.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Walks the whole chain in storage order (rowid) and checks every link: seqs run
/// 1, 2, 3…, each `prev_hash` is the previous entry's hash, each hash matches its
/// entry, and the last entry is the recorded head.
pub fn verify(conn: &Connection) -> Result<VerifyReport> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM audit_log ORDER BY rowid"))?;
    let mut rows = stmt.query([])?;
    let mut entries = 0u64;
    let mut prev = GENESIS.to_string();
    let mut expected_seq = 1i64;
    let bad = |entries: u64, seq: i64, why: String| VerifyReport { entries, ok: false, first_bad_seq: Some(seq), problem: Some(why) };
    let mut first_bad: Option<VerifyReport> = None;
    while let Some(r) = rows.next()? {
        let e = row(r)?;
        entries += 1;
        if first_bad.is_some() {
            continue;
        }
        if e.seq != expected_seq {
            first_bad = Some(bad(0, e.seq, format!("entry {} found where entry {expected_seq} belongs (deleted or reordered)", e.seq)));
        } else if e.prev_hash != prev {
            first_bad = Some(bad(0, e.seq, format!("entry {} does not link to the entry before it", e.seq)));
        } else if hash_of(&e.prev_hash, &e) != e.hash {
            first_bad = Some(bad(0, e.seq, format!("entry {} was altered: its hash does not match", e.seq)));
        }
        prev = e.hash.clone();
        expected_seq = e.seq + 1;
    }
    if let Some(mut r) = first_bad {
        r.entries = entries;
        return Ok(r);
    }
    let head = store::meta_get(conn, HEAD_KEY)?;
    let ok_head = match (&head, entries) {
        (None, 0) => true,
        (Some(h), _) => *h == format!("{}:{}", expected_seq - 1, prev),
        (None, _) => false,
    };
    if !ok_head {
        let recorded = head.as_deref().and_then(|h| h.split(':').next()).and_then(|s| s.parse::<i64>().ok());
        let why = match recorded {
            Some(n) if n >= expected_seq => format!("entries {expected_seq}..={n} were removed from the end of the log"),
            _ => "the log does not end at its recorded head".to_string(),
        };
        return Ok(bad(entries, expected_seq, why));
    }
    Ok(VerifyReport { entries, ok: true, first_bad_seq: None, problem: None })
}
