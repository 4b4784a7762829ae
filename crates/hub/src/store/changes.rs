//! The change log: idempotent pushes with receipts, scoped incremental pulls.
//!
//! Each change is stored once, keyed by its Automerge hash, with the hub sequence
//! number and receipt time of its *first* arrival; a re-push returns that original
//! receipt unchanged, which is what makes retries after a cut connection safe and
//! keeps evidence windows stable. Receipt times never decrease along `hub_seq`, even
//! if the hub's clock steps back, so "received before" is the same as "sequenced
//! before".

use super::{now_ms, SqliteStore};
use crate::error::HubError;
use crate::scope::Device;
use leadguard_protocol::{Ack, ChangeHash, HubTime, PullResponse, PulledChange, Role, PULL_BYTE_BUDGET};
use rusqlite::{params, OptionalExtension};

/// A pushed change that passed validation (size, Automerge decoding, scope rights).
#[derive(Debug, Clone)]
pub struct ValidChange {
    pub hash: ChangeHash,
    pub doc_id: String,
    pub scope: String,
    pub bytes: Vec<u8>,
}

/// Marks a document plain (it holds a contact in plain text): from now on it and
/// every change already stored of it are served to its own branch only.
pub(crate) fn mark_plain(conn: &rusqlite::Connection, doc_id: &str) -> Result<(), HubError> {
    if conn.prepare_cached("UPDATE docs SET plain = 1 WHERE doc_id = ?1 AND plain = 0")?.execute(params![doc_id])? > 0 {
        conn.prepare_cached("UPDATE changes SET company_wide = 0 WHERE doc_id = ?1 AND company_wide = 1")?.execute(params![doc_id])?;
    }
    Ok(())
}

impl SqliteStore {
    /// Stores a batch atomically and returns one ack per change, in order. Either
    /// every change is stored and committed (fsynced) before this returns, or none.
    /// Stores bytes as they are: pushes from devices go through [`Store::push_checked`].
    pub fn push(&self, device: &Device, changes: &[ValidChange]) -> Result<Vec<Ack>, HubError> {
        // Unchecked bytes may hold anything: their documents stay branch-only.
        self.push_with(device, changes, |conn, _, c| {
            mark_plain(conn, &c.doc_id)
        })
    }

    /// [`Store::push`] after checking each new change against the schema and what
    /// the device may author (`crate::authorship`), in the same transaction: a change
    /// sees the leads the changes before it in the batch created. Re-pushed changes
    /// get their original receipts without a second check.
    pub fn push_checked(&self, device: &Device, changes: &[ValidChange]) -> Result<Vec<Ack>, HubError> {
        let author = device.clone();
        self.push_with(device, changes, move |conn, i, c| crate::authorship::check_and_record(conn, &author, i, &c.doc_id, &c.bytes))
    }

    pub(super) fn push_with(
        &self,
        device: &Device,
        changes: &[ValidChange],
        check: impl Fn(&rusqlite::Connection, usize, &ValidChange) -> Result<(), HubError> + Send + 'static,
    ) -> Result<Vec<Ack>, HubError> {
        let device = device.clone();
        let changes = changes.to_vec();
        self.write(move |tx| {
        // The lower end of the evidence window of what this push carries: the device's
        // last sync, or — before its first — its enrolment: nothing it sends can be
        // shown to predate the moment it joined, so a clock set back cannot date its
        // first push earlier than that.
        let prev_sync: Option<i64> = tx
            .prepare_cached("SELECT coalesce(last_sync_at, enrolled_at) FROM devices WHERE id = ?1")?
            .query_row(params![device.id], |r| r.get(0))?;
        let last: Option<i64> = tx
            .prepare_cached("SELECT received_at FROM changes ORDER BY hub_seq DESC LIMIT 1")?
            .query_row([], |r| r.get(0))
            .optional()?;
        let now = now_ms().max(last.unwrap_or(i64::MIN));
        let mut acks = Vec::with_capacity(changes.len());
        for (i, c) in changes.iter().enumerate() {
            tx.prepare_cached("INSERT INTO docs (doc_id, scope) VALUES (?1, ?2) ON CONFLICT DO NOTHING")?
                .execute(params![c.doc_id, c.scope])?;
            let scope: String =
                tx.prepare_cached("SELECT scope FROM docs WHERE doc_id = ?1")?.query_row(params![c.doc_id], |r| r.get(0))?;
            if scope != c.scope {
                return Err(HubError::ScopeMismatch { doc_id: c.doc_id.clone() });
            }
            let found = tx
                .prepare_cached("SELECT hub_seq, scope, received_at, device_prev_sync FROM changes WHERE hash = ?1")?
                .query_row(params![&c.hash.0[..]], |r| {
                    Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<i64>>(3)?))
                })
                .optional()?;
            let ack = match found {
                Some((_, scope, ..)) if scope != c.scope => return Err(HubError::ScopeMismatch { doc_id: c.doc_id.clone() }),
                Some((seq, _, received_at, prev)) => ack(c.hash, seq, received_at, prev),
                None => {
                    check(tx, i, c)?;
                    tx.prepare_cached(
                        "INSERT INTO changes (hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes, company_wide)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, (SELECT plain = 0 FROM docs WHERE doc_id = ?2))",
                    )?
                    .execute(params![&c.hash.0[..], c.doc_id, c.scope, device.id, now, prev_sync, c.bytes])?;
                    ack(c.hash, tx.last_insert_rowid(), now, prev_sync)
                }
            };
            acks.push(ack);
        }
        Ok(acks)
        })
    }

    /// Up to `limit` changes after `since` that `device` may read and did not push
    /// itself, within the pull byte budget, read from the file (not the tail). With
    /// `only_scope`, just that scope (which the caller has checked the device may read).
    pub(crate) fn pull_from_log(
        &self,
        device: &Device,
        since: u64,
        limit: usize,
        only_scope: Option<&str>,
    ) -> Result<PullResponse, HubError> {
        let conn = self.reader();
        let tx = conn.unchecked_transaction()?; // one snapshot for max_seq and rows
        let max_seq: i64 = tx.prepare_cached("SELECT coalesce(max(hub_seq), 0) FROM changes")?.query_row([], |r| r.get(0))?;
        let since = i64::try_from(since).unwrap_or(i64::MAX);
        let limit = limit.max(1);
        let (sql, ranges) = pull_query(device, only_scope);
        let mut stmt = tx.prepare_cached(&sql)?;
        let mut args: Vec<&dyn rusqlite::ToSql> = vec![&since, &device.id];
        let fetch = (limit + 1) as i64;
        args.push(&fetch);
        args.extend(ranges.iter().map(|r| r as &dyn rusqlite::ToSql));
        let mut rows = stmt.query(&args[..])?;
        let mut out = PullResponse::default();
        let mut bytes_total = 0usize;
        while let Some(r) = rows.next()? {
            let full = out.changes.len() >= limit || (bytes_total >= PULL_BYTE_BUDGET && !out.changes.is_empty());
            if full {
                out.more = true;
                break;
            }
            let hash: Vec<u8> = r.get(1)?;
            let bytes: Vec<u8> = r.get(7)?;
            bytes_total += bytes.len();
            out.changes.push(PulledChange {
                hub_seq: r.get::<_, i64>(0)? as u64,
                hash: ChangeHash(hash.try_into().map_err(|_| HubError::Task("stored hash is not 32 bytes".into()))?),
                doc_id: r.get(2)?,
                scope: r.get(3)?,
                device: r.get(4)?,
                received_at: HubTime(r.get(5)?),
                device_prev_sync: r.get::<_, Option<i64>>(6)?.map(HubTime),
                bytes,
            });
        }
        out.next_cursor = match (out.more, out.changes.last()) {
            (true, Some(last)) => last.hub_seq,
            _ => max_seq.max(since) as u64,
        };
        Ok(out)
    }

    /// Number of changes stored (for status and benchmarks).
    pub fn change_count(&self) -> Result<u64, HubError> {
        let n: i64 = self.reader().query_row("SELECT count(*) FROM changes", [], |r| r.get(0))?;
        Ok(n as u64)
    }
}

/// The pull's SQL and its scope arguments (`?4` on): one index range per kind of
/// change the device may read, merged in `hub_seq` order, so a pull reads what it
/// serves (plus its own changes) rather than every change after its cursor.
/// `?1` is the cursor, `?2` the device (its own changes are not served back), `?3`
/// the row limit.
fn pull_query(device: &Device, only_scope: Option<&str>) -> (String, Vec<String>) {
    const COLUMNS: &str = "SELECT hub_seq, hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes FROM changes";
    let mut arms = Vec::new();
    let mut args = Vec::new();
    let exact = |arms: &mut Vec<String>, args: &mut Vec<String>, scope: String| {
        args.push(scope);
        arms.push(format!("{COLUMNS} INDEXED BY changes_scope WHERE scope = ?{} AND hub_seq > ?1 AND device_id <> ?2", args.len() + 3));
    };
    // A branch's distributors' scopes `dist:<B>/…`: the range ['dist:<B>/', 'dist:<B>0')
    // ('0' follows '/'), a prefix compare the index can answer. `INDEXED BY`: on a
    // small table the planner would rather walk the log in order than sort a range.
    let dist = |arms: &mut Vec<String>, args: &mut Vec<String>, branch: &str| {
        args.push(format!("dist:{branch}/"));
        args.push(format!("dist:{branch}0"));
        let (from, to) = (args.len() + 2, args.len() + 3);
        arms.push(format!("{COLUMNS} INDEXED BY changes_scope WHERE scope >= ?{from} AND scope < ?{to} AND hub_seq > ?1 AND device_id <> ?2"));
    };
    match (only_scope, device.role) {
        (Some(scope), _) => exact(&mut arms, &mut args, scope.to_owned()),
        (None, Role::Distributor) => exact(&mut arms, &mut args, device.write_scope()),
        // The branches' own scopes and their distributors', and every other document
        // of the company that holds no plain contact: contacts there are sealed,
        // opened only with keys the device is granted (docs/VISIBILITY.md,
        // company-wide replication). A director: each branch assigned to it (rule 17).
        (None, Role::Rep | Role::Manager | Role::Receptionist | Role::Director) => {
            for branch in device.branches() {
                exact(&mut arms, &mut args, leadguard_protocol::branch_scope(branch));
                dist(&mut arms, &mut args, branch);
            }
            arms.push(format!("{COLUMNS} INDEXED BY changes_company_wide WHERE company_wide = 1 AND hub_seq > ?1 AND device_id <> ?2"));
        }
    }
    (format!("{} ORDER BY hub_seq LIMIT ?3", arms.join(" UNION ")), args)
}

fn ack(hash: ChangeHash, seq: i64, received_at: i64, prev: Option<i64>) -> Ack {
    Ack { hash, hub_seq: seq as u64, received_at: HubTime(received_at), device_prev_sync: prev.map(HubTime) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn change(n: u8, doc: &str, scope: &str) -> ValidChange {
        ValidChange { hash: ChangeHash([n; 32]), doc_id: doc.into(), scope: scope.into(), bytes: vec![n] }
    }

    /// Each backend's fresh store with two enrolled reps of branch sh.
    fn setup() -> Vec<(&'static str, tempfile::TempDir, Store, Device, Device)> {
        crate::store::every_backend()
            .into_iter()
            .map(|(backend, dir, store)| {
                let enrol = |rep: &str| {
                    let e = store.create_enrolment(rep, rep, "sh", Role::Rep, 60_000).unwrap();
                    store.enroll(&e.token).unwrap().0
                };
                let (a, b) = (enrol("a"), enrol("b"));
                (backend, dir, store, a, b)
            })
            .collect()
    }

    #[test]
    fn receipts_are_first_receipts_and_never_decrease() {
        for (backend, _dir, store, a, b) in setup() {
            let first = store.push(&a, &[change(1, "d", "branch:sh"), change(2, "d", "branch:sh")]).unwrap();
            let again = store.push(&a, &[change(2, "d", "branch:sh"), change(3, "d", "branch:sh")]).unwrap();
            assert_eq!(again[0], first[1], "{backend}: a re-push returns the original receipt");
            assert_eq!(store.push(&a, &[change(3, "d", "branch:sh")]).unwrap()[0], again[1], "{backend}: a whole re-push too");
            assert!(first[0].received_at <= first[1].received_at && first[1].received_at <= again[1].received_at);
            assert_eq!(store.change_count().unwrap(), 3, "{backend}");
            let pulled = store.pull(&b, 0, 100, None).unwrap();
            assert_eq!(pulled.changes.iter().map(|c| c.hub_seq).collect::<Vec<_>>(), vec![1, 2, 3], "{backend}");
            assert_eq!((pulled.more, pulled.next_cursor), (false, 3), "{backend}");
        }
    }

    #[test]
    fn a_batch_with_a_scope_conflict_stores_nothing() {
        for (backend, _dir, store, a, b) in setup() {
            store.push(&a, &[change(1, "d", "branch:sh")]).unwrap();
            let err = store.push(&a, &[change(2, "e", "branch:sh"), change(3, "d", "branch:bj")]).unwrap_err();
            assert!(matches!(err, HubError::ScopeMismatch { .. }), "{backend}: {err:?}");
            assert_eq!(store.change_count().unwrap(), 1, "{backend}");
            assert_eq!(store.pull(&b, 0, 100, None).unwrap().changes.len(), 1, "{backend}");
        }
    }

    /// A lead registration by `rep` in document `sh/aa/0`, with `fields`; the
    /// document's next change after `doc`'s history.
    fn register(doc: &mut automerge::AutoCommit, lead: &str, rep: &str, fields: serde_json::Value) -> ValidChange {
        use automerge::transaction::Transactable;
        let list = doc.put_object(automerge::ROOT, lead, automerge::ObjType::List).unwrap();
        let event = serde_json::json!({"id": format!("e{lead}"), "kind": "register", "rep": rep, "device": "d", "device_time": "2026-11-22T08:00:00Z", "fields": fields});
        doc.insert(&list, 0, event.to_string()).unwrap();
        doc.commit();
        let change = doc.get_last_local_change().unwrap();
        ValidChange { hash: ChangeHash(change.hash().0), doc_id: "sh/aa/0".into(), scope: "branch:sh".into(), bytes: change.raw_bytes().to_vec() }
    }

    #[test]
    fn a_document_is_served_company_wide_until_it_holds_a_plain_contact() {
        for (backend, _dir, store, a, b) in setup() {
            let e = store.create_enrolment("c", "c", "bj", Role::Rep, 60_000).unwrap();
            let other_branch = store.enroll(&e.token).unwrap().0;
            let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(&b"aa"[..]));
            store.push_checked(&a, &[register(&mut doc, "0123456789abcdef", "a", serde_json::json!({}))]).unwrap();
            assert_eq!(store.pull(&other_branch, 0, 100, None).unwrap().changes.len(), 1, "{backend}: a sealed document goes company-wide");
            let plain = register(&mut doc, "fedcba9876543210", "a", serde_json::json!({"phone": "13912345678"}));
            store.push_checked(&a, &[plain]).unwrap();
            let seen = store.pull(&other_branch, 0, 100, None).unwrap();
            assert!(seen.changes.is_empty(), "{backend}: once plain, none of its changes leave the branch");
            assert_eq!(seen.next_cursor, 2, "{backend}: the cursor still moves past them");
            assert_eq!(store.pull(&b, 0, 100, None).unwrap().changes.len(), 2, "{backend}: its branch reads both");
        }
    }

    #[test]
    fn an_upgraded_hub_serves_the_sealed_documents_it_stored_before_company_wide() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let enrol = |rep: &str, branch: &str| store.enroll(&store.create_enrolment(rep, rep, branch, Role::Rep, 60_000).unwrap().token).unwrap().0;
        let (a, other_branch) = (enrol("a", "sh"), enrol("c", "bj"));
        let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(&b"aa"[..]));
        store.push_checked(&a, &[register(&mut doc, "0123456789abcdef", "a", serde_json::json!({}))]).unwrap();
        drop(store);
        // As a hub before migration 9: no company-wide column.
        let conn = rusqlite::Connection::open(dir.path().join("hub.sqlite")).unwrap();
        conn.execute_batch(
            "DROP INDEX changes_company_wide; DROP INDEX changes_company_wide_doc;
             ALTER TABLE changes DROP COLUMN company_wide; PRAGMA user_version = 8;",
        )
        .unwrap();
        drop(conn);
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.pull(&other_branch, 0, 100, None).unwrap().changes.len(), 1, "the migration marks it company-wide");
    }

    /// The pull reads index ranges (its scopes, the company-wide changes), never the
    /// log from its cursor: its cost follows what it serves, not the company's size.
    #[test]
    fn a_pull_reads_index_ranges_not_the_whole_log() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::SqliteStore::open(dir.path()).unwrap();
        let device = |role: Role, branches: &[&str]| Device {
            id: "d".into(),
            rep: "r".into(),
            name: "n".into(),
            branch: "sh".into(),
            role,
            branches: branches.iter().map(|b| b.to_string()).collect(),
        };
        for (d, only) in [
            (device(Role::Rep, &[]), None),
            (device(Role::Receptionist, &[]), None),
            (device(Role::Distributor, &[]), None),
            (device(Role::Director, &["sh", "bj"]), None),
            (device(Role::Manager, &[]), Some("dist:sh/agent-7")),
        ] {
            let (sql, args) = pull_query(&d, only);
            let conn = store.reader();
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let mut params: Vec<&dyn rusqlite::ToSql> = vec![&0i64, &"d", &10i64];
            params.extend(args.iter().map(|a| a as &dyn rusqlite::ToSql));
            let plan: Vec<String> = stmt.query_map(&params[..], |r| r.get::<_, String>(3)).unwrap().map(Result::unwrap).collect();
            assert!(plan.iter().all(|step| !step.starts_with("SCAN") && !step.contains("rowid>")), "{:?}: {plan:?}", d.role);
        }
    }

    #[test]
    fn the_byte_budget_splits_pages_but_always_makes_progress() {
        for (backend, _dir, store, a, b) in setup() {
            let big = |n: u8| ValidChange { bytes: vec![n; PULL_BYTE_BUDGET], ..change(n, "d", "branch:sh") };
            store.push(&a, &[big(1), big(2)]).unwrap();
            let p1 = store.pull(&b, 0, 100, None).unwrap();
            assert_eq!((p1.changes.len(), p1.more, p1.next_cursor), (1, true, 1), "{backend}");
            let p2 = store.pull(&b, p1.next_cursor, 100, None).unwrap();
            assert_eq!((p2.changes.len(), p2.more, p2.next_cursor), (1, false, 2), "{backend}");
        }
    }
}
