//! Rule 10 (docs/RULES.md): immediate family (直系亲属) and one purchasing unit
//! (同一购买单位) count as one customer — for duplicate warnings, pool claims and
//! collision cases; a referral (转介绍) keeps its referrer's credit.

mod support;

use leadguard_core::api::{self, Context};
use leadguard_core::model::{EventKind, LeadFields, Relation, RelationKind};
use leadguard_core::registry::Target;
use leadguard_core::{ErrorCode, Reason, Registry};
use serde_json::{json, Value};
use support::*;

fn person(household: &str, contact: &str, phone: &str) -> LeadFields {
    LeadFields {
        company: Some(household.into()),
        contact: Some(contact.into()),
        phone: Some(phone.into()),
        region: Some("深圳".into()),
        need: Some("三居室装修".into()),
        ..LeadFields::default()
    }
}

/// r1's device with 张伟 (r1's) and his wife 王芳 (registered by r1, then released to the
/// pool).
fn family(dir: &std::path::Path) -> (String, String) {
    let mut reg = branch(dir, "r1");
    let zhang = write(&mut reg, "r1", Target::New, EventKind::Register { fields: person("张伟家", "张伟", "13800138001") }, h(0));
    let wang = write(&mut reg, "r1", Target::New, EventKind::Register { fields: person("王芳家", "王芳", "13900139002") }, h(0));
    try_write(&mut reg, "r1", &wang.lead_id, EventKind::Release, h(1)).unwrap();
    (zhang.lead_id, wang.lead_id)
}

fn ctx_as(dir: &std::path::Path, device: &str, rep: &str, at: i64) -> Context {
    let mut reg = Registry::open(&dir.join(device)).unwrap();
    reg.set_session_rep(rep).unwrap();
    drop(reg);
    let mut ctx = Context::open(&dir.join(device)).unwrap();
    ctx.set_now(Some(h(at)));
    ctx
}

fn check(ctx: &mut Context, fields: &LeadFields) -> Value {
    api::dispatch(ctx, "dedup_check", json!({ "fields": fields })).unwrap()
}

#[test]
fn rule_10_family_makes_one_customer_for_duplicate_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let (zhang, wang) = family(dir.path());
    let relative = person("王芳家", "王芳", "13900139002");
    // Before the link, registering 王芳 again names only her own (pool) lead.
    let mut ctx = ctx_as(dir.path(), "r1", "r2", 2);
    let before = check(&mut ctx, &relative);
    assert_eq!(before["matches"][0]["lead"]["id"], wang.as_str());
    assert_eq!(before["matches"][0]["related"], json!([]));
    drop(ctx);
    // 李娜 links 王芳 as 张伟's family.
    let mut ctx = ctx_as(dir.path(), "r1", "r1", 2);
    let linked = api::dispatch(&mut ctx, "lead_relate", json!({ "id": zhang, "kind": "family", "other": wang, "note": "夫妻" })).unwrap();
    assert_eq!(linked["relations"][0]["kind"], "family");
    assert_eq!(linked["relations"][0]["lead"]["company"], "王芳家");
    assert_eq!(linked["relations"][0]["held_here"], true);
    let again = api::dispatch(&mut ctx, "lead_relate", json!({ "id": zhang, "kind": "family", "other": wang })).unwrap_err();
    assert_eq!(again.reason, Reason::RelationExists {});
    let itself = api::dispatch(&mut ctx, "lead_relate", json!({ "id": zhang, "kind": "family", "other": zhang })).unwrap_err();
    assert_eq!(itself.reason, Reason::RelationToItself {});
    let bare = api::dispatch(&mut ctx, "lead_relate", json!({ "id": zhang, "kind": "same_unit" })).unwrap_err();
    assert_eq!(bare.reason, Reason::RelationNeedsLead {});
    // Both leads show the link, whichever holds it.
    let got = api::dispatch(&mut ctx, "lead_get", json!({ "id": wang })).unwrap();
    assert_eq!(got["relations"][0]["lead"]["id"], zhang.as_str());
    assert_eq!(got["relations"][0]["held_here"], false);
    drop(ctx);
    // 王强 registering 王芳 is now warned that 李娜 follows her family.
    let mut ctx = ctx_as(dir.path(), "r1", "r2", 3);
    let after = check(&mut ctx, &relative);
    let m = &after["matches"][0];
    assert_eq!(m["lead"]["id"], wang.as_str());
    assert_eq!(m["related"][0]["kind"], "family");
    assert_eq!(m["related"][0]["lead"]["company"], "张伟家");
    assert_eq!(m["related"][0]["lead"]["owner_name"], "李娜");
}

#[test]
fn rule_10_family_refuses_a_pool_claim_of_the_relative() {
    let dir = tempfile::tempdir().unwrap();
    let (zhang, wang) = family(dir.path());
    {
        let mut reg = Registry::open(&dir.path().join("r1")).unwrap();
        reg.relate(&zhang, leadguard_core::Relate { kind: RelationKind::Family, other: Some(wang.clone()), referrer: None, note: None }, h(2))
            .unwrap();
        // An unrelated pool lead stays claimable.
        let other = write(&mut reg, "r1", Target::New, EventKind::Register { fields: person("赵六家", "赵六", "13700137003") }, h(2));
        try_write(&mut reg, "r1", &other.lead_id, EventKind::Release, h(2)).unwrap();
        drop(reg);
        let mut ctx = ctx_as(dir.path(), "r1", "r2", 30);
        let err = api::dispatch(&mut ctx, "lead_claim", json!({ "id": wang })).unwrap_err();
        assert_eq!(err.code, ErrorCode::Forbidden);
        assert_eq!(err.reason, Reason::RelatedCustomerOwned { company: "张伟家".into(), owner: "李娜".into() });
        api::dispatch(&mut ctx, "lead_claim", json!({ "id": other.lead_id })).unwrap();
    }
    // Once 张伟's protection ran out, 王芳 may be claimed.
    let mut ctx = ctx_as(dir.path(), "r1", "r2", 100);
    let claimed = api::dispatch(&mut ctx, "lead_claim", json!({ "id": wang })).unwrap();
    assert_eq!(claimed["owner"], "r2");
}

#[test]
fn rule_10_same_unit_joins_two_reps_leads_in_one_case_and_keeps_referral_credit() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r1");
    // Two companies of one purchasing unit, worked by two reps (no duplicate match).
    let hq = write(&mut reg, "r1", Target::New, EventKind::Register { fields: fields("深圳市华强电子有限公司", "周伟", "13911112222") }, h(0));
    let buyer = write(&mut reg, "r2", Target::New, EventKind::Register { fields: fields("鹏城采购服务中心", "刘洋", "13633334444") }, h(1));
    assert!(reg.cases_for_lead(&hq.lead_id).unwrap().is_empty());
    let w = reg
        .relate(&hq.lead_id, leadguard_core::Relate { kind: RelationKind::SameUnit, other: Some(buyer.lead_id.clone()), referrer: None, note: None }, h(2))
        .unwrap();
    let rel = w.status.fields.relations.clone().unwrap();
    assert_eq!(rel, vec![Relation { kind: RelationKind::SameUnit, lead_id: Some(buyer.lead_id.clone()), note: None, rep: None }]);
    // A referral credited to 王强 on 李娜's lead.
    reg.relate(&hq.lead_id, leadguard_core::Relate { kind: RelationKind::Referral, other: None, referrer: Some("r2".into()), note: Some("老客户介绍".into()) }, h(2))
        .unwrap();
    let cases = reg.cases_for_lead(&hq.lead_id).unwrap();
    assert_eq!(cases.len(), 1, "one customer, two reps: a case");
    let case = reg.collision_case(&cases[0]).unwrap().unwrap();
    let mut leads = vec![hq.lead_id.clone(), buyer.lead_id.clone()];
    leads.sort();
    assert_eq!(case.lead_ids, leads);
    assert_eq!(case.reps, vec!["r1".to_string(), "r2".to_string()]);
    assert!(case.relations.iter().any(|r| r.kind == RelationKind::SameUnit && r.other == buyer.lead_id));
    assert!(case.relations.iter().any(|r| r.kind == RelationKind::Referral && r.rep.as_deref() == Some("r2")));
    // The incremental tables equal a rebuild, and the same data on another replica
    // derives the same case.
    assert!(reg.verify_derived().unwrap().iter().all(|c| c.drift.is_empty()));
    let mut other = Registry::init(&dir.path().join("m1b"), leadguard_core::registry::InitOptions { rep: rep("m2", "赵经理", leadguard_core::model::Role::Manager), shard_size: 100 }, t0()).unwrap();
    copy_all(&reg, &mut other);
    let there = other.collision_case(&cases[0]).unwrap().expect("the same case on the other replica");
    assert_eq!((&there.lead_ids, &there.reps, &there.relations), (&case.lead_ids, &case.reps, &case.relations));
    // Removing the link dissolves the case.
    reg.unrelate(&hq.lead_id, RelationKind::SameUnit, Some(&buyer.lead_id), h(3)).unwrap();
    assert!(reg.cases_for_lead(&hq.lead_id).unwrap().is_empty());
    assert!(reg.verify_derived().unwrap().iter().all(|c| c.drift.is_empty()));
}
