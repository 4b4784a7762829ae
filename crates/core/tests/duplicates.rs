//! docs/RULES.md rule 2 at the registry level: the duplicate index follows local writes and
//! merged remote changes, and a match names the owner and the protection end.

mod support;

use leadguard_core::api::{self, Context};
use leadguard_core::model::{EventKind, LeadFields};
use leadguard_core::registry::Target;
use serde_json::json;
use support::*;

fn jinxin() -> LeadFields {
    LeadFields {
        company: Some("北京市锦信环保科技有限公司".into()),
        contact: Some("丁艳".into()),
        phone: Some("13626445365".into()),
        need: Some("污水处理设备".into()),
        ..LeadFields::default()
    }
}

#[test]
fn duplicate_check_names_owner_and_protection_end() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r2");
    write(&mut reg, "r1", Target::New, EventKind::Register { fields: jinxin() }, h(0));
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("r2")).unwrap();
    ctx.set_now(Some(h(1)));
    let typed = json!({ "fields": { "company": "锦信（北京）环保", "contact": "丁女士", "phone": "136****5365" } });
    let res = api::dispatch(&mut ctx, "dedup_check", typed).unwrap();
    let m = &res["matches"][0];
    assert!(m["score"].as_f64().unwrap() >= 0.85, "{res}");
    assert_eq!(m["lead"]["owner_name"], "李娜");
    assert_eq!(m["lead"]["protected_until"], json!(h(72)));
    assert_eq!(m["lead"]["masked"], true, "no contact details of others' customers");
    assert!(!m["reasons"].as_array().unwrap().is_empty());
    // lead_add reports the duplicate too, and the new lead joins the index.
    let added = api::dispatch(&mut ctx, "lead_add", json!({ "fields": { "company": "锦信环保", "phone": "+86 136 2644 5365", "need": "x" } }))
        .unwrap();
    assert_eq!(added["duplicates"][0]["lead"]["owner"], "r1");
    let new_id = added["lead"]["id"].as_str().unwrap().to_string();
    let res = api::dispatch(&mut ctx, "dedup_check", json!({ "fields": { "company": "北京锦信环保科技", "phone": "13626445365" }, "limit": 10 })).unwrap();
    let ids: Vec<&str> = res["matches"].as_array().unwrap().iter().map(|m| m["lead"]["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&new_id.as_str()), "{res}");
    // An unrelated company is no duplicate.
    let none = api::dispatch(&mut ctx, "dedup_check", json!({ "fields": { "company": "上海浦东航运集团", "phone": "02155558888" } })).unwrap();
    assert_eq!(none["matches"], json!([]));
}

#[test]
fn duplicate_index_follows_merged_remote_changes() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = branch(dir.path(), "m1");
    let mut b = branch(&dir.path().join("b"), "r2");
    assert_eq!(b.warm_dedup().unwrap(), 0);
    let id = write(&mut a, "r1", Target::New, EventKind::Register { fields: jinxin() }, h(0)).lead_id;
    copy_all(&a, &mut b);
    let found = b.duplicates(&jinxin(), 5, None).unwrap();
    assert_eq!(found.first().map(|(i, _)| i.as_str()), Some(id.as_str()));
}

#[test]
fn register_anyway_records_that_the_rep_saw_the_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r2");
    let known = write(&mut reg, "r1", Target::New, EventKind::Register { fields: jinxin() }, h(0)).lead_id;
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("r2")).unwrap();
    ctx.set_now(Some(h(1)));
    let added = api::dispatch(
        &mut ctx,
        "lead_add",
        json!({ "fields": { "company": "锦信环保", "phone": "+86 136 2644 5365", "need": "x" }, "acknowledged_duplicates": [known] }),
    )
    .unwrap();
    let id = added["lead"]["id"].as_str().unwrap().to_string();
    let detail = api::dispatch(&mut ctx, "lead_get", json!({ "id": id })).unwrap();
    let kinds: Vec<&str> = detail["history"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["register", "duplicate_acknowledged"], "{detail}");
    assert_eq!(detail["history"][1]["acknowledged"], json!([known]));
    // The acknowledgement is evidence, not a state change: the lead is claimed as usual.
    assert_eq!(detail["lead"]["state"], "protected");
    // And it is in the tamper-evident audit trail.
    let trail = api::dispatch(&mut ctx, "audit_for_lead", json!({ "lead_id": id })).unwrap();
    assert!(trail.to_string().contains("duplicate_acknowledged"), "{trail}");
    // Without the field, nothing extra is written.
    let plain = api::dispatch(&mut ctx, "lead_add", json!({ "fields": { "company": "上海浦东航运集团", "phone": "02155558888", "need": "x" } })).unwrap();
    let detail = api::dispatch(&mut ctx, "lead_get", json!({ "id": plain["lead"]["id"] })).unwrap();
    assert_eq!(detail["history"].as_array().unwrap().len(), 1);
}

#[test]
fn register_anyway_records_the_reason_and_the_lead_page_says_a_case_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r2");
    let known = write(&mut reg, "r1", Target::New, EventKind::Register { fields: jinxin() }, h(0)).lead_id;
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("r2")).unwrap();
    ctx.set_now(Some(h(1)));
    let added = api::dispatch(
        &mut ctx,
        "lead_add",
        json!({
            "fields": { "company": "锦信环保", "contact": "丁艳", "phone": "+86 136 2644 5365", "need": "x" },
            "acknowledged_duplicates": [known],
            "acknowledgement_reason": "  客户主动来电，指定由我对接 ",
            "collaborate": true
        }),
    )
    .unwrap();
    let id = added["lead"]["id"].as_str().unwrap().to_string();
    let detail = api::dispatch(&mut ctx, "lead_get", json!({ "id": id })).unwrap();
    let ack = &detail["history"][1];
    assert_eq!(ack["kind"], "duplicate_acknowledged", "{detail}");
    assert_eq!(ack["note"], "客户主动来电，指定由我对接", "the reason is kept, trimmed");
    assert_eq!(ack["collaborate"], true);
    // The history names the known customer as people know it, not by its id.
    assert_eq!(ack["acknowledged_leads"][0]["company"], "北京市锦信环保科技有限公司");
    assert_eq!(ack["acknowledged_leads"][0]["owner_name"], "李娜");
    // A collision case is open and the lead's page says so, naming both reps.
    let cases = detail["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1, "{detail}");
    assert_eq!(cases[0]["state"], "open");
    let names: Vec<&str> = cases[0]["rep_names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert!(names.contains(&"李娜") && names.contains(&"王强"), "{names:?}");
    // A reason longer than the schema allows is refused, not written.
    let long = "理".repeat(4001);
    let refused = api::dispatch(
        &mut ctx,
        "lead_add",
        json!({ "fields": { "company": "锦信环保科技", "phone": "13626445365", "need": "x" }, "acknowledged_duplicates": [known], "acknowledgement_reason": long }),
    );
    assert!(refused.is_err(), "{refused:?}");
}

fn huaqiang() -> LeadFields {
    LeadFields {
        company: Some("广州市华强电子科技有限公司".into()),
        contact: Some("刘伟".into()),
        phone: Some("13800001111".into()),
        region: Some("广州".into()),
        need: Some("门禁系统".into()),
        ..LeadFields::default()
    }
}

/// A customer is a company: another person of the same company, reached by another
/// rep, is the same customer (docs/RULES.md rule 2).
#[test]
fn same_company_through_another_person_warns_and_names_the_owner() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r2");
    let known = write(&mut reg, "r1", Target::New, EventKind::Register { fields: huaqiang() }, h(0)).lead_id;
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("r2")).unwrap();
    ctx.set_now(Some(h(1)));
    for typed in [
        // The short name, another person, the same city.
        json!({ "company": "华强电子科技", "contact": "杨总", "phone": "13900002222", "region": "广州" }),
        // The full name with another contact.
        json!({ "company": "广州市华强电子科技有限公司", "contact": "杨总" }),
        // The full name with another phone.
        json!({ "company": "广州市华强电子科技有限公司", "phone": "13900002222" }),
        // The short name and another contact only.
        json!({ "company": "华强电子科技", "contact": "杨总" }),
    ] {
        let res = api::dispatch(&mut ctx, "dedup_check", json!({ "fields": typed })).unwrap();
        let m = &res["matches"][0];
        assert_eq!(m["lead"]["id"], json!(known), "{typed}: {res}");
        assert!(m["score"].as_f64().unwrap() >= 0.85, "{res}");
        assert_eq!(m["likely"], true);
        assert_eq!(m["lead"]["owner_name"], "李娜", "{res}");
        assert!(m["lowered_by"].as_array().unwrap().is_empty(), "another person is no evidence against: {res}");
    }
    let res = api::dispatch(&mut ctx, "dedup_check", json!({ "fields": { "company": "华强电子科技", "contact": "杨总", "region": "广州" } })).unwrap();
    let kinds: Vec<&str> = res["matches"][0]["reasons"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"same_company_other_contact"), "{res}");
    assert!(res["matches"][0]["reasons"].to_string().contains("同一公司，联系人不同"), "{res}");
}

/// The same trade name in another city or industry is only a possible match: listed
/// apart, never as a warning, with the field that lowered the score.
#[test]
fn same_trade_name_elsewhere_is_only_a_possible_match() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r2");
    let known = write(&mut reg, "r1", Target::New, EventKind::Register { fields: huaqiang() }, h(0)).lead_id;
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("r2")).unwrap();
    ctx.set_now(Some(h(1)));
    for (typed, lowered) in [
        (json!({ "company": "深圳市华强电子科技有限公司", "contact": "杨总", "region": "深圳" }), "region_differs"),
        (json!({ "company": "广州市华强食品有限公司", "contact": "刘伟", "region": "广州" }), "industry_differs"),
    ] {
        let res = api::dispatch(&mut ctx, "dedup_check", json!({ "fields": typed })).unwrap();
        assert_eq!(res["matches"], json!([]), "{typed}: {res}");
        let p = &res["possible"][0];
        assert_eq!(p["lead"]["id"], json!(known), "{typed}: {res}");
        assert_eq!(p["likely"], false);
        assert!(p["score"].as_f64().unwrap() < 0.85);
        let kinds: Vec<&str> = p["lowered_by"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
        assert!(kinds.contains(&lowered), "{typed}: {res}");
    }
}

/// The warning threshold is the branch's policy (default 85%): raised, the same
/// company through another person without a city becomes a possible match.
#[test]
fn duplicate_threshold_is_a_branch_policy() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    assert_eq!(reg.policy("sz").dup_threshold_percent, 85);
    write(&mut reg, "r1", Target::New, EventKind::Register { fields: huaqiang() }, h(0));
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("manager-bootstrap")).unwrap();
    ctx.set_now(Some(h(1)));
    let typed = json!({ "fields": { "company": "华强电子科技", "contact": "杨总" } });
    let res = api::dispatch(&mut ctx, "dedup_check", typed.clone()).unwrap();
    let score = res["matches"][0]["score"].as_f64().unwrap();
    assert!((0.85..0.95).contains(&score), "{res}");
    let mut p = api::dispatch(&mut ctx, "policy_get", json!(null)).unwrap();
    p["dup_threshold_percent"] = json!(95);
    api::dispatch(&mut ctx, "policy_set", p.clone()).unwrap();
    let res = api::dispatch(&mut ctx, "dedup_check", typed).unwrap();
    assert_eq!(res["matches"], json!([]), "{res}");
    assert_eq!(res["possible"][0]["likely"], false, "{res}");
    p["dup_threshold_percent"] = json!(30);
    let err = api::dispatch(&mut ctx, "policy_set", p).unwrap_err();
    assert_eq!(err.code.as_str(), "invalid_argument", "{err:?}");
}
