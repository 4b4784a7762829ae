//! The `leadguard` CLI over the registry: init, lead add/show/list/release/claim,
//! follow-ups, handover, check, `--now`, and typed JSON errors with non-zero exit.

use leadguard_tests::{json, leadguard};
use serde_json::Value;

fn ok(data: &std::path::Path, args: &[&str]) -> Value {
    let out = leadguard(data, args);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stdout));
    json(&out)
}

fn err(data: &std::path::Path, args: &[&str]) -> Value {
    let out = leadguard(data, args);
    assert!(!out.status.success(), "{args:?} should fail: {}", String::from_utf8_lossy(&out.stdout));
    json(&out)
}

const T0: &str = "2026-03-02T09:00:00+08:00";

#[test]
fn registry_lifecycle_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let mgr = dir.path().join("mgr");
    let e = err(&mgr, &["lead", "list"]);
    assert_eq!(e["code"], "not_initialized");
    ok(&mgr, &["--now", T0, "init", "--rep", "zhang", "--name", "张伟", "--branch", "sz", "--role", "manager"]);
    assert_eq!(err(&mgr, &["init", "--rep", "x", "--name", "x", "--branch", "sz"])["code"], "conflict");
    ok(&mgr, &["rep", "add", "--id", "lina", "--name", "李娜"]);
    let s = ok(&mgr, &["--now", T0, "policy", "set", "--protection-hours", "48"]);
    assert_eq!(s["protection_hours"], 48);
    assert_eq!(s["cross_branch_decider"], "director", "cases across branches are the director's by default");
    let s = ok(&mgr, &["--now", T0, "policy", "set", "--cross-branch-decider", "managers"]);
    assert_eq!((s["cross_branch_decider"].as_str(), s["protection_hours"].as_u64()), (Some("managers"), Some(48)));
    let refused = leadguard(&mgr, &["policy", "set", "--cross-branch-decider", "everyone"]);
    assert!(!refused.status.success(), "only director or managers");

    // A complete registration is claimed at once and protected for 48 h.
    let added = ok(
        &mgr,
        &["--now", T0, "lead", "add", "--company", "深圳市腾达科技有限公司", "--contact", "陈明", "--phone", "13912345678", "--need", "门禁系统"],
    );
    let id = added["lead"]["id"].as_str().unwrap().to_string();
    assert_eq!(added["lead"]["state"], "protected");
    assert_eq!(added["lead"]["protected_until"], "2026-03-04T01:00:00Z");
    // A second, similar registration reports the first as a duplicate.
    let dup = ok(&mgr, &["--now", T0, "lead", "add", "--company", "腾达科技（深圳）", "--phone", "139-1234-5678"]);
    assert_eq!(dup["duplicates"][0]["lead"]["id"], id.as_str());
    assert_eq!(dup["lead"]["state"], "incomplete");
    let chk = ok(&mgr, &["--now", T0, "check", "--company", "深圳腾达科技", "--phone", "+86 139 1234 5678"]);
    let owners: Vec<&Value> = chk["matches"].as_array().unwrap().iter().map(|m| &m["lead"]["owner"]).collect();
    assert!(owners.contains(&&Value::from("zhang")), "{chk}");

    // A visit extends protection; --now simulates time passing.
    ok(&mgr, &["--now", "2026-03-03T09:00:00+08:00", "followup", "add", &id, "--kind", "visit", "--note", "上门拜访"]);
    let shown = ok(&mgr, &["lead", "show", &id, "--at", "2026-03-04T12:00:00+08:00"]);
    assert_eq!(shown["lead"]["state"], "protected");
    assert_eq!(shown["history"].as_array().unwrap().len(), 2);
    // After expiry it is in the pool.
    let later = "2026-03-06T12:00:00+08:00"; // visit + 72 h = 03-06 09:00; cooldown 24 h
    let pool = ok(&mgr, &["--now", later, "lead", "list", "--pool"]);
    assert_eq!(pool["total"], 1);
    assert_eq!(pool["items"][0]["id"], id.as_str());
    // Its previous owner waits out the cooldown ...
    let cooldown = err(&mgr, &["--now", later, "lead", "claim", &id]);
    assert_eq!(cooldown["code"], "conflict");
    assert_eq!(cooldown["reason"], "cooldown");
    assert_eq!(cooldown["params"]["until"], "2026-03-07T01:00:00Z");
    assert!(cooldown["message"].as_str().unwrap().contains("claim it again"), "{cooldown}");
    // ... and can claim after it.
    let claimed = ok(&mgr, &["--now", "2026-03-07T10:00:00+08:00", "lead", "claim", &id]);
    assert_eq!(claimed["state"], "protected");
    let released = ok(&mgr, &["--now", "2026-03-08T10:00:00+08:00", "lead", "release", &id]);
    assert_eq!(released["state"], "pool");
    let mine = ok(&mgr, &["--now", "2026-03-08T10:00:00+08:00", "lead", "list", "--mine"]);
    assert_eq!(mine["total"], 0);

    // Handover: the manager's own customer moves to lina.
    let other = ok(&mgr, &["--now", "2026-03-11T11:00:00+08:00", "lead", "add", "--company", "广州白云制药", "--contact", "周伟", "--need", "包装"]);
    let moved = ok(&mgr, &["--now", "2026-03-11T12:00:00+08:00", "handover", "--from", "zhang", "--to", "lina"]);
    assert_eq!(moved["moved"], serde_json::json!([other["lead"]["id"]]));
}

#[test]
fn registry_errors_are_typed_json_with_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["init", "--rep", "lina", "--name", "李娜", "--branch", "sz"]);
    let missing = err(d, &["lead", "show", "ffffffffffffffff"]);
    assert_eq!(missing["code"], "not_found");
    assert_eq!(missing["reason"], "not_found");
    assert_eq!(missing["params"], serde_json::json!({ "kind": "lead", "id": "ffffffffffffffff" }));
    assert_eq!(err(d, &["lead", "add"])["code"], "invalid_argument");
    assert_eq!(err(d, &["--now", "yesterday", "lead", "list"])["code"], "invalid_argument");
    assert_eq!(err(d, &["followup", "add", "x", "--kind", "dance"])["code"], "invalid_argument");
    let handover = err(d, &["handover", "--from", "a", "--to", "b"]);
    assert_eq!(handover["code"], "forbidden");
    assert_eq!(handover["reason"], "role_required");
    assert_eq!(handover["params"]["roles"], serde_json::json!(["manager"]));
    assert_eq!(err(d, &["rep", "add", "--id", "x", "--name", "X"])["code"], "forbidden");
    // A phone without digits cannot complete a registration (and earn protection), nor
    // is a malformed e-mail stored; nothing is registered.
    let bad_phone = ["lead", "add", "--company", "深圳市腾达科技有限公司", "--contact", "陈明", "--phone", "abc", "--need", "门禁"];
    let phone = err(d, &bad_phone);
    assert_eq!(phone["code"], "invalid_argument");
    assert_eq!(phone["reason"], "phone_character", "{phone}");
    let bad_mail = ["lead", "add", "--company", "深圳市腾达科技有限公司", "--phone", "13912345678", "--email", "chen@", "--need", "门禁"];
    assert_eq!(err(d, &bad_mail)["code"], "invalid_argument");
    assert_eq!(ok(d, &["lead", "list"])["total"], 0);
    // A foreign file in the data directory is refused and left untouched.
    let foreign = tempfile::tempdir().unwrap();
    std::fs::write(foreign.path().join("registry.sqlite"), b"not a database, definitely not one, no no no no no no no no no").unwrap();
    assert_eq!(err(foreign.path(), &["lead", "list"])["code"], "corrupt_store");
    assert_eq!(
        std::fs::read(foreign.path().join("registry.sqlite")).unwrap(),
        b"not a database, definitely not one, no no no no no no no no no"
    );
}

#[test]
fn registry_demo_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let first = ok(dir.path(), &["demo", "--leads", "120"]);
    assert_eq!(first["created"], true);
    let list = ok(dir.path(), &["lead", "list", "--limit", "1000"]);
    assert_eq!(list["total"], 120);
    let states: std::collections::BTreeSet<&str> =
        list["items"].as_array().unwrap().iter().map(|l| l["state"].as_str().unwrap()).collect();
    for s in ["protected", "pool", "deal", "incomplete"] {
        assert!(states.contains(s), "demo lacks {s} leads: {states:?}");
    }
    let again = ok(dir.path(), &["demo"]);
    assert_eq!(again["created"], false);
    assert_eq!(ok(dir.path(), &["lead", "list"])["total"], 120);
}

#[test]
fn incomplete_and_team_lists_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let mgr = dir.path().join("mgr");
    ok(&mgr, &["--now", T0, "init", "--rep", "zhang", "--name", "张伟", "--branch", "sz", "--role", "manager"]);
    let added = ok(&mgr, &["--now", T0, "lead", "add", "--company", "佛山顺联五金", "--need", "五金配件"]);
    let id = added["lead"]["id"].as_str().unwrap().to_string();
    assert_eq!(ok(&mgr, &["--now", T0, "lead", "list", "--incomplete"])["total"], 1);
    assert_eq!(ok(&mgr, &["--now", T0, "lead", "list", "--team", "--state", "incomplete"])["total"], 1);
    assert_eq!(ok(&mgr, &["--now", T0, "lead", "list", "--team", "--owner", "zhang"])["total"], 0);
    // Completing it claims it for whoever completed it.
    let done = ok(&mgr, &["--now", T0, "lead", "update", &id, "--phone", "13712345678"]);
    assert_eq!(done["state"], "protected");
    assert_eq!(ok(&mgr, &["--now", T0, "lead", "list", "--incomplete"])["total"], 0);
    assert_eq!(ok(&mgr, &["--now", T0, "lead", "list", "--team", "--owner", "zhang", "--state", "protected"])["total"], 1);
    assert_eq!(err(&mgr, &["lead", "list", "--team", "--state", "gone"])["code"], "invalid_argument");
}

#[path = "import_cli.rs"]
mod import_cli;
#[path = "export_cli.rs"]
mod export_cli;
#[path = "import_bar.rs"]
mod import_bar;

#[test]
fn relate_links_a_family_member_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let me = dir.path().join("lina");
    ok(&me, &["--now", T0, "init", "--rep", "lina", "--name", "李娜", "--branch", "sz"]);
    let add = |company: &str, contact: &str, phone: &str| {
        let v = ok(&me, &["--now", T0, "lead", "add", "--company", company, "--contact", contact, "--phone", phone, "--need", "装修"]);
        v["lead"]["id"].as_str().unwrap().to_string()
    };
    let zhang = add("张伟家", "张伟", "13800138001");
    let wang = add("王芳家", "王芳", "13900139002");
    let linked = ok(&me, &["--now", T0, "relate", &zhang, "--kind", "family", "--other", &wang, "--note", "夫妻"]);
    assert_eq!(linked["relations"][0]["kind"], "family");
    assert_eq!(linked["relations"][0]["lead"]["id"], wang.as_str());
    // The relative's duplicate check names the family member.
    let chk = ok(&me, &["--now", T0, "check", "--company", "王芳家", "--phone", "13900139002"]);
    assert_eq!(chk["matches"][0]["related"][0]["lead"]["company"], "张伟家", "{chk}");
    // A typed error for a bad relation; removal works.
    assert_eq!(err(&me, &["--now", T0, "relate", &zhang, "--kind", "same-unit"])["reason"], "relation_needs_lead");
    let removed = ok(&me, &["--now", T0, "relate", &zhang, "--kind", "family", "--other", &wang, "--remove"]);
    assert_eq!(removed["relations"], serde_json::json!([]));
}
