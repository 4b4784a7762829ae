//! Rule 16 (docs/RULES.md): the front desk (前台接待). A receptionist records a walk-in
//! visit; a known customer's visit is evidence for its owner like a store visit, an
//! unmatched visitor becomes a new customer of the day's duty rep (值班人员).

mod support;

use chrono::Duration;
use leadguard_core::api::{self, Context};
use leadguard_core::front_desk::{local_weekday, VisitInput};
use leadguard_core::model::{EventKind, Role};
use leadguard_core::status::LeadState;
use leadguard_core::{ErrorCode, Reason, Registry};
use serde_json::json;
use support::*;

fn desk(dir: &std::path::Path) -> Registry {
    let mut reg = branch(dir, "m1");
    reg.put_rep(rep("f1", "周前台", Role::Receptionist), t0()).unwrap();
    let mut p = reg.policy("sz");
    // t0 is a Monday in China (17:00 CST): 王强 is on duty.
    p.duty_rota = vec!["r2".into(), "r1".into()];
    reg.set_policy(p, t0()).unwrap();
    reg
}

fn visit(company: &str, phone: &str, at: chrono::DateTime<chrono::Utc>) -> VisitInput {
    VisitInput {
        company: Some(company.into()),
        phone: Some(phone.into()),
        time_in: at,
        time_out: Some(at + Duration::minutes(90)),
        inviter: Some("r1".into()),
        first_visit: Some(true),
        note: Some("看样品".into()),
        ..VisitInput::default()
    }
}

#[test]
fn rule_16_a_front_desk_visit_is_matched_to_its_owner_and_extends_protection() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = desk(dir.path());
    let lead = register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    assert_eq!(reg.status(&lead, h(0)).unwrap().1.protected_until, Some(h(72)));
    reg.set_session_rep("f1").unwrap();
    let done = reg.record_visit(visit("深圳市腾达科技有限公司", "13912345678", h(60)), h(60)).unwrap();
    assert!(done.matched, "{done:?}");
    assert_eq!((done.lead_id.as_str(), done.owner.as_deref(), done.owner_name.as_deref()), (lead.as_str(), Some("r1"), Some("李娜")));
    assert!(!done.note_left_out, "a plain (not enrolled) device keeps the note");
    // Evidence like a store visit: protection runs 72 h from the visit, not from the claim.
    let (events, status) = reg.status(&lead, h(100)).unwrap();
    assert_eq!((status.state, status.owner.as_deref()), (LeadState::Protected, Some("r1")));
    assert_eq!(status.protected_until, Some(h(132)));
    let last = events.last().unwrap();
    assert_eq!(last.rep, "f1", "the receptionist wrote it");
    assert!(matches!(&last.kind, EventKind::Visit { inviter: Some(i), first_visit: true, time_out: Some(_), .. } if i == "r1"));
    assert!(reg.verify_derived().unwrap().iter().all(|c| c.drift.is_empty()));
}

#[test]
fn rule_16_an_unmatched_visitor_goes_to_the_duty_rep_of_the_day() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = desk(dir.path());
    register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    reg.set_session_rep("f1").unwrap();
    assert_eq!(local_weekday(h(0)), 1);
    let done = reg.record_visit(visit("广州白云制药有限公司", "13800000001", h(1)), h(1)).unwrap();
    assert!(!done.matched);
    assert_eq!(done.owner.as_deref(), Some("r2"));
    assert!(done.explanation_zh.contains("值班人员王强"), "{}", done.explanation_zh);
    let (events, status) = reg.status(&done.lead_id, h(2)).unwrap();
    assert_eq!((status.state, status.owner.as_deref(), status.registered_by.as_deref()), (LeadState::Protected, Some("r2"), Some("r2")));
    assert_eq!(status.fields.notes.as_deref(), Some("看样品"), "the note goes into the new customer's notes");
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].device, events[1].device, "both from the receptionist's device");
    assert!(matches!(events[1].kind, EventKind::Visit { .. }) && events[1].rep == "f1");
    // Tuesday (CST): 李娜.
    let tuesday = reg.record_visit(visit("佛山陶瓷有限公司", "13800000002", h(24)), h(24)).unwrap();
    assert_eq!(tuesday.owner.as_deref(), Some("r1"));
    // Wednesday: nobody on the rota — a typed refusal, nothing written.
    let err = reg.record_visit(visit("东莞五金厂", "13800000003", h(48)), h(48)).unwrap_err();
    assert_eq!(err.reason(), Reason::NoDutyRep { weekday: 3 });
    let err = reg.record_visit(VisitInput { time_out: Some(h(47)), ..visit("东莞五金厂", "13800000003", h(48)) }, h(48)).unwrap_err();
    assert_eq!(err.reason(), Reason::VisitTimesReversed {});
}

#[test]
fn rule_16_a_receptionist_records_visits_but_never_claims_or_registers_for_itself() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = desk(dir.path());
    let pooled = register(&mut reg, "r2", "深圳市华强电子有限公司", h(0));
    try_write(&mut reg, "r2", &pooled, EventKind::Release, h(0)).unwrap();
    // A manager does not record visits: the front desk does.
    let err = reg.record_visit(visit("深圳市华强电子有限公司", "13912345678", h(1)), h(1)).unwrap_err();
    assert_eq!(err.reason(), Reason::RoleRequired { roles: vec![Role::Receptionist] });
    reg.set_session_rep("f1").unwrap();
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("manager-bootstrap")).unwrap();
    ctx.set_now(Some(h(1)));
    let err = api::dispatch(&mut ctx, "lead_claim", json!({ "id": pooled })).unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    let err = api::dispatch(&mut ctx, "lead_add", json!({ "fields": complete("深圳市新客户有限公司") })).unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    // The receptionist sees who follows a customer, never its contacts; a pool visit is recorded.
    let v = api::dispatch(&mut ctx, "visit_record", json!({ "company": "深圳市华强电子有限公司", "phone": "13912345678", "time_in": h(1) })).unwrap();
    assert_eq!(v["matched"], json!(true));
    let got = api::dispatch(&mut ctx, "lead_get", json!({ "id": pooled })).unwrap();
    assert_eq!(got["lead"]["masked"], json!(true), "{got}");
    assert_eq!(got["lead"]["claimable"], json!(false));
}

#[test]
fn rule_16_the_front_desk_and_distributors_never_take_customers_over_in_a_handover() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = desk(dir.path());
    reg.put_rep(rep("d1", "renda经销", Role::Distributor), t0()).unwrap();
    let id = register(&mut reg, "r1", "汕头玩具", t0());
    for target in ["f1", "d1"] {
        let err = reg.handover("r1", target, t0() + Duration::hours(1)).unwrap_err();
        assert_eq!(err.reason(), Reason::HandoverTarget { rep: target.into(), roles: vec![Role::Rep, Role::Manager] });
        assert_eq!(reg.row(&id).unwrap().owner.as_deref(), Some("r1"), "nothing moved");
        assert!(reg.rep("r1").unwrap().active, "the departing rep is not marked as left by a refused handover");
    }
    // A rep can take them.
    assert_eq!(reg.handover("r1", "r2", t0() + Duration::hours(2)).unwrap(), vec![id.clone()]);
}
