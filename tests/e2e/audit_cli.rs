//! `leadguard audit verify|show` over a real registry file, and a tampered one.

use leadguard_tests::{json, leadguard};
use serde_json::Value;

const T0: &str = "2026-03-02T09:00:00+08:00";

fn ok(data: &std::path::Path, args: &[&str]) -> Value {
    let out = leadguard(data, args);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stdout));
    json(&out)
}

#[test]
fn audit_verify_and_show_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("mgr");
    ok(&data, &["--now", T0, "init", "--rep", "zhang", "--name", "张伟", "--branch", "sz", "--role", "manager"]);
    let added = ok(
        &data,
        &["--now", T0, "lead", "add", "--company", "深圳市腾达科技有限公司", "--contact", "陈明", "--phone", "13912345678", "--need", "门禁系统"],
    );
    let id = added["lead"]["id"].as_str().unwrap().to_string();
    ok(&data, &["--now", "2026-03-02T10:00:00+08:00", "lead", "release", &id]);

    let v = ok(&data, &["audit", "verify"]);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["entries"], 2);
    let t = ok(&data, &["audit", "show", &id]);
    let kinds: Vec<&str> = t["entries"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["register", "release"]);

    // Someone edits the log with SQLite directly: verify fails with exit status 1.
    let conn = rusqlite::Connection::open(data.join("registry.sqlite")).unwrap();
    conn.execute_batch("DROP TRIGGER audit_no_update; UPDATE audit_log SET rep = 'lina' WHERE seq = 1").unwrap();
    drop(conn);
    let out = leadguard(&data, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out);
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_bad_seq"], 1);
}
