//! The protection policy of a branch: how long a claim protects, what makes a
//! registration complete, the arbitration criteria in priority order, and the limits a
//! manager may set (docs/RULES.md). Validated here; stored in the branch's directory.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{AssignRule, Field, FollowupKind, LeadFields};

/// The protection policy of one branch (docs/RULES.md rules 3 and 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Policy {
    /// How long a claim protects the customer (保护期).
    pub protection_hours: u32,
    /// A qualifying follow-up protects the customer for at least this long after it.
    pub extension_hours: u32,
    /// Which follow-ups count as progress. By default a bare phone call does not
    /// (rule 4: only visits, samples or cooperation protect a customer).
    pub qualifying_followups: Vec<FollowupKind>,
    /// After losing a customer (expiry or release) the previous owner must wait this
    /// long before claiming it again from the pool.
    pub reclaim_cooldown_hours: u32,
    /// A registration is complete when, for every group, at least one field of the
    /// group is present. Default: company; contact or phone; need.
    pub required: Vec<Vec<Field>>,
    /// How long after a decision an affected rep may appeal (rule 9: an objection
    /// deadline; default 7 days).
    #[serde(default = "default_appeal_window_hours")]
    pub appeal_window_hours: u32,
    /// Turnaround target for a case and for an appeal (rule 9: 24 h).
    #[serde(default = "default_appeal_sla_hours")]
    pub appeal_sla_hours: u32,
    /// Arbitration criteria, highest priority first (docs/RULES.md rule 7):
    /// `crate::arbitration::propose` applies them in this order.
    #[serde(default = "default_criteria")]
    pub arbitration: Vec<Criterion>,
    /// A duplicate check warns from this score on, in percent (docs/RULES.md rule 2: the
    /// seeds quote 85%); lower scores from the possible-match floor are shown softly.
    #[serde(default = "default_dup_threshold_percent")]
    pub dup_threshold_percent: u32,
    /// How long a distributor's report protects the customer (报备有效期, default 30
    /// days); a manager's acceptance starts it afresh.
    #[serde(default = "default_report_validity_days")]
    pub report_validity_days: u32,
    /// 保有量上限: a rep holding this many customers (protected or signed) claims no
    /// more from the pool; 0 = no limit.
    #[serde(default)]
    pub max_held: u32,
    /// 领取上限: pool claims a rep may make in 24 hours; 0 = no limit.
    #[serde(default)]
    pub max_claims_per_day: u32,
    /// 停接: a rep found at fault in this many standing decisions claims nothing from
    /// the pool; 0 = never.
    #[serde(default)]
    pub suspend_after_faults: u32,
    /// Assignment rules (分配规则), first match wins: customers of a region, industry
    /// or size go to a team; a pool customer matching none goes to every rep.
    #[serde(default)]
    pub assignment: Vec<AssignRule>,
    /// 值班人员: the duty rep of each weekday, Monday first (up to 7 rep ids; "" = no
    /// one). The front desk registers an unmatched visitor for the day's duty rep.
    #[serde(default)]
    pub duty_rota: Vec<String>,
    /// Who decides a case across branches (rule 17): the director (default, the
    /// escalation to the 总监 across regions) or, when every involved branch says so, their managers.
    #[serde(default)]
    pub cross_branch_decider: CrossBranchDecider,
    /// Whether this policy is applied to a distributor's report (set by
    /// [`Policy::for_report`] from the lead's document, never stored).
    #[serde(skip)]
    #[ts(skip)]
    pub applies_to_report: bool,
}

/// Who decides a case whose leads live in different branches (rule 17).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CrossBranchDecider {
    /// 总监: a director assigned to one of the case's branches.
    #[default]
    Director,
    /// The managers of the case's branches (each branch's policy must say so).
    Managers,
}

fn default_report_validity_days() -> u32 {
    30
}

fn default_dup_threshold_percent() -> u32 {
    85
}

fn default_appeal_window_hours() -> u32 {
    7 * 24
}

fn default_appeal_sla_hours() -> u32 {
    24
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            protection_hours: 72,
            extension_hours: 72,
            qualifying_followups: vec![
                FollowupKind::Visit,
                FollowupKind::Sample,
                FollowupKind::Quote,
                FollowupKind::StoreVisit,
                FollowupKind::Deal,
            ],
            reclaim_cooldown_hours: 24,
            required: vec![vec![Field::Company], vec![Field::Contact, Field::Phone], vec![Field::Need]],
            appeal_window_hours: default_appeal_window_hours(),
            appeal_sla_hours: default_appeal_sla_hours(),
            arbitration: default_criteria(),
            dup_threshold_percent: default_dup_threshold_percent(),
            report_validity_days: default_report_validity_days(),
            max_held: 0,
            max_claims_per_day: 0,
            suspend_after_faults: 0,
            assignment: Vec::new(),
            duty_rota: Vec::new(),
            cross_branch_decider: CrossBranchDecider::Director,
            applies_to_report: false,
        }
    }
}

impl Policy {
    /// Whether `fields` satisfy every required group.
    pub fn is_complete(&self, fields: &LeadFields) -> bool {
        self.required.iter().all(|group| group.iter().any(|f| fields.get(*f).is_some()))
    }

    /// The required groups `fields` do not satisfy yet (for error messages).
    pub fn missing(&self, fields: &LeadFields) -> Vec<Vec<Field>> {
        self.required
            .iter()
            .filter(|group| !group.iter().any(|f| fields.get(*f).is_some()))
            .cloned()
            .collect()
    }

    /// The rules for a distributor's report (a lead in a `dist:` document): a
    /// complete report protects the customer for the report validity period instead
    /// of the protection period, and a manager may review it.
    pub fn for_report(&self) -> Policy {
        Policy { protection_hours: self.report_validity_days.saturating_mul(24), applies_to_report: true, ..self.clone() }
    }

    /// Checks the policy is usable.
    pub fn validate(&self) -> Result<(), crate::Error> {
        let bad = |r: crate::Reason| Err(crate::Error::Rejected(r));
        if self.protection_hours == 0 {
            return bad(crate::Reason::PolicyProtectionZero {});
        }
        if [self.protection_hours, self.extension_hours, self.reclaim_cooldown_hours, self.appeal_window_hours, self.appeal_sla_hours]
            .iter()
            .any(|h| *h > 24 * 366)
        {
            return bad(crate::Reason::PolicyPeriodTooLong {});
        }
        if self.report_validity_days == 0 || self.report_validity_days > 366 {
            return bad(crate::Reason::PolicyReportValidity {});
        }
        if self.appeal_sla_hours == 0 {
            return bad(crate::Reason::PolicyAppealSlaZero {});
        }
        if self.arbitration.is_empty() {
            return bad(crate::Reason::PolicyNoCriterion {});
        }
        if self.arbitration.iter().collect::<std::collections::BTreeSet<_>>().len() != self.arbitration.len() {
            return bad(crate::Reason::PolicyCriterionTwice {});
        }
        if self.required.iter().any(|g| g.is_empty()) {
            return bad(crate::Reason::PolicyEmptyGroup {});
        }
        if !(51..=99).contains(&self.dup_threshold_percent) {
            return bad(crate::Reason::PolicyDupThreshold {});
        }
        if self.duty_rota.len() > 7 {
            return bad(crate::Reason::PolicyDutyRota {});
        }
        Ok(())
    }

    /// The duplicate-warning threshold as a score in [0, 1].
    pub fn dup_threshold(&self) -> f32 {
        self.dup_threshold_percent as f32 / 100.0
    }
}

/// One arbitration criterion. The order in [`Policy::arbitration`] is the priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    /// A past deal binds the customer to its rep (历史成交).
    PastDeal,
    /// A follow-up provably in the 7 days before the case surfaced (近7天互动).
    RecentFollowup,
    /// The rep's region matches the customer's (区域匹配).
    RegionMatch,
    /// The more complete record at claim time (资料完整度).
    Completeness,
    /// The first complete registration or claim by hub-clock window (首次完整报备).
    EarlierWindow,
    /// 跟进投入: follow-ups provably within the protection period before the case, by
    /// kind weight (a visit, store visit, quote or sample 3, a call 1): the more
    /// substantial effort wins. Not in the default order; a manager adds it.
    Effort,
}

impl Criterion {
    pub const ALL: [Criterion; 6] = [
        Criterion::PastDeal,
        Criterion::RecentFollowup,
        Criterion::RegionMatch,
        Criterion::Completeness,
        Criterion::EarlierWindow,
        Criterion::Effort,
    ];
}

/// The default order (rule 7): deal > recent follow-up > region > completeness >
/// first registration.
pub fn default_criteria() -> Vec<Criterion> {
    Criterion::ALL[..5].to_vec()
}
