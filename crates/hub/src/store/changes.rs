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

impl SqliteStore {
    /// Stores a batch atomically and returns one ack per change, in order. Either
    /// every change is stored and committed (fsynced) before this returns, or none.
    /// Stores bytes as they are: pushes from devices go through [`Store::push_checked`].
    pub fn push(&self, device: &Device, changes: &[ValidChange]) -> Result<Vec<Ack>, HubError> {
        // Unchecked bytes may hold anything: their documents stay branch-only.
        self.push_with(device, changes, |conn, _, c| {
            conn.prepare_cached("UPDATE docs SET plain = 1 WHERE doc_id = ?1")?.execute(params![c.doc_id])?;
            Ok(())
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
        let prev_sync: Option<i64> = tx.query_row(
            "SELECT coalesce(last_sync_at, enrolled_at) FROM devices WHERE id = ?1",
            params![device.id],
            |r| r.get(0),
        )?;
        let last: Option<i64> = tx
            .query_row("SELECT received_at FROM changes ORDER BY hub_seq DESC LIMIT 1", [], |r| r.get(0))
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
                        "INSERT INTO changes (hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
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
    /// itself, within the pull byte budget. With `only_scope`, just that scope
    /// (which the caller has checked the device may read).
    pub fn pull(
        &self,
        device: &Device,
        since: u64,
        limit: usize,
        only_scope: Option<&str>,
    ) -> Result<PullResponse, HubError> {
        let conn = self.reader();
        let tx = conn.unchecked_transaction()?; // one snapshot for max_seq and rows
        let max_seq: i64 = tx.query_row("SELECT coalesce(max(hub_seq), 0) FROM changes", [], |r| r.get(0))?;
        let since = i64::try_from(since).unwrap_or(i64::MAX);
        let limit = limit.max(1);
        const COLUMNS: &str = "SELECT hub_seq, hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes
                               FROM changes WHERE hub_seq > ?1 AND device_id <> ?2";
        let (sql, scope_arg, branch_arg) = match (only_scope, device.role) {
            (Some(scope), _) => (format!("{COLUMNS} AND scope = ?3 AND ?4 IS NULL"), scope.to_owned(), None),
            (None, Role::Distributor) => (format!("{COLUMNS} AND scope = ?3 AND ?4 IS NULL"), device.write_scope(), None),
            // The branch's own scope and its distributors' (`dist:<B>/…`; a prefix
            // compare, since `_` in an id would be a LIKE wildcard), and every other
            // document of the company that holds no plain contact: contacts there
            // are sealed, opened only with keys the device is granted
            // (docs/VISIBILITY.md, company-wide replication).
            (None, Role::Rep | Role::Manager | Role::Receptionist) => (
                format!(
                    "{COLUMNS} AND (scope = ?3 OR substr(scope, 1, length(?4)) = ?4
                        OR EXISTS (SELECT 1 FROM docs d WHERE d.doc_id = changes.doc_id AND d.plain = 0))"
                ),
                device.write_scope(),
                Some(format!("dist:{}/", device.branch)),
            ),
            // A director: the same, for each branch assigned to it (`,a,b,`; a branch
            // id holds no comma), rule 17.
            (None, Role::Director) => (
                format!(
                    "{COLUMNS} AND (instr(?3, ',' || substr(scope, 8) || ',') > 0 AND substr(scope, 1, 7) = 'branch:'
                        OR substr(scope, 1, 5) = 'dist:' AND instr(?4, ',' || substr(scope, 6, instr(scope, '/') - 6) || ',') > 0
                        OR EXISTS (SELECT 1 FROM docs d WHERE d.doc_id = changes.doc_id AND d.plain = 0))"
                ),
                format!(",{},", device.branches.join(",")),
                Some(format!(",{},", device.branches.join(","))),
            ),
        };
        let mut stmt = tx.prepare(&format!("{sql} ORDER BY hub_seq LIMIT ?5"))?;
        let mut rows = stmt.query(params![since, device.id, scope_arg, branch_arg, (limit + 1) as i64])?;
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
