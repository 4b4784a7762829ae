//! Distributors' reports (分销报备) and their review by the branch (报备审核).
//!
//! A distributor's laptop writes its reports into its own documents
//! (`dist:<branch>/<rep>/<n>`, [`crate::layout::report_doc_id`]); the hub gives them to
//! the branch's staff, never to another distributor. A complete report protects the
//! customer for the report validity period (policy `report_validity_days`, 30 days by
//! default); the branch manager reviews it: accepting starts the validity afresh,
//! rejecting (with a reason) sends the customer to the pool. The distributor sees the
//! verdict and the reason on its next sync.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Context;
use crate::error::ApiError;
use crate::model::{EventKind, Role, Verdict};
use crate::status::Status;
use crate::visibility::{self, LeadView, Viewer};
use crate::{layout, Error, FormField, Reason, Registry};

type R<T> = Result<T, ApiError>;

/// Which reports to list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct ReportListArgs {
    /// Only the reports waiting for review (the manager's queue).
    #[serde(default)]
    pub pending_only: bool,
    /// Evaluate at this time instead of now.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// Where a report stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Waiting for the branch manager (待审核).
    Pending,
    /// Accepted (已通过): protected for the distributor.
    Accepted,
    /// Rejected (已驳回), with the manager's reason.
    Rejected,
}

/// One distributor report.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReportItem {
    pub lead: LeadView,
    pub reporter: String,
    pub reporter_name: Option<String>,
    pub reported_at: Option<DateTime<Utc>>,
    /// While the distributor holds the customer: when the report lapses.
    pub valid_until: Option<DateTime<Utc>>,
    pub review: ReviewState,
    pub reviewed_by: Option<String>,
    pub reviewed_by_name: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    /// The manager's reason (a rejection always has one).
    pub review_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReportList {
    pub items: Vec<ReportItem>,
    /// How many of them wait for review.
    pub pending: usize,
}

/// A manager's review of one report.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ReportReviewArgs {
    pub id: String,
    pub verdict: Verdict,
    /// Required to reject: the distributor is told why.
    #[serde(default)]
    pub reason: Option<String>,
}

fn item(reg: &Registry, v: &Viewer<'_>, id: &str, branch: &str, s: &Status) -> ReportItem {
    let lead = visibility::from_status(v, id, branch, s, |r| reg.rep(r));
    let name = |r: &Option<String>| r.as_deref().and_then(|r| reg.rep(r)).map(|r| r.name.clone());
    let reporter = s.registered_by.clone();
    let held = s.owner.is_some() && s.owner == reporter;
    let review = match s.review.as_ref().map(|r| r.verdict) {
        None => ReviewState::Pending,
        Some(Verdict::Accept) => ReviewState::Accepted,
        Some(Verdict::Reject) => ReviewState::Rejected,
    };
    let reviewed_by = s.review.as_ref().map(|r| r.by.clone());
    ReportItem {
        reporter_name: name(&reporter),
        reporter: reporter.unwrap_or_default(),
        reported_at: s.registered_at,
        valid_until: if held { s.protected_until } else { None },
        review,
        reviewed_by_name: name(&reviewed_by),
        reviewed_by,
        reviewed_at: s.review.as_ref().map(|r| r.at),
        review_reason: s.review.as_ref().map(|r| r.reason.clone()).filter(|r| !r.is_empty()),
        lead,
    }
}

/// The reports a user may follow: a manager, the branch's; a distributor, its own.
pub(super) fn report_list(ctx: &mut Context, a: ReportListArgs) -> R<ReportList> {
    let at = a.at.unwrap_or_else(|| ctx.now());
    let reg = ctx.registry()?;
    let me = reg.require_role(&[Role::Manager, Role::Distributor], "follow distributors' reports")?.clone();
    let mine = (me.role == Role::Distributor).then_some(me.id.as_str());
    let ids = crate::lead_index::reports(reg.connection(), &me.branch, mine)?;
    let v = Viewer { rep: &me, at, reclaim_cooldown_hours: reg.policy(&me.branch).reclaim_cooldown_hours };
    let mut items = Vec::with_capacity(ids.len());
    for (id, branch) in ids {
        let (_, s) = reg.status_shown(&id, at)?;
        items.push(item(reg, &v, &id, &branch, &s));
    }
    let pending = items.iter().filter(|i| i.review == ReviewState::Pending).count();
    if a.pending_only {
        items.retain(|i| i.review == ReviewState::Pending);
    }
    Ok(ReportList { items, pending })
}

/// A manager accepts or rejects a distributor's report.
pub(super) fn report_review(ctx: &mut Context, a: ReportReviewArgs) -> R<ReportItem> {
    let now = ctx.now();
    let reg = ctx.registry()?;
    let me = reg.require_role(&[Role::Manager], "review distributors' reports")?.clone();
    let row = reg.row(&a.id)?;
    if !layout::is_report_doc(&row.doc_id) {
        return Err(Error::from(Reason::NotAReport {}).into());
    }
    let reason = a.reason.unwrap_or_default().trim().to_string();
    if a.verdict == Verdict::Reject && reason.is_empty() {
        return Err(Error::from(Reason::FieldRequired { field: FormField::Reason }).into());
    }
    reg.act(&a.id, EventKind::Review { verdict: a.verdict, reason }, now)?;
    let (_, s) = reg.status_shown(&a.id, now)?;
    let v = Viewer { rep: &me, at: now, reclaim_cooldown_hours: reg.policy(&me.branch).reclaim_cooldown_hours };
    Ok(item(reg, &v, &a.id, &row.branch, &s))
}
