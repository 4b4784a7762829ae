//! Health metrics of the claim mechanism ("机制健康度检查", docs/RULES.md rule 14)
//! and the collision heat map (rule 6).
//!
//! - **Duplicate-claim rate** (客户重复认领率, target < 5%): of the leads claimed in the
//!   period, the share that are part of a collision case.
//! - **Protection-period utilisation** (保护期利用率): of the protection periods that
//!   started in the period, the share in which the owner recorded qualifying progress
//!   (a visit, sample, quote, store visit or deal under the branch policy) before the
//!   period ended or the lead changed hands.
//! - **Arbitration turnaround** (仲裁申诉处理时效, target ≤ 24 h): hours from a case
//!   surfacing at the hub to its first decision, and from an appeal to its answer.
//! - **Collisions per rep per month**, and a **heat map**: per customer and day, how
//!   many claims and follow-ups and by how many reps (3+ touches a day is red, rule 6).
//!
//! Times here are for reporting, so device clocks are used where no hub receipt is
//! known; arbitration never relies on them (see `collisions`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::collisions::resolution::CaseState;
use crate::error::Result;
use crate::model::{EventKind, FollowupKind};
use crate::registry::Registry;
use crate::status::{self, LeadState};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Turnaround {
    /// Cases that surfaced in the period.
    pub cases: u32,
    pub decided: u32,
    /// Still open, in conflict or reopened.
    pub unsettled: u32,
    /// Median hours from surfacing to the first decision.
    pub median_hours: Option<f64>,
    pub max_hours: Option<f64>,
    /// Decided later than the target, or unsettled past it.
    pub over_target: u32,
    pub target_hours: u32,
    pub appeals: u32,
    pub appeals_answered: u32,
    pub appeals_overdue: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct RepMonth {
    pub rep: String,
    /// `YYYY-MM`.
    pub month: String,
    pub collisions: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct HeatCell {
    pub lead_id: String,
    pub company: String,
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    /// Claims and follow-ups that day.
    pub touches: u32,
    /// Distinct reps among them.
    pub reps: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Metrics {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub claimed_leads: u32,
    pub leads_in_cases: u32,
    /// `leads_in_cases / claimed_leads`, 0 when nothing was claimed.
    pub duplicate_claim_rate: f64,
    pub duplicate_claim_target: f64,
    pub protection_periods: u32,
    pub protection_periods_used: u32,
    pub protection_utilisation: Option<f64>,
    pub turnaround: Turnaround,
    pub per_rep_month: Vec<RepMonth>,
    /// Customers touched in the last `heat_days` days, busiest first (at most 30).
    pub heat: Vec<HeatCell>,
    pub heat_days: u32,
    /// Reps found at fault in standing decisions (抢单, 未报备, 飞单), most first.
    #[serde(default)]
    pub faults: Vec<crate::faults::RepFaults>,
}

fn hours_between(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_seconds() as f64 / 3600.0
}

impl Registry {
    /// Metrics over `[at - days, at]`; the heat map covers the last `heat_days` days.
    pub fn metrics(&mut self, at: DateTime<Utc>, days: u32, heat_days: u32) -> Result<Metrics> {
        let since = at - Duration::days(i64::from(days));
        let heat_since = at - Duration::days(i64::from(heat_days));
        let leads: Vec<(String, String, String)> = {
            let mut stmt = self.conn.prepare(
                "SELECT lead_id, branch, company FROM lead_index WHERE updated_at >= ?1 OR state IN ('protected', 'deal')",
            )?;
            let rows = stmt
                .query_map([since.min(heat_since).timestamp_millis()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows
        };
        let (mut claimed, mut periods, mut used) = (BTreeSet::new(), 0u32, 0u32);
        let mut heat: BTreeMap<(String, String), (String, u32, BTreeSet<String>)> = BTreeMap::new();
        for (lead, branch, company) in &leads {
            let policy = self.policy(branch);
            let events = self.events(lead)?;
            let timing = self.timing(&events)?;
            // The running protection period: (owner, started in the period, used).
            let mut period: Option<(String, bool, bool)> = None;
            // Replayed by effective time (hub-clamped), as the status is.
            status::replay(&events, &policy, &timing, |st| {
                let (e, s, claimed_before) = (st.event, st.status, st.claimed_before);
                let took = st.result.is_ok();
                let t = st.at;
                if matches!(e.kind, EventKind::Claim | EventKind::Register { .. } | EventKind::Followup { .. }) && t >= heat_since && t <= at {
                    let cell = heat
                        .entry((lead.clone(), t.format("%Y-%m-%d").to_string()))
                        .or_insert_with(|| (company.clone(), 0, BTreeSet::new()));
                    cell.1 += 1;
                    cell.2.insert(e.rep.clone());
                }
                if !took {
                    return;
                }
                if s.claimed_at != claimed_before && s.claimed_at.is_some() && s.state == LeadState::Protected {
                    if let Some((_, counted, u)) = period.take() {
                        periods += u32::from(counted);
                        used += u32::from(counted && u);
                    }
                    let in_period = t >= since && t <= at;
                    if in_period {
                        claimed.insert(lead.clone());
                    }
                    period = Some((s.owner.clone().unwrap_or_default(), in_period, false));
                }
                if let (EventKind::Followup { followup, .. }, Some((owner, _, u))) = (&e.kind, period.as_mut()) {
                    if *owner == e.rep && (policy.qualifying_followups.contains(followup) || *followup == FollowupKind::Deal) {
                        *u = true;
                    }
                }
                if s.state != LeadState::Protected && s.state != LeadState::Deal {
                    if let Some((_, counted, u)) = period.take() {
                        periods += u32::from(counted);
                        used += u32::from(counted && u);
                    }
                }
            });
            if let Some((_, counted, u)) = period.take() {
                periods += u32::from(counted);
                used += u32::from(counted && u);
            }
        }
        let target = self.policy(self.branch()).appeal_sla_hours;
        let mut t = Turnaround {
            cases: 0,
            decided: 0,
            unsettled: 0,
            median_hours: None,
            max_hours: None,
            over_target: 0,
            target_hours: target,
            appeals: 0,
            appeals_answered: 0,
            appeals_overdue: 0,
        };
        let mut in_cases = BTreeSet::new();
        let mut per_rep: BTreeMap<(String, String), u32> = BTreeMap::new();
        let mut waits = Vec::new();
        for case in self.collision_cases(None)? {
            let surfaced = case.surfaced_at.or_else(|| case.claims.iter().map(|c| c.device_time).max());
            let Some(surfaced) = surfaced else { continue };
            for rep in &case.reps {
                *per_rep.entry((rep.clone(), surfaced.format("%Y-%m").to_string())).or_default() += 1;
            }
            if surfaced < since || surfaced > at {
                continue;
            }
            t.cases += 1;
            for c in &case.claims {
                if claimed.contains(&c.lead_id) {
                    in_cases.insert(c.lead_id.clone());
                }
            }
            let r = self.case_resolution(&case, at)?;
            let first = r.decisions.iter().map(|d| d.received_at.unwrap_or(d.device_time)).min();
            match (r.state, first) {
                (CaseState::Decided, Some(d)) => {
                    t.decided += 1;
                    let h = hours_between(surfaced, d).max(0.0);
                    t.over_target += u32::from(h > f64::from(target));
                    waits.push(h);
                }
                _ => {
                    t.unsettled += 1;
                    t.over_target += u32::from(r.overdue);
                }
            }
            t.appeals += r.appeals.len() as u32;
            t.appeals_answered += r.appeals.iter().filter(|a| a.answered).count() as u32;
            t.appeals_overdue += r.appeals.iter().filter(|a| a.overdue).count() as u32;
        }
        waits.sort_by(f64::total_cmp);
        t.median_hours = (!waits.is_empty()).then(|| waits[waits.len() / 2]);
        t.max_hours = waits.last().copied();
        let mut heat: Vec<HeatCell> = heat
            .into_iter()
            .map(|((lead_id, day), (company, touches, reps))| HeatCell { lead_id, company, day, touches, reps: reps.len() as u32 })
            .collect();
        // Keep the 30 busiest customers (all their days).
        let mut busiest: BTreeMap<&str, u32> = BTreeMap::new();
        for c in &heat {
            *busiest.entry(c.lead_id.as_str()).or_default() += c.touches;
        }
        let mut ranked: Vec<(&str, u32)> = busiest.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let keep: BTreeSet<String> = ranked.iter().take(30).map(|(id, _)| id.to_string()).collect();
        heat.retain(|c| keep.contains(&c.lead_id));
        heat.sort_by(|a, b| (&a.lead_id, &a.day).cmp(&(&b.lead_id, &b.day)));
        let claimed_n = claimed.len() as u32;
        let mut faults: Vec<crate::faults::RepFaults> = self.standing_faults()?.into_values().collect();
        faults.sort_by(|a, b| b.total.cmp(&a.total).then(a.rep.cmp(&b.rep)));
        Ok(Metrics {
            faults,
            since,
            until: at,
            claimed_leads: claimed_n,
            leads_in_cases: in_cases.len() as u32,
            duplicate_claim_rate: if claimed_n == 0 { 0.0 } else { in_cases.len() as f64 / f64::from(claimed_n) },
            duplicate_claim_target: 0.05,
            protection_periods: periods,
            protection_periods_used: used,
            protection_utilisation: (periods > 0).then(|| f64::from(used) / f64::from(periods)),
            turnaround: t,
            per_rep_month: per_rep.into_iter().map(|((rep, month), collisions)| RepMonth { rep, month, collisions }).collect(),
            heat,
            heat_days,
        })
    }
}
