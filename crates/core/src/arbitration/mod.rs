//! Arbitration (冲突仲裁): the system *proposes* an outcome for a collision case by an
//! ordered, configurable list of criteria (docs/RULES.md rule 7); a manager
//! *decides* (`collisions::decide`).
//!
//! [`propose`] is a pure function of the case, its leads' histories, the reps and the
//! branch policy: every replica holding the same data proposes the same thing. It has
//! no `now`: times are measured against the case's **reference time** `T` — the case's
//! `surfaced_at` (when the hub first held every colliding claim), else the latest
//! hub-clock bound among its claim windows.
//!
//! Evidence timing (docs/RULES.md, time and trust: a device clock is shown, never decisive):
//!
//! - **Claims** are ordered by their hub-clock windows from the case
//!   (`[last sync before, hub receipt]`): a claim is *earlier* only when the hub had it
//!   before the other claim's device last synced ([`Window::before`]).
//! - **Follow-ups** (the 7-day rule) use the event's `after` — the writing device's last
//!   successful sync before it, a hub-clock time — as the provable lower bound. A
//!   follow-up counts as "in the last 7 days" when `T − 7 d ≤ after ≤ T`: it provably
//!   happened no earlier than 7 days before `T`, and its device had not synced past `T`
//!   (a device that synced after the case surfaced could know of it). A follow-up with
//!   no `after` (the device never synced) proves nothing and does not count.
//! - **Split evidence** needs order against the deal: a follow-up counts as *before the
//!   deal* only when its window `[after, hub receipt]` is [`Window::before`] the deal's.
//!   Receipts are not part of an event, so they are passed in
//!   ([`propose_with_receipts`]); without them no split on this ground is proposed.
//!
//! Criteria, each keeping the best of the reps still in the running:
//!
//! 1. [`Criterion::PastDeal`] (历史成交): a rep with a signed deal on the customer wins;
//!    every deal event recorded by the rep counts, also one that took no effect when the
//!    merged history was replayed (it is evidence of a real deal).
//! 2. [`Criterion::RecentFollowup`] (近7天互动): a rep with a follow-up provably in the 7
//!    days before `T` (any kind: "有沟通者优先").
//! 3. [`Criterion::RegionMatch`] (区域匹配): the rep's region covers the customer's
//!    (the same place or one containing it: a rep of 华南 matches a customer in 广州). The
//!    customer's region is the region field of the case's leads; when those leads
//!    disagree nobody matches (a rep cannot win by typing their own region into their
//!    duplicate).
//! 4. [`Criterion::Completeness`] (资料完整度): how many fields (company, contact, phone,
//!    email, region, industry, size, need) the claimed record had *at the claim*;
//!    later edits (e.g. after the collision surfaced) do not count.
//! 5. [`Criterion::EarlierWindow`] (首次完整报备): the rep one of whose claims the hub
//!    provably had before every claim of the others. Overlapping windows: undecided.
//!
//! Splits (rule 8, 撞单处理): proposed only when [`Criterion::PastDeal`] decides and
//! the case has exactly two reps in the running:
//!
//! - both reps have deals → 50/50 (002 (3): both showed and closed);
//! - one has the deal, the other provably before that deal recorded a visit or store
//!   visit (带看) → 60/40 (002 (2));
//! - one has the deal, the other provably before it only calls, samples or quotes
//!   (通话清单, no showing) → 90/10 (002 (1));
//! - otherwise the dealer owns it. More than two reps with deals share equally.

mod explain;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::collisions::model::{CaseClaim, CollisionCase, Window};
pub use crate::policy::{default_criteria, Criterion};
use crate::model::{Event, EventKind, Field, FollowupKind, LeadFields, Rep, Share};
use crate::policy::Policy;

/// How far back a follow-up counts as recent interaction (rule 7: 近7天).
pub const RECENT_DAYS: i64 = 7;

/// What the system proposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProposedOutcome {
    Owner { rep: String },
    /// Commission shares, largest first; they total 100.
    Split { shares: Vec<Share> },
    /// The criteria cannot tell the reps apart: the manager decides.
    Undecided,
}

/// What one rep had under one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RepFinding {
    pub rep: String,
    /// The criterion's measure (0/1, or a count of fields); higher is better.
    pub score: u32,
    /// Still in the running after this criterion.
    pub kept: bool,
    pub detail_zh: String,
    pub detail_en: String,
}

/// One criterion applied to the reps still in the running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CriterionStep {
    pub criterion: Criterion,
    pub findings: Vec<RepFinding>,
    /// It narrowed the reps in the running.
    pub decided: bool,
    /// Something about the criterion as a whole (e.g. the leads disagree on region).
    pub note_zh: Option<String>,
    pub note_en: Option<String>,
}

/// An event used as evidence, with the hub-clock window it was judged by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EvidenceItem {
    pub event_id: String,
    pub lead_id: String,
    pub rep: String,
    /// `register`, `complete`, `claim`, or the follow-up kind (`deal`, `visit`, …).
    pub kind: String,
    pub criterion: Criterion,
    pub window: Window,
}

/// The system's proposal for a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Proposal {
    pub outcome: ProposedOutcome,
    /// The criterion that settled it (`None` when undecided).
    pub decided_by: Option<Criterion>,
    /// The time recency was measured against (hub clock).
    pub reference_time: Option<DateTime<Utc>>,
    pub steps: Vec<CriterionStep>,
    pub evidence: Vec<EvidenceItem>,
    pub explanation_zh: String,
    pub explanation_en: String,
}

/// Hub receipts of events, by event id (from `event_changes` ⋈ `changes`).
pub type Receipts = BTreeMap<String, DateTime<Utc>>;

/// Proposes an outcome for `case` (see the module docs). Without receipts, follow-ups
/// are never ordered against a deal, so no split on the 10/90 or 40/60 grounds.
pub fn propose(
    case: &CollisionCase,
    histories: &BTreeMap<String, Vec<Event>>,
    reps: &BTreeMap<String, Rep>,
    policy: &Policy,
) -> Proposal {
    propose_with_receipts(case, histories, &Receipts::new(), reps, policy)
}

/// [`propose`], with the hub receipts of follow-ups so they can be ordered.
pub fn propose_with_receipts(
    case: &CollisionCase,
    histories: &BTreeMap<String, Vec<Event>>,
    receipts: &Receipts,
    reps: &BTreeMap<String, Rep>,
    policy: &Policy,
) -> Proposal {
    let t = reference_time(case);
    let candidates: Vec<String> = case.reps.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    let facts: BTreeMap<String, Facts> =
        candidates.iter().map(|r| (r.clone(), Facts::gather(r, case, histories, receipts, t, policy.protection_hours))).collect();
    let customer_region = customer_region(case, histories);

    let mut remaining = candidates.clone();
    let mut steps = Vec::new();
    let mut evidence = Vec::new();
    let mut decided_by = None;
    let mut outcome = ProposedOutcome::Undecided;
    let mut seen = BTreeSet::new();
    for &criterion in &policy.arbitration {
        if remaining.len() <= 1 || !seen.insert(criterion) {
            continue;
        }
        let eval = evaluate(criterion, &remaining, &facts, &customer_region, reps);
        let best = eval.scores.values().copied().max().unwrap_or(0);
        let kept: Vec<String> = remaining.iter().filter(|r| eval.scores[*r] == best).cloned().collect();
        let decided = kept.len() < remaining.len();
        let findings = remaining
            .iter()
            .map(|r| {
                let (zh, en) = eval.details[r].clone();
                RepFinding { rep: r.clone(), score: eval.scores[r], kept: kept.contains(r), detail_zh: zh, detail_en: en }
            })
            .collect();
        steps.push(CriterionStep { criterion, findings, decided, note_zh: eval.note.0, note_en: eval.note.1 });
        evidence.extend(eval.evidence);
        // Seed 002 (3): every rep still in the running closed a deal → equal shares.
        if criterion == Criterion::PastDeal && best > 0 && kept.len() >= 2 {
            if let Some(shares) = equal_shares(&kept) {
                outcome = ProposedOutcome::Split { shares };
                decided_by = Some(criterion);
                remaining = kept;
                break;
            }
        }
        remaining = kept;
        if remaining.len() == 1 {
            decided_by = Some(criterion);
            outcome = ProposedOutcome::Owner { rep: remaining[0].clone() };
            if criterion == Criterion::PastDeal && candidates.len() == 2 {
                let loser = candidates.iter().find(|r| **r != remaining[0]).expect("two candidates");
                if let Some(split) = deal_split(&facts[&remaining[0]], &facts[loser], &mut evidence) {
                    outcome = split;
                }
            }
            break;
        }
    }
    if candidates.len() == 1 {
        outcome = ProposedOutcome::Owner { rep: candidates[0].clone() };
    }
    evidence.sort_by(|a, b| {
        (rank(a.criterion), &a.rep, &a.event_id, &a.kind).cmp(&(rank(b.criterion), &b.rep, &b.event_id, &b.kind))
    });
    evidence.dedup();
    let (explanation_zh, explanation_en) = explain::explain(&outcome, decided_by, &steps, &remaining, reps);
    Proposal { outcome, decided_by, reference_time: t, steps, evidence, explanation_zh, explanation_en }
}

fn rank(c: Criterion) -> usize {
    Criterion::ALL.iter().position(|x| *x == c).unwrap_or(usize::MAX)
}

/// The case's clock: `surfaced_at`, else the latest hub time among its claim windows.
pub fn reference_time(case: &CollisionCase) -> Option<DateTime<Utc>> {
    case.surfaced_at.or_else(|| case.claims.iter().flat_map(|c| [c.window.from, c.window.to]).flatten().max())
}

/// A follow-up (or deal) of one rep on one of the case's leads.
#[derive(Debug, Clone)]
struct Touch {
    event_id: String,
    lead_id: String,
    kind: FollowupKind,
    window: Window,
}

/// Everything about one rep the criteria look at.
#[derive(Debug, Clone, Default)]
struct Facts {
    rep: String,
    deals: Vec<Touch>,
    /// Follow-ups (deals included) provably within the 7 days before `T`.
    recent: Vec<Touch>,
    /// Every follow-up that is not a deal.
    followups: Vec<Touch>,
    /// Follow-ups provably within the protection period before `T` (effort).
    effort: Vec<Touch>,
    /// The rep's claims in the case, sorted by event id.
    claims: Vec<CaseClaim>,
    /// Best completeness among the rep's claims, and that claim.
    completeness: u32,
    complete_claim: Option<CaseClaim>,
}

impl Facts {
    fn gather(
        rep: &str,
        case: &CollisionCase,
        histories: &BTreeMap<String, Vec<Event>>,
        receipts: &Receipts,
        t: Option<DateTime<Utc>>,
        protection_hours: u32,
    ) -> Facts {
        let mut f = Facts { rep: rep.to_string(), ..Facts::default() };
        let mut ids = BTreeSet::new();
        for lead in &case.lead_ids {
            for e in histories.get(lead).map(Vec::as_slice).unwrap_or_default() {
                // A front-desk visit (前台接待) is its inviter's store visit.
                let (by, followup) = match &e.kind {
                    EventKind::Followup { followup, .. } => (e.rep.as_str(), followup),
                    EventKind::Visit { inviter: Some(i), .. } => (i.as_str(), &FollowupKind::StoreVisit),
                    _ => continue,
                };
                if by != rep || !ids.insert(e.id.clone()) {
                    continue;
                }
                let touch = Touch {
                    event_id: e.id.clone(),
                    lead_id: lead.clone(),
                    kind: *followup,
                    window: Window { from: e.after, to: receipts.get(&e.id).copied() },
                };
                if is_recent(e.after, t) {
                    f.recent.push(touch.clone());
                }
                if effort_weight(*followup) > 0 && within(e.after, t, Duration::hours(i64::from(protection_hours))) {
                    f.effort.push(touch.clone());
                }
                if *followup == FollowupKind::Deal {
                    f.deals.push(touch);
                } else {
                    f.followups.push(touch);
                }
            }
        }
        for v in [&mut f.deals, &mut f.recent, &mut f.followups, &mut f.effort] {
            v.sort_by(|a, b| a.event_id.cmp(&b.event_id));
        }
        f.claims = case.claims.iter().filter(|c| c.rep == rep).cloned().collect();
        f.claims.sort_by(|a, b| (&a.event_id, &a.lead_id).cmp(&(&b.event_id, &b.lead_id)));
        f.claims.dedup_by(|a, b| a.event_id == b.event_id);
        for c in &f.claims {
            let n = histories.get(&c.lead_id).map(|h| completeness_at(h, &c.event_id)).unwrap_or(0);
            if f.complete_claim.is_none() || n > f.completeness {
                f.completeness = n;
                f.complete_claim = Some(c.clone());
            }
        }
        f
    }
}

/// Provably within the `RECENT_DAYS` before `t`: `t − 7 d ≤ after ≤ t`.
fn is_recent(after: Option<DateTime<Utc>>, t: Option<DateTime<Utc>>) -> bool {
    within(after, t, Duration::days(RECENT_DAYS))
}

/// Provably within `span` before `t`: `t − span ≤ after ≤ t`.
fn within(after: Option<DateTime<Utc>>, t: Option<DateTime<Utc>>, span: Duration) -> bool {
    match (after, t) {
        (Some(a), Some(t)) => a >= t - span && a <= t,
        _ => false,
    }
}

/// How much a follow-up weighs as effort (跟进投入): showing the customer or making
/// an offer outweighs a call; deals and refunds are judged by the deal criterion.
pub fn effort_weight(k: FollowupKind) -> u32 {
    match k {
        FollowupKind::Visit | FollowupKind::StoreVisit | FollowupKind::Quote | FollowupKind::Sample => 3,
        FollowupKind::Call => 1,
        FollowupKind::Deal | FollowupKind::DepositRefund => 0,
    }
}

/// How many fields the lead had when the claim `event_id` was written: the claim's own
/// registration, or the first registration plus the edits up to and including it.
fn completeness_at(history: &[Event], event_id: &str) -> u32 {
    let Some(idx) = history.iter().position(|e| e.id == event_id) else { return 0 };
    let fields = match &history[idx].kind {
        EventKind::Register { fields } => fields.clone(),
        _ => {
            let mut acc = LeadFields::default();
            let mut registered = false;
            for e in &history[..=idx] {
                match &e.kind {
                    EventKind::Register { fields } if !registered => {
                        registered = true;
                        acc.apply(fields);
                    }
                    EventKind::Update { fields } => acc.apply(fields),
                    _ => {}
                }
            }
            acc
        }
    };
    // Free-text notes say nothing about how well the customer was identified.
    Field::ALL.iter().filter(|f| **f != Field::Notes && fields.get(**f).is_some()).count() as u32
}

/// Lower-cased, trimmed, without an administrative suffix (省, 市, 区, 地区, 大区).
pub fn normalize_region(s: &str) -> String {
    crate::regions::normalize(s)
}

/// Whether a rep's region covers the customer's region: equal, a place containing it
/// (华南 ⊃ 广东 ⊃ 广州, [`crate::regions`]), or a prefix such as 上海 for 上海浦东.
pub fn region_matches(rep_region: &str, customer_region: &str) -> bool {
    crate::regions::covers(rep_region, customer_region)
}

/// The customer's region(s): the region field of each of the case's leads, as its
/// history has it now (normalised, distinct).
fn customer_region(case: &CollisionCase, histories: &BTreeMap<String, Vec<Event>>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for lead in &case.lead_ids {
        let mut fields = LeadFields::default();
        let mut registered = false;
        for e in histories.get(lead).map(Vec::as_slice).unwrap_or_default() {
            match &e.kind {
                EventKind::Register { fields: f } if !registered => {
                    registered = true;
                    fields.apply(f);
                }
                EventKind::Update { fields: f } => fields.apply(f),
                _ => {}
            }
        }
        if let Some(r) = fields.get(Field::Region) {
            out.insert(r.to_string());
        }
    }
    let normalized: BTreeSet<String> = out.iter().map(|r| normalize_region(r)).collect();
    if normalized.len() > 1 {
        out
    } else {
        out.into_iter().take(1).collect()
    }
}

struct Evaluation {
    scores: BTreeMap<String, u32>,
    details: BTreeMap<String, (String, String)>,
    note: (Option<String>, Option<String>),
    evidence: Vec<EvidenceItem>,
}

fn evaluate(
    criterion: Criterion,
    remaining: &[String],
    facts: &BTreeMap<String, Facts>,
    customer_region: &BTreeSet<String>,
    reps: &BTreeMap<String, Rep>,
) -> Evaluation {
    let mut ev = Evaluation { scores: BTreeMap::new(), details: BTreeMap::new(), note: (None, None), evidence: Vec::new() };
    let touch_item = |rep: &str, t: &Touch| EvidenceItem {
        event_id: t.event_id.clone(),
        lead_id: t.lead_id.clone(),
        rep: rep.to_string(),
        kind: followup_name(t.kind).to_string(),
        criterion,
        window: t.window,
    };
    let claim_item = |c: &CaseClaim| EvidenceItem {
        event_id: c.event_id.clone(),
        lead_id: c.lead_id.clone(),
        rep: c.rep.clone(),
        kind: claim_kind_name(c),
        criterion,
        window: c.window,
    };
    if criterion == Criterion::RegionMatch && customer_region.len() > 1 {
        let list = customer_region.iter().cloned().collect::<Vec<_>>().join("、");
        ev.note = (
            Some(format!("客户的各条记录区域不一致（{list}），区域匹配不作判定")),
            Some(format!("the customer's records disagree on the region ({list}); region match does not count")),
        );
    }
    for rep in remaining {
        let f = &facts[rep];
        let (score, zh, en) = match criterion {
            Criterion::PastDeal => {
                ev.evidence.extend(f.deals.iter().map(|t| touch_item(rep, t)));
                let n = f.deals.len();
                if n > 0 {
                    (1, format!("有成交记录（{n} 条）"), format!("has a signed deal ({n} record(s))"))
                } else {
                    (0, "无成交记录".to_string(), "no deal".to_string())
                }
            }
            Criterion::RecentFollowup => {
                ev.evidence.extend(f.recent.iter().map(|t| touch_item(rep, t)));
                let n = f.recent.len();
                if n > 0 {
                    (1, format!("近7天内有跟进（{n} 条，以同步时间为证）"), format!("{n} follow-up(s) provably within the last 7 days (by hub sync time)"))
                } else {
                    (0, "近7天内无可证明的跟进".to_string(), "no follow-up provably within the last 7 days".to_string())
                }
            }
            Criterion::Effort => {
                ev.evidence.extend(f.effort.iter().map(|t| touch_item(rep, t)));
                let weight: u32 = f.effort.iter().map(|t| effort_weight(t.kind)).sum();
                let n = f.effort.len();
                (
                    weight,
                    format!("保护期内跟进 {n} 条，投入分 {weight}（拜访、到店、报价、样品各 3 分，电话 1 分）"),
                    format!("{n} follow-up(s) within the protection period, effort {weight} (visit, store visit, quote, sample 3 each; call 1)"),
                )
            }
            Criterion::RegionMatch => {
                let rep_region = reps.get(rep).and_then(|r| r.region.clone()).unwrap_or_default();
                let customer = customer_region.iter().next().filter(|_| customer_region.len() == 1);
                let m = customer.is_some_and(|c| region_matches(&rep_region, c));
                let shown_zh = if rep_region.trim().is_empty() { "未设置".to_string() } else { rep_region.clone() };
                let shown_en = if rep_region.trim().is_empty() { "not set".to_string() } else { rep_region.clone() };
                match (customer, m) {
                    (Some(c), true) => (1, format!("所属区域 {shown_zh} 与客户区域 {c} 一致"), format!("region {shown_en} matches the customer's region {c}")),
                    (Some(c), false) => (0, format!("所属区域 {shown_zh} 与客户区域 {c} 不一致"), format!("region {shown_en} does not match the customer's region {c}")),
                    (None, _) => (0, format!("所属区域 {shown_zh}（客户区域不明）"), format!("region {shown_en} (customer's region unknown)")),
                }
            }
            Criterion::Completeness => {
                ev.evidence.extend(f.complete_claim.iter().map(claim_item));
                let n = f.completeness;
                (n, format!("报备时填写了 {n}/8 项信息"), format!("{n} of 8 fields filled in at the claim"))
            }
            Criterion::EarlierWindow => {
                let others: Vec<&CaseClaim> = remaining
                    .iter()
                    .filter(|r| *r != rep)
                    .flat_map(|r| facts[r].claims.iter())
                    .collect();
                let first = f.claims.iter().find(|c| others.iter().all(|d| c.window.before(&d.window)));
                ev.evidence.extend(f.claims.iter().map(claim_item));
                let shown = f.claims.iter().map(|c| window_text(&c.window)).collect::<Vec<_>>().join("; ");
                match first {
                    Some(c) if !others.is_empty() => (
                        1,
                        format!("的报备证据窗口 {} 早于其他人的所有报备（以服务器时间为准）", window_text(&c.window)),
                        format!("claim window {} is provably before every other claim (hub clock)", window_text(&c.window)),
                    ),
                    _ => (0, format!("的报备证据窗口 {shown}"), format!("claim window(s) {shown}")),
                }
            }
        };
        ev.scores.insert(rep.clone(), score);
        ev.details.insert(rep.clone(), (zh, en));
    }
    ev
}

fn window_text(w: &Window) -> String {
    let t = |x: Option<DateTime<Utc>>, open: &str| {
        x.map(|x| x.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_else(|| open.to_string())
    };
    format!("[{} – {}]", t(w.from, "…"), t(w.to, "…"))
}

fn followup_name(k: FollowupKind) -> &'static str {
    match k {
        FollowupKind::Call => "call",
        FollowupKind::Visit => "visit",
        FollowupKind::Sample => "sample",
        FollowupKind::Quote => "quote",
        FollowupKind::StoreVisit => "store_visit",
        FollowupKind::Deal => "deal",
        FollowupKind::DepositRefund => "deposit_refund",
    }
}

fn claim_kind_name(c: &CaseClaim) -> String {
    serde_json::to_value(c.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// Equal shares, the remainder to the first reps (sorted), or `None` past 100 reps.
fn equal_shares(reps: &[String]) -> Option<Vec<Share>> {
    let n = reps.len();
    if !(2..=100).contains(&n) {
        return None;
    }
    let base = 100 / n;
    let extra = 100 % n;
    Some(reps.iter().enumerate().map(|(i, r)| Share { rep: r.clone(), pct: (base + usize::from(i < extra)) as u8 }).collect())
}

/// Seed 002 (1)/(2): the dealer and a rep who provably worked the customer before the
/// deal share the commission.
fn deal_split(winner: &Facts, loser: &Facts, evidence: &mut Vec<EvidenceItem>) -> Option<ProposedOutcome> {
    let before_deal: Vec<&Touch> = loser
        .followups
        .iter()
        .filter(|t| winner.deals.iter().all(|d| t.window.before(&d.window)))
        .collect();
    if before_deal.is_empty() {
        return None;
    }
    let showed = before_deal.iter().any(|t| matches!(t.kind, FollowupKind::Visit | FollowupKind::StoreVisit));
    let loser_pct = if showed { 40 } else { 10 };
    evidence.extend(before_deal.iter().map(|t| EvidenceItem {
        event_id: t.event_id.clone(),
        lead_id: t.lead_id.clone(),
        rep: loser.rep.clone(),
        kind: followup_name(t.kind).to_string(),
        criterion: Criterion::PastDeal,
        window: t.window,
    }));
    Some(ProposedOutcome::Split {
        shares: vec![
            Share { rep: winner.rep.clone(), pct: 100 - loser_pct },
            Share { rep: loser.rep.clone(), pct: loser_pct },
        ],
    })
}
