//! Collision case commands (撞单): the cases a device can see, and one case with its
//! leads as the viewer may see them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Context;
use chrono::{DateTime, Utc};

use crate::collisions::{CaseState, CollisionCase, Resolution};
use crate::model::Outcome;
use crate::error::{ApiError, Error};
use crate::visibility::{self, LeadView, Viewer};

type R<T> = Result<T, ApiError>;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct CollisionListArgs {
    /// Only cases naming the session's rep (a manager sees every case by default).
    #[serde(default)]
    pub mine: Option<bool>,
}

/// A case in the review queue: the case and where it stands.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CaseSummary {
    #[serde(flatten)]
    pub case: CollisionCase,
    pub state: CaseState,
    /// Turnaround target (surfaced + policy `appeal_sla_hours`).
    pub due_at: Option<DateTime<Utc>>,
    pub overdue: bool,
    /// Appeals not answered yet.
    pub open_appeals: u32,
    /// The branches of its leads (more than one: a cross-branch case, 跨分公司).
    pub branches: Vec<String>,
    /// Who decides it (rule 17: across branches, the director by default).
    pub decider: crate::collisions::Decider,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CollisionList {
    pub cases: Vec<CaseSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CollisionIdArgs {
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CollisionDetail {
    pub case: CollisionCase,
    /// The case's leads, masked where the viewer may not see contacts.
    pub leads: Vec<LeadView>,
    pub resolution: Resolution,
    /// The system's arbitration proposal (criteria, evidence, explanation zh/en).
    pub proposal: crate::arbitration::Proposal,
    pub branches: Vec<String>,
    pub decider: crate::collisions::Decider,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct CollisionResolveArgs {
    pub id: String,
    pub outcome: Outcome,
    pub reason: String,
    /// The decision this one replaces (undo; answering an appeal; settling a conflict).
    #[serde(default)]
    pub supersedes: Option<String>,
    /// Reps found at fault (抢单, 未报备, 飞单), counted in the metrics while the
    /// decision stands.
    #[serde(default)]
    #[ts(optional)]
    pub faults: Option<Vec<crate::model::Fault>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CollisionAppealArgs {
    pub id: String,
    pub note: String,
}

/// Managers see every case of their branch; reps and distributors the cases that name
/// them.
pub(super) fn collisions_list(ctx: &mut Context, a: CollisionListArgs) -> R<CollisionList> {
    let ctx_now = ctx.now();
    let reg = ctx.registry()?;
    let me = reg.session()?.clone();
    let only_mine = !me.role.decides_cases() || a.mine.unwrap_or(false);
    let now = ctx_now;
    let mut out = Vec::new();
    for case in reg.collision_cases(only_mine.then_some(me.id.as_str()))? {
        let r = reg.case_resolution(&case, now)?;
        out.push(CaseSummary {
            state: r.state,
            due_at: r.due_at,
            overdue: r.overdue,
            open_appeals: r.appeals.iter().filter(|a| !a.answered).count() as u32,
            branches: reg.case_branches(&case)?,
            decider: reg.case_decider(&case)?,
            case,
        });
    }
    Ok(CollisionList { cases: out })
}

pub(super) fn collision_resolve(ctx: &mut Context, a: CollisionResolveArgs) -> R<CollisionDetail> {
    let now = ctx.now();
    ctx.registry()?.decide_case_with_faults(&a.id, a.outcome, &a.reason, a.supersedes.as_deref(), a.faults.unwrap_or_default(), now)?;
    collision_get(ctx, CollisionIdArgs { id: a.id })
}

pub(super) fn collision_appeal(ctx: &mut Context, a: CollisionAppealArgs) -> R<CollisionDetail> {
    let now = ctx.now();
    ctx.registry()?.appeal_case(&a.id, &a.note, now)?;
    collision_get(ctx, CollisionIdArgs { id: a.id })
}

pub(super) fn collision_get(ctx: &mut Context, a: CollisionIdArgs) -> R<CollisionDetail> {
    let at = ctx.now();
    let reg = ctx.registry()?;
    let me = reg.session()?.clone();
    let case = reg.collision_case(&a.id)?.ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::CollisionCase, id: a.id.clone() }))?;
    if !me.role.decides_cases() && !case.reps.contains(&me.id) {
        return Err(Error::from(crate::Reason::CaseNotYours { case: a.id.clone() }).into());
    }
    let mut leads = Vec::new();
    for id in &case.lead_ids {
        let row = reg.row(id)?;
        let (_, status) = reg.status_shown(id, at)?;
        let v = Viewer { rep: &me, at, reclaim_cooldown_hours: reg.policy(&me.branch).reclaim_cooldown_hours };
        if v.may_see(row.registered_by.as_deref()) {
            leads.push(visibility::from_status(&v, id, &row.branch, &status, |r| reg.rep(r)));
        }
    }
    let resolution = reg.case_resolution(&case, at)?;
    let proposal = super::arbitration::proposal_for(reg, &case)?;
    let (branches, decider) = (reg.case_branches(&case)?, reg.case_decider(&case)?);
    Ok(CollisionDetail { case, leads, resolution, proposal, branches, decider })
}
