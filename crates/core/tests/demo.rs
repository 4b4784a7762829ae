//! The demo registry (`leadguard demo`, `make run`) tells the product's story: two reps
//! and a manager, a case waiting for the manager, a decided one with an open appeal, a
//! decided split, a customer whose protection ends today; its user can be switched,
//! and only a demo registry's.

mod support;

use leadguard_core::api::{self, Context};
use serde_json::{json, Value};
use support::*;

fn call(ctx: &mut Context, cmd: &str, args: Value) -> Value {
    api::dispatch(ctx, cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e:?}"))
}

#[test]
fn the_demo_shows_an_open_case_a_decided_one_an_appeal_and_an_expiring_customer() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    leadguard_core::demo::seed(&data, None, 90, "lina", h(0)).unwrap();
    let mut ctx = Context::open(&data).unwrap();
    ctx.set_now(Some(h(0)));
    let session = call(&mut ctx, "session", json!(null));
    assert_eq!(session["rep"]["id"], "lina");
    assert_eq!(session["demo"], true);
    let cases = call(&mut ctx, "collisions_list", json!({}));
    let states: Vec<(&str, u64)> =
        cases["cases"].as_array().unwrap().iter().map(|c| (c["state"].as_str().unwrap(), c["open_appeals"].as_u64().unwrap())).collect();
    assert!(states.contains(&("open", 0)), "{states:?}");
    assert!(states.contains(&("decided", 1)), "a decided case with 李娜's appeal open: {states:?}");
    let expiring = call(&mut ctx, "lead_list", json!({ "filter": "expiring" }));
    assert!(expiring["total"].as_u64().unwrap() >= 1, "{expiring}");
    // Names read like real customers: no "（1部）", and no customer twice.
    let all = call(&mut ctx, "lead_list", json!({ "limit": 1000 }));
    let names: Vec<&str> = all["items"].as_array().unwrap().iter().map(|l| l["fields"]["company"].as_str().unwrap()).collect();
    assert!(names.iter().all(|n| !n.contains("部）")), "{names:?}");
    let unique: std::collections::HashSet<&&str> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "a company name repeats");

    // The manager's side of the same registry.
    let manager = call(&mut ctx, "demo_switch_user", json!({ "rep": "zhangwei" }));
    assert_eq!(manager["rep"]["role"], "manager");
    let cases = call(&mut ctx, "collisions_list", json!({}));
    assert_eq!(cases["cases"].as_array().unwrap().len(), 3, "{cases}");
    let refused = api::dispatch(&mut ctx, "demo_switch_user", json!({ "rep": "nobody" })).unwrap_err();
    assert!(matches!(refused.reason, leadguard_core::Reason::DemoUser { .. }), "{refused:?}");
}

#[test]
fn only_a_demo_registry_switches_its_user() {
    let dir = tempfile::tempdir().unwrap();
    drop(branch(dir.path(), "r1"));
    let mut ctx = Context::open(&dir.path().join("r1")).unwrap();
    assert_eq!(call(&mut ctx, "session", json!(null))["demo"], false);
    let refused = api::dispatch(&mut ctx, "demo_switch_user", json!({ "rep": "r2" })).unwrap_err();
    assert!(matches!(refused.reason, leadguard_core::Reason::NotDemo {}), "{refused:?}");
    assert_eq!(call(&mut ctx, "session", json!(null))["rep"]["id"], "r1");
}
