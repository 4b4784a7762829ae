//! Writing decisions and appeals, and reading where a case stands.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::OptionalExtension;

use crate::collisions::model::{CaseKind, CollisionCase};
use crate::collisions::resolution::{self, CaseState, Resolution};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{Event, EventKind, Outcome, Role};
use crate::policy::CrossBranchDecider;
use crate::registry::{new_id, Registry, Target};

/// Who decides a case (docs/RULES.md rule 17).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Decider {
    /// The case lies within one branch: its managers (or a director of the branch).
    BranchManager,
    /// The case crosses branches: a director assigned to one of them (待总监裁决).
    Director,
    /// The case crosses branches and every involved branch's policy lets their
    /// managers decide (`cross_branch_decider: managers`): a manager of any of them.
    BranchManagers,
}

impl Registry {
    /// The distinct branches of a case's leads, sorted.
    pub fn case_branches(&self, case: &CollisionCase) -> Result<Vec<String>> {
        let mut out = BTreeSet::new();
        for lead in &case.lead_ids {
            if let Some(row) = crate::lead_index::get(&self.conn, lead)? {
                out.insert(row.branch);
            }
        }
        Ok(out.into_iter().collect())
    }

    /// Who decides `case`: its branch's managers, or across branches the director
    /// unless every involved branch's policy lets their managers decide.
    pub fn case_decider(&self, case: &CollisionCase) -> Result<Decider> {
        let branches = self.case_branches(case)?;
        Ok(if branches.len() <= 1 {
            Decider::BranchManager
        } else if branches.iter().all(|b| self.policy(b).cross_branch_decider == CrossBranchDecider::Managers) {
            Decider::BranchManagers
        } else {
            Decider::Director
        })
    }

    /// Whether `me` may decide `case` here: a director a case of a branch assigned to
    /// it (as its enrolment said; any case before it is enrolled — the hub checks
    /// again), a manager as [`Registry::case_decider`] says.
    fn check_decider(&self, me: &crate::model::Rep, case: &CollisionCase) -> Result<()> {
        let ok = match (me.role, self.case_decider(case)?) {
            (Role::Director, _) => match crate::store::meta_get(&self.conn, crate::store::META_DIRECTOR_BRANCHES)? {
                Some(mine) => {
                    let branches = self.case_branches(case)?;
                    mine.split(',').any(|b| branches.iter().any(|x| x == b))
                }
                None => true,
            },
            (Role::Manager, Decider::Director) => false,
            (Role::Manager, _) => self.case_branches(case)?.contains(&me.branch) || case.branch == me.branch,
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(crate::Reason::NotTheDecider { case: case.id.clone() }.into())
        }
    }

    fn case_or_not_found(&self, id: &str) -> Result<CollisionCase> {
        self.collision_case(id)?.ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::CollisionCase, id: id.to_string() }))
    }

    /// Hub receipt of the change carrying `event`, if known.
    fn receipt(&self, event: &Event) -> Option<DateTime<Utc>> {
        let r: Option<Option<String>> = self
            .conn
            .prepare_cached(
                "SELECT c.hub_received_at FROM event_changes ec JOIN changes c ON c.hash = ec.hash WHERE ec.event_id = ?1",
            )
            .ok()?
            .query_row([&event.id], |r| r.get(0))
            .optional()
            .ok()?;
        r.flatten().and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map(|t| t.with_timezone(&Utc))
    }

    /// Where `case` stands at `now`.
    pub fn case_resolution(&mut self, case: &CollisionCase, now: DateTime<Utc>) -> Result<Resolution> {
        let (mut histories, deal) = self.case_marks(case)?;
        // Decision reasons and appeal notes as this device may show them.
        for (lead, events) in histories.iter_mut() {
            crate::sealing::open_events_text(self.lead_key(lead)?.as_ref(), lead, events);
        }
        let policy = self.policy(&case.branch);
        let mut r = resolution::resolve(case, &histories, &|e| self.receipt(e), &policy, deal, now);
        // One decision is written to every lead of the case, its reason sealed under
        // each lead's key: show it from a lead whose key this device holds.
        for d in r.decisions.iter_mut().filter(|d| d.reason == crate::sealing::SEALED_TEXT) {
            let opened = histories.values().flatten().find_map(|e| match &e.kind {
                crate::model::EventKind::Decide { decision, reason, .. } if *decision == d.decision && reason != crate::sealing::SEALED_TEXT => {
                    Some(reason.clone())
                }
                _ => None,
            });
            if let Some(reason) = opened {
                d.reason = reason;
            }
        }
        Ok(r)
    }

    /// A manager decides a case; the decision is written to every lead of the case.
    /// Returns the decision id.
    pub fn decide_case(
        &mut self,
        case_id: &str,
        outcome: Outcome,
        reason: &str,
        supersedes: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String> {
        self.decide_case_with_faults(case_id, outcome, reason, supersedes, Vec::new(), now)
    }

    /// [`Registry::decide_case`], finding `faults` (抢单, 未报备, 飞单) against reps of the
    /// branch.
    pub fn decide_case_with_faults(
        &mut self,
        case_id: &str,
        outcome: Outcome,
        reason: &str,
        supersedes: Option<&str>,
        mut faults: Vec<crate::model::Fault>,
        now: DateTime<Utc>,
    ) -> Result<String> {
        for f in &faults {
            if self.rep(&f.rep).is_none() {
                return Err(crate::Reason::NotFound { kind: crate::ObjectKind::Rep, id: f.rep.clone() }.into());
            }
        }
        faults.sort_by(|a, b| (&a.rep, a.kind).cmp(&(&b.rep, b.kind)));
        faults.dedup();
        let me = self.require_role(&[Role::Manager, Role::Director], "decide a collision case")?.clone();
        let case = self.case_or_not_found(case_id)?;
        self.check_decider(&me, &case)?;
        let me = me.id;
        if reason.trim().is_empty() {
            return Err(crate::Reason::FieldRequired { field: crate::FormField::Reason }.into());
        }
        self.validate_outcome(&case, &outcome)?;
        let current = self.case_resolution(&case, now)?;
        if let Some(s) = supersedes {
            if !current.decisions.iter().any(|d| d.decision == s) {
                return Err(crate::Reason::DecisionNotInCase { decision: s.to_string(), case: case_id.to_string() }.into());
            }
        } else if outcome == Outcome::Undo {
            return Err(crate::Reason::FieldRequired { field: crate::FormField::Supersedes }.into());
        } else if current.state == CaseState::Conflict {
            return Err(crate::Reason::ConflictNeedsSupersedes {}.into());
        }
        let decision = new_id();
        let covers: Vec<String> = case.claims.iter().map(|c| c.event_id.clone()).collect();
        let items = case
            .lead_ids
            .iter()
            .map(|lead| {
                let merged_away = matches!(&outcome, Outcome::Merge { into, .. } if into != lead);
                let kind = EventKind::Decide {
                    case_id: case.id.clone(),
                    decision: decision.clone(),
                    outcome: outcome.clone(),
                    reason: reason.trim().to_string(),
                    covers: covers.clone(),
                    supersedes: supersedes.map(str::to_string),
                    merged_away,
                    faults: faults.clone(),
                    leads: case.lead_ids.clone(),
                };
                (Target::Lead(lead.clone()), me.clone(), kind)
            })
            .collect();
        self.write_events(items, now)?;
        Ok(decision)
    }

    fn validate_outcome(&self, case: &CollisionCase, outcome: &Outcome) -> Result<()> {
        let known = |rep: &str| -> Result<()> {
            if rep.is_empty() {
                return Err(crate::Reason::FieldRequired { field: crate::FormField::Owner }.into());
            }
            match self.rep(rep) {
                Some(r) if r.active && r.role != Role::Distributor || case.reps.iter().any(|x| x == rep) => Ok(()),
                Some(_) => Err(crate::Reason::RepCannotOwn { rep: rep.to_string() }.into()),
                None => Err(crate::Reason::NotFound { kind: crate::ObjectKind::Rep, id: rep.to_string() }.into()),
            }
        };
        match outcome {
            Outcome::Owner { rep } => known(rep),
            Outcome::Split { shares } => {
                let reps: BTreeSet<&str> = shares.iter().map(|s| s.rep.as_str()).collect();
                if shares.len() < 2 || reps.len() != shares.len() {
                    return Err(crate::Reason::SplitTwoReps {}.into());
                }
                if shares.iter().any(|s| s.pct == 0 || s.pct > 99) {
                    return Err(crate::Reason::ShareRange {}.into());
                }
                let total: u32 = shares.iter().map(|s| u32::from(s.pct)).sum();
                if total != 100 {
                    return Err(crate::Reason::SplitTotal { total }.into());
                }
                shares.iter().try_for_each(|s| known(&s.rep))
            }
            Outcome::Pool | Outcome::Undo => Ok(()),
            Outcome::Merge { into, owner } => {
                if case.kind != CaseKind::DuplicateLeads {
                    return Err(crate::Reason::MergeNeedsDuplicates {}.into());
                }
                if into.is_empty() {
                    return Err(crate::Reason::FieldRequired { field: crate::FormField::Into }.into());
                }
                if !case.lead_ids.contains(into) {
                    return Err(crate::Reason::LeadNotInCase { lead: into.clone(), case: case.id.clone() }.into());
                }
                known(owner)
            }
        }
    }

    /// A rep named in a case appeals its standing decision (申诉) within the window.
    /// Returns the appeal id.
    pub fn appeal_case(&mut self, case_id: &str, note: &str, now: DateTime<Utc>) -> Result<String> {
        let me = self.session()?.id.clone();
        let case = self.case_or_not_found(case_id)?;
        if !case.reps.contains(&me) {
            return Err(crate::Reason::CaseNotYours { case: case_id.to_string() }.into());
        }
        if note.trim().is_empty() {
            return Err(crate::Reason::FieldRequired { field: crate::FormField::Note }.into());
        }
        let r = self.case_resolution(&case, now)?;
        if !r.appealable {
            let why = match (r.state, r.appeal_until) {
                (CaseState::Decided, Some(u)) if now >= u => crate::Reason::AppealWindowClosed { until: u },
                (CaseState::Decided, _) => crate::Reason::DecisionFinal {},
                _ => crate::Reason::NothingToAppeal {},
            };
            return Err(why.into());
        }
        let decision = r
            .decisions
            .iter()
            .rev()
            .find(|d| !d.superseded && d.outcome != Outcome::Undo)
            .map(|d| d.decision.clone())
            .ok_or_else(|| Error::from(crate::Reason::NothingToAppeal {}))?;
        let appeal = new_id();
        let items = case
            .lead_ids
            .iter()
            .map(|lead| {
                let kind = EventKind::Appeal {
                    case_id: case.id.clone(),
                    appeal: appeal.clone(),
                    decision: decision.clone(),
                    note: note.trim().to_string(),
                    leads: case.lead_ids.clone(),
                };
                (Target::Lead(lead.clone()), me.clone(), kind)
            })
            .collect();
        self.write_events(items, now)?;
        Ok(appeal)
    }
}
