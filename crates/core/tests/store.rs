//! Storage and the sync-facing store API: refusing foreign files, persistence across
//! reopen (snapshot + changes), pending/acknowledged changes, idempotent merges.

mod support;

use leadguard_core::model::{EventKind, FollowupKind};
use leadguard_core::replication::{Ack, RemoteChange};
use leadguard_core::status::LeadState;
use leadguard_core::{ErrorCode, Registry};
use support::*;

#[test]
fn foreign_or_corrupt_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    std::fs::write(&path, b"this is not a database at all, just text ....................................................................").unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Registry::open(dir.path()).err().unwrap();
    assert_eq!(err.code(), ErrorCode::CorruptStore, "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);

    let other = tempfile::tempdir().unwrap();
    let foreign = other.path().join("registry.sqlite");
    let c = rusqlite::Connection::open(&foreign).unwrap();
    c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
    drop(c);
    let err = Registry::open(other.path()).err().unwrap();
    assert_eq!(err.code(), ErrorCode::CorruptStore, "{err}");
    let c = rusqlite::Connection::open(&foreign).unwrap();
    assert_eq!(c.query_row("SELECT x FROM t", [], |r| r.get::<_, i64>(0)).unwrap(), 1);
    // `init` never overwrites.
    let mut ctx = leadguard_core::api::Context::open(other.path()).unwrap();
    let e = leadguard_core::api::dispatch(
        &mut ctx,
        "init",
        serde_json::json!({ "rep_id": "r1", "name": "李娜", "branch": "sz" }),
    )
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Conflict);
    // Missing registry: not_initialized.
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(Registry::open(empty.path()).err().unwrap().code(), ErrorCode::NotInitialized);
}

#[test]
fn reopen_restores_documents_from_snapshot_and_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let id = register(&mut reg, "r1", "潮州陶瓷", h(0));
    // More changes than SNAPSHOT_EVERY on one shard, so a snapshot is taken.
    for i in 0..300 {
        let call = EventKind::Followup { followup: FollowupKind::Call, note: format!("电话 {i}") };
        try_write(&mut reg, "r1", &id, call, h(1)).unwrap();
    }
    try_write(&mut reg, "r1", &id, EventKind::Followup { followup: FollowupKind::Visit, note: "拜访".into() }, h(2))
        .unwrap();
    let snapshots: i64 = reg
        .connection()
        .query_row("SELECT COUNT(*) FROM docs WHERE snapshot IS NOT NULL", [], |r| r.get(0))
        .unwrap();
    assert!(snapshots >= 1);
    let data = reg.data_dir().to_path_buf();
    drop(reg);
    let mut reg = Registry::open(&data).unwrap();
    let (events, s) = reg.status(&id, h(3)).unwrap();
    assert_eq!(events.len(), 302);
    assert_eq!(s.protected_until, Some(h(2 + 72)));
    assert_eq!(reg.pending_count().unwrap(), 3 + 302);
    // Reindexing from documents gives the same rows.
    let before = reg.row(&id).unwrap();
    assert_eq!(reg.reindex().unwrap(), 1);
    assert_eq!(reg.row(&id).unwrap(), before);
}

#[test]
fn acknowledged_changes_are_no_longer_pending() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    register(&mut reg, "r1", "汕头玩具", h(0));
    let pending = reg.pending_changes(100).unwrap();
    assert_eq!(pending.len(), 4, "init rep, two reps, one lead");
    assert!(pending.windows(2).all(|w| w[0].local_seq < w[1].local_seq));
    assert!(pending.iter().all(|p| p.scope == "branch:sz"));
    let acks: Vec<Ack> = pending[..3]
        .iter()
        .enumerate()
        .map(|(i, p)| Ack { hash: p.hash, hub_seq: 10 + i as i64, received_at: h(1), device_prev_sync: None })
        .collect();
    assert_eq!(reg.mark_acknowledged(&acks).unwrap(), 3);
    let left = reg.pending_changes(100).unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].hash, pending[3].hash);
    // Sync state round-trips through meta.
    assert_eq!(reg.last_pulled_hub_seq().unwrap(), 0);
    reg.set_last_pulled_hub_seq(42).unwrap();
    reg.set_hub_url(Some("http://127.0.0.1:7000")).unwrap();
    reg.set_device_token(Some("tok")).unwrap();
    reg.set_last_sync_at(h(5)).unwrap();
    let data = reg.data_dir().to_path_buf();
    drop(reg);
    let reg = Registry::open(&data).unwrap();
    assert_eq!(reg.last_pulled_hub_seq().unwrap(), 42);
    assert_eq!(reg.hub_url().unwrap().as_deref(), Some("http://127.0.0.1:7000"));
    assert_eq!(reg.device_token().unwrap().as_deref(), Some("tok"));
    assert_eq!(reg.last_sync_at().unwrap(), Some(h(5)));
}

#[test]
fn apply_remote_is_idempotent_and_indexes_touched_leads() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = branch(dir.path(), "m1");
    let id = register(&mut a, "r1", "揭阳五金", h(0));
    let mut b = branch(&dir.path().join("b"), "r2");
    let changes = support::as_pulled(&a, "", 0);
    let report = b.apply_remote(&changes).unwrap();
    assert!(report.touched_leads.contains(&id));
    assert!(report.directory_changed);
    let row = b.row(&id).unwrap();
    assert_eq!((row.company.as_str(), row.owner.as_deref()), ("揭阳五金", Some("r1")));
    // Applying again changes nothing.
    let again = b.apply_remote(&changes).unwrap();
    assert_eq!(again.applied, 0);
    assert_eq!(again.duplicates, changes.len());
    assert_eq!(b.row(&id).unwrap(), row);
    // A corrupted change is set aside (quarantined), never merged; the batch goes on.
    let mut bad = support::as_pulled(&a, "", 100);
    bad[0].bytes[10] ^= 0xff;
    bad[0].hash = [7; 32];
    let before: i64 = b.connection().query_row("SELECT COUNT(*) FROM changes", [], |r| r.get(0)).unwrap();
    let report = b.apply_remote(&bad).unwrap();
    assert_eq!((report.quarantined, report.duplicates), (1, bad.len() - 1));
    let after: i64 = b.connection().query_row("SELECT COUNT(*) FROM changes", [], |r| r.get(0)).unwrap();
    assert_eq!(before, after);
    // b can now act on the lead, and its change flows back.
    let w = try_write(&mut b, "r1", &id, EventKind::Followup { followup: FollowupKind::Quote, note: "报价".into() }, h(5))
        .unwrap();
    assert_eq!(w.status.protected_until, Some(h(5 + 72)));
    let back: Vec<RemoteChange> = support::as_pulled(&b, "", 1000).into_iter().filter(|c| c.doc_id != "directory/sz").collect();
    let r = a.apply_remote(&back).unwrap();
    assert_eq!(r.touched_leads, vec![id.clone()]);
    assert_eq!(a.row(&id).unwrap().protected_until, Some(h(5 + 72)));
}

#[test]
fn concurrent_offline_claims_both_survive_and_replicas_agree() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = branch(dir.path(), "r1");
    let id = register(&mut a, "r9", "茂名石化", h(-100)); // expired long ago: in the pool
    let mut b = branch(&dir.path().join("b"), "r2");
    b.apply_remote(&support::as_pulled(&a, "", 0)).unwrap();
    // Both claim offline.
    try_write(&mut a, "r1", &id, EventKind::Claim, h(1)).unwrap();
    try_write(&mut b, "r2", &id, EventKind::Claim, h(2)).unwrap();
    let from_a = support::as_pulled(&a, "", 0);
    let from_b = support::as_pulled(&b, "", 10_000);
    a.apply_remote(&from_b).unwrap();
    b.apply_remote(&from_a).unwrap();
    let (ea, sa) = a.status(&id, h(3)).unwrap();
    let (eb, sb) = b.status(&id, h(3)).unwrap();
    assert_eq!(ea, eb, "same history on both replicas");
    assert_eq!(sa, sb, "same derived status on both replicas");
    assert_eq!(ea.iter().filter(|e| matches!(e.kind, EventKind::Claim)).count(), 2, "both claims kept");
    assert_eq!(sa.state, LeadState::Protected);
    assert_eq!(sa.ignored.len(), 1, "the later claim takes no effect but stays as evidence");
    assert_eq!(a.row(&id).unwrap(), b.row(&id).unwrap());
}

#[test]
fn search_finds_substrings_and_follows_edits() {
    use leadguard_core::registry::Filter;
    use leadguard_core::model::LeadFields;
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let a = register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    let b = register(&mut reg, "r1", "广州白云制药", h(0));
    let find = |reg: &Registry, q: &str| -> Vec<String> {
        let mut ids: Vec<String> =
            reg.list(&Filter::All, Some(q), h(1), 50, 0).unwrap().rows.into_iter().map(|r| r.lead_id).collect();
        ids.sort();
        ids
    };
    assert_eq!(find(&reg, "腾达科技"), vec![a.clone()]); // trigram index
    assert_eq!(find(&reg, "腾达"), vec![a.clone()]); // 2 characters: scan
    assert_eq!(find(&reg, "12345"), { let mut v = vec![a.clone(), b.clone()]; v.sort(); v }); // phone
    assert_eq!(find(&reg, &b), vec![b.clone()]); // exact id
    assert!(find(&reg, "不存在的公司").is_empty());
    assert!(find(&reg, "\"quoted\" OR x").is_empty(), "query syntax is escaped");
    let patch = LeadFields { company: Some("广州白云山制药股份".into()), ..Default::default() };
    try_write(&mut reg, "r1", &b, EventKind::Update { fields: patch }, h(2)).unwrap();
    assert_eq!(find(&reg, "白云山"), vec![b.clone()]);
}

#[test]
fn the_trigram_index_catches_up_before_each_commit() {
    use leadguard_core::registry::Filter;
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let a = register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    let pending = |reg: &Registry| -> i64 {
        reg.connection().query_row("SELECT COUNT(*) FROM lead_fts_pending", [], |r| r.get(0)).unwrap()
    };
    assert_eq!(pending(&reg), 0, "indexed in the transaction that wrote the row");
    let found = |reg: &Registry, q: &str| reg.list(&Filter::All, Some(q), h(1), 50, 0).unwrap().rows.len();
    assert_eq!(found(&reg, "腾达科技"), 1);
    // A row written outside the pipeline is noted, and indexed by the next write.
    reg.connection().execute("UPDATE lead_index SET company = '东莞市鸿运五金' WHERE lead_id = ?1", [&a]).unwrap();
    assert_eq!(pending(&reg), 1);
    register(&mut reg, "r1", "广州白云制药", h(2));
    assert_eq!(pending(&reg), 0);
    assert_eq!(found(&reg, "鸿运五金"), 1);
    assert_eq!(found(&reg, "腾达科技"), 0, "the old text left the index");
}

#[test]
fn a_registry_from_before_effective_times_is_rederived_once_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = support::simhub::SimHub::new(h(0));
    let mut a = branch(dir.path(), "r1");
    hub.sync(0, &mut a);
    // Registered with the clock 30 days ahead; the hub received it at once.
    let id = register(&mut a, "r1", "揭阳五金", h(24 * 30));
    hub.sync(0, &mut a);
    let want = a.row(&id).unwrap();
    assert!(want.protected_until.unwrap() < h(73), "protected from the hub's receipt: {want:?}");
    // As an older version left it: judged on the device clock.
    let stale = (h(24 * 30 + 72)).timestamp_millis();
    a.connection().execute("UPDATE lead_index SET protected_until = ?1", [stale]).unwrap();
    a.connection().execute("DELETE FROM meta WHERE key = 'status.effective_times'", []).unwrap();
    drop(a);
    let a = Registry::open(&dir.path().join("r1")).unwrap();
    assert_eq!(a.row(&id).unwrap(), want);
}

/// A cached statement is prepared once: the receipts query runs for every lead of a
/// merge, and re-parsing it on every run (SQLite re-prepares a statement whose plan
/// depended on a bound value) was ~8 % of a large merge.
#[test]
fn a_merge_does_not_re_prepare_its_cached_statements() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = branch(dir.path(), "m1");
    for k in 0..40 {
        register(&mut a, "r1", &format!("揭阳{k}号五金"), h(0));
    }
    let mut b = branch(&dir.path().join("b"), "r2");
    b.apply_remote(&support::as_pulled(&a, "", 0)).unwrap();
    b.rebuild_derived().unwrap();
    // The text of `Registry::timing`'s query (receipts.rs): the cache returns that
    // very statement, with its counters.
    let stmt = b
        .connection()
        .prepare_cached(
            "SELECT c.hub_received_at, c.device_prev_sync FROM event_changes ec
             JOIN changes c ON c.hash = ec.hash WHERE ec.event_id = ?1",
        )
        .unwrap();
    let runs = stmt.get_status(rusqlite::StatementStatus::Run);
    assert!(runs >= 80, "the receipts query ran for every lead of the merge and of the rebuild ({runs} runs)");
    assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
}
