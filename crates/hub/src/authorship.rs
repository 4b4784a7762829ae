//! Who may author what: the hub runs the schema's change check
//! ([`leadguard_schema::check_change`]) with the pushing device as author, against
//! what it has accepted so far.
//!
//! Replicas check every change again without knowing who pushed it, so this is the one
//! place that ties a change to its device: events only by the device's rep,
//! `decide`/`handover` only from a manager's device, and outside managers only the
//! device's own directory entry, with its enrolled role and the name the directory
//! has for it. The hub keeps what the checks need to know, in its own tables:
//!
//! - `leads(lead_id, doc_id, list_obj)`: which document holds each lead and which
//!   object is its event list, so a lead is created once, in one document, and
//!   afterwards only appended to;
//! - `directory_names(branch, rep, name)`: the name last accepted for each rep.

use std::cell::RefCell;

use leadguard_schema::{Author, DocName, DocState, Effects, Violation};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::HubError;
use crate::scope::Device;

/// The hub's accepted state, read inside the push transaction.
pub struct HubState<'a> {
    conn: &'a Connection,
    doc_id: &'a str,
    branch: Option<String>,
    /// The first database error, reported after the check (the trait answers Options).
    failed: RefCell<Option<rusqlite::Error>>,
}

impl<'a> HubState<'a> {
    pub fn new(conn: &'a Connection, doc_id: &'a str) -> Self {
        HubState { conn, doc_id, branch: directory_branch(doc_id), failed: RefCell::new(None) }
    }

    fn query(&self, sql: &str, args: impl rusqlite::Params) -> Option<String> {
        match self.conn.prepare_cached(sql).and_then(|mut s| s.query_row(args, |r| r.get(0)).optional()) {
            Ok(v) => v,
            Err(e) => {
                self.failed.borrow_mut().get_or_insert(e);
                None
            }
        }
    }
}

impl crate::case_rights::HubDocs for HubState<'_> {
    fn policy(&self, branch: &str) -> leadguard_core::policy::Policy {
        let doc = format!("directory/{branch}");
        let read = || -> rusqlite::Result<Vec<(Vec<u8>, i64, Option<i64>)>> {
            let mut stmt = self.conn.prepare_cached("SELECT bytes FROM changes WHERE doc_id = ?1 ORDER BY hub_seq")?;
            let rows = stmt.query_map(params![doc], |r| Ok((r.get(0)?, 0, None)))?;
            rows.collect()
        };
        match read() {
            Ok(changes) => crate::entitlement::policy_of(&changes),
            Err(e) => {
                self.failed.borrow_mut().get_or_insert(e);
                leadguard_core::policy::Policy::default()
            }
        }
    }
    fn doc_changes(&self, doc_id: &str) -> Vec<(Vec<u8>, i64, Option<i64>)> {
        let read = || -> rusqlite::Result<Vec<(Vec<u8>, i64, Option<i64>)>> {
            let mut stmt = self.conn.prepare_cached("SELECT bytes, received_at, device_prev_sync FROM changes WHERE doc_id = ?1 ORDER BY hub_seq")?;
            let rows = stmt.query_map(params![doc_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect()
        };
        read().unwrap_or_else(|e| {
            self.failed.borrow_mut().get_or_insert(e);
            Vec::new()
        })
    }
    fn rep_branch(&self, rep: &str) -> Option<String> {
        self.query("SELECT branch FROM directory_names WHERE rep = ?1 ORDER BY branch LIMIT 1", params![rep])
    }
}

impl DocState for HubState<'_> {
    fn lead_home(&self, lead: &str) -> Option<String> {
        self.query("SELECT doc_id FROM leads WHERE lead_id = ?1", params![lead])
    }
    fn list_owner(&self, obj: &str) -> Option<String> {
        self.query("SELECT lead_id FROM leads WHERE doc_id = ?1 AND list_obj = ?2", params![self.doc_id, obj])
    }
    fn entry_name(&self, rep: &str) -> Option<String> {
        let branch = self.branch.as_deref()?;
        self.query("SELECT name FROM directory_names WHERE branch = ?1 AND rep = ?2", params![branch, rep])
    }
}

/// Checks change `index` of a push (document `doc_id`) against `device` and records
/// what it creates, in the push transaction `conn`.
pub fn check_and_record(conn: &Connection, device: &Device, index: usize, doc_id: &str, bytes: &[u8]) -> Result<(), HubError> {
    check_and_record_as(conn, Some(device), index, doc_id, bytes)
}

/// [`check_and_record`] for a history the hub's operator adopts
/// (`leadguard-hub adopt`): the schema's checks as every replica runs them, without
/// tying the change to a device — the history was written before there was one.
pub fn check_and_record_adopted(conn: &Connection, index: usize, doc_id: &str, bytes: &[u8]) -> Result<(), HubError> {
    check_and_record_as(conn, None, index, doc_id, bytes)
}

fn check_and_record_as(conn: &Connection, device: Option<&Device>, index: usize, doc_id: &str, bytes: &[u8]) -> Result<(), HubError> {
    let state = HubState::new(conn, doc_id);
    let checked = check(&state, device, index, doc_id, bytes)?;
    if let Some(e) = state.failed.into_inner() {
        return Err(e.into());
    }
    let effects = checked.map_err(|violation| HubError::Refused { index, violation })?;
    record(conn, doc_id, &effects)?;
    crate::store::match_keys::record(conn, &effects)?;
    Ok(())
}

/// Decodes change `index` and runs the schema's check with the device as author
/// (none for an adopted history) against what the hub accepted (`state`, either
/// backend's). The outer error is a change that is not Automerge at all; the inner
/// one, the schema's verdict.
pub fn check(
    state: &dyn crate::case_rights::HubDocs,
    device: Option<&Device>,
    index: usize,
    doc_id: &str,
    bytes: &[u8],
) -> Result<Result<Effects, Violation>, HubError> {
    let change = automerge::Change::from_bytes(bytes.to_vec())
        .map_err(|e| HubError::InvalidChange(format!("change {index} is not an Automerge change: {e}")))?;
    let author = device.map(|d| Author { rep: &d.rep, role: d.role });
    let fx = match leadguard_schema::check_change(doc_id, &change, state, author.as_ref()) {
        Ok(fx) => fx,
        Err(v) => return Ok(Err(v)),
    };
    // Decisions and appeals: only from whoever may decide or appeal their case, also
    // across branches (rule 17).
    if let Some(d) = device {
        if let Err(v) = crate::case_rights::check(state, d, doc_id, &fx)? {
            return Ok(Err(v));
        }
    }
    Ok(Ok(fx))
}

/// The directory branch a document id names, if it is a branch directory.
pub fn directory_branch(doc_id: &str) -> Option<String> {
    match DocName::parse(doc_id) {
        Ok(DocName::Directory { branch }) => Some(branch),
        _ => None,
    }
}

/// Remembers the leads and directory names an accepted change wrote, and whether it
/// made its document a plain (branch-only) one.
fn record(conn: &Connection, doc_id: &str, fx: &Effects) -> Result<(), HubError> {
    if fx.events.iter().any(|(_, e)| e.plain_contact) {
        crate::store::mark_plain(conn, doc_id)?;
    }
    for lead in &fx.new_leads {
        conn.prepare_cached("INSERT INTO leads (lead_id, doc_id, list_obj) VALUES (?1, ?2, ?3)")?
            .execute(params![lead.lead, doc_id, lead.list])?;
    }
    if let Ok(DocName::Directory { branch }) = DocName::parse(doc_id) {
        for e in &fx.entries {
            conn.prepare_cached(
                "INSERT INTO directory_names (branch, rep, name) VALUES (?1, ?2, ?3)
                 ON CONFLICT (branch, rep) DO UPDATE SET name = excluded.name",
            )?
            .execute(params![branch, e.id, e.name])?;
        }
    }
    Ok(())
}

/// Fills `leads` and `directory_names` from the changes a hub stored before it kept
/// them: root lists and directory entries, first creation of a lead wins.
pub fn backfill(conn: &Connection) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare("SELECT doc_id, bytes FROM changes ORDER BY hub_seq")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let doc_id: String = r.get(0)?;
        let Ok(change) = automerge::Change::from_bytes(r.get::<_, Vec<u8>>(1)?) else { continue };
        let Ok(expanded) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change.decode())) else { continue };
        let actor = change.actor_id().to_hex_string();
        let directory = DocName::parse(&doc_id).ok().and_then(|n| match n {
            DocName::Directory { branch } => Some(branch),
            _ => None,
        });
        for (i, op) in expanded.operations.iter().enumerate() {
            use automerge::legacy::{Key, ObjectId, OpType};
            let (ObjectId::Root, Key::Map(key)) = (&op.obj, &op.key) else { continue };
            match (&op.action, &directory) {
                (OpType::Make(automerge::ObjType::List), None) => {
                    let list = format!("{}@{actor}", change.start_op().get() + i as u64);
                    conn.execute("INSERT OR IGNORE INTO leads (lead_id, doc_id, list_obj) VALUES (?1, ?2, ?3)", params![key.as_str(), doc_id, list])?;
                }
                (OpType::Put(automerge::ScalarValue::Str(s)), Some(branch)) => {
                    let Some(rep) = key.strip_prefix("rep/") else { continue };
                    let Ok(entry) = leadguard_schema::directory::entry(s, rep, branch) else { continue };
                    conn.execute(
                        "INSERT INTO directory_names (branch, rep, name) VALUES (?1, ?2, ?3)
                         ON CONFLICT (branch, rep) DO UPDATE SET name = excluded.name",
                        params![branch, rep, entry.name],
                    )?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// A violation as the hub reports it, for callers outside a push.
pub fn refused(index: usize, violation: Violation) -> HubError {
    HubError::Refused { index, violation }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::{Store, ValidChange};
    use automerge::transaction::Transactable;
    use leadguard_protocol::{ChangeHash, Role};

    /// A change creating `lead` in `actor`'s document, its first event by `rep`.
    pub(crate) fn lead_change(actor: &[u8], lead: &str, rep: &str) -> ValidChange {
        let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(actor));
        let list = doc.put_object(automerge::ROOT, lead, automerge::ObjType::List).unwrap();
        let event = serde_json::json!({"id": "e1", "kind": "register", "rep": rep, "device": "d", "device_time": "2026-11-22T08:00:00Z", "fields": {}});
        doc.insert(&list, 0, event.to_string()).unwrap();
        doc.commit();
        let mut change = doc.get_last_local_change().unwrap().clone();
        let doc_id = format!("sh/{}/0", String::from_utf8_lossy(actor));
        ValidChange { hash: ChangeHash(change.hash().0), doc_id, scope: "branch:sh".into(), bytes: change.bytes().to_vec() }
    }

    #[test]
    fn an_upgraded_hub_learns_the_leads_it_stored_before_it_tracked_them() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let e = store.create_enrolment("li.na", "李娜", "sh", Role::Rep, 60_000).unwrap();
        let device = store.enroll(&e.token).unwrap().0;
        store.push(&device, &[lead_change(b"aa", "0123456789abcdef", "li.na")]).unwrap();
        drop(store);
        // As a hub before the authorship tables: schema version 1.
        let conn = Connection::open(dir.path().join("hub.sqlite")).unwrap();
        conn.execute_batch(
            "DROP INDEX changes_company_wide; DROP INDEX changes_company_wide_doc; ALTER TABLE changes DROP COLUMN company_wide;
             DROP TABLE lead_match; DROP TABLE lead_keys; DROP TABLE leads; DROP TABLE directory_names; DROP TABLE hub_meta;
             ALTER TABLE docs DROP COLUMN plain; ALTER TABLE devices DROP COLUMN branches; PRAGMA user_version = 1;",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(dir.path()).unwrap();
        let copy = lead_change(b"bb", "0123456789abcdef", "li.na");
        match store.push_checked(&device, &[copy]) {
            Err(HubError::Refused { violation, .. }) => assert_eq!(violation.reason, leadguard_schema::Reason::LeadElsewhere),
            other => panic!("expected lead_elsewhere, got {other:?}"),
        }
        assert_eq!(store.push_checked(&device, &[lead_change(b"cc", "fedcba9876543210", "li.na")]).unwrap().len(), 1);
    }
}
