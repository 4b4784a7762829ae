//! The tamper-evident audit log: every ownership event written or merged here is one
//! link of a hash chain; editing, deleting or reordering entries is found by `verify`.

mod support;

use leadguard_core::api::{self, Context};
use leadguard_core::audit;
use leadguard_core::model::{EventKind, FollowupKind};
use leadguard_core::registry::Target;
use leadguard_core::Registry;
use support::*;

/// r1's registry with two leads: L1 registered, released, claimed by r2, dealt by r2
/// (a call in between is not audited); L2 registered. Five entries.
fn seeded(dir: &std::path::Path) -> (Registry, String, String) {
    let mut reg = branch(dir, "r1");
    let l1 = register(&mut reg, "r1", "深圳市腾达科技有限公司", h(1));
    write(&mut reg, "r1", Target::Lead(l1.clone()), EventKind::Followup { followup: FollowupKind::Call, note: "电话".into() }, h(2));
    write(&mut reg, "r1", Target::Lead(l1.clone()), EventKind::Release, h(3));
    write(&mut reg, "r2", Target::Lead(l1.clone()), EventKind::Claim, h(4));
    write(&mut reg, "r2", Target::Lead(l1.clone()), EventKind::Followup { followup: FollowupKind::Deal, note: "签约".into() }, h(5));
    let l2 = register(&mut reg, "r1", "广州市白云电器有限公司", h(6));
    (reg, l1, l2)
}

fn raw(reg: &Registry, sql: &str) {
    reg.connection().execute_batch(sql).unwrap();
}

#[test]
fn audit_chain_records_ownership_events_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, l1, l2) = seeded(dir.path());
    let report = audit::verify(reg.connection()).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.entries, 5);
    let trail = audit::for_lead(reg.connection(), &l1).unwrap();
    let kinds: Vec<&str> = trail.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["register", "release", "claim", "deal"]);
    assert!(trail.iter().all(|e| e.hub_time.is_none()), "written here, not synced yet");
    assert_eq!(trail[0].prev_hash, "0".repeat(64));
    assert_eq!(trail[1].prev_hash, trail[0].hash);
    assert!(trail[2].summary_zh.contains("r2") && trail[2].summary_en.contains("claimed"));
    assert_eq!(audit::for_lead(reg.connection(), &l2).unwrap().len(), 1);
    assert!(trail[0].at.starts_with("2026-03-02T10:00:00"));
}

#[test]
fn refused_writes_leave_no_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (mut reg, _, l2) = seeded(dir.path());
    // r1 protects L2: r2's claim is refused and rolled back with its audit entry.
    assert!(try_write(&mut reg, "r2", &l2, EventKind::Claim, h(7)).is_err());
    let report = audit::verify(reg.connection()).unwrap();
    assert!(report.ok);
    assert_eq!(report.entries, 5);
}

#[test]
fn merged_events_are_audited_once_with_their_hub_time() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, l1, _) = seeded(&dir.path().join("a"));
    let mut other = branch(&dir.path().join("b"), "r2");
    copy_all(&reg, &mut other);
    copy_all(&reg, &mut other); // idempotent: known changes are skipped
    let trail = audit::for_lead(other.connection(), &l1).unwrap();
    assert_eq!(trail.len(), 4);
    // The stand-in hub received each change as it was written.
    let secs = |t: &str| chrono::DateTime::parse_from_rfc3339(t).unwrap().timestamp();
    assert!(trail.iter().all(|e| e.hub_time.as_deref().is_some_and(|t| secs(t) == secs(&e.at))), "{trail:?}");
    let report = audit::verify(other.connection()).unwrap();
    assert!(report.ok);
    assert_eq!(report.entries, 5);
}

#[test]
fn the_log_is_append_only_in_sql() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, _, _) = seeded(dir.path());
    assert!(reg.connection().execute_batch("UPDATE audit_log SET rep = 'r9' WHERE seq = 1").is_err());
    assert!(reg.connection().execute_batch("DELETE FROM audit_log WHERE seq = 1").is_err());
    assert!(audit::verify(reg.connection()).unwrap().ok);
}

#[test]
fn audit_chain_catches_an_edited_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, _, _) = seeded(dir.path());
    // A tamperer drops the guard and rewrites who claimed the customer.
    raw(&reg, "DROP TRIGGER audit_no_update; UPDATE audit_log SET rep = 'r1', summary_zh = 'r1 从公海认领了该客户' WHERE seq = 3");
    let report = audit::verify(reg.connection()).unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad_seq, Some(3));
    assert_eq!(report.entries, 5);
    assert!(report.problem.unwrap().contains("altered"));

    // Recomputing that entry's hash does not help: the next link no longer fits.
    let dir = tempfile::tempdir().unwrap();
    let (reg, _, _) = seeded(dir.path());
    // The first byte changed whatever it was ('ff' stays 'ff' one time in 256).
    raw(
        &reg,
        "DROP TRIGGER audit_no_update; UPDATE audit_log SET hash = (CASE WHEN substr(hash, 1, 2) = 'ff' THEN '00' ELSE 'ff' END) || substr(hash, 3) WHERE seq = 2",
    );
    assert_eq!(audit::verify(reg.connection()).unwrap().first_bad_seq, Some(2));
}

#[test]
fn audit_chain_catches_a_deleted_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, _, _) = seeded(dir.path());
    raw(&reg, "DROP TRIGGER audit_no_delete; DELETE FROM audit_log WHERE seq = 2");
    let report = audit::verify(reg.connection()).unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad_seq, Some(3));
    assert_eq!(report.entries, 4);

    // Dropping the newest entries is noticed through the recorded head.
    let dir = tempfile::tempdir().unwrap();
    let (reg, _, _) = seeded(dir.path());
    raw(&reg, "DROP TRIGGER audit_no_delete; DELETE FROM audit_log WHERE seq >= 4");
    let report = audit::verify(reg.connection()).unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad_seq, Some(4));
    assert!(report.problem.unwrap().contains("removed from the end"));
}

#[test]
fn audit_chain_catches_a_reordered_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, _, _) = seeded(dir.path());
    raw(
        &reg,
        "DROP TRIGGER audit_no_update;
         UPDATE audit_log SET seq = 100 WHERE seq = 2;
         UPDATE audit_log SET seq = 2 WHERE seq = 3;
         UPDATE audit_log SET seq = 3 WHERE seq = 100;",
    );
    let report = audit::verify(reg.connection()).unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad_seq, Some(2));
}

#[test]
fn audit_commands_over_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let (reg, l1, _) = seeded(dir.path());
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("r1")).unwrap();
    let v = api::dispatch(&mut ctx, "audit_verify", serde_json::Value::Null).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["entries"], 5);
    let t = api::dispatch(&mut ctx, "audit_for_lead", serde_json::json!({ "lead_id": l1 })).unwrap();
    assert_eq!(t["entries"].as_array().unwrap().len(), 4);
    assert_eq!(t["entries"][0]["kind"], "register");
    let e = api::dispatch(&mut ctx, "audit_for_lead", serde_json::json!({ "lead_id": "ffffffffffffffff" })).unwrap_err();
    assert_eq!(e.code.as_str(), "not_found");
}
