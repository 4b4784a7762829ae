//! Where a case stands: decisions, conflicts between decisions, appeals and their
//! deadlines (docs/RULES.md rules 8 and 9, time and trust "decisions are replicated data").
//!
//! Decisions and appeals are events in the histories of the case's leads, so they
//! replicate like everything else and a manager can decide offline. The state is
//! derived, never stored:
//!
//! - **open**: no standing decision;
//! - **decided**: the standing decisions agree (two managers deciding the same way
//!   agree);
//! - **conflict**: standing decisions differ — two managers decided offline; both are
//!   shown, neither silently wins; a new decision superseding them settles it;
//! - **reopened**: a claim the deciding manager did not see has since arrived.
//!
//! A decision *stands* unless a later decision supersedes it (undo, an appeal
//! answered) or the same manager decided the case again later. Times: a decision or appeal counts from the hub's receipt of it when
//! known, else from the writing device's clock (an appeal then shows as due from the
//! moment it was written; the receipt takes over after sync).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::collisions::model::CollisionCase;
use crate::model::{Event, EventKind, Outcome};
use crate::policy::Policy;
use crate::status::LeadState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Open,
    Decided,
    Conflict,
    Reopened,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DecisionView {
    pub decision: String,
    pub outcome: Outcome,
    pub reason: String,
    pub by: String,
    pub device_time: DateTime<Utc>,
    /// Hub receipt, once synced.
    pub received_at: Option<DateTime<Utc>>,
    pub supersedes: Option<String>,
    /// A later decision replaced this one.
    pub superseded: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct AppealView {
    pub appeal: String,
    pub decision: String,
    pub by: String,
    pub note: String,
    pub device_time: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
    /// Turnaround target (policy `appeal_sla_hours` after the appeal).
    pub due_at: DateTime<Utc>,
    /// A later decision replaced the appealed one.
    pub answered: bool,
    pub overdue: bool,
    /// Provably made after the appeal window closed (its device had synced past the
    /// deadline before writing it).
    pub late: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Resolution {
    pub state: CaseState,
    /// Every decision on the case, by device time (then id): the same order everywhere.
    pub decisions: Vec<DecisionView>,
    pub appeals: Vec<AppealView>,
    /// The case's turnaround target: `surfaced_at` + `appeal_sla_hours`.
    pub due_at: Option<DateTime<Utc>>,
    /// Not settled (open, conflict, reopened) past its target.
    pub overdue: bool,
    /// Appeals are accepted until then (none once a deal is signed).
    pub appeal_until: Option<DateTime<Utc>>,
    pub appealable: bool,
}

/// When an event counts: its hub receipt if known, else its device clock.
pub type ReceiptOf<'a> = dyn Fn(&Event) -> Option<DateTime<Utc>> + 'a;

/// Derives the resolution of `case` from its leads' histories at `now`.
/// `deal_signed`: whether a lead of the case is bound by a deal.
pub fn resolve(
    case: &CollisionCase,
    histories: &BTreeMap<String, Vec<Event>>,
    receipt: &ReceiptOf<'_>,
    policy: &Policy,
    deal_signed: bool,
    now: DateTime<Utc>,
) -> Resolution {
    let mut decisions: Vec<DecisionView> = Vec::new();
    let mut covers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut appeals: Vec<(AppealView, Option<DateTime<Utc>>)> = Vec::new();
    let mut seen = BTreeSet::new();
    for events in histories.values() {
        for e in events {
            match &e.kind {
                EventKind::Decide { case_id, decision, outcome, reason, covers: c, supersedes, .. }
                    if *case_id == case.id && seen.insert(decision.clone()) =>
                {
                    covers.insert(decision.clone(), c.iter().cloned().collect());
                    decisions.push(DecisionView {
                        decision: decision.clone(),
                        outcome: outcome.clone(),
                        reason: reason.clone(),
                        by: e.rep.clone(),
                        device_time: e.device_time,
                        received_at: receipt(e),
                        supersedes: supersedes.clone(),
                        superseded: false,
                    });
                }
                // Only a rep the case names may appeal (the writing device checks it; a
                // patched one is ignored here, the same way on every replica).
                EventKind::Appeal { case_id, appeal, decision, note, .. }
                    if *case_id == case.id && case.reps.contains(&e.rep) && seen.insert(appeal.clone()) =>
                {
                    let at = receipt(e).unwrap_or(e.device_time);
                    appeals.push((
                        AppealView {
                            appeal: appeal.clone(),
                            decision: decision.clone(),
                            by: e.rep.clone(),
                            note: note.clone(),
                            device_time: e.device_time,
                            received_at: receipt(e),
                            due_at: at + Duration::hours(i64::from(policy.appeal_sla_hours)),
                            answered: false,
                            overdue: false,
                            late: false,
                        },
                        e.after,
                    ));
                }
                _ => {}
            }
        }
    }
    // One order on every replica, whatever order the events were found in.
    decisions.sort_by(|a, b| (a.device_time, &a.decision).cmp(&(b.device_time, &b.decision)));
    appeals.sort_by(|(a, _), (b, _)| (a.device_time, &a.appeal).cmp(&(b.device_time, &b.appeal)));
    let mut replaced: BTreeSet<String> = decisions.iter().filter_map(|d| d.supersedes.clone()).collect();
    // A manager who decides again has seen their own earlier decision: the later one
    // replaces it (a manager never conflicts with themselves). Only decisions of
    // different managers can conflict.
    let latest_by: BTreeMap<String, String> = decisions.iter().map(|d| (d.by.clone(), d.decision.clone())).collect();
    replaced.extend(decisions.iter().filter(|d| latest_by[&d.by] != d.decision).map(|d| d.decision.clone()));
    for d in &mut decisions {
        d.superseded = replaced.contains(&d.decision);
    }
    let standing: Vec<&DecisionView> =
        decisions.iter().filter(|d| !d.superseded && d.outcome != Outcome::Undo).collect();
    let outcomes: BTreeSet<String> = standing.iter().map(|d| format!("{:?}", d.outcome)).collect();
    let seen_claims: BTreeSet<&String> =
        standing.iter().flat_map(|d| covers.get(&d.decision).into_iter().flatten()).collect();
    let state = if standing.is_empty() {
        CaseState::Open
    } else if outcomes.len() > 1 {
        CaseState::Conflict
    } else if case.claims.iter().any(|c| !seen_claims.contains(&c.event_id)) {
        CaseState::Reopened
    } else {
        CaseState::Decided
    };
    let hours = |h: u32| Duration::hours(i64::from(h));
    let due_at = case.surfaced_at.map(|t| t + hours(policy.appeal_sla_hours));
    let overdue = state != CaseState::Decided && due_at.is_some_and(|d| now > d);
    // The window runs from the latest standing decision.
    let decided_at = standing.iter().map(|d| d.received_at.unwrap_or(d.device_time)).max();
    let appeal_until = decided_at.map(|t| t + hours(policy.appeal_window_hours));
    let appealable = state == CaseState::Decided && !deal_signed && appeal_until.is_some_and(|u| now < u);
    let decision_time: BTreeMap<&str, DateTime<Utc>> =
        decisions.iter().map(|d| (d.decision.as_str(), d.received_at.unwrap_or(d.device_time))).collect();
    let appeals = appeals
        .into_iter()
        .map(|(mut a, after)| {
            a.answered = replaced.contains(&a.decision);
            a.overdue = !a.answered && now > a.due_at;
            let deadline = decision_time.get(a.decision.as_str()).map(|t| *t + hours(policy.appeal_window_hours));
            a.late = matches!((after, deadline), (Some(after), Some(d)) if after > d);
            a
        })
        .collect();
    Resolution { state, decisions, appeals, due_at, overdue, appeal_until, appealable }
}

/// Whether a lead state counts as a signed deal (no appeal after signing, rule 9).
pub fn is_deal(state: LeadState) -> bool {
    state == LeadState::Deal
}
