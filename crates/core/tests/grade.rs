//! Customer grade (客户等级 A/B/C, docs/RULES.md rule 11): lead data set by the owner or
//! a manager, shown in lists, and a condition of assignment rules (`grade=A`).

mod support;

use leadguard_core::api::{self, Context};
use leadguard_core::model::{AssignRule, EventKind};
use leadguard_core::registry::Target;
use leadguard_core::{ErrorCode, Reason, Registry};
use serde_json::json;
use support::*;

fn ctx_as(dir: &std::path::Path, who: &str) -> Context {
    let mut reg = Registry::open(&dir.join("manager-bootstrap")).unwrap();
    reg.set_session_rep(who).unwrap();
    drop(reg);
    let mut ctx = Context::open(&dir.join("manager-bootstrap")).unwrap();
    ctx.set_now(Some(h(1)));
    ctx
}

#[test]
fn customer_grade_is_set_by_the_owner_or_a_manager_and_shown_in_lists() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let mine = register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    drop(reg);
    let mut c = ctx_as(dir.path(), "r1");
    let v = api::dispatch(&mut c, "lead_grade", json!({ "id": mine, "grade": "a" })).unwrap();
    assert_eq!(v["fields"]["grade"], json!("A"));
    let err = api::dispatch(&mut c, "lead_grade", json!({ "id": mine, "grade": "D" })).unwrap_err();
    assert_eq!(err.reason, Reason::GradeInvalid { grade: "D".into() });
    // The list row carries it (lead_index), also in a colleague's masked view.
    let page = api::dispatch(&mut c, "lead_list", json!({ "filter": "mine" })).unwrap();
    assert_eq!(page["items"][0]["fields"]["grade"], json!("A"));
    drop(c);
    let mut c = ctx_as(dir.path(), "r2");
    let err = api::dispatch(&mut c, "lead_grade", json!({ "id": mine, "grade": "C" })).unwrap_err();
    assert_eq!((err.code, err.reason), (ErrorCode::Forbidden, Reason::GradeNotYours {}));
    // Not through a plain update either.
    let err = api::dispatch(&mut c, "lead_update", json!({ "id": mine, "fields": { "grade": "C" } })).unwrap_err();
    assert_eq!(err.reason, Reason::GradeNotYours {});
    let page = api::dispatch(&mut c, "lead_list", json!({ "filter": "all", "search": "腾达" })).unwrap();
    assert_eq!((page["items"][0]["masked"].clone(), page["items"][0]["fields"]["grade"].clone()), (json!(true), json!("A")));
    drop(c);
    // A manager regrades it; clearing works too.
    let mut c = ctx_as(dir.path(), "m1");
    let v = api::dispatch(&mut c, "lead_grade", json!({ "id": mine, "grade": "B" })).unwrap();
    assert_eq!(v["fields"]["grade"], json!("B"));
    let v = api::dispatch(&mut c, "lead_grade", json!({ "id": mine, "grade": null })).unwrap();
    assert!(v["fields"].get("grade").is_none(), "{v}");
    drop(c);
    let mut reg = Registry::open(&dir.path().join("manager-bootstrap")).unwrap();
    assert!(reg.verify_derived().unwrap().iter().all(|c| c.drift.is_empty()));
}

#[test]
fn customer_grade_feeds_assignment_rules() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let mut p = reg.policy("sz");
    p.assignment = vec![
        AssignRule { grade: Some("A".into()), team: vec!["r1".into()], ..Default::default() },
        AssignRule { team: vec!["r2".into()], ..Default::default() },
    ];
    reg.set_policy(p, h(0)).unwrap();
    let pooled: Vec<String> = ["广州白云制药有限公司", "佛山陶瓷有限公司"]
        .iter()
        .map(|c| {
            let id = write(&mut reg, "m1", Target::New, EventKind::Register { fields: complete(c) }, h(0)).lead_id;
            try_write(&mut reg, "m1", &id, EventKind::Release, h(0)).unwrap();
            id
        })
        .collect();
    drop(reg);
    // A manager grades a pool customer (nobody owns it).
    let mut c = ctx_as(dir.path(), "m1");
    api::dispatch(&mut c, "lead_grade", json!({ "id": pooled[0], "grade": "A" })).unwrap();
    let done = api::dispatch(&mut c, "assign_pool", json!({ "leads": pooled })).unwrap();
    let items = done["items"].as_array().unwrap();
    assert_eq!(items[0]["to"], json!("r1"), "{done}");
    assert!(items[0]["explanation_zh"].as_str().unwrap().contains("规则 1（A 级）"), "{done}");
    assert_eq!(items[1]["to"], json!("r2"), "ungraded: the second rule");
}
