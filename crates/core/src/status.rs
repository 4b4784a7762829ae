//! Status is a pure function of a lead's events, their hub receipts, the branch policy
//! and a time `at`.
//!
//! No background job expires claims: asking "what is the status at `at`?" replays the
//! events in order of their effective times ([`crate::timing`]: device time clamped
//! into the hub-time evidence window) and lets protection run out when `at` (or the
//! next event) passes its end. Every replica holding the same events and receipts
//! computes the same answer; a laptop clock decides nothing that matters to others.
//!
//! The same step function validates commands: before a device appends an event it
//! replays it on the current status, and refuses the command if the step would reject
//! it. An event that arrives through a merge (written offline by a device that did not
//! know better) and breaks a rule is kept in the history but *takes no effect*; it is
//! listed in [`Status::ignored`] so collision review can show it.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Event, EventKind, Field, FollowupKind, LeadFields, Outcome, Share, Verdict};
use crate::policy::Policy;
use crate::timing::{self, Timing};

/// The claim state of a lead at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LeadState {
    /// Registered but missing required fields: a mark, not a claim; nobody owns it.
    Incomplete,
    /// Claimed and inside its protection period.
    Protected,
    /// In the public pool (公海): anyone may claim it.
    Pool,
    /// A deal was recorded: bound to its owner permanently.
    Deal,
    /// A duplicate merged into another lead by a manager's decision.
    Merged,
}

impl LeadState {
    pub fn as_str(self) -> &'static str {
        match self {
            LeadState::Incomplete => "incomplete",
            LeadState::Protected => "protected",
            LeadState::Pool => "pool",
            LeadState::Deal => "deal",
            LeadState::Merged => "merged",
        }
    }
}

/// Why an event took no effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejection {
    /// Fields are missing for a claim.
    Incomplete,
    /// Someone else protects (or has a deal on) the lead.
    OwnedByOther { owner: String, until: Option<DateTime<Utc>> },
    /// The lead is in the pool: claim it first.
    InPool,
    /// The previous owner is still in the re-claim cooldown.
    Cooldown { until: DateTime<Utc> },
    /// A deal binds the lead; it cannot be released.
    BoundByDeal,
    /// The action needs the lead to be owned by a specific rep and it is not.
    NotOwner { owner: Option<String> },
    /// A required field may not be cleared once the lead is complete.
    ClearsRequired(Field),
    /// The lead was already registered (a second register event).
    AlreadyRegistered,
    /// The first event is not a registration.
    NotRegistered,
    /// The lead was merged into another one.
    Merged { into: String },
    /// A later decision replaced this one.
    Superseded,
    /// A review of a lead that is not a distributor's report.
    NotAReport,
    /// A deposit refund (定金退订) on a lead without a deal.
    NoDealToRefund,
}

impl Rejection {
    /// The error a command gets when it would be rejected.
    pub fn into_error(self) -> crate::Error {
        self.into_error_named(|_| None)
    }

    /// The same, with the owner named for people (`name` maps a rep id to the name the
    /// directory has for them; an unknown rep keeps the id).
    pub fn into_error_named(self, name: impl Fn(&str) -> Option<String>) -> crate::Error {
        use crate::Error;
        use crate::Reason as R;
        let named = |id: String| name(&id).unwrap_or(id);
        Error::Rejected(match self {
            Rejection::Incomplete => R::Incomplete {},
            Rejection::OwnedByOther { owner, until: Some(until) } => R::OwnedByOther { owner: named(owner), until },
            Rejection::OwnedByOther { owner, until: None } => R::OwnedByOtherForGood { owner: named(owner) },
            Rejection::InPool => R::InPool {},
            Rejection::Cooldown { until } => R::Cooldown { until },
            Rejection::BoundByDeal => R::BoundByDeal {},
            Rejection::NoDealToRefund => R::NoDealToRefund {},
            Rejection::NotOwner { owner: Some(owner) } => R::NotOwner { owner: named(owner) },
            Rejection::NotOwner { owner: None } => R::NoOwner {},
            Rejection::ClearsRequired(f) => R::ClearsRequired { field: f.into() },
            Rejection::AlreadyRegistered => R::AlreadyRegistered {},
            Rejection::NotRegistered => R::NotRegistered {},
            Rejection::Merged { into } => R::Merged { into },
            Rejection::Superseded => R::Superseded {},
            Rejection::NotAReport => R::NotAReport {},
        })
    }
}

/// Everything derived about one lead.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub fields: LeadFields,
    pub state: LeadState,
    /// The owner while protected or bound by a deal.
    pub owner: Option<String>,
    /// End of protection (None when not protected or bound by a deal).
    pub protected_until: Option<DateTime<Utc>>,
    /// When the current owner's claim started.
    pub claimed_at: Option<DateTime<Utc>>,
    pub registered_by: Option<String>,
    pub registered_at: Option<DateTime<Utc>>,
    /// Who owned it last before it went to the pool, and since when it is there.
    pub previous_owner: Option<String>,
    pub pool_since: Option<DateTime<Utc>>,
    pub deal_at: Option<DateTime<Utc>>,
    /// Time of the last event that took effect.
    pub updated_at: Option<DateTime<Utc>>,
    /// Commission shares when a manager decided a split.
    pub split: Option<Vec<Share>>,
    /// The lead this one was merged into.
    pub merged_into: Option<String>,
    /// A distributor's report: the manager's last review that took effect (None
    /// while it waits for review, and for a rep's lead).
    pub review: Option<ReportReview>,
    /// Events that took no effect, with the reason.
    pub ignored: Vec<(String, Rejection)>,
}

/// A manager's review of a report, as it took effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportReview {
    pub verdict: Verdict,
    pub by: String,
    pub at: DateTime<Utc>,
    pub reason: String,
}

impl Status {
    fn empty() -> Status {
        Status {
            fields: LeadFields::default(),
            state: LeadState::Incomplete,
            owner: None,
            protected_until: None,
            claimed_at: None,
            registered_by: None,
            registered_at: None,
            previous_owner: None,
            pool_since: None,
            deal_at: None,
            updated_at: None,
            split: None,
            merged_into: None,
            review: None,
            ignored: Vec::new(),
        }
    }

    /// Lets protection run out if `t` is past its end.
    pub fn settle(&mut self, t: DateTime<Utc>) {
        if self.state == LeadState::Protected {
            if let Some(until) = self.protected_until {
                if until <= t {
                    self.state = LeadState::Pool;
                    self.previous_owner = self.owner.take();
                    self.pool_since = Some(until);
                    self.protected_until = None;
                    self.claimed_at = None;
                }
            }
        }
    }

    /// When the re-claim cooldown of `rep` ends, if `rep` is in it at `t`.
    pub fn cooldown_until(&self, rep: &str, policy: &Policy, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.state != LeadState::Pool || self.previous_owner.as_deref() != Some(rep) {
            return None;
        }
        let end = self.pool_since? + hours(policy.reclaim_cooldown_hours);
        (t < end).then_some(end)
    }

    /// Applies one event at time `t` (its effective time). On `Err` nothing changed.
    pub fn step(&mut self, e: &Event, t: DateTime<Utc>, policy: &Policy) -> Result<(), Rejection> {
        self.settle(t);
        match &e.kind {
            EventKind::Register { fields } => {
                if self.registered_at.is_some() {
                    return Err(Rejection::AlreadyRegistered);
                }
                self.registered_by = Some(e.rep.clone());
                self.registered_at = Some(t);
                self.fields.apply(fields);
                self.claim_if_completed(&e.rep, t, policy);
            }
            _ if self.registered_at.is_none() => return Err(Rejection::NotRegistered),
            EventKind::Decide { outcome, merged_away, .. } => self.decide(outcome, *merged_away, t, policy),
            EventKind::Appeal { .. } | EventKind::DuplicateAcknowledged { .. } => {}
            _ if self.state == LeadState::Merged => {
                return Err(Rejection::Merged { into: self.merged_into.clone().unwrap_or_default() })
            }
            // A grade (客户等级) alone: the owner's or a manager's (the API checks who),
            // also on a pool customer, so assignment rules can use it.
            EventKind::Update { fields } if fields.only_grade() => self.fields.apply(fields),
            EventKind::Update { fields } => {
                self.require_editor(&e.rep)?;
                let mut next = self.fields.clone();
                next.apply(fields);
                if self.state != LeadState::Incomplete {
                    if let Some(f) = policy.required.iter().flatten().find(|f| {
                        self.fields.get(**f).is_some() && next.get(**f).is_none()
                    }) {
                        // Clearing one alternative of a group is fine if the group stays satisfied.
                        if !policy.is_complete(&next) {
                            return Err(Rejection::ClearsRequired(*f));
                        }
                    }
                }
                self.fields = next;
                self.claim_if_completed(&e.rep, t, policy);
            }
            EventKind::Claim => match self.state {
                LeadState::Incomplete => return Err(Rejection::Incomplete),
                LeadState::Protected | LeadState::Deal => {
                    return Err(Rejection::OwnedByOther {
                        owner: self.owner.clone().unwrap_or_default(),
                        until: self.protected_until,
                    })
                }
                LeadState::Merged => {
                    return Err(Rejection::Merged { into: self.merged_into.clone().unwrap_or_default() })
                }
                LeadState::Pool => {
                    if let Some(until) = self.cooldown_until(&e.rep, policy, t) {
                        return Err(Rejection::Cooldown { until });
                    }
                    self.take(&e.rep, t, policy);
                }
            },
            EventKind::Followup { followup, .. } => {
                self.require_owner(&e.rep)?;
                if *followup == FollowupKind::DepositRefund {
                    // 定金退订 re-opens the customer: no longer bound, the owner holds it
                    // for a fresh protection period (then the pool, without progress).
                    if self.state != LeadState::Deal {
                        return Err(Rejection::NoDealToRefund);
                    }
                    self.state = LeadState::Protected;
                    self.deal_at = None;
                    self.protected_until = Some(t + hours(policy.protection_hours));
                } else if *followup == FollowupKind::Deal {
                    self.state = LeadState::Deal;
                    self.protected_until = None;
                    self.deal_at = Some(t);
                } else if self.state == LeadState::Protected && policy.qualifying_followups.contains(followup) {
                    let ext = t + hours(policy.extension_hours);
                    if self.protected_until.is_some_and(|u| u < ext) {
                        self.protected_until = Some(ext);
                    }
                }
            }
            EventKind::Visit { .. } => {
                // 前台接待: evidence for whoever owns the customer, as a store visit.
                if self.state == LeadState::Protected && policy.qualifying_followups.contains(&FollowupKind::StoreVisit) {
                    let ext = t + hours(policy.extension_hours);
                    if self.protected_until.is_some_and(|u| u < ext) {
                        self.protected_until = Some(ext);
                    }
                }
            }
            EventKind::Release => {
                self.require_owner(&e.rep)?;
                if self.state == LeadState::Deal {
                    return Err(Rejection::BoundByDeal);
                }
                self.state = LeadState::Pool;
                self.previous_owner = self.owner.take();
                self.pool_since = Some(t);
                self.protected_until = None;
                self.claimed_at = None;
            }
            EventKind::Review { verdict, reason } => {
                self.review_report(*verdict, t, policy)?;
                self.review = Some(ReportReview { verdict: *verdict, by: e.rep.clone(), at: t, reason: reason.clone() });
            }
            EventKind::Assign { to, .. } => match self.state {
                // A manager gives a pool customer to a rep: a fresh protection, as a claim.
                LeadState::Pool => self.take(to, t, policy),
                LeadState::Incomplete => return Err(Rejection::Incomplete),
                LeadState::Merged => return Err(Rejection::Merged { into: self.merged_into.clone().unwrap_or_default() }),
                LeadState::Protected | LeadState::Deal => {
                    return Err(Rejection::OwnedByOther { owner: self.owner.clone().unwrap_or_default(), until: self.protected_until })
                }
            },
            EventKind::Handover { from, to } => {
                if self.owner.as_deref() != Some(from.as_str()) {
                    return Err(Rejection::NotOwner { owner: self.owner.clone() });
                }
                self.owner = Some(to.clone());
                if self.state == LeadState::Protected {
                    // The new owner gets at least a fresh protection period to take over.
                    let fresh = t + hours(policy.protection_hours);
                    if self.protected_until.is_some_and(|u| u < fresh) {
                        self.protected_until = Some(fresh);
                    }
                }
            }
        }
        self.updated_at = Some(t);
        Ok(())
    }

    /// 报备审核: accepting keeps the customer with the distributor for a fresh
    /// validity period; rejecting takes it from them (to the pool) unless a deal
    /// binds it. A report the distributor no longer holds cannot be accepted.
    fn review_report(&mut self, verdict: Verdict, t: DateTime<Utc>, policy: &Policy) -> Result<(), Rejection> {
        if !policy.applies_to_report {
            return Err(Rejection::NotAReport);
        }
        let held = self.owner.is_some() && self.owner == self.registered_by;
        match (verdict, self.state) {
            (_, LeadState::Incomplete) => Err(Rejection::Incomplete),
            (Verdict::Accept, LeadState::Pool) => Err(Rejection::InPool),
            (Verdict::Accept, LeadState::Protected | LeadState::Deal) if !held => {
                Err(Rejection::NotOwner { owner: self.owner.clone() })
            }
            (Verdict::Accept, _) => {
                let fresh = t + hours(policy.protection_hours);
                if self.protected_until.is_some_and(|u| u < fresh) {
                    self.protected_until = Some(fresh);
                }
                Ok(())
            }
            (Verdict::Reject, LeadState::Deal) if held => Err(Rejection::BoundByDeal),
            (Verdict::Reject, LeadState::Protected) if held => {
                self.state = LeadState::Pool;
                self.previous_owner = self.owner.take();
                self.pool_since = Some(t);
                self.protected_until = None;
                self.claimed_at = None;
                Ok(())
            }
            (Verdict::Reject, _) => Ok(()),
        }
    }

    /// Editing: the owner may edit; an unowned incomplete lead is open to anyone
    /// (the rep who completes it claims it); a pool lead must be claimed first.
    fn require_editor(&self, rep: &str) -> Result<(), Rejection> {
        match self.state {
            LeadState::Incomplete => Ok(()),
            LeadState::Pool => Err(Rejection::InPool),
            LeadState::Merged => Err(Rejection::Merged { into: self.merged_into.clone().unwrap_or_default() }),
            LeadState::Protected | LeadState::Deal => self.require_owner(rep),
        }
    }

    fn require_owner(&self, rep: &str) -> Result<(), Rejection> {
        match (&self.owner, self.state) {
            (Some(o), _) if o == rep => Ok(()),
            (_, LeadState::Pool) => Err(Rejection::InPool),
            (Some(o), _) => Err(Rejection::OwnedByOther { owner: o.clone(), until: self.protected_until }),
            (None, _) => Err(Rejection::NotOwner { owner: None }),
        }
    }

    /// A manager's decision always takes effect (docs/RULES.md rule 8).
    fn decide(&mut self, outcome: &Outcome, merged_away: bool, t: DateTime<Utc>, policy: &Policy) {
        self.split = None;
        self.merged_into = None;
        match outcome {
            Outcome::Merge { into, .. } if merged_away => {
                self.previous_owner = self.owner.take().or(self.previous_owner.take());
                self.state = LeadState::Merged;
                self.merged_into = Some(into.clone());
                self.protected_until = None;
                self.claimed_at = None;
                self.pool_since = None;
            }
            Outcome::Owner { rep } | Outcome::Merge { owner: rep, .. } => self.award(rep, t, policy),
            Outcome::Split { shares } => {
                // The largest share follows the customer (the first named on a tie).
                let lead = shares.iter().fold(None::<&Share>, |best, s| match best {
                    Some(b) if b.pct >= s.pct => Some(b),
                    _ => Some(s),
                });
                if let Some(l) = lead {
                    self.award(&l.rep.clone(), t, policy);
                }
                self.split = Some(shares.clone());
            }
            Outcome::Pool => {
                if self.state != LeadState::Incomplete {
                    self.previous_owner = self.owner.take().or(self.previous_owner.take());
                    self.state = LeadState::Pool;
                    self.pool_since = Some(t);
                    self.protected_until = None;
                    self.claimed_at = None;
                }
            }
            Outcome::Undo => {}
        }
    }

    /// Gives the lead to `rep` by decision: a deal stays bound (to the new owner);
    /// otherwise a fresh protection period starts.
    fn award(&mut self, rep: &str, t: DateTime<Utc>, policy: &Policy) {
        if self.state == LeadState::Deal {
            self.owner = Some(rep.to_string());
        } else if self.state != LeadState::Incomplete {
            self.take(rep, t, policy);
        }
    }

    fn claim_if_completed(&mut self, rep: &str, t: DateTime<Utc>, policy: &Policy) {
        if self.state == LeadState::Incomplete && policy.is_complete(&self.fields) {
            self.take(rep, t, policy);
        }
    }

    fn take(&mut self, rep: &str, t: DateTime<Utc>, policy: &Policy) {
        self.state = LeadState::Protected;
        self.owner = Some(rep.to_string());
        self.claimed_at = Some(t);
        self.protected_until = Some(t + hours(policy.protection_hours));
        self.pool_since = None;
    }
}

pub(crate) fn hours(h: u32) -> Duration {
    Duration::hours(i64::from(h))
}

/// One replayed event, as [`replay`] reports it.
pub struct Step<'a> {
    /// Position of the event in the document.
    pub index: usize,
    pub event: &'a Event,
    /// Its effective time (what it was judged at).
    pub at: DateTime<Utc>,
    /// The state, claim start and protection end just before it.
    pub state_before: LeadState,
    pub claimed_before: Option<DateTime<Utc>>,
    pub until_before: Option<DateTime<Utc>>,
    pub result: &'a Result<(), Rejection>,
    /// The status just after it.
    pub status: &'a Status,
}

/// Decisions a later one replaces: those a decision names in `supersedes`, and a
/// manager's earlier decisions of a case they decided again (a manager never conflicts
/// with themselves; `collisions::resolution` applies the same rule). "Later" is by
/// device time, then decision id — the order every replica sees.
fn superseded_decisions(events: &[Event]) -> std::collections::HashSet<&str> {
    let mut out = std::collections::HashSet::new();
    let mut latest: std::collections::HashMap<(&str, &str), (DateTime<Utc>, &str)> = std::collections::HashMap::new();
    for e in events {
        if let EventKind::Decide { case_id, decision, supersedes, .. } = &e.kind {
            if let Some(d) = supersedes {
                out.insert(d.as_str());
            }
            let key = (case_id.as_str(), e.rep.as_str());
            let this = (e.device_time, decision.as_str());
            latest.entry(key).and_modify(|l| *l = (*l).max(this)).or_insert(this);
        }
    }
    for e in events {
        if let EventKind::Decide { case_id, decision, .. } = &e.kind {
            if latest[&(case_id.as_str(), e.rep.as_str())].1 != decision.as_str() {
                out.insert(decision.as_str());
            }
        }
    }
    out
}

/// Replays `events` (in document order) by effective time, reporting each step.
///
/// A decision that a later decision supersedes (undo, an appeal answered) is skipped,
/// so withdrawing a decision restores what it changed.
pub fn replay(events: &[Event], policy: &Policy, timing: &Timing, mut visit: impl FnMut(Step<'_>)) -> Status {
    let superseded = superseded_decisions(events);
    let times = timing::effective_times(events, timing);
    let mut s = Status::empty();
    for i in timing::replay_order(&times) {
        let e = &events[i];
        let (state_before, claimed_before, until_before) = (s.state, s.claimed_at, s.protected_until);
        let result = match &e.kind {
            EventKind::Decide { decision, .. } if superseded.contains(decision.as_str()) => Err(Rejection::Superseded),
            _ => s.step(e, times[i], policy),
        };
        if let Err(r) = &result {
            s.ignored.push((e.id.clone(), r.clone()));
        }
        visit(Step { index: i, event: e, at: times[i], state_before, claimed_before, until_before, result: &result, status: &s });
    }
    s
}

/// The status of a lead with these events (in document order) and receipts at `at`.
pub fn derive(events: &[Event], policy: &Policy, at: DateTime<Utc>, timing: &Timing) -> Status {
    let mut s = replay(events, policy, timing, |_| {});
    s.settle(at);
    s
}

/// Checks that `event` (not at the hub yet) would take effect on a lead with
/// `events` (a command's guard); the status just after it.
pub fn check(events: &[Event], policy: &Policy, event: &Event, timing: &Timing) -> Result<Status, Rejection> {
    let mut all = events.to_vec();
    all.push(event.clone());
    let last = all.len() - 1;
    let mut verdict = Ok(());
    let mut at = event.device_time;
    let mut s = replay(&all, policy, timing, |st| {
        if st.index == last {
            verdict = st.result.clone();
            at = st.at;
        }
    });
    verdict?;
    s.settle(at);
    Ok(s)
}
