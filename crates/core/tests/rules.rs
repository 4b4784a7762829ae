//! One test per rule (docs/RULES.md) the registry enforces (rules 3, 4, 12, 13).

mod support;

use leadguard_core::api::{self, Context};
use leadguard_core::registry::Filter;
use leadguard_core::model::{EventKind, FollowupKind, LeadFields};
use leadguard_core::registry::Target;
use leadguard_core::status::LeadState;
use leadguard_core::{Error, ErrorCode, Reason};
use serde_json::json;
use support::*;

fn followup(kind: FollowupKind) -> EventKind {
    EventKind::Followup { followup: kind, note: "跟进".into() }
}

#[test]
fn claim_counts_only_from_first_complete_registration() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    // A bare mark (company only) is not a claim.
    let mark = LeadFields { company: Some("深圳市华强电子有限公司".into()), ..Default::default() };
    let w = write(&mut reg, "r1", Target::New, EventKind::Register { fields: mark }, h(0));
    assert_eq!(w.status.state, LeadState::Incomplete);
    assert_eq!(w.status.owner, None);
    // r2 completes it later: the claim is r2's, from that moment.
    let patch = LeadFields { contact: Some("周伟".into()), need: Some("门禁系统".into()), ..Default::default() };
    let w2 = try_write(&mut reg, "r2", &w.lead_id, EventKind::Update { fields: patch }, h(5)).unwrap();
    assert_eq!(w2.status.owner.as_deref(), Some("r2"));
    assert_eq!(w2.status.claimed_at, Some(h(5)));
    assert_eq!(w2.status.protected_until, Some(h(5 + 72)));
    // r1's later edit is refused: r2 protects it now.
    let err = try_write(&mut reg, "r1", &w.lead_id, EventKind::Update { fields: LeadFields::default() }, h(6))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);
    // A complete registration claims at once; contact OR phone satisfies its group.
    let full = LeadFields { phone: None, ..complete("广州白云制药") };
    let w3 = write(&mut reg, "r1", Target::New, EventKind::Register { fields: full }, h(1));
    assert_eq!((w3.status.state, w3.status.owner.as_deref()), (LeadState::Protected, Some("r1")));
    // Required fields are configurable per branch.
    let mut p = reg.policy("sz");
    p.required.push(vec![leadguard_core::model::Field::Email]);
    reg.set_policy(p, h(2)).unwrap();
    let w4 = write(&mut reg, "r1", Target::New, EventKind::Register { fields: complete("东莞五金") }, h(3));
    assert_eq!(w4.status.state, LeadState::Incomplete);
    // ... and the policy change re-derived existing leads too.
    assert_eq!(reg.row(&w3.lead_id).unwrap().state, LeadState::Incomplete);
}

#[test]
fn protection_period_extended_by_qualifying_followup() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let id = register(&mut reg, "r1", "佛山陶瓷", h(0));
    // A visit at 48 h protects until 48 + 72 h.
    try_write(&mut reg, "r1", &id, followup(FollowupKind::Visit), h(48)).unwrap();
    let (_, s) = reg.status(&id, h(100)).unwrap();
    assert_eq!(s.protected_until, Some(h(120)));
    assert_eq!(s.state, LeadState::Protected);
    // A bare phone call is not progress (rule 4): no extension.
    try_write(&mut reg, "r1", &id, followup(FollowupKind::Call), h(110)).unwrap();
    let (_, s) = reg.status(&id, h(119)).unwrap();
    assert_eq!(s.protected_until, Some(h(120)));
    let (_, s) = reg.status(&id, h(120)).unwrap();
    assert_eq!(s.state, LeadState::Pool);
    // Without follow-ups the default period is 72 h.
    let other = register(&mut reg, "r2", "中山灯饰", h(0));
    assert_eq!(reg.status(&other, h(71)).unwrap().1.state, LeadState::Protected);
    assert_eq!(reg.status(&other, h(72)).unwrap().1.state, LeadState::Pool);
}

#[test]
fn expired_customer_returns_to_public_pool() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let id = register(&mut reg, "r1", "珠海游艇", h(0));
    let in_pool = |reg: &leadguard_core::Registry, at| {
        reg.list(&Filter::Pool, None, at, 100, 0).unwrap().rows.iter().any(|r| r.lead_id == id)
    };
    let mine = |reg: &leadguard_core::Registry, at| {
        reg.list(&Filter::Mine("r1".into()), None, at, 100, 0).unwrap().total
    };
    assert!(!in_pool(&reg, h(71)));
    assert_eq!(mine(&reg, h(71)), 1);
    // No job ran; the time alone decides.
    assert!(in_pool(&reg, h(73)));
    assert_eq!(mine(&reg, h(73)), 0);
    // Anyone may claim from the pool.
    let w = try_write(&mut reg, "r2", &id, EventKind::Claim, h(73)).unwrap();
    assert_eq!(w.status.owner.as_deref(), Some("r2"));
    assert_eq!(w.status.protected_until, Some(h(73 + 72)));
    // ... but not while it is protected.
    let err = try_write(&mut reg, "r1", &id, EventKind::Claim, h(74)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);
}

#[test]
fn previous_owner_waits_out_reclaim_cooldown() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let id = register(&mut reg, "r1", "惠州电池", h(0));
    // Expired at 72 h; cooldown 24 h.
    let err = try_write(&mut reg, "r1", &id, EventKind::Claim, h(80)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict);
    assert!(matches!(&err, Error::Rejected(Reason::Cooldown { until }) if *until == h(96)), "{err:?}");
    try_write(&mut reg, "r1", &id, EventKind::Claim, h(96)).unwrap();
    // Releasing starts the cooldown too; others may claim at once.
    try_write(&mut reg, "r1", &id, EventKind::Release, h(100)).unwrap();
    assert_eq!(try_write(&mut reg, "r1", &id, EventKind::Claim, h(101)).unwrap_err().code(), ErrorCode::Conflict);
    try_write(&mut reg, "r2", &id, EventKind::Claim, h(101)).unwrap();
}

#[test]
fn deal_binds_customer_to_owner_permanently() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let id = register(&mut reg, "r1", "江门摩托", h(0));
    try_write(&mut reg, "r1", &id, followup(FollowupKind::Deal), h(10)).unwrap();
    let ten_years = h(24 * 3650);
    let (_, s) = reg.status(&id, ten_years).unwrap();
    assert_eq!((s.state, s.owner.as_deref(), s.protected_until), (LeadState::Deal, Some("r1"), None));
    assert_eq!(try_write(&mut reg, "r1", &id, EventKind::Release, h(20)).unwrap_err().code(), ErrorCode::Conflict);
    assert_eq!(try_write(&mut reg, "r2", &id, EventKind::Claim, ten_years).unwrap_err().code(), ErrorCode::Forbidden);
    let mine = reg.list(&Filter::Mine("r1".into()), None, ten_years, 10, 0).unwrap();
    assert_eq!(mine.total, 1);
}

#[test]
fn handover_moves_all_customers_keeping_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let a = register(&mut reg, "r1", "汕头玩具", h(0));
    let b = register(&mut reg, "r1", "潮州陶瓷", h(1));
    let deal = register(&mut reg, "r1", "揭阳五金", h(2));
    try_write(&mut reg, "r1", &deal, followup(FollowupKind::Deal), h(3)).unwrap();
    let expired = register(&mut reg, "r1", "湛江水产", h(-100));
    let others = register(&mut reg, "r2", "茂名石化", h(0));
    let mut moved = reg.handover("r1", "r2", h(10)).unwrap();
    moved.sort();
    let mut want = vec![a.clone(), b.clone(), deal.clone()];
    want.sort();
    assert_eq!(moved, want);
    for id in &want {
        let (events, s) = reg.status(id, h(11)).unwrap();
        assert_eq!(s.owner.as_deref(), Some("r2"));
        assert_eq!(events.first().unwrap().rep, "r1", "registration kept");
        assert!(matches!(events.last().unwrap().kind, EventKind::Handover { .. }));
    }
    assert_eq!(reg.status(&deal, h(11)).unwrap().1.state, LeadState::Deal);
    assert_eq!(reg.row(&expired).unwrap().at(h(11)).state, LeadState::Pool);
    assert_eq!(reg.row(&others).unwrap().owner.as_deref(), Some("r2"));
    assert!(!reg.rep("r1").unwrap().active, "the departing rep is marked as left");
    // Only a manager may hand over.
    let mut rep_reg = branch(&dir.path().join("x"), "r2");
    assert_eq!(rep_reg.handover("r1", "r2", h(12)).unwrap_err().code(), ErrorCode::Forbidden);
}

#[test]
fn others_see_masked_summary_and_cannot_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r2");
    // r1's lead arrives on r2's device (as if synced).
    let id = register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("r2")).unwrap();
    ctx.set_now(Some(h(1)));
    let got = api::dispatch(&mut ctx, "lead_get", json!({ "id": id })).unwrap();
    let lead = &got["lead"];
    assert_eq!(lead["masked"], true);
    assert_eq!(lead["editable"], false);
    assert_eq!(lead["owner_name"], "李娜");
    assert_eq!(lead["fields"]["company"], "深圳市腾达科技有限公司");
    assert_eq!(lead["fields"]["phone"], "139****5678");
    assert_eq!(lead["fields"]["contact"], "陈**");
    assert!(lead["fields"].get("need").is_none());
    assert!(lead["summary"].as_str().unwrap().contains("李娜"), "{}", lead["summary"]);
    assert_eq!(got["history"], json!([]));
    let err = api::dispatch(&mut ctx, "lead_update", json!({ "id": id, "fields": { "notes": "x" } })).unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    assert!(matches!(&err.reason, Reason::OwnedByOther { owner, .. } if owner == "李娜"), "{err:?}");
    let err = api::dispatch(&mut ctx, "followup_add", json!({ "id": id, "kind": "visit" })).unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    // Lists mask too; once in the pool, the details are open.
    let page = api::dispatch(&mut ctx, "lead_list", json!({ "filter": "all" })).unwrap();
    assert_eq!(page["items"][0]["masked"], true);
    ctx.set_now(Some(h(80)));
    let got = api::dispatch(&mut ctx, "lead_get", json!({ "id": id })).unwrap();
    assert_eq!(got["lead"]["state"], "pool");
    assert_eq!(got["lead"]["masked"], false);
    assert_eq!(got["lead"]["claimable"], true);
}

#[test]
fn deposit_refund_reopens_a_signed_customer() {
    // 定金退订: the deal no longer binds; the owner holds the customer for a fresh
    // protection period, then it returns to the pool like any other.
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let id = register(&mut reg, "r1", "佛山陶瓷", h(0));
    let err = try_write(&mut reg, "r1", &id, followup(FollowupKind::DepositRefund), h(1)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Conflict, "no deal to refund yet");
    try_write(&mut reg, "r1", &id, followup(FollowupKind::Deal), h(2)).unwrap();
    assert_eq!(try_write(&mut reg, "r1", &id, EventKind::Release, h(3)).unwrap_err().code(), ErrorCode::Conflict);
    // Only the owner records the refund.
    assert!(try_write(&mut reg, "r2", &id, followup(FollowupKind::DepositRefund), h(4)).is_err());
    let w = try_write(&mut reg, "r1", &id, followup(FollowupKind::DepositRefund), h(100)).unwrap();
    assert_eq!(w.status.state, LeadState::Protected);
    assert_eq!(w.status.owner.as_deref(), Some("r1"));
    assert_eq!(w.status.protected_until, Some(h(172)));
    // Without progress it goes to the pool, where another rep may claim it.
    let (_, s) = reg.status(&id, h(173)).unwrap();
    assert_eq!(s.state, LeadState::Pool);
    assert_eq!(try_write(&mut reg, "r2", &id, EventKind::Claim, h(174)).unwrap().status.owner.as_deref(), Some("r2"));
    // The refund is on the audit trail.
    let trail = leadguard_core::audit::for_lead(reg.connection(), &id).unwrap();
    assert!(trail.iter().any(|e| e.kind == "followup" && e.summary_zh.contains("定金退订")), "{trail:?}");
}
