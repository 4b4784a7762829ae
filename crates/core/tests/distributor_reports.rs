//! Distributors' reports (分销报备, docs/RULES.md rule 15): a distributor's laptop writes
//! into its own report documents only, a complete report protects the customer for
//! the report validity period, and the branch manager reviews it (报备审核): accept
//! starts the validity afresh, reject sends the customer to the pool with a reason the
//! distributor reads. Changes travel as the hub would route them: the distributor
//! receives its own scope only (tests/e2e/hub_sync.rs runs the real hub).

mod support;

use chrono::Duration;
use leadguard_core::api::{self, Context};
use leadguard_core::model::{EventKind, Role};
use leadguard_core::registry::InitOptions;
use leadguard_core::registry::Target;
use leadguard_core::status::LeadState;
use leadguard_core::{ErrorCode, FormField, Reason, Registry};
use serde_json::json;
use support::*;

const VALIDITY_DAYS: i64 = 30;

/// Delivers what the hub would serve the receiver: changes whose scope starts with
/// `prefix`, none of them refused.
fn deliver(from: &Registry, to: &mut Registry, prefix: &str) {
    assert_eq!(copy_scopes(from, to, prefix).quarantined, 0, "nothing delivered is refused");
}

/// A distributor's laptop (agent-7 of branch sz) and the branch manager's, who lists
/// agent-7 in the directory.
fn setup(dir: &std::path::Path) -> (Registry, Registry) {
    let mut mgr = branch(dir, "m1");
    mgr.put_rep(rep("agent-7", "远航分销", Role::Distributor), t0()).unwrap();
    let dist =
        Registry::init(&dir.join("agent-7"), InitOptions { rep: rep("agent-7", "远航分销", Role::Distributor), shard_size: 100 }, t0())
            .unwrap();
    (mgr, dist)
}

fn report(dist: &mut Registry, company: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    register(dist, "agent-7", company, at)
}

#[test]
fn a_distributor_reports_into_its_own_documents_and_keeps_its_directory_entry_local() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut dist) = setup(dir.path());
    let id = report(&mut dist, "汕头市澄海玩具厂", h(0));
    assert_eq!(dist.row(&id).unwrap().doc_id, "dist:sz/agent-7/0");
    let pending = dist.pending_changes(1000).unwrap();
    assert!(!pending.is_empty());
    assert!(
        pending.iter().all(|p| p.scope == "dist:sz/agent-7" && p.doc_id.starts_with("dist:sz/agent-7/")),
        "a distributor pushes nothing but its reports: {:?}",
        pending.iter().map(|p| (&p.doc_id, &p.scope)).collect::<Vec<_>>()
    );
    assert_eq!(dist.pending_count().unwrap(), pending.len() as u64);
}

#[test]
fn a_report_is_protected_for_the_report_validity_period() {
    let dir = tempfile::tempdir().unwrap();
    let (mut mgr, mut dist) = setup(dir.path());
    let id = report(&mut dist, "汕头市澄海玩具厂", h(0));
    let (_, s) = dist.status(&id, h(1)).unwrap();
    assert_eq!((s.state, s.owner.as_deref()), (LeadState::Protected, Some("agent-7")));
    assert_eq!(s.protected_until, Some(h(0) + Duration::days(VALIDITY_DAYS)));

    deliver(&dist, &mut mgr, "dist:");
    let row = mgr.row(&id).unwrap();
    assert_eq!((row.branch.as_str(), row.owner.as_deref()), ("sz", Some("agent-7")), "the branch sees the report as the distributor's");
    let (_, s) = mgr.status(&id, h(24 * VALIDITY_DAYS + 1)).unwrap();
    assert_eq!(s.state, LeadState::Pool, "an unreviewed report lapses when its validity ends");

    // A rep registering the same customer meanwhile is told who has it.
    let err = try_write(&mut mgr, "r1", &id, EventKind::Claim, h(2)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);
}

#[test]
fn a_manager_accepts_a_report_and_its_validity_starts_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let (mgr, mut dist) = setup(dir.path());
    let id = report(&mut dist, "汕头市澄海玩具厂", h(0));
    let mut mgr = mgr;
    deliver(&dist, &mut mgr, "dist:");
    drop(mgr);
    let mut ctx = Context::open(&dir.path().join("manager-bootstrap")).unwrap();
    ctx.set_now(Some(h(24 * 10)));
    let queue = api::dispatch(&mut ctx, "report_list", json!({ "pending_only": true })).unwrap();
    assert_eq!(queue["pending"], 1);
    assert_eq!(queue["items"][0]["lead"]["id"], id.as_str());
    assert_eq!(queue["items"][0]["reporter_name"], "远航分销");
    let reviewed = api::dispatch(&mut ctx, "report_review", json!({ "id": id, "verdict": "accept" })).unwrap();
    assert_eq!(reviewed["review"], "accepted");
    let until = h(24 * 10) + Duration::days(VALIDITY_DAYS);
    assert_eq!(reviewed["valid_until"], json!(until));
    let queue = api::dispatch(&mut ctx, "report_list", json!({ "pending_only": true })).unwrap();
    assert_eq!(queue["pending"], 0);

    // The verdict reaches the distributor with its next pull of its own scope.
    deliver(ctx.registry().unwrap(), &mut dist, "dist:");
    let (_, s) = dist.status(&id, h(24 * 11)).unwrap();
    assert_eq!(s.review.as_ref().map(|r| r.by.as_str()), Some("m1"));
    assert_eq!(s.protected_until, Some(until));
}

#[test]
fn a_rejected_report_goes_to_the_pool_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let (mut mgr, mut dist) = setup(dir.path());
    let id = report(&mut dist, "汕头市澄海玩具厂", h(0));
    deliver(&dist, &mut mgr, "dist:");
    drop(mgr);
    let mut ctx = Context::open(&dir.path().join("manager-bootstrap")).unwrap();
    ctx.set_now(Some(h(5)));
    let err = api::dispatch(&mut ctx, "report_review", json!({ "id": id, "verdict": "reject" })).unwrap_err();
    assert_eq!(err.reason, Reason::FieldRequired { field: FormField::Reason }, "a rejection names its reason");
    let reviewed = api::dispatch(&mut ctx, "report_review", json!({ "id": id, "verdict": "reject", "reason": "客户未到访，报备不实" })).unwrap();
    assert_eq!(reviewed["review"], "rejected");
    assert_eq!(reviewed["lead"]["state"], "pool");
    assert_eq!(reviewed["valid_until"], json!(null));
    // A branch rep may now claim the customer.
    let w = try_write(ctx.registry().unwrap(), "r1", &id, EventKind::Claim, h(6)).unwrap();
    assert_eq!(w.status.owner.as_deref(), Some("r1"));

    deliver(ctx.registry().unwrap(), &mut dist, "dist:");
    drop(dist);
    let mut dctx = Context::open(&dir.path().join("agent-7")).unwrap();
    dctx.set_now(Some(h(7)));
    let mine = api::dispatch(&mut dctx, "report_list", json!({})).unwrap();
    assert_eq!(mine["items"][0]["review"], "rejected");
    assert_eq!(mine["items"][0]["review_reason"], "客户未到访，报备不实");
    assert_eq!(mine["items"][0]["lead"]["masked"], true, "the customer is a rep's now: its contacts are hidden from the distributor");
}

#[test]
fn only_a_manager_reviews_and_only_reports() {
    let dir = tempfile::tempdir().unwrap();
    let (mut mgr, mut dist) = setup(dir.path());
    let report_id = report(&mut dist, "汕头市澄海玩具厂", h(0));
    deliver(&dist, &mut mgr, "dist:");
    let rep_lead = write(&mut mgr, "r1", Target::New, EventKind::Register { fields: complete("潮州陶瓷") }, h(1)).lead_id;
    drop(mgr);
    let mut ctx = Context::open(&dir.path().join("manager-bootstrap")).unwrap();
    let err = api::dispatch(&mut ctx, "report_review", json!({ "id": rep_lead, "verdict": "accept" })).unwrap_err();
    assert_eq!(err.reason, Reason::NotAReport {});
    // Written below the API (as a forged change would be): the review takes no effect.
    let forged = leadguard_core::model::Verdict::Reject;
    let review = EventKind::Review { verdict: forged, reason: "x".into() };
    let err = try_write(ctx.registry().unwrap(), "m1", &rep_lead, review, h(2)).unwrap_err();
    assert_eq!(err.reason(), Reason::NotAReport {});
    drop(ctx);
    let mut dctx = Context::open(&dir.path().join("agent-7")).unwrap();
    let err = api::dispatch(&mut dctx, "report_review", json!({ "id": report_id, "verdict": "accept" })).unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
}

#[test]
fn a_report_and_a_branch_lead_of_one_customer_are_one_case_the_manager_decides() {
    let dir = tempfile::tempdir().unwrap();
    let (mut mgr, mut dist) = setup(dir.path());
    // Offline on both sides: the distributor reports with a masked phone, a rep of the
    // branch registers the same company written differently.
    let reported = write(&mut dist, "agent-7", Target::New, EventKind::Register { fields: fields("深圳市腾达科技有限公司", "陈明", "139****5678") }, h(1)).lead_id;
    let registered = write(&mut mgr, "r1", Target::New, EventKind::Register { fields: fields("腾达科技（深圳）", "陈明", "13912345678") }, h(2)).lead_id;
    deliver(&dist, &mut mgr, "dist:");
    let cases = mgr.collision_cases(None).unwrap();
    assert_eq!(cases.len(), 1, "one channel case: {cases:#?}");
    let mut leads = vec![reported.clone(), registered.clone()];
    leads.sort();
    assert_eq!(cases[0].lead_ids, leads);
    assert_eq!(cases[0].reps, vec!["agent-7".to_string(), "r1".to_string()]);
    let case_id = cases[0].id.clone();
    drop(mgr);

    let mut ctx = Context::open(&dir.path().join("manager-bootstrap")).unwrap();
    ctx.set_now(Some(h(5)));
    let decided = api::dispatch(
        &mut ctx,
        "collision_resolve",
        json!({ "id": case_id, "outcome": { "kind": "owner", "rep": "r1" }, "reason": "客户已到店，由李娜接待" }),
    );
    assert!(decided.is_ok(), "{decided:?}");
    // The decision reaches the distributor on its own report: it no longer holds it.
    deliver(ctx.registry().unwrap(), &mut dist, "dist:");
    let (_, s) = dist.status(&reported, h(6)).unwrap();
    assert_eq!(s.owner.as_deref(), Some("r1"));
    assert!(dist.row(&registered).is_err(), "the rep's lead never reaches the distributor");
}
