//! Collision cases (docs/RULES.md rule 6, time and trust): found after merges, the same on every
//! replica, windows from hub receipts, never from device clocks.

mod support;

use leadguard_core::collisions::{case_id, CaseKind, CollisionCase};
use leadguard_core::model::{EventKind, LeadFields};
use leadguard_core::registry::Target;
use leadguard_core::Registry;
use support::simhub::team;
use support::*;

fn cases(r: &Registry) -> Vec<CollisionCase> {
    r.collision_cases(None).unwrap()
}

#[test]
fn duplicate_registrations_by_two_reps_become_one_case_on_every_replica() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    // Both offline, different spellings of one customer.
    let a = write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: fields("深圳市腾达科技有限公司", "陈明", "139 1234 5678") }, h(1)).lead_id;
    let b = write(&mut regs[2], "r2", Target::New, EventKind::Register { fields: fields("腾达科技（深圳）", "陈明", "+86 13912345678") }, h(2)).lead_id;
    hub.tick(60);
    hub.sync_all(&mut regs);
    let m = cases(&regs[0]);
    assert_eq!(m.len(), 1, "exactly one case: {m:#?}");
    let c = &m[0];
    assert_eq!(c.kind, CaseKind::DuplicateLeads);
    let mut leads = vec![a.clone(), b.clone()];
    leads.sort();
    assert_eq!(c.lead_ids, leads);
    assert_eq!(c.reps, vec!["r1".to_string(), "r2".to_string()]);
    assert_eq!(c.id, case_id(&leads));
    assert_eq!(c.duplicates.len(), 1);
    assert!(c.duplicates[0].score >= 0.85);
    assert!(c.claims.iter().all(|cl| cl.window.to.is_some()), "every claim has its hub receipt");
    assert!(c.surfaced_at.is_some());
    for r in &regs[1..] {
        assert_eq!(cases(r), m, "every replica derives the same case");
    }
    // Nothing lost: both leads everywhere.
    for r in &regs {
        assert!(r.row(&a).is_ok() && r.row(&b).is_ok());
    }
}

#[test]
fn concurrent_pool_claims_with_overlapping_windows_are_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let id = write(&mut regs[0], "r9", Target::New, EventKind::Register { fields: complete("茂名石化") }, h(0)).lead_id;
    hub.sync_all(&mut regs);
    assert!(cases(&regs[0]).is_empty(), "one claimant, no case");
    // Protection ended by hub time; both claim offline.
    hub.advance_to(h(100));
    try_write(&mut regs[1], "r1", &id, EventKind::Claim, h(101)).unwrap();
    try_write(&mut regs[2], "r2", &id, EventKind::Claim, h(102)).unwrap();
    hub.tick(30);
    hub.sync_all(&mut regs);
    let m = cases(&regs[0]);
    assert_eq!(m.len(), 1, "{m:#?}");
    assert_eq!(m[0].kind, CaseKind::ConcurrentClaims);
    assert_eq!(m[0].lead_ids, vec![id.clone()]);
    assert_eq!(m[0].reps, vec!["r1".to_string(), "r2".to_string()]);
    assert_eq!(m[0].claims.iter().filter(|c| !c.took_effect).count(), 1, "the later claim took no effect");
    assert_eq!(cases(&regs[1]), m);
    assert_eq!(cases(&regs[2]), m);
    assert_eq!(regs[1].collision_cases(Some("r1")).unwrap().len(), 1);
    assert!(regs[1].collision_cases(Some("r9")).unwrap().is_empty());
}

#[test]
fn claims_ordered_by_hub_receipts_are_not_a_case() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let id = write(&mut regs[0], "r9", Target::New, EventKind::Register { fields: complete("茂名石化") }, h(0)).lead_id;
    hub.sync_all(&mut regs);
    hub.advance_to(h(100));
    try_write(&mut regs[1], "r1", &id, EventKind::Claim, h(101)).unwrap();
    try_write(&mut regs[1], "r1", &id, EventKind::Release, h(102)).unwrap();
    hub.sync(1, &mut regs[1]);
    hub.advance_to(h(140));
    // r2 syncs after the hub has r1's claim and release, then claims: provably later.
    hub.sync(2, &mut regs[2]);
    try_write(&mut regs[2], "r2", &id, EventKind::Claim, h(140)).unwrap();
    hub.sync_all(&mut regs);
    for r in &regs {
        assert!(cases(r).is_empty(), "{:#?}", cases(r));
    }
}

#[test]
fn device_clock_is_not_evidence_of_order() {
    // r2's laptop clock is 30 days behind: its claim *looks* earlier, but r2 synced
    // after the hub received r1's claim, so the windows do not overlap and no case
    // arises on that lead; the device time is kept only for display.
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    let a = write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: fields("深圳市腾达科技有限公司", "陈明", "13912345678") }, h(1)).lead_id;
    hub.sync(1, &mut regs[1]);
    hub.tick(60);
    hub.sync(2, &mut regs[2]);
    let b = write(&mut regs[2], "r2", Target::New, EventKind::Register { fields: fields("腾达科技", "陈明", "13912345678") }, h(-24 * 30)).lead_id;
    hub.sync_all(&mut regs);
    let m = cases(&regs[0]);
    assert_eq!(m.len(), 1);
    let claim = |lead: &str| m[0].claims.iter().find(|c| c.lead_id == lead).unwrap().clone();
    let (ca, cb) = (claim(&a), claim(&b));
    assert!(cb.device_time < ca.device_time, "the device clock says r2 was first");
    assert!(ca.window.before(&cb.window), "the hub receipts say r1 was first: {:?} vs {:?}", ca.window, cb.window);
}

#[test]
fn a_case_splits_when_an_edit_breaks_the_duplicate_match() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: fields("深圳市腾达科技有限公司", "陈明", "13912345678") }, h(1));
    let b = write(&mut regs[2], "r2", Target::New, EventKind::Register { fields: fields("腾达科技", "陈明", "13912345678") }, h(2)).lead_id;
    hub.sync_all(&mut regs);
    assert_eq!(cases(&regs[0]).len(), 1);
    // r2 corrects the record: it was another firm entirely.
    let patch = LeadFields {
        company: Some("广州白云制药股份".into()),
        contact: Some("黄伟".into()),
        phone: Some("020-87654321".into()),
        region: Some("广州".into()),
        ..LeadFields::default()
    };
    try_write(&mut regs[2], "r2", &b, EventKind::Update { fields: patch }, h(3)).unwrap();
    hub.sync_all(&mut regs);
    for r in &regs {
        assert!(cases(r).is_empty(), "{:#?}", cases(r));
    }
}

#[test]
fn cases_are_rebuilt_identically_from_scratch() {
    let dir = tempfile::tempdir().unwrap();
    let (mut hub, mut regs) = team(dir.path());
    write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: fields("深圳市腾达科技有限公司", "陈明", "13912345678") }, h(1));
    write(&mut regs[2], "r2", Target::New, EventKind::Register { fields: fields("腾达科技", "陈明", "13912345678") }, h(2));
    hub.sync_all(&mut regs);
    let before = cases(&regs[0]);
    assert_eq!(before.len(), 1);
    regs[0].rebuild_derived().unwrap();
    assert_eq!(cases(&regs[0]), before);
}

#[test]
fn claims_written_on_one_laptop_follow_each_other_and_are_not_a_case() {
    // A shared laptop, never synced: its writes are in sequence even without receipts.
    let dir = tempfile::tempdir().unwrap();
    let (_hub, mut regs) = team(dir.path());
    let id = write(&mut regs[0], "r1", Target::New, EventKind::Register { fields: complete("茂名石化") }, h(1)).lead_id;
    try_write(&mut regs[0], "r1", &id, EventKind::Release, h(2)).unwrap();
    try_write(&mut regs[0], "r2", &id, EventKind::Claim, h(30)).unwrap();
    assert!(cases(&regs[0]).is_empty(), "{:#?}", cases(&regs[0]));
}
