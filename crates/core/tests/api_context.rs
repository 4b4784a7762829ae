//! The API context: `Send` (the Tauri shell and the web server keep it in a mutex),
//! the `session` command, `--now` overrides, and distributor visibility (rule 12).

mod support;

use leadguard_core::api::{self, Context};
use leadguard_core::model::Role;
use leadguard_core::ErrorCode;
use serde_json::json;
use support::*;

#[test]
fn context_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Context>();
}

#[test]
fn session_reports_who_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let mut ctx = Context::open(dir.path()).unwrap();
    assert_eq!(api::dispatch(&mut ctx, "session", json!(null)).unwrap_err().code, ErrorCode::NotInitialized);
    ctx.set_now(Some(t0()));
    api::dispatch(&mut ctx, "init", json!({ "rep_id": "lina", "name": "李娜", "branch": "sz" })).unwrap();
    let s = api::dispatch(&mut ctx, "session", json!(null)).unwrap();
    assert_eq!(s["rep"]["id"], "lina");
    assert_eq!(s["rep"]["role"], "rep");
    assert_eq!(s["branch"], "sz");
    assert_eq!(s["device"].as_str().unwrap().len(), 16);
    assert_eq!(s["policy"]["protection_hours"], 72);
    assert_eq!(s["pending_changes"], 1);
    let bad = api::dispatch(&mut ctx, "lead_add", json!({ "fields": { "company": 5 } })).unwrap_err();
    assert_eq!(bad.code, ErrorCode::InvalidArgument);
    assert_eq!(api::dispatch(&mut ctx, "no_such", json!(null)).unwrap_err().code, ErrorCode::UnknownCommand);
}

#[test]
fn distributors_see_only_what_they_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut mgr = branch(dir.path(), "m1");
    mgr.put_rep(rep("d1", "渠道商甲", Role::Distributor), h(0)).unwrap();
    let mut dist = leadguard_core::Registry::init(
        &dir.path().join("d1"),
        leadguard_core::registry::InitOptions { rep: rep("d1", "渠道商甲", Role::Distributor), shard_size: 100 },
        h(0),
    )
    .unwrap();
    copy_all(&mgr, &mut dist);
    let theirs = register(&mut dist, "r1", "别人的客户", h(0));
    let mine = register(&mut dist, "d1", "我报备的客户", h(0));
    drop(dist);
    let mut ctx = Context::open(&dir.path().join("d1")).unwrap();
    ctx.set_now(Some(h(1)));
    let page = api::dispatch(&mut ctx, "lead_list", json!({ "filter": "all" })).unwrap();
    let ids: Vec<&str> = page["items"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![mine.as_str()]);
    assert_eq!(api::dispatch(&mut ctx, "lead_get", json!({ "id": theirs })).unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(api::dispatch(&mut ctx, "lead_get", json!({ "id": mine })).unwrap()["lead"]["masked"], false);
    assert_eq!(api::dispatch(&mut ctx, "lead_claim", json!({ "id": theirs })).unwrap_err().code, ErrorCode::Forbidden);
}
