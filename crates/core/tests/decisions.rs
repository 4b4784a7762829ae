//! Decisions and appeals on collision cases (docs/RULES.md rules 8, 9; time and trust: decisions are
//! replicated data, conflicting decisions are a conflict, never a silent overwrite).

mod support;

use chrono::Duration;
use leadguard_core::collisions::{CaseState, CollisionCase};
use leadguard_core::model::{EventKind, FollowupKind, LeadFields, Outcome, Role, Share};
use leadguard_core::registry::{InitOptions, Target};
use leadguard_core::status::LeadState;
use leadguard_core::{Error, FormField, Reason, Registry};
use support::simhub::SimHub;
use support::*;

/// Replicas: 0 = manager m1, 1 = rep r1, 2 = rep r2, 3 = manager m2.
fn team(dir: &std::path::Path) -> (SimHub, Vec<Registry>) {
    let mut hub = SimHub::new(t0());
    let mut m = Registry::init(&dir.join("m1"), InitOptions { rep: rep("m1", "张经理", Role::Manager), shard_size: 100 }, t0())
        .unwrap();
    m.put_rep(rep("r1", "李娜", Role::Rep), t0()).unwrap();
    m.put_rep(rep("r2", "王强", Role::Rep), t0()).unwrap();
    m.put_rep(rep("m2", "刘经理", Role::Manager), t0()).unwrap();
    hub.sync(0, &mut m);
    let mut regs = vec![m];
    for (i, (id, role)) in [("r1", Role::Rep), ("r2", Role::Rep), ("m2", Role::Manager)].into_iter().enumerate() {
        let mut r = Registry::init(&dir.join(id), InitOptions { rep: rep(id, id, role), shard_size: 100 }, t0()).unwrap();
        hub.sync(i + 1, &mut r);
        regs.push(r);
    }
    (hub, regs)
}

fn fields(company: &str) -> LeadFields {
    LeadFields {
        company: Some(company.into()),
        contact: Some("陈明".into()),
        phone: Some("13912345678".into()),
        region: Some("深圳".into()),
        need: Some("采购".into()),
        ..LeadFields::default()
    }
}

/// r1 and r2 register one customer offline: a duplicate case. Returns (case, lead of r1, lead of r2).
fn duplicate_case(hub: &mut SimHub, regs: &mut [Registry]) -> (CollisionCase, String, String) {
    let a = write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: fields("深圳市腾达科技有限公司") }, h(1)).lead_id;
    let b = write(&mut regs[2], "r2", Target::New, EventKind::Register { fields: fields("腾达科技（深圳）") }, h(2)).lead_id;
    hub.sync_all(regs);
    let cases = regs[0].collision_cases(None).unwrap();
    assert_eq!(cases.len(), 1);
    (cases[0].clone(), a, b)
}

fn state(reg: &mut Registry, case: &CollisionCase, at: chrono::DateTime<chrono::Utc>) -> CaseState {
    let case = reg.collision_case(&case.id).unwrap().expect("case still there");
    reg.case_resolution(&case, at).unwrap().state
}

#[test]
fn owner_decision_gives_every_lead_of_the_case_to_one_rep() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, a, b) = duplicate_case(&mut hub, &mut regs);
    assert_eq!(state(&mut regs[0], &case, h(3)), CaseState::Open);
    regs[0].decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "李娜先拜访", None, h(3)).unwrap();
    hub.sync_all(&mut regs);
    for r in regs.iter_mut() {
        assert_eq!(state(r, &case, h(4)), CaseState::Decided);
        assert_eq!(r.status(&a, h(4)).unwrap().1.owner.as_deref(), Some("r1"));
        assert_eq!(r.status(&b, h(4)).unwrap().1.owner.as_deref(), Some("r1"));
    }
}

#[test]
fn only_a_manager_decides_and_a_decision_needs_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, _, _) = duplicate_case(&mut hub, &mut regs);
    let by_rep = regs[1].decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "我先来的", None, h(3));
    assert!(matches!(&by_rep, Err(Error::Rejected(Reason::RoleRequired { roles })) if roles == &[Role::Manager, Role::Director]), "{by_rep:?}");
    let no_reason = regs[0].decide_case(&case.id, Outcome::Pool, "  ", None, h(3));
    assert!(matches!(no_reason, Err(Error::Rejected(Reason::FieldRequired { field: FormField::Reason }))), "{no_reason:?}");
}

#[test]
fn split_decision_records_shares_totalling_100_and_the_larger_share_follows_the_customer() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, a, _) = duplicate_case(&mut hub, &mut regs);
    let shares = |x: u8, y: u8| Outcome::Split {
        shares: vec![Share { rep: "r1".into(), pct: x }, Share { rep: "r2".into(), pct: y }],
    };
    assert!(matches!(regs[0].decide_case(&case.id, shares(60, 30), "证据", None, h(3)), Err(Error::Rejected(Reason::SplitTotal { total: 90 }))));
    assert!(matches!(regs[0].decide_case(&case.id, shares(100, 0), "证据", None, h(3)), Err(Error::Rejected(Reason::ShareRange {}))));
    regs[0].decide_case(&case.id, shares(30, 70), "王强成交，李娜先致电", None, h(3)).unwrap();
    let (_, s) = regs[0].status(&a, h(4)).unwrap();
    assert_eq!(s.owner.as_deref(), Some("r2"));
    assert_eq!(s.split.as_ref().map(|v| v.iter().map(|x| u32::from(x.pct)).sum::<u32>()), Some(100));
}

#[test]
fn pool_decision_sends_the_customer_to_the_company_pool() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, a, b) = duplicate_case(&mut hub, &mut regs);
    regs[0].decide_case(&case.id, Outcome::Pool, "双方均无有效跟进，归公", None, h(3)).unwrap();
    for lead in [&a, &b] {
        let (_, s) = regs[0].status(lead, h(4)).unwrap();
        assert_eq!(s.state, LeadState::Pool);
        assert_eq!(s.owner, None);
    }
}

#[test]
fn merge_decision_merges_duplicates_and_undo_restores_them() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, a, b) = duplicate_case(&mut hub, &mut regs);
    let merge = regs[0]
        .decide_case(&case.id, Outcome::Merge { into: a.clone(), owner: "r1".into() }, "同一客户，合并", None, h(3))
        .unwrap();
    hub.sync_all(&mut regs);
    let (_, sb) = regs[2].status(&b, h(4)).unwrap();
    assert_eq!(sb.state, LeadState::Merged);
    assert_eq!(sb.merged_into.as_deref(), Some(a.as_str()));
    // The merged lead takes no more claims or follow-ups.
    let refused = try_write(&mut regs[2], "r2", &b, EventKind::Followup { followup: FollowupKind::Visit, note: String::new() }, h(5));
    assert!(refused.is_err());
    assert_eq!(regs[2].status(&a, h(4)).unwrap().1.owner.as_deref(), Some("r1"));
    // Undo: both leads are back as they were.
    regs[0].decide_case(&case.id, Outcome::Undo, "合并有误", Some(&merge), h(6)).unwrap();
    hub.sync_all(&mut regs);
    let (_, sb) = regs[2].status(&b, h(7)).unwrap();
    assert_eq!(sb.state, LeadState::Protected);
    assert_eq!(sb.owner.as_deref(), Some("r2"));
    assert_eq!(state(&mut regs[2], &case, h(7)), CaseState::Open);
}

#[test]
fn two_managers_deciding_offline_differently_is_a_conflict_not_an_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, _, _) = duplicate_case(&mut hub, &mut regs);
    let d1 = regs[0].decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "李娜区域匹配", None, h(3)).unwrap();
    let d2 = regs[3].decide_case(&case.id, Outcome::Owner { rep: "r2".into() }, "王强有成交意向", None, h(3)).unwrap();
    hub.sync_all(&mut regs);
    for i in [0, 3, 1] {
        let c = regs[i].collision_case(&case.id).unwrap().unwrap();
        let r = regs[i].case_resolution(&c, h(4)).unwrap();
        assert_eq!(r.state, CaseState::Conflict, "replica {i}");
        let ids: Vec<&str> = r.decisions.iter().map(|d| d.decision.as_str()).collect();
        assert!(ids.contains(&d1.as_str()) && ids.contains(&d2.as_str()), "both decisions shown");
    }
    // A plain third decision is refused; one that supersedes d1 and agrees with d2
    // settles the conflict.
    assert!(matches!(regs[0].decide_case(&case.id, Outcome::Pool, "x", None, h(5)), Err(Error::Rejected(Reason::ConflictNeedsSupersedes {}))));
    regs[0].decide_case(&case.id, Outcome::Owner { rep: "r2".into() }, "与刘经理商定", Some(&d1), h(5)).unwrap();
    hub.sync_all(&mut regs);
    assert_eq!(state(&mut regs[3], &case, h(6)), CaseState::Decided, "d2 and the new decision agree: r2");
}

#[test]
fn appeal_window_sla_and_answer() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, _, b) = duplicate_case(&mut hub, &mut regs);
    // No decision yet: nothing to appeal.
    assert!(matches!(regs[2].appeal_case(&case.id, "我先拜访", h(3)), Err(Error::Rejected(Reason::NothingToAppeal {}))));
    let d = regs[0].decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "区域匹配", None, h(3)).unwrap();
    hub.sync_all(&mut regs);
    // A rep not named in the case cannot appeal.
    assert!(matches!(regs[3].appeal_case(&case.id, "x", h(4)), Err(Error::Rejected(Reason::CaseNotYours { .. }))));
    let c2 = regs[2].collision_case(&case.id).unwrap().unwrap();
    let decided = regs[2].case_resolution(&c2, h(4)).unwrap();
    let until = decided.appeal_until.expect("window");
    // After the window (7 days by default): refused.
    let late = regs[2].appeal_case(&case.id, "我先拜访", until + Duration::hours(1));
    assert!(matches!(late, Err(Error::Rejected(Reason::AppealWindowClosed { until: u })) if u == until), "{late:?}");
    regs[2].appeal_case(&case.id, "我在 3 月 1 日已拜访，有照片", h(5)).unwrap();
    hub.sync_all(&mut regs);
    let c = regs[0].collision_case(&case.id).unwrap().unwrap();
    let r = regs[0].case_resolution(&c, h(6)).unwrap();
    assert_eq!(r.appeals.len(), 1);
    let a = &r.appeals[0];
    assert!(!a.answered && !a.overdue);
    // The 24 h turnaround target: overdue a day after the appeal reached the hub.
    let r = regs[0].case_resolution(&c, a.due_at + Duration::minutes(1)).unwrap();
    assert!(r.appeals[0].overdue);
    // The manager answers by deciding again (upholding or changing).
    regs[0].decide_case(&case.id, Outcome::Owner { rep: "r2".into() }, "申诉成立", Some(&d), h(7)).unwrap();
    let c0 = regs[0].collision_case(&case.id).unwrap().unwrap();
    let r = regs[0].case_resolution(&c0, a.due_at + Duration::hours(1)).unwrap();
    assert!(r.appeals[0].answered && !r.appeals[0].overdue);
    assert_eq!(regs[0].status(&b, h(8)).unwrap().1.owner.as_deref(), Some("r2"));
}

#[test]
fn no_appeal_once_a_deal_is_signed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, a, _) = duplicate_case(&mut hub, &mut regs);
    regs[0].decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "区域匹配", None, h(3)).unwrap();
    hub.sync_all(&mut regs);
    try_write(&mut regs[1], "r1", &a, EventKind::Followup { followup: FollowupKind::Deal, note: "签约".into() }, h(4)).unwrap();
    hub.sync_all(&mut regs);
    let refused = regs[2].appeal_case(&case.id, "我先来的", h(5));
    assert!(matches!(refused, Err(Error::Rejected(Reason::DecisionFinal {}))), "{refused:?}");
}

#[test]
fn a_claim_the_manager_did_not_see_reopens_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, a, b) = duplicate_case(&mut hub, &mut regs);
    regs[0].decide_case(&case.id, Outcome::Pool, "归公", None, h(3)).unwrap();
    hub.sync_all(&mut regs);
    assert_eq!(state(&mut regs[0], &case, h(4)), CaseState::Decided);
    // Later each rep claims one copy of the pooled customer again (after the
    // re-claim cooldown): new claims the decision did not cover.
    hub.advance_to(h(30));
    try_write(&mut regs[1], "r1", &a, EventKind::Claim, h(30)).unwrap();
    try_write(&mut regs[2], "r2", &b, EventKind::Claim, h(30)).unwrap();
    hub.sync_all(&mut regs);
    assert_eq!(state(&mut regs[0], &case, h(31)), CaseState::Reopened);
}


#[test]
fn reps_and_their_manager_are_told_of_a_case_its_decision_and_an_appeal() {
    use leadguard_core::notifications::NotificationKind as K;
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, _, _) = duplicate_case(&mut hub, &mut regs);
    let kinds = |r: &mut Registry, at| r.notifications(at).unwrap().into_iter().map(|n| n.kind).collect::<Vec<_>>();
    for i in [0, 1, 2] {
        assert_eq!(kinds(&mut regs[i], h(3)), vec![K::CaseOpened], "replica {i}");
    }
    // Shown once on the desktop, then not again.
    assert_eq!(regs[1].take_undelivered_notifications(h(3)).unwrap().len(), 1);
    assert!(regs[1].take_undelivered_notifications(h(3)).unwrap().is_empty());
    regs[0].decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "区域匹配", None, h(3)).unwrap();
    hub.sync_all(&mut regs);
    let told = regs[2].notifications(h(4)).unwrap();
    let decision = told.iter().find(|n| n.kind == K::Decision).expect("r2 is told of the decision");
    assert!(decision.body_zh.contains("李娜") && decision.body_zh.contains("区域匹配"), "{}", decision.body_zh);
    regs[2].appeal_case(&case.id, "我先拜访", h(5)).unwrap();
    hub.sync_all(&mut regs);
    assert!(kinds(&mut regs[0], h(6)).contains(&K::Appeal), "the manager is told of the appeal");
    assert!(kinds(&mut regs[0], h(6 + 25)).contains(&K::AppealOverdue));
    // Seen in the app: no longer unseen.
    let ids: Vec<String> = regs[0].notifications(h(6)).unwrap().into_iter().map(|n| n.id).collect();
    regs[0].mark_notifications_seen(&ids).unwrap();
    assert!(regs[0].notifications(h(6)).unwrap().iter().all(|n| n.seen));
}

#[test]
fn where_a_case_stands_survives_refilling_the_case_marks_of_an_older_registry() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, _, _) = duplicate_case(&mut hub, &mut regs);
    regs[0].decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "李娜先拜访", None, h(3)).unwrap();
    hub.sync_all(&mut regs);
    regs[2].appeal_case(&case.id, "我先打的电话", h(4)).unwrap();
    hub.sync_all(&mut regs);
    let before = regs[0].case_resolution(&case, h(5)).unwrap();
    assert_eq!(before.decisions.len(), 1);
    assert_eq!(before.appeals.len(), 1);
    drop(regs);

    // A registry from before schema 7: the table is empty and marked pending.
    let conn = rusqlite::Connection::open(dir.path().join("m1").join("registry.sqlite")).unwrap();
    let marks: i64 = conn.query_row("SELECT COUNT(*) FROM case_marks", [], |r| r.get(0)).unwrap();
    assert_eq!(marks, 4, "a decision and an appeal on each of two leads");
    conn.execute_batch("DELETE FROM case_marks; INSERT INTO meta(key, value) VALUES ('case_marks.pending', '1');")
        .unwrap();
    drop(conn);
    let mut m = Registry::open(&dir.path().join("m1")).unwrap();
    let without = {
        let conn = rusqlite::Connection::open(dir.path().join("m1").join("registry.sqlite")).unwrap();
        conn.query_row("SELECT COUNT(*) FROM case_marks", [], |r| r.get::<_, i64>(0)).unwrap()
    };
    assert_eq!(without, 0);
    let after = m.case_resolution(&case, h(5)).unwrap();
    assert_eq!(after, before);
    assert_eq!(after.state, CaseState::Decided);
}

#[test]
fn the_bell_lists_the_newest_and_marks_all_read_including_unlisted_ones() {
    use leadguard_core::api::{self, Context};
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, _, _) = duplicate_case(&mut hub, &mut regs);
    regs[0].decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "李娜先拜访", None, h(3)).unwrap();
    drop(regs);
    let mut ctx = Context::open(&dir.path().join("m1")).unwrap();
    ctx.set_now(Some(h(4)));
    let list = api::dispatch(&mut ctx, "notifications_list", serde_json::json!(null)).unwrap();
    assert_eq!(list["total"], 2, "the case and its decision: {list}");
    assert_eq!(list["unseen"], 2);
    assert!(list["items"].as_array().unwrap().len() <= leadguard_core::api::notifications::LIST_CAP);
    let after = api::dispatch(&mut ctx, "notifications_seen", serde_json::json!({ "ids": [], "all": true })).unwrap();
    assert_eq!(after["unseen"], 0, "{after}");
    assert_eq!(after["total"], 2);
}

#[test]
fn an_appeal_written_by_someone_the_case_does_not_name_is_ignored_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, a, _) = duplicate_case(&mut hub, &mut regs);
    let d = regs[0].decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "区域匹配", None, h(3)).unwrap();
    hub.sync_all(&mut regs);
    // A patched client skips appeal_case's check and writes the event itself.
    let forged = EventKind::Appeal { case_id: case.id.clone(), appeal: "forged".into(), decision: d, note: "x".into(), leads: Vec::new() };
    write(&mut regs[3], "m2", Target::Lead(a), forged, h(4));
    hub.sync_all(&mut regs);
    for r in regs.iter_mut() {
        let c = r.collision_case(&case.id).unwrap().unwrap();
        assert!(r.case_resolution(&c, h(5)).unwrap().appeals.is_empty());
    }
}

#[test]
fn a_managers_later_decision_replaces_their_own_earlier_one() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, _, _) = duplicate_case(&mut hub, &mut regs);
    let first = regs[0].decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "李娜区域匹配", None, h(3)).unwrap();
    // Seconds later, on the same laptop, without naming the first: no self-conflict.
    let second = regs[0]
        .decide_case(&case.id, Outcome::Owner { rep: "r2".into() }, "改判：王强已报价", None, h(3) + Duration::seconds(20))
        .unwrap();
    hub.sync_all(&mut regs);
    for i in 0..regs.len() {
        let c = regs[i].collision_case(&case.id).unwrap().unwrap();
        let r = regs[i].case_resolution(&c, h(4)).unwrap();
        assert_eq!(r.state, CaseState::Decided, "replica {i}");
        let standing: Vec<&str> = r.decisions.iter().filter(|d| !d.superseded).map(|d| d.decision.as_str()).collect();
        assert_eq!(standing, vec![second.as_str()], "replica {i}");
        assert!(r.decisions.iter().any(|d| d.decision == first && d.superseded), "the first stays in the history");
    }
    // Two different managers still conflict.
    regs[3].decide_case(&case.id, Outcome::Pool, "双方均无有效跟进", None, h(5)).unwrap();
    hub.sync_all(&mut regs);
    assert_eq!(state(&mut regs[0], &case, h(6)), CaseState::Conflict);
}

#[test]
fn a_managers_own_earlier_decision_takes_no_effect_on_the_leads_once_they_decide_again() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let (case, a, b) = duplicate_case(&mut hub, &mut regs);
    regs[0].decide_case(&case.id, Outcome::Merge { into: a.clone(), owner: "r1".into() }, "同一客户，合并", None, h(3)).unwrap();
    // The same manager changes their mind without naming the merge: the merge is
    // replaced on the leads too, not only in the case's state.
    regs[0].decide_case(&case.id, Outcome::Owner { rep: "r2".into() }, "改判：王强已报价", None, h(3) + Duration::seconds(20)).unwrap();
    hub.sync_all(&mut regs);
    for (i, r) in regs.iter_mut().enumerate() {
        let (_, sb) = r.status(&b, h(4)).unwrap();
        assert_ne!(sb.state, LeadState::Merged, "replica {i}: the replaced merge still applied");
        assert_eq!(sb.owner.as_deref(), Some("r2"), "replica {i}");
        assert_eq!(r.status(&a, h(4)).unwrap().1.owner.as_deref(), Some("r2"), "replica {i}");
        assert_eq!(state(r, &case, h(4)), CaseState::Decided, "replica {i}");
        // The lead's history shows the merge as replaced, not as in force.
        let (events, sa) = r.status(&a, h(4)).unwrap();
        let merge_event = events.iter().find(|e| matches!(&e.kind, EventKind::Decide { outcome: Outcome::Merge { .. }, .. })).unwrap();
        assert!(
            sa.ignored.iter().any(|(id, why)| id == &merge_event.id && *why == leadguard_core::status::Rejection::Superseded),
            "replica {i}: {:?}",
            sa.ignored
        );
    }
}

/// Rule 17: branch sz (manager m1, rep r1) and branch hz (manager e1, rep r2) register
/// one customer; the director z of both decides the case; with both branches' policies
/// saying `managers`, an involved manager may decide it.
#[test]
fn rule_17_a_case_across_branches_is_the_directors_unless_every_branch_gives_it_to_its_managers() {
    use leadguard_core::collisions::Decider;
    use leadguard_core::model::Rep;
    use leadguard_core::policy::CrossBranchDecider;
    let dir = tempfile::tempdir().unwrap();
    let mut hub = SimHub::new(t0());
    let in_branch = |id: &str, role: Role, branch: &str| Rep { branch: branch.into(), ..rep(id, id, role) };
    let init = |r: Rep| Registry::init(&dir.path().join(&r.id), InitOptions { rep: r, shard_size: 100 }, t0()).unwrap();
    let mut m1 = init(in_branch("m1", Role::Manager, "sz"));
    m1.put_rep(in_branch("r1", Role::Rep, "sz"), t0()).unwrap();
    let mut e1 = init(in_branch("e1", Role::Manager, "hz"));
    e1.put_rep(in_branch("r2", Role::Rep, "hz"), t0()).unwrap();
    let mut regs = vec![m1, e1];
    hub.sync_all(&mut regs);
    for r in [in_branch("r1", Role::Rep, "sz"), in_branch("r2", Role::Rep, "hz"), in_branch("z", Role::Director, "sz")] {
        regs.push(init(r));
    }
    hub.sync_all(&mut regs);
    write(&mut regs[2], "r1", Target::New, EventKind::Register { fields: fields("深圳市腾达科技有限公司") }, h(1));
    write(&mut regs[3], "r2", Target::New, EventKind::Register { fields: fields("腾达科技（深圳）") }, h(2));
    hub.sync_all(&mut regs);
    hub.sync_all(&mut regs);
    let case = regs[0].collision_cases(None).unwrap().pop().expect("the cross-branch case");
    for r in regs.iter() {
        let seen = r.collision_case(&case.id).unwrap().expect("every replica derives the case");
        assert_eq!(r.case_branches(&seen).unwrap(), vec!["hz".to_string(), "sz".to_string()]);
        assert_eq!(r.case_decider(&seen).unwrap(), Decider::Director);
    }
    for i in [0, 1] {
        let refused = regs[i].decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "先登记", None, h(3));
        assert!(matches!(refused, Err(Error::Rejected(Reason::NotTheDecider { .. }))), "{refused:?}");
    }
    let by_director = regs[4].decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "李娜先登记并已拜访", None, h(3)).unwrap();
    hub.sync_all(&mut regs);
    for r in regs.iter_mut() {
        assert_eq!(state(r, &case, h(4)), CaseState::Decided);
    }
    // Both branches give such cases to their managers: hz's manager may decide it now.
    for i in [0, 1] {
        let mut policy = regs[i].policy(&regs[i].session().unwrap().branch.clone());
        policy.cross_branch_decider = CrossBranchDecider::Managers;
        regs[i].set_policy(policy, h(5)).unwrap();
    }
    hub.sync_all(&mut regs);
    assert_eq!(regs[1].case_decider(&case).unwrap(), Decider::BranchManagers);
    regs[1].decide_case(&case.id, Outcome::Pool, "双方均未成交，归公", Some(&by_director), h(6)).unwrap();
}
