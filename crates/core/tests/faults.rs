//! Violations (违规): a decision can find reps at fault (抢单, 未报备, 飞单); standing
//! faults count per rep in the metrics, and a branch may suspend a rep's pool claims
//! (停接) from a number of faults on.

mod support;

use leadguard_core::api::{self, Context};
use leadguard_core::model::EventKind;
use leadguard_core::registry::Target;
use leadguard_core::{ErrorCode, Reason, Registry};
use serde_json::json;
use support::*;

fn as_rep(dir: &std::path::Path, rep: &str, at: chrono::DateTime<chrono::Utc>) -> Context {
    let path = dir.join("manager-bootstrap");
    let mut reg = Registry::open(&path).unwrap();
    reg.set_session_rep(rep).unwrap();
    drop(reg);
    let mut ctx = Context::open(&path).unwrap();
    ctx.set_now(Some(at));
    ctx
}

#[test]
fn a_decision_finding_a_rep_at_fault_counts_in_metrics_and_suspends_pool_claims() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    // 王强 registers 李娜's customer again: a case.
    let a = write(&mut reg, "r1", Target::New, EventKind::Register { fields: fields("深圳市腾达科技有限公司", "陈明", "13912345678") }, h(0)).lead_id;
    write(&mut reg, "r2", Target::New, EventKind::Register { fields: fields("腾达科技（深圳）", "陈明", "139-1234-5678") }, h(1));
    let pool = register(&mut reg, "r1", "东莞新材料有限公司", h(0));
    try_write(&mut reg, "r1", &pool, EventKind::Release, h(0)).unwrap();
    let case = reg.cases_for_lead(&a).unwrap().pop().expect("a case");
    let mut p = reg.policy("sz");
    p.suspend_after_faults = 1;
    reg.set_policy(p, h(1)).unwrap();
    drop(reg);

    let mut m = as_rep(dir.path(), "m1", h(2));
    let unknown = api::dispatch(&mut m, "collision_resolve", json!({
        "id": case, "outcome": {"kind": "owner", "rep": "r1"}, "reason": "李娜先报备",
        "faults": [{"rep": "nobody", "kind": "grab"}]
    }))
    .unwrap_err();
    assert_eq!(unknown.code, ErrorCode::NotFound);
    let decided = api::dispatch(&mut m, "collision_resolve", json!({
        "id": case, "outcome": {"kind": "owner", "rep": "r1"}, "reason": "李娜先报备，王强抢单",
        "faults": [{"rep": "r2", "kind": "grab"}]
    }))
    .unwrap();
    let decision = decided["resolution"]["decisions"][0]["decision"].as_str().unwrap().to_string();
    let metrics = api::dispatch(&mut m, "metrics", json!({})).unwrap();
    assert_eq!(metrics["faults"], json!([{"rep": "r2", "grab": 1, "unreported": 0, "flying": 0, "total": 1}]));
    drop(m);

    // 王强 is suspended from the pool (停接).
    let mut w = as_rep(dir.path(), "r2", h(3));
    let err = api::dispatch(&mut w, "lead_claim", json!({ "id": pool })).unwrap_err();
    assert_eq!(err.reason, Reason::ClaimsSuspended { faults: 1, limit: 1 });
    drop(w);

    // The manager withdraws the decision: the fault no longer stands.
    let mut m = as_rep(dir.path(), "m1", h(4));
    api::dispatch(&mut m, "collision_resolve", json!({
        "id": case, "outcome": {"kind": "undo"}, "reason": "证据不足", "supersedes": decision
    }))
    .unwrap();
    assert_eq!(api::dispatch(&mut m, "metrics", json!({})).unwrap()["faults"], json!([]));
    drop(m);
    let mut w = as_rep(dir.path(), "r2", h(5));
    assert_eq!(api::dispatch(&mut w, "lead_claim", json!({ "id": pool })).unwrap()["owner"], "r2");
}
