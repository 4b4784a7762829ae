//! Health metrics (docs/RULES.md rule 14) computed from real registries.

mod support;

use leadguard_core::model::{EventKind, FollowupKind, LeadFields, Outcome, Role};
use leadguard_core::registry::{InitOptions, Target};
use leadguard_core::Registry;
use support::simhub::SimHub;
use support::*;

fn fields(company: &str, phone: &str) -> LeadFields {
    LeadFields {
        company: Some(company.into()),
        contact: Some("陈明".into()),
        phone: Some(phone.into()),
        region: Some("深圳".into()),
        need: Some("采购".into()),
        ..LeadFields::default()
    }
}

#[test]
fn health_metrics_duplicate_claim_rate_protection_utilisation_turnaround_and_heat() {
    let dir = tempfile::tempdir().unwrap();
    let mut hub = SimHub::new(h(0));
    let mut m = Registry::init(&dir.path().join("m1"), InitOptions { rep: rep("m1", "张经理", Role::Manager), shard_size: 100 }, h(0)).unwrap();
    m.put_rep(rep("r1", "李娜", Role::Rep), h(0)).unwrap();
    m.put_rep(rep("r2", "王强", Role::Rep), h(0)).unwrap();
    hub.sync(0, &mut m);
    let mut r1 = Registry::init(&dir.path().join("r1"), InitOptions { rep: rep("r1", "李娜", Role::Rep), shard_size: 100 }, h(0)).unwrap();
    let mut r2 = Registry::init(&dir.path().join("r2"), InitOptions { rep: rep("r2", "王强", Role::Rep), shard_size: 100 }, h(0)).unwrap();
    hub.sync(1, &mut r1);
    hub.sync(2, &mut r2);
    // Three claimed leads: two of them one customer (a case), one with real progress.
    let a = write(&mut r1, "r1", Target::New, EventKind::Register { fields: fields("深圳市腾达科技有限公司", "13912345678") }, h(1)).lead_id;
    write(&mut r2, "r2", Target::New, EventKind::Register { fields: fields("腾达科技", "13912345678") }, h(1));
    let c = write(&mut r1, "r1", Target::New, EventKind::Register { fields: fields("广州白云制药", "020-87654321") }, h(1)).lead_id;
    let visit = EventKind::Followup { followup: FollowupKind::Visit, note: "上门".into() };
    try_write(&mut r1, "r1", &c, visit.clone(), h(2)).unwrap();
    try_write(&mut r1, "r1", &c, EventKind::Followup { followup: FollowupKind::Call, note: String::new() }, h(2)).unwrap();
    try_write(&mut r1, "r1", &c, EventKind::Followup { followup: FollowupKind::Call, note: String::new() }, h(3)).unwrap();
    for (i, r) in [(1, &mut r1), (2, &mut r2), (0, &mut m)] {
        hub.sync(i, r);
    }
    hub.sync(0, &mut m);
    let case = m.collision_cases(None).unwrap().remove(0);
    let surfaced = case.surfaced_at.unwrap();
    // The manager decides five hours after the case surfaced.
    hub.tick(5 * 60);
    m.decide_case(&case.id, Outcome::Owner { rep: "r1".into() }, "区域匹配", None, hub.clock).unwrap();
    hub.sync(0, &mut m);
    let decided = m.case_resolution(&case, hub.clock).unwrap().decisions[0].received_at.unwrap();
    let out = m.metrics(h(24), 90, 14).unwrap();
    assert_eq!(out.claimed_leads, 3);
    assert_eq!(out.leads_in_cases, 2);
    assert!((out.duplicate_claim_rate - 2.0 / 3.0).abs() < 1e-9);
    // Decisions restart protection: those periods count too; only lead c's first
    // period saw qualifying progress (a visit; calls do not qualify by default).
    assert!(out.protection_periods >= 3, "{}", out.protection_periods);
    assert_eq!(out.protection_periods_used, 1);
    assert_eq!(out.turnaround.cases, 1);
    assert_eq!(out.turnaround.decided, 1);
    let hours = (decided - surfaced).num_seconds() as f64 / 3600.0;
    assert!((out.turnaround.median_hours.unwrap() - hours).abs() < 1e-9);
    assert!(hours >= 5.0 && out.turnaround.over_target == 0);
    let reps: Vec<(&str, u32)> = out.per_rep_month.iter().map(|r| (r.rep.as_str(), r.collisions)).collect();
    assert_eq!(reps, vec![("r1", 1), ("r2", 1)]);
    // Lead c: registered, visited and called twice on one day: 4 touches by one rep.
    let cell = out.heat.iter().find(|h| h.lead_id == c).unwrap();
    assert_eq!((cell.touches, cell.reps), (4, 1));
    assert!(out.heat.iter().any(|h| h.lead_id == a));
    // A rep does not see the branch's metrics.
    let mut ctx = leadguard_core::api::Context::open(&dir.path().join("r1")).unwrap();
    let refused = leadguard_core::api::dispatch(&mut ctx, "metrics", serde_json::json!({})).unwrap_err();
    assert_eq!(refused.code, leadguard_core::ErrorCode::Forbidden);
}
