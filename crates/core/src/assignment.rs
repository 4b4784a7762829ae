//! Assigning pool customers (分配, docs/RULES.md rule 11): a manager hands customers
//! of the public pool to reps in bulk, by the branch's assignment rules.
//!
//! The first rule whose conditions the customer meets (region within, industry
//! containing, size equal) names the team; none matching means every active rep.
//! Within the team the rep holding the fewest customers gets it (counting what this
//! round already gave), ties broken by the team's order — a rotation weighted by
//! load. Reps at their holding limit (保有量上限) or suspended for faults (停接) are
//! skipped. Each assignment is an `assign` event carrying its explanation, so the
//! reason travels with the customer's history.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::lead_index::Filter;
use crate::model::{AssignRule, EventKind, LeadFields, Role};
use crate::registry::{Registry, Target};
use crate::status::LeadState;

/// One customer's assignment, or why it got none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Assignment {
    pub lead_id: String,
    pub company: String,
    /// The rep it went to; `None`: nobody could take it.
    pub to: Option<String>,
    pub to_name: Option<String>,
    /// The rule that matched (its position, from 1); `None`: no rule, every rep.
    pub rule: Option<u32>,
    pub explanation_zh: String,
    pub explanation_en: String,
}

fn matches(rule: &AssignRule, f: &LeadFields) -> bool {
    let region = rule.region.as_deref().is_none_or(|r| f.region.as_deref().is_some_and(|c| crate::regions::covers(r, c)));
    let industry = rule.industry.as_deref().is_none_or(|i| f.industry.as_deref().is_some_and(|c| c.contains(i)));
    let size = rule.size.as_deref().is_none_or(|s| f.size.as_deref().is_some_and(|c| c.trim() == s.trim()));
    let grade = rule.grade.as_deref().is_none_or(|g| f.grade.as_deref().is_some_and(|c| c.trim().eq_ignore_ascii_case(g.trim())));
    region && industry && size && grade
}

fn rule_text(rule: &AssignRule) -> String {
    let grade = rule.grade.as_deref().map(|g| format!("{g} 级"));
    let parts: Vec<&str> = [rule.region.as_deref(), rule.industry.as_deref(), rule.size.as_deref(), grade.as_deref()].into_iter().flatten().collect();
    parts.join(" · ")
}

/// Whom one customer goes to by the rules, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Choice {
    pub to: Option<String>,
    pub to_name: Option<String>,
    pub rule: Option<u32>,
    pub explanation_zh: String,
    pub explanation_en: String,
}

/// What a round of assignments remembers between customers: the candidates, faults
/// and the load each rep carries (what they hold plus what this round gave).
pub(crate) struct Round {
    policy: crate::policy::Policy,
    everyone: Vec<String>,
    faults: BTreeMap<String, crate::faults::RepFaults>,
    load: BTreeMap<String, u32>,
}

impl Registry {
    /// Starts a round of assignments by the branch's rules.
    pub(crate) fn assignment_round(&mut self) -> Result<Round> {
        Ok(Round {
            policy: self.policy(self.branch()),
            everyone: self.reps().filter(|r| r.active && r.role == Role::Rep).map(|r| r.id.clone()).collect(),
            faults: self.standing_faults()?,
            load: BTreeMap::new(),
        })
    }

    /// Chooses the rep for a customer with `fields` and counts it in the round's load.
    pub(crate) fn choose_assignee(&mut self, round: &mut Round, fields: &LeadFields, now: DateTime<Utc>) -> Result<Choice> {
        let policy = &round.policy;
        let (rule, team) = match policy.assignment.iter().position(|r| matches(r, fields)) {
            Some(i) => (Some(i as u32 + 1), policy.assignment[i].team.clone()),
            None => (None, round.everyone.clone()),
        };
        let why_rule = match rule {
            Some(n) => match rule_text(&policy.assignment[n as usize - 1]) {
                t if t.is_empty() => (format!("规则 {n}（全部客户）"), format!("rule {n} (any customer)")),
                t => (format!("规则 {n}（{t}）"), format!("rule {n} ({t})")),
            },
            None => ("无匹配规则，全体销售轮转".to_string(), "no rule matched: every rep in rotation".to_string()),
        };
        // (load, position in the team) of every rep who may take it.
        let mut best: Option<(u32, usize, String)> = None;
        let mut skipped = Vec::new();
        for (pos, rep) in team.iter().enumerate() {
            let Some(r) = self.rep(rep).filter(|r| r.active && !matches!(r.role, Role::Distributor | Role::Receptionist)) else { continue };
            let name = r.name.clone();
            let held = match round.load.get(rep) {
                Some(n) => *n,
                None => {
                    let n = self.held_by(rep, now)?;
                    round.load.insert(rep.clone(), n);
                    n
                }
            };
            if policy.max_held > 0 && held >= policy.max_held {
                skipped.push(format!("{name}已达保有量上限"));
                continue;
            }
            if policy.suspend_after_faults > 0 && round.faults.get(rep).is_some_and(|f| f.total >= policy.suspend_after_faults) {
                skipped.push(format!("{name}停接中"));
                continue;
            }
            if best.as_ref().is_none_or(|(l, p, _)| (held, pos) < (*l, *p)) {
                best = Some((held, pos, rep.clone()));
            }
        }
        let skipped_zh = if skipped.is_empty() { String::new() } else { format!("；跳过：{}", skipped.join("、")) };
        let Some((held, _, to)) = best else {
            return Ok(Choice {
                to: None,
                to_name: None,
                rule,
                explanation_zh: format!("{}：团队中没有可接的销售{skipped_zh}", why_rule.0),
                explanation_en: format!("{}: nobody in the team can take it", why_rule.1),
            });
        };
        let name = self.rep(&to).map_or_else(|| to.clone(), |r| r.name.clone());
        *round.load.entry(to.clone()).or_default() += 1;
        Ok(Choice {
            to: Some(to),
            to_name: Some(name.clone()),
            rule,
            explanation_zh: format!("{} → {name}（持有 {held} 个客户，团队中最少）{skipped_zh}", why_rule.0),
            explanation_en: format!("{} → {name} (holding {held}, the fewest in the team)", why_rule.1),
        })
    }

    /// Assigns `leads` (default: the pool, oldest first, at most `limit`) at `now`;
    /// writes nothing when `dry_run`. Managers only.
    pub fn assign_pool(&mut self, leads: Option<Vec<String>>, limit: u32, dry_run: bool, now: DateTime<Utc>) -> Result<Vec<Assignment>> {
        let me = self.require_role(&[Role::Manager], "assign customers")?.id.clone();
        let ids = match leads {
            Some(ids) => ids,
            None => self.list(&Filter::Pool, None, now, limit.clamp(1, 1000), 0)?.rows.into_iter().map(|r| r.lead_id).collect(),
        };
        let mut round = self.assignment_round()?;
        let mut out = Vec::new();
        let mut writes = Vec::new();
        for id in ids {
            let (_, status) = self.status(&id, now)?;
            let company = status.fields.company.clone().unwrap_or_default();
            if status.state != LeadState::Pool {
                let rule = round.policy.assignment.iter().position(|r| matches(r, &status.fields)).map(|i| i as u32 + 1);
                out.push(Assignment {
                    lead_id: id,
                    company,
                    to: None,
                    to_name: None,
                    rule,
                    explanation_zh: "不在公海，未分配".into(),
                    explanation_en: "not in the pool: not assigned".into(),
                });
                continue;
            }
            let c = self.choose_assignee(&mut round, &status.fields, now)?;
            if let Some(to) = &c.to {
                writes.push((Target::Lead(id.clone()), me.clone(), EventKind::Assign { to: to.clone(), reason: c.explanation_zh.clone() }));
            }
            out.push(Assignment {
                lead_id: id,
                company,
                to: c.to,
                to_name: c.to_name,
                rule: c.rule,
                explanation_zh: c.explanation_zh,
                explanation_en: c.explanation_en,
            });
        }
        if !dry_run && !writes.is_empty() {
            self.write_events(writes, now)?;
        }
        Ok(out)
    }
}
