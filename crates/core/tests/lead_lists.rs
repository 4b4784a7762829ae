//! Lists behind the app's work screens: a rep's incomplete registrations (and what
//! completing one does) and a manager's team list narrowed by owner, state and expiry.

mod support;

use leadguard_core::api::{self, Context};
use leadguard_core::model::{EventKind, LeadFields};
use leadguard_core::registry::Target;
use leadguard_core::ErrorCode;
use serde_json::{json, Value};
use support::*;

fn companies(page: &Value) -> Vec<String> {
    let mut v: Vec<String> =
        page["items"].as_array().unwrap().iter().map(|l| l["fields"]["company"].as_str().unwrap().to_string()).collect();
    v.sort();
    v
}

fn list(ctx: &mut Context, args: Value) -> Vec<String> {
    companies(&api::dispatch(ctx, "lead_list", args).unwrap())
}

#[test]
fn a_manager_narrows_the_team_list_by_owner_state_and_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let mut mgr = branch(dir.path(), "m1");
    register(&mut mgr, "r1", "甲公司", h(0));
    register(&mut mgr, "r2", "乙公司", h(0));
    let released = register(&mut mgr, "r2", "丙公司", h(0));
    write(&mut mgr, "r2", Target::Lead(released), EventKind::Release, h(0));
    let only_name = LeadFields { company: Some("丁公司".into()), ..LeadFields::default() };
    write(&mut mgr, "r1", Target::New, EventKind::Register { fields: only_name }, h(0));
    // Registered 60 h before "now": 12 h of protection left.
    register(&mut mgr, "r1", "戊公司", h(-59));
    drop(mgr);

    let mut ctx = Context::open(&dir.path().join("manager-bootstrap")).unwrap();
    ctx.set_now(Some(h(1)));
    assert_eq!(list(&mut ctx, json!({ "filter": "team" })).len(), 5);
    assert_eq!(list(&mut ctx, json!({ "filter": "team", "owner": "r2" })), ["乙公司"]);
    assert_eq!(list(&mut ctx, json!({ "filter": "team", "owner": "r1" })), ["戊公司", "甲公司"]);
    assert_eq!(list(&mut ctx, json!({ "filter": "team", "state": "pool" })), ["丙公司"]);
    assert_eq!(list(&mut ctx, json!({ "filter": "team", "state": "incomplete" })), ["丁公司"]);
    assert_eq!(list(&mut ctx, json!({ "filter": "team", "state": "protected", "owner": "r1" })), ["戊公司", "甲公司"]);
    assert_eq!(list(&mut ctx, json!({ "filter": "expiring", "owner": "r1" })), ["戊公司"]);
    assert!(list(&mut ctx, json!({ "filter": "expiring", "owner": "r2" })).is_empty());
    // Later, 戊's protection has run out: it counts as the pool, no longer as r1's.
    ctx.set_now(Some(h(13)));
    assert_eq!(list(&mut ctx, json!({ "filter": "team", "owner": "r1" })), ["甲公司"]);
    assert_eq!(list(&mut ctx, json!({ "filter": "team", "state": "pool" })), ["丙公司", "戊公司"]);
    assert!(list(&mut ctx, json!({ "filter": "team", "state": "protected", "search": "戊公司" })).is_empty());
    // The count a handover confirmation shows is the count the handover moves.
    let owned = api::dispatch(&mut ctx, "lead_list", json!({ "filter": "team", "owner": "r2", "limit": 1 })).unwrap();
    let moved = api::dispatch(&mut ctx, "handover", json!({ "from": "r2", "to": "r1" })).unwrap();
    assert_eq!(owned["total"], moved["moved"].as_array().unwrap().len());
}

#[test]
fn reps_do_not_get_the_team_list() {
    let dir = tempfile::tempdir().unwrap();
    drop(branch(dir.path(), "r1"));
    let mut ctx = Context::open(&dir.path().join("r1")).unwrap();
    ctx.set_now(Some(h(1)));
    let err = api::dispatch(&mut ctx, "lead_list", json!({ "filter": "team" })).unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
}

#[test]
fn an_incomplete_registration_is_listed_says_what_is_missing_and_completing_claims_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r1");
    let other = LeadFields { company: Some("别人的半成品".into()), ..LeadFields::default() };
    write(&mut reg, "r2", Target::New, EventKind::Register { fields: other }, h(0));
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("r1")).unwrap();
    ctx.set_now(Some(h(1)));
    let added = api::dispatch(&mut ctx, "lead_add", json!({ "fields": { "company": "深圳腾达", "phone": "13912345678" } })).unwrap();
    let id = added["lead"]["id"].as_str().unwrap().to_string();
    assert_eq!(added["lead"]["state"], "incomplete");
    // Only my own incomplete registrations, and they are not among my customers.
    assert_eq!(list(&mut ctx, json!({ "filter": "incomplete" })), ["深圳腾达"]);
    assert!(list(&mut ctx, json!({ "filter": "mine" })).is_empty());

    let detail = api::dispatch(&mut ctx, "lead_get", json!({ "id": id })).unwrap();
    assert_eq!(detail["missing"], json!([["need"]]));
    assert_eq!(detail["lead"]["editable"], true);

    ctx.set_now(Some(h(2)));
    let done = api::dispatch(&mut ctx, "lead_update", json!({ "id": id, "fields": { "need": "年度采购" } })).unwrap();
    assert_eq!(done["state"], "protected");
    assert_eq!(done["owner"], "r1");
    assert!(list(&mut ctx, json!({ "filter": "incomplete" })).is_empty());
    assert_eq!(list(&mut ctx, json!({ "filter": "mine" })), ["深圳腾达"]);
    assert_eq!(api::dispatch(&mut ctx, "lead_get", json!({ "id": id })).unwrap()["missing"], json!([]));
}

#[test]
fn the_pool_filters_by_region_including_the_places_inside_it_and_pages_through_all() {
    let dir = tempfile::tempdir().unwrap();
    let mut mgr = branch(dir.path(), "m1");
    for (company, region) in [("甲公司", "广州"), ("乙公司", "广东省深圳市"), ("丙公司", "杭州"), ("丁公司", "华南"), ("戊公司", "海口市")] {
        let mut f = complete(company);
        f.region = Some(region.into());
        let id = write(&mut mgr, "r1", Target::New, EventKind::Register { fields: f }, h(0)).lead_id;
        write(&mut mgr, "r1", Target::Lead(id), EventKind::Release, h(0));
    }
    drop(mgr);
    let mut ctx = Context::open(&dir.path().join("manager-bootstrap")).unwrap();
    ctx.set_now(Some(h(1)));
    // 华南 holds 广东 (广州, 深圳) and 海南 (海口): the region hierarchy, not the letters.
    assert_eq!(list(&mut ctx, json!({ "filter": "pool", "region": "华南" })), ["丁公司", "乙公司", "戊公司", "甲公司"]);
    assert_eq!(list(&mut ctx, json!({ "filter": "pool", "region": "广州" })), ["甲公司"]);
    assert_eq!(list(&mut ctx, json!({ "filter": "pool", "region": "浙江", "search": "丙公司" })), ["丙公司"]);
    // Paging: every lead once, with the total on every page.
    let mut seen = Vec::new();
    for offset in [0, 2, 4] {
        let page = api::dispatch(&mut ctx, "lead_list", json!({ "filter": "pool", "limit": 2, "offset": offset })).unwrap();
        assert_eq!(page["total"], 5);
        seen.extend(companies(&page));
    }
    seen.sort();
    assert_eq!(seen, ["丁公司", "丙公司", "乙公司", "戊公司", "甲公司"]);
    // The pool names who followed a customer before.
    let page = api::dispatch(&mut ctx, "lead_list", json!({ "filter": "pool", "limit": 1 })).unwrap();
    assert_eq!(page["items"][0]["previous_owner_name"], "李娜");
}
