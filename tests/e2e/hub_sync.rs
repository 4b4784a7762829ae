//! Two laptops and a real hub: reps register the same customer offline with
//! different spellings, both sync, and each ends up with both leads; nothing is
//! lost and a second sync moves nothing.

#[path = "hub_support.rs"]
mod hub_support;

use hub_support::Hub;
use leadguard_core::api::{self, Context};
use leadguard_core::sync::{self, SyncPhase, SyncProgress};
use serde_json::{json, Value};
use std::path::Path;

fn call(data: &Path, cmd: &str, args: Value) -> Value {
    let mut ctx = Context::open(data).expect("open");
    api::dispatch(&mut ctx, cmd, args).unwrap_or_else(|e| panic!("{cmd}: {e:?}"))
}

fn registry(data: &Path) -> leadguard_core::Registry {
    leadguard_core::Registry::open(data).expect("registry")
}

fn all_leads(data: &Path) -> Vec<Value> {
    let page = call(data, "lead_list", json!({ "limit": 1000 }));
    page["items"].as_array().expect("items").clone()
}

/// `leadguard --data DATA --json ARGS...` (the real CLI binary), parsed.
fn cli(data: &Path, args: &[&str]) -> Value {
    let out = leadguard_tests::leadguard(data, args);
    assert!(out.status.success(), "leadguard {args:?} failed: {}", String::from_utf8_lossy(&out.stdout));
    leadguard_tests::json(&out)
}

#[test]
fn two_reps_register_the_same_customer_offline_and_both_leads_survive_sync() {
    let hub = Hub::start();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    call(a.path(), "init", json!({ "rep_id": "li.na", "name": "李娜", "branch": "sh" }));
    call(b.path(), "init", json!({ "rep_id": "wang.wei", "name": "王伟", "branch": "sh" }));

    // Offline, each registers the same customer, spelled differently.
    let lead_a = call(
        a.path(),
        "lead_add",
        json!({ "fields": { "company": "上海华强电子有限公司", "contact": "张伟", "phone": "13800138000", "need": "年度采购" } }),
    )["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let lead_b = call(
        b.path(),
        "lead_add",
        json!({ "fields": { "company": "华强电子(上海)", "contact": "张 伟", "phone": "+86 138-0013-8000", "need": "采购" } }),
    )["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pending_a = registry(a.path()).pending_count().unwrap();
    let pending_b = registry(b.path()).pending_count().unwrap();
    assert!(pending_a > 0 && pending_b > 0);

    // Both join the hub through the CLI, then sync: A, B, then A again.
    let ea = cli(a.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("li.na", "sh", "rep")]);
    assert_eq!(ea["branch"], "sh");
    cli(b.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("wang.wei", "sh", "rep")]);
    let first = cli(a.path(), &["sync"]);
    assert_eq!(first["pushed"].as_u64(), Some(pending_a));
    let second = cli(b.path(), &["sync"]);
    assert_eq!(second["pushed"].as_u64(), Some(pending_b));
    assert_eq!(second["pulled"].as_u64(), Some(pending_a), "B receives everything A pushed");
    let mut phases = Vec::new();
    let third = sync::sync(&mut registry(a.path()), &mut |p: &SyncProgress| phases.push(p.phase.clone())).unwrap();
    assert_eq!((third.pushed, third.pulled), (0, pending_b));
    assert!(third.touched_leads.contains(&lead_b));
    assert_eq!(phases.first(), Some(&SyncPhase::Pushing));
    assert_eq!(phases.last(), Some(&SyncPhase::Done));

    // Each laptop now holds both leads; nothing pending, nothing lost.
    for dir in [a.path(), b.path()] {
        let ids: std::collections::BTreeSet<String> =
            all_leads(dir).iter().map(|l| l["id"].as_str().unwrap().to_owned()).collect();
        assert!(ids.contains(&lead_a) && ids.contains(&lead_b), "{ids:?}");
        let reg = registry(dir);
        assert_eq!(reg.pending_count().unwrap(), 0);
        assert!(reg.last_sync_at().unwrap().is_some());
    }

    // A second round moves nothing.
    let again = cli(b.path(), &["sync"]);
    assert_eq!((again["pushed"].as_u64(), again["pulled"].as_u64()), (Some(0), Some(0)));
    // The app's command (Tauri / browser) does the same.
    let via_api = call(a.path(), "sync_run", Value::Null);
    assert_eq!((via_api["pushed"].as_u64(), via_api["pulled"].as_u64()), (Some(0), Some(0)));
    assert!(via_api["synced_at"].is_string());
}

#[test]
fn enrolment_refuses_a_token_of_another_branch_and_sync_needs_enrolment() {
    let hub = Hub::start();
    let a = tempfile::tempdir().unwrap();
    call(a.path(), "init", json!({ "rep_id": "li.na", "name": "李娜", "branch": "sh" }));
    let mut reg = registry(a.path());
    assert!(matches!(sync::sync(&mut reg, &mut |_| {}), Err(sync::SyncError::NotEnrolled)));
    let err = sync::enroll(&mut reg, &hub.url, &hub.token("li.na", "bj", "rep")).unwrap_err();
    assert!(matches!(err, sync::SyncError::BranchMismatch { .. }), "{err}");
    assert!(matches!(sync::sync(&mut reg, &mut |_| {}), Err(sync::SyncError::NotEnrolled)));
    let bad_url = sync::enroll(&mut reg, "http://hub.example.com", "lge_x").unwrap_err();
    assert!(matches!(bad_url, sync::SyncError::Hub(_)), "plain http off loopback is refused");
}
