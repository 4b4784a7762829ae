//! The arbitration engine (docs/RULES.md rule 7, time and trust): criteria in order, hub-clock evidence
//! only, splits per rule 8, deterministic proposals. Cases are built by hand.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadguard_core::arbitration::{self, Criterion, Proposal, ProposedOutcome, Receipts};
use leadguard_core::collisions::{CaseClaim, CaseKind, ClaimKind, CollisionCase, Window};
use leadguard_core::model::{Event, EventKind, FollowupKind, LeadFields, Rep, Role, Share};
use leadguard_core::policy::Policy;
use proptest::prelude::*;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

fn h(n: i64) -> DateTime<Utc> {
    t0() + Duration::hours(n)
}

fn rep(id: &str, name: &str, region: Option<&str>) -> Rep {
    Rep {
        id: id.into(),
        name: name.into(),
        branch: "b1".into(),
        region: region.map(str::to_string),
        role: Role::Rep,
        active: true,
    }
}

fn reps() -> BTreeMap<String, Rep> {
    [rep("a", "李娜", None), rep("b", "王强", None)].into_iter().map(|r| (r.id.clone(), r)).collect()
}

fn fields(n: usize, region: Option<&str>) -> LeadFields {
    let mut f = LeadFields {
        company: Some("深圳市腾达科技有限公司".into()),
        contact: Some("陈明".into()),
        need: Some("采购".into()),
        ..LeadFields::default()
    };
    let extra = [&mut f.phone, &mut f.email, &mut f.industry, &mut f.size];
    for (i, slot) in extra.into_iter().enumerate() {
        if i + 3 < n {
            *slot = Some(format!("x{i}"));
        }
    }
    f.region = region.map(str::to_string);
    f
}

fn ev(id: &str, rep: &str, kind: EventKind, device_time: DateTime<Utc>, after: Option<DateTime<Utc>>) -> Event {
    Event { id: id.into(), kind, rep: rep.into(), device: format!("dev-{rep}"), device_time, after }
}

fn followup(id: &str, rep: &str, kind: FollowupKind, device_time: DateTime<Utc>, after: Option<DateTime<Utc>>) -> Event {
    ev(id, rep, EventKind::Followup { followup: kind, note: String::new() }, device_time, after)
}

fn claim(event_id: &str, lead: &str, rep: &str, device_time: DateTime<Utc>, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> CaseClaim {
    CaseClaim {
        event_id: event_id.into(),
        lead_id: lead.into(),
        rep: rep.into(),
        device: format!("dev-{rep}"),
        device_time,
        effective_time: None,
        kind: ClaimKind::Register,
        window: Window { from, to },
        took_effect: true,
        held_by: None,
        held_until: None,
    }
}

/// A duplicate-leads case: lead `la` registered by a, lead `lb` by b.
struct Setup {
    case: CollisionCase,
    histories: BTreeMap<String, Vec<Event>>,
}

impl Setup {
    /// a's claim window [h(-10), h(-9)], b's [h(-5), h(-4)] unless overridden; both
    /// registrations carry 3 fields and no region.
    fn new(wa: (i64, i64), wb: (i64, i64)) -> Setup {
        let ha = vec![ev("ra", "a", EventKind::Register { fields: fields(3, None) }, h(wa.0), Some(h(wa.0)))];
        let hb = vec![ev("rb", "b", EventKind::Register { fields: fields(3, None) }, h(wb.0), Some(h(wb.0)))];
        let claims = vec![
            claim("ra", "la", "a", h(wa.0), Some(h(wa.0)), Some(h(wa.1))),
            claim("rb", "lb", "b", h(wb.0), Some(h(wb.0)), Some(h(wb.1))),
        ];
        let surfaced = wa.1.max(wb.1);
        Setup {
            case: CollisionCase {
                id: "case1".into(),
                kind: CaseKind::DuplicateLeads,
                branch: "b1".into(),
                lead_ids: vec!["la".into(), "lb".into()],
                reps: vec!["a".into(), "b".into()],
                claims,
                duplicates: vec![],
                surfaced_at: Some(h(surfaced)),
                relations: vec![],
            },
            histories: [("la".to_string(), ha), ("lb".to_string(), hb)].into_iter().collect(),
        }
    }

    fn push(&mut self, lead: &str, e: Event) {
        self.histories.get_mut(lead).unwrap().push(e);
    }

    fn propose(&self, policy: &Policy) -> Proposal {
        arbitration::propose(&self.case, &self.histories, &reps(), policy)
    }
}

fn owner(p: &Proposal) -> &str {
    match &p.outcome {
        ProposedOutcome::Owner { rep } => rep,
        other => panic!("expected an owner, got {other:?}: {}", p.explanation_en),
    }
}

#[test]
fn past_deal_wins_arbitration() {
    // b claimed first and followed up recently; a signed a deal.
    let mut s = Setup::new((-5, -4), (-10, -9));
    s.push("lb", followup("fb", "b", FollowupKind::Visit, h(-6), Some(h(-6))));
    s.push("la", followup("da", "a", FollowupKind::Deal, h(-3), Some(h(-30 * 24))));
    let p = s.propose(&Policy::default());
    assert_eq!(owner(&p), "a");
    assert_eq!(p.decided_by, Some(Criterion::PastDeal));
    assert!(p.evidence.iter().any(|e| e.event_id == "da" && e.kind == "deal"));
    assert!(p.explanation_zh.contains("李娜") && p.explanation_zh.contains("历史成交"), "{}", p.explanation_zh);
    assert!(p.explanation_en.contains("李娜") && p.explanation_en.contains("past deal"), "{}", p.explanation_en);
}

#[test]
fn recent_followup_wins_when_no_deal() {
    // b claimed first; b's follow-up *looks* recent on b's device clock but b's device
    // had last synced 10 days before the case: not provably recent. a's is.
    let mut s = Setup::new((-5, -4), (-10, -9));
    s.push("lb", followup("fb", "b", FollowupKind::Visit, h(-6), Some(h(-240))));
    s.push("la", followup("fa", "a", FollowupKind::Call, h(-200), Some(h(-48))));
    let p = s.propose(&Policy::default());
    assert_eq!(owner(&p), "a");
    assert_eq!(p.decided_by, Some(Criterion::RecentFollowup));
    assert_eq!(p.steps[0].criterion, Criterion::PastDeal);
    assert!(!p.steps[0].decided);
    assert!(p.explanation_zh.contains("近7天内互动"), "{}", p.explanation_zh);
}

#[test]
fn a_rep_of_a_sales_area_matches_a_customer_in_one_of_its_cities() {
    // 广州 is in 广东, 广东 is in 华南: a rep of 华南 matches; a rep of 深圳 does not.
    let mut s = Setup::new((-5, -4), (-10, -9));
    s.histories.get_mut("la").unwrap()[0] =
        ev("ra", "a", EventKind::Register { fields: fields(3, Some("广州")) }, h(-5), Some(h(-5)));
    let mut r = reps();
    r.get_mut("a").unwrap().region = Some("华南".into());
    r.get_mut("b").unwrap().region = Some("深圳".into());
    let p = arbitration::propose(&s.case, &s.histories, &r, &Policy::default());
    assert_eq!(owner(&p), "a", "{}", p.explanation_zh);
    assert_eq!(p.decided_by, Some(Criterion::RegionMatch));
    assert!(p.explanation_zh.contains("华南"), "{}", p.explanation_zh);
    assert!(!p.explanation_zh.contains("华南 与客户区域 广州 不一致"), "{}", p.explanation_zh);
}

#[test]
fn region_match_decides_next() {
    let mut s = Setup::new((-5, -4), (-10, -9));
    s.histories.get_mut("la").unwrap()[0] =
        ev("ra", "a", EventKind::Register { fields: fields(3, Some("深圳市")) }, h(-5), Some(h(-5)));
    let mut r = reps();
    r.get_mut("a").unwrap().region = Some("深圳".into());
    r.get_mut("b").unwrap().region = Some("广州".into());
    let p = arbitration::propose(&s.case, &s.histories, &r, &Policy::default());
    assert_eq!(owner(&p), "a");
    assert_eq!(p.decided_by, Some(Criterion::RegionMatch));
    assert!(p.explanation_zh.contains("区域匹配") && p.explanation_zh.contains("深圳"), "{}", p.explanation_zh);

    // When the customer's records disagree on the region, nobody wins by region: b
    // typed its own region into its duplicate.
    s.histories.get_mut("lb").unwrap()[0] =
        ev("rb", "b", EventKind::Register { fields: fields(3, Some("广州")) }, h(-10), Some(h(-10)));
    let p = arbitration::propose(&s.case, &s.histories, &r, &Policy::default());
    assert_eq!(owner(&p), "b", "falls through to the earlier window");
    assert_eq!(p.decided_by, Some(Criterion::EarlierWindow));
    assert!(p.steps.iter().any(|st| st.criterion == Criterion::RegionMatch && st.note_zh.is_some()));
}

#[test]
fn completeness_decides_next() {
    let mut s = Setup::new((-5, -4), (-10, -9));
    s.histories.get_mut("la").unwrap()[0] =
        ev("ra", "a", EventKind::Register { fields: fields(7, None) }, h(-5), Some(h(-5)));
    // b fills in everything after the collision: does not count (measured at the claim).
    s.push("lb", ev("ub", "b", EventKind::Update { fields: fields(8, Some("深圳")) }, h(1), Some(h(1))));
    let p = s.propose(&Policy::default());
    assert_eq!(owner(&p), "a");
    assert_eq!(p.decided_by, Some(Criterion::Completeness));
    let step = p.steps.iter().find(|st| st.criterion == Criterion::Completeness).unwrap();
    let scores: Vec<(String, u32)> = step.findings.iter().map(|f| (f.rep.clone(), f.score)).collect();
    assert_eq!(scores, vec![("a".to_string(), 7), ("b".to_string(), 3)]);
}

#[test]
fn earlier_window_decides_last() {
    let s = Setup::new((-10, -9), (-5, -4));
    let p = s.propose(&Policy::default());
    assert_eq!(owner(&p), "a");
    assert_eq!(p.decided_by, Some(Criterion::EarlierWindow));
    assert_eq!(p.steps.len(), 5);
    assert!(p.steps[..4].iter().all(|st| !st.decided));
    assert!(p.explanation_zh.contains("首次完整报备"), "{}", p.explanation_zh);
    assert!(p.explanation_en.contains("earlier evidence window"), "{}", p.explanation_en);
}

#[test]
fn reordering_criteria_changes_the_winner() {
    // a has a deal; b matches the customer's region and claimed first.
    let mut s = Setup::new((-5, -4), (-10, -9));
    s.histories.get_mut("lb").unwrap()[0] =
        ev("rb", "b", EventKind::Register { fields: fields(3, Some("广州")) }, h(-10), Some(h(-10)));
    s.push("la", followup("da", "a", FollowupKind::Deal, h(-2), Some(h(-2))));
    let mut r = reps();
    r.get_mut("b").unwrap().region = Some("广州".into());
    let p = arbitration::propose(&s.case, &s.histories, &r, &Policy::default());
    assert_eq!(owner(&p), "a");

    let policy = Policy {
        arbitration: vec![Criterion::RegionMatch, Criterion::PastDeal, Criterion::EarlierWindow],
        ..Policy::default()
    };
    let p = arbitration::propose(&s.case, &s.histories, &r, &policy);
    assert_eq!(owner(&p), "b");
    assert_eq!(p.decided_by, Some(Criterion::RegionMatch));

    let policy = Policy { arbitration: vec![Criterion::EarlierWindow, Criterion::PastDeal], ..Policy::default() };
    let p = arbitration::propose(&s.case, &s.histories, &r, &policy);
    assert_eq!(owner(&p), "b");
    assert_eq!(p.decided_by, Some(Criterion::EarlierWindow));
}

#[test]
fn undecided_on_overlapping_windows_with_equal_evidence() {
    let mut s = Setup::new((-10, -2), (-8, -1));
    s.push("la", followup("fa", "a", FollowupKind::Visit, h(-3), Some(h(-10))));
    s.push("lb", followup("fb", "b", FollowupKind::Visit, h(-3), Some(h(-8))));
    let p = s.propose(&Policy::default());
    assert_eq!(p.outcome, ProposedOutcome::Undecided);
    assert_eq!(p.decided_by, None);
    assert!(p.explanation_zh.contains("证据窗口重叠") && p.explanation_zh.contains("请经理裁决"), "{}", p.explanation_zh);
    assert!(p.explanation_zh.contains("李娜") && p.explanation_zh.contains("王强"));
    assert!(p.explanation_en.contains("overlap") && p.explanation_en.contains("manager decides"), "{}", p.explanation_en);

    // An open-ended window (not at the hub yet) is never provably first either.
    let mut s = Setup::new((-10, -9), (-5, -4));
    s.case.claims[0].window.to = None;
    s.case.surfaced_at = None;
    assert_eq!(s.propose(&Policy::default()).outcome, ProposedOutcome::Undecided);
}

#[test]
fn clock_set_30_days_back_cannot_win() {
    // The hub received a's claim at h(0). b's device had synced at h(1) — after that —
    // and then registered and followed up with its clock set 30 days back.
    let back = h(-30 * 24);
    let mut s = Setup::new((-2, 0), (1, 2));
    s.histories.get_mut("lb").unwrap()[0] =
        ev("rb", "b", EventKind::Register { fields: fields(3, None) }, back, Some(h(1)));
    s.case.claims[1].device_time = back;
    s.push("lb", followup("fb", "b", FollowupKind::Visit, back + Duration::hours(1), Some(h(1))));
    s.push("la", followup("fa", "a", FollowupKind::Visit, h(-1), Some(h(-2))));
    let p = s.propose(&Policy::default());
    assert_eq!(owner(&p), "a", "{}", p.explanation_en);
    assert_eq!(p.decided_by, Some(Criterion::EarlierWindow));
    // b's follow-up counts as recent by its hub-clock bound, like a's — not as an old one.
    let recent = p.steps.iter().find(|st| st.criterion == Criterion::RecentFollowup).unwrap();
    assert!(recent.findings.iter().all(|f| f.score == 1));

    // b alone with the back-dated clock: still not "earlier" than a.
    let policy = Policy { arbitration: vec![Criterion::EarlierWindow], ..Policy::default() };
    assert_eq!(owner(&s.propose(&policy)), "a");
}

fn receipts(pairs: &[(&str, DateTime<Utc>)]) -> Receipts {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[test]
fn deal_with_earlier_showing_proposes_60_40() {
    let mut s = Setup::new((-50, -49), (-48, -47));
    s.push("lb", followup("vb", "b", FollowupKind::Visit, h(-40), Some(h(-40))));
    s.push("la", followup("da", "a", FollowupKind::Deal, h(-10), Some(h(-20))));
    let r = receipts(&[("vb", h(-39))]);
    let p = arbitration::propose_with_receipts(&s.case, &s.histories, &r, &reps(), &Policy::default());
    assert_eq!(
        p.outcome,
        ProposedOutcome::Split { shares: vec![Share { rep: "a".into(), pct: 60 }, Share { rep: "b".into(), pct: 40 }] }
    );
    assert_eq!(p.decided_by, Some(Criterion::PastDeal));
    assert!(p.explanation_zh.contains("带看") && p.explanation_zh.contains("40%"), "{}", p.explanation_zh);
    assert!(p.evidence.iter().any(|e| e.event_id == "vb" && e.window.to == Some(h(-39))));

    // Without the receipt the visit is not provably before the deal: a owns it.
    assert_eq!(owner(&s.propose(&Policy::default())), "a");
    // A visit the hub received after the dealer's device last synced proves nothing.
    let late = receipts(&[("vb", h(-19))]);
    let p = arbitration::propose_with_receipts(&s.case, &s.histories, &late, &reps(), &Policy::default());
    assert_eq!(owner(&p), "a");
}

#[test]
fn deal_with_earlier_calls_only_proposes_90_10() {
    let mut s = Setup::new((-50, -49), (-48, -47));
    s.push("lb", followup("cb", "b", FollowupKind::Call, h(-40), Some(h(-40))));
    s.push("la", followup("da", "a", FollowupKind::Deal, h(-10), Some(h(-20))));
    let r = receipts(&[("cb", h(-39))]);
    let p = arbitration::propose_with_receipts(&s.case, &s.histories, &r, &reps(), &Policy::default());
    assert_eq!(
        p.outcome,
        ProposedOutcome::Split { shares: vec![Share { rep: "a".into(), pct: 90 }, Share { rep: "b".into(), pct: 10 }] }
    );
}

#[test]
fn both_deals_split_equally() {
    let mut s = Setup::new((-50, -49), (-48, -47));
    s.push("lb", followup("db", "b", FollowupKind::Deal, h(-40), Some(h(-40))));
    s.push("la", followup("da", "a", FollowupKind::Deal, h(-10), Some(h(-20))));
    let p = s.propose(&Policy::default());
    assert_eq!(
        p.outcome,
        ProposedOutcome::Split { shares: vec![Share { rep: "a".into(), pct: 50 }, Share { rep: "b".into(), pct: 50 }] }
    );
    assert!(p.explanation_en.contains("50%"), "{}", p.explanation_en);
}

#[test]
fn policy_validates_criteria_and_old_documents_parse() {
    let mut p = Policy::default();
    assert_eq!(p.arbitration, arbitration::default_criteria());
    p.validate().unwrap();
    p.arbitration = vec![];
    assert!(p.validate().is_err());
    p.arbitration = vec![Criterion::PastDeal, Criterion::PastDeal];
    assert!(p.validate().is_err());
    p.arbitration = vec![Criterion::EarlierWindow];
    p.validate().unwrap();
    // A directory document written before the field existed.
    let mut old = serde_json::to_value(Policy::default()).unwrap();
    old.as_object_mut().unwrap().remove("arbitration");
    let parsed: Policy = serde_json::from_value(old).unwrap();
    assert_eq!(parsed, Policy::default());
    let json = serde_json::to_value(vec![Criterion::RecentFollowup, Criterion::EarlierWindow]).unwrap();
    assert_eq!(json, serde_json::json!(["recent_followup", "earlier_window"]));
}

fn effort_policy() -> Policy {
    Policy { arbitration: vec![Criterion::PastDeal, Criterion::RecentFollowup, Criterion::Effort, Criterion::EarlierWindow], ..Policy::default() }
}

#[test]
fn effort_a_visit_outweighs_two_calls() {
    // Both followed up within 7 days (a tie there); b claimed first. a visited once,
    // b called twice: the more substantial effort wins.
    let mut s = Setup::new((-5, -4), (-10, -9));
    s.push("la", followup("va", "a", FollowupKind::Visit, h(-20), Some(h(-20))));
    s.push("lb", followup("c1", "b", FollowupKind::Call, h(-30), Some(h(-30))));
    s.push("lb", followup("c2", "b", FollowupKind::Call, h(-20), Some(h(-20))));
    let p = s.propose(&effort_policy());
    assert_eq!(owner(&p), "a");
    assert_eq!(p.decided_by, Some(Criterion::Effort));
    let step = p.steps.iter().find(|st| st.criterion == Criterion::Effort).unwrap();
    let score = |r: &str| step.findings.iter().find(|f| f.rep == r).unwrap().score;
    assert_eq!((score("a"), score("b")), (3, 2));
    assert!(p.evidence.iter().any(|e| e.event_id == "va" && e.criterion == Criterion::Effort));
    assert!(p.explanation_zh.contains("跟进投入"), "{}", p.explanation_zh);
    // Without the criterion the first claim decides: effort is what changed it.
    assert_eq!(owner(&s.propose(&Policy { arbitration: vec![Criterion::PastDeal, Criterion::RecentFollowup, Criterion::EarlierWindow], ..Policy::default() })), "b");
}

#[test]
fn effort_counts_only_the_protection_period_before_the_case() {
    // T = h(-4); protection 72 h: a's three visits a week earlier do not count.
    let mut s = Setup::new((-5, -4), (-10, -9));
    for (i, at) in [-150, -140, -130].into_iter().enumerate() {
        s.push("la", followup(&format!("old{i}"), "a", FollowupKind::Visit, h(at), Some(h(at))));
    }
    s.push("la", followup("ca", "a", FollowupKind::Call, h(-20), Some(h(-20))));
    s.push("lb", followup("c1", "b", FollowupKind::Call, h(-30), Some(h(-30))));
    s.push("lb", followup("c2", "b", FollowupKind::Call, h(-20), Some(h(-20))));
    let p = s.propose(&effort_policy());
    assert_eq!(owner(&p), "b");
    assert_eq!(p.decided_by, Some(Criterion::Effort));
}

#[test]
fn effort_a_front_desk_visit_counts_as_its_inviters_store_visit() {
    let mut s = Setup::new((-5, -4), (-10, -9));
    let visit = EventKind::Visit { time_in: h(-12), time_out: None, inviter: Some("a".into()), first_visit: true, note: None };
    s.push("la", ev("fv", "desk", visit, h(-12), Some(h(-12))));
    s.push("lb", followup("c1", "b", FollowupKind::Call, h(-30), Some(h(-30))));
    s.push("lb", followup("c2", "b", FollowupKind::Call, h(-20), Some(h(-20))));
    let p = s.propose(&effort_policy());
    assert_eq!(owner(&p), "a", "{}", p.explanation_en);
    assert!(p.evidence.iter().any(|e| e.event_id == "fv" && e.kind == "store_visit" && e.rep == "a"));
}

// ---- property: deterministic, order-invariant, splits total 100 ----

#[derive(Debug, Clone)]
struct RepGen {
    window: (i64, i64),
    fields: usize,
    region: bool,
    touches: Vec<(u8, i64, Option<i64>)>,
}

fn rep_gen() -> impl Strategy<Value = RepGen> {
    (
        (-300i64..0, 0i64..100),
        3usize..9,
        any::<bool>(),
        prop::collection::vec((0u8..6, -500i64..50, prop::option::of(-400i64..50)), 0..4),
    )
        .prop_map(|((from, len), fields, region, touches)| RepGen { window: (from, from + len), fields, region, touches })
}

fn build(gens: &[RepGen], with_receipts: bool) -> (CollisionCase, BTreeMap<String, Vec<Event>>, Receipts, BTreeMap<String, Rep>) {
    let kinds = [
        FollowupKind::Call,
        FollowupKind::Visit,
        FollowupKind::Sample,
        FollowupKind::Quote,
        FollowupKind::StoreVisit,
        FollowupKind::Deal,
    ];
    let mut histories = BTreeMap::new();
    let mut claims = Vec::new();
    let mut rec = Receipts::new();
    let mut reps = BTreeMap::new();
    for (i, g) in gens.iter().enumerate() {
        let (r, lead) = (format!("r{i}"), format!("l{i}"));
        let region = g.region.then_some("深圳");
        let mut hist = vec![ev(&format!("reg{i}"), &r, EventKind::Register { fields: fields(g.fields, region) }, h(g.window.0), Some(h(g.window.0)))];
        for (j, (k, dt, after)) in g.touches.iter().enumerate() {
            let id = format!("f{i}-{j}");
            hist.push(followup(&id, &r, kinds[*k as usize], h(*dt), after.map(h)));
            if with_receipts {
                if let Some(a) = after {
                    rec.insert(id, h(a + 1));
                }
            }
        }
        claims.push(claim(&format!("reg{i}"), &lead, &r, h(g.window.0), Some(h(g.window.0)), Some(h(g.window.1))));
        histories.insert(lead, hist);
        reps.insert(r.clone(), rep(&r, &format!("销售{i}"), if i % 2 == 0 { Some("深圳") } else { None }));
    }
    let case = CollisionCase {
        id: "c".into(),
        kind: CaseKind::DuplicateLeads,
        branch: "b1".into(),
        lead_ids: histories.keys().cloned().collect(),
        reps: reps.keys().cloned().collect(),
        surfaced_at: claims.iter().filter_map(|c| c.window.to).max(),
        claims,
        duplicates: vec![],
        relations: vec![],
    };
    (case, histories, rec, reps)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn propose_is_deterministic_and_order_invariant(
        gens in prop::collection::vec(rep_gen(), 2..4),
        with_receipts in any::<bool>(),
        rotate in 0usize..4,
        order in prop::sample::subsequence(Criterion::ALL.to_vec(), 1..=5),
    ) {
        let policy = Policy { arbitration: order, ..Policy::default() };
        let (case, histories, rec, reps) = build(&gens, with_receipts);
        let p1 = arbitration::propose_with_receipts(&case, &histories, &rec, &reps, &policy);
        let p2 = arbitration::propose_with_receipts(&case, &histories, &rec, &reps, &policy);
        prop_assert_eq!(&p1, &p2);

        // Claims in another order; the history and rep maps built in reverse.
        let mut shuffled = case.clone();
        shuffled.claims.reverse();
        let n = shuffled.claims.len();
        shuffled.claims.rotate_left(rotate % n);
        let histories2: BTreeMap<String, Vec<Event>> = histories.clone().into_iter().rev().collect();
        let reps2: BTreeMap<String, Rep> = reps.clone().into_iter().rev().collect();
        let p3 = arbitration::propose_with_receipts(&shuffled, &histories2, &rec, &reps2, &policy);
        prop_assert_eq!(&p1, &p3);

        match &p1.outcome {
            ProposedOutcome::Split { shares } => {
                prop_assert_eq!(shares.iter().map(|s| u32::from(s.pct)).sum::<u32>(), 100);
                prop_assert!(shares.iter().all(|s| (1..=99).contains(&s.pct)));
                prop_assert_eq!(p1.decided_by, Some(Criterion::PastDeal));
            }
            ProposedOutcome::Owner { rep } => {
                prop_assert!(case.reps.contains(rep));
                prop_assert!(p1.decided_by.is_some());
            }
            ProposedOutcome::Undecided => prop_assert!(p1.explanation_zh.contains("请经理裁决")),
        }
        prop_assert!(!p1.explanation_zh.is_empty() && !p1.explanation_en.is_empty());
    }
}

