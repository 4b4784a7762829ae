//! The branch's pool limits: 保有量上限 (customers a rep may hold) and 领取上限 (pool
//! claims in 24 hours), refused with typed reasons when a rep claims.

mod support;

use leadguard_core::api::{self, Context};
use leadguard_core::model::EventKind;
use leadguard_core::registry::Target;
use leadguard_core::{ErrorCode, Reason, Registry};
use serde_json::json;
use support::*;

/// r1's device; the manager sets the limits there; `pool` leads registered and released by r2.
fn setup(dir: &std::path::Path, max_held: u32, per_day: u32, pool: usize) -> Vec<String> {
    let mut reg = branch(dir, "r1");
    reg.set_session_rep("m1").unwrap();
    let mut p = reg.policy("sz");
    p.max_held = max_held;
    p.max_claims_per_day = per_day;
    reg.set_policy(p, t0()).unwrap();
    reg.set_session_rep("r1").unwrap();
    (0..pool)
        .map(|i| {
            let id = write(&mut reg, "r2", Target::New, EventKind::Register { fields: complete(&format!("公海客户{i}号贸易公司")) }, t0()).lead_id;
            try_write(&mut reg, "r2", &id, EventKind::Release, t0()).unwrap();
            id
        })
        .collect()
}

fn ctx(dir: &std::path::Path, at: chrono::DateTime<chrono::Utc>) -> Context {
    let mut ctx = Context::open(&dir.join("r1")).unwrap();
    ctx.set_now(Some(at));
    ctx
}

#[test]
fn holding_limit_refuses_a_pool_claim_until_a_customer_is_released() {
    let dir = tempfile::tempdir().unwrap();
    let pool = setup(dir.path(), 1, 0, 1);
    let mut reg = Registry::open(&dir.path().join("r1")).unwrap();
    let mine = register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    assert_eq!(reg.held_by("r1", h(1)).unwrap(), 1);
    drop(reg);
    let mut c = ctx(dir.path(), h(1));
    let err = api::dispatch(&mut c, "lead_claim", json!({ "id": pool[0] })).unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(err.reason, Reason::HoldingLimit { held: 1, limit: 1 });
    // Releasing one makes room.
    api::dispatch(&mut c, "lead_release", json!({ "id": mine })).unwrap();
    let claimed = api::dispatch(&mut c, "lead_claim", json!({ "id": pool[0] })).unwrap();
    assert_eq!(claimed["owner"], "r1");
}

#[test]
fn daily_claim_limit_counts_pool_claims_in_24_hours() {
    let dir = tempfile::tempdir().unwrap();
    let pool = setup(dir.path(), 0, 2, 3);
    api::dispatch(&mut ctx(dir.path(), h(1)), "lead_claim", json!({ "id": pool[0] })).unwrap();
    api::dispatch(&mut ctx(dir.path(), h(2)), "lead_claim", json!({ "id": pool[1] })).unwrap();
    let err = api::dispatch(&mut ctx(dir.path(), h(3)), "lead_claim", json!({ "id": pool[2] })).unwrap_err();
    assert_eq!(err.reason, Reason::DailyClaimLimit { limit: 2, until: h(25) });
    // A registration is not a pool claim, and once the first claim is 24 h old the
    // next one is allowed.
    let mut c = ctx(dir.path(), h(25));
    api::dispatch(&mut c, "lead_add", json!({ "fields": complete("东莞新客户五金厂") })).unwrap();
    let claimed = api::dispatch(&mut c, "lead_claim", json!({ "id": pool[2] })).unwrap();
    assert_eq!(claimed["owner"], "r1");
}

#[test]
fn limits_are_branch_policy_and_zero_means_none() {
    let dir = tempfile::tempdir().unwrap();
    let pool = setup(dir.path(), 0, 0, 2);
    let mut c = ctx(dir.path(), h(1));
    for id in &pool {
        api::dispatch(&mut c, "lead_claim", json!({ "id": id })).unwrap();
    }
    let p = api::dispatch(&mut c, "policy_get", json!(null)).unwrap();
    assert_eq!((p["max_held"].as_u64(), p["max_claims_per_day"].as_u64()), (Some(0), Some(0)));
    // A policy written before the limits existed reads as no limits.
    let old: leadguard_core::policy::Policy = serde_json::from_value(json!({
        "protection_hours": 72, "extension_hours": 72, "qualifying_followups": ["visit"],
        "reclaim_cooldown_hours": 24, "required": [["company"]]
    }))
    .unwrap();
    assert_eq!((old.max_held, old.max_claims_per_day), (0, 0));
}
