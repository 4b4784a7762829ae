//! The proposal in words, zh-CN and en: who, by which criterion, and why.

use std::collections::BTreeMap;

use super::{Criterion, CriterionStep, ProposedOutcome};
use crate::model::Rep;

impl Criterion {
    pub fn name_zh(self) -> &'static str {
        match self {
            Criterion::PastDeal => "历史成交",
            Criterion::RecentFollowup => "近7天内互动",
            Criterion::RegionMatch => "区域匹配",
            Criterion::Completeness => "资料完整度",
            Criterion::EarlierWindow => "首次完整报备（证据窗口先后）",
            Criterion::Effort => "跟进投入（保护期内按类型加权）",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Criterion::PastDeal => "past deal",
            Criterion::RecentFollowup => "follow-up in the last 7 days",
            Criterion::RegionMatch => "region match",
            Criterion::Completeness => "record completeness",
            Criterion::EarlierWindow => "first complete registration (earlier evidence window)",
            Criterion::Effort => "effort (follow-ups in the protection period, weighted by kind)",
        }
    }
}

const CLOSING_ZH: &str = "系统仅提出建议，由经理裁决。";
const CLOSING_EN: &str = "This is a proposal; a manager decides.";

/// `(zh, en)` explanation of a proposal.
pub(super) fn explain(
    outcome: &ProposedOutcome,
    decided_by: Option<Criterion>,
    steps: &[CriterionStep],
    remaining: &[String],
    reps: &BTreeMap<String, Rep>,
) -> (String, String) {
    let name = |id: &str| reps.get(id).map(|r| r.name.clone()).filter(|n| !n.trim().is_empty()).unwrap_or_else(|| id.to_string());
    let names_zh = |ids: &[String]| ids.iter().map(|r| name(r)).collect::<Vec<_>>().join("、");
    let names_en = |ids: &[String]| ids.iter().map(|r| name(r)).collect::<Vec<_>>().join(", ");
    // The findings of the deciding step, one clause per rep.
    let findings = |step: &CriterionStep| -> (String, String) {
        let zh = step.findings.iter().map(|f| format!("{}{}", name(&f.rep), f.detail_zh)).collect::<Vec<_>>().join("；");
        let en = step.findings.iter().map(|f| format!("{} {}", name(&f.rep), f.detail_en)).collect::<Vec<_>>().join("; ");
        (zh, en)
    };
    // Criteria tried before the deciding one that did not narrow the field.
    let prior = || -> (String, String) {
        let list: Vec<Criterion> =
            steps[..steps.len().saturating_sub(1)].iter().filter(|s| !s.decided).map(|s| s.criterion).collect();
        if list.is_empty() {
            return (String::new(), String::new());
        }
        (
            format!("此前的标准（{}）未能区分。", list.iter().map(|c| c.name_zh()).collect::<Vec<_>>().join("、")),
            format!(
                "Earlier criteria ({}) did not tell them apart. ",
                list.iter().map(|c| c.name_en()).collect::<Vec<_>>().join(", ")
            ),
        )
    };
    let deciding = decided_by.and_then(|c| steps.iter().rev().find(|s| s.criterion == c));
    match (outcome, deciding) {
        (ProposedOutcome::Owner { rep }, Some(step)) => {
            let (fz, fe) = findings(step);
            let (pz, pe) = prior();
            let c = step.criterion;
            (
                format!("建议归属：{}。依据「{}」：{}。{}{}", name(rep), c.name_zh(), fz, pz, CLOSING_ZH),
                format!("Proposed owner: {}, decided by {}: {}. {}{}", name(rep), c.name_en(), fe, pe, CLOSING_EN),
            )
        }
        (ProposedOutcome::Owner { rep }, None) => (
            format!("只有 {} 一人报备，建议归其所有。{}", name(rep), CLOSING_ZH),
            format!("Only {} claimed the customer: proposed owner. {}", name(rep), CLOSING_EN),
        ),
        (ProposedOutcome::Split { shares }, step) => {
            let list_zh = shares.iter().map(|s| format!("{} {}%", name(&s.rep), s.pct)).collect::<Vec<_>>().join("，");
            let list_en = shares.iter().map(|s| format!("{} {}%", name(&s.rep), s.pct)).collect::<Vec<_>>().join(", ");
            let (fz, fe) = step.map(findings).unwrap_or_default();
            let all_dealt = step.is_some_and(|s| shares.iter().all(|sh| s.findings.iter().any(|f| f.rep == sh.rep && f.score > 0)));
            let (why_zh, why_en) = if all_dealt {
                ("各方均已成交，按撞单规则平分佣金".to_string(), "every side closed a deal, so the commission is shared equally".to_string())
            } else {
                let loser = shares.last().map(|s| (name(&s.rep), s.pct)).unwrap_or_default();
                if loser.1 >= 40 {
                    (
                        format!("{} 在对方成交之前已有带看（到访）记录，按撞单规则得 {}%", loser.0, loser.1),
                        format!("{} provably showed or visited the customer before the deal, so gets {}% (seed rule: showing without closing)", loser.0, loser.1),
                    )
                } else {
                    (
                        format!("{} 在对方成交之前已有联系记录但未带看，按撞单规则得 {}%", loser.0, loser.1),
                        format!("{} provably contacted the customer before the deal but did not show or visit, so gets {}%", loser.0, loser.1),
                    )
                }
            };
            (
                format!("建议分成：{list_zh}。依据「{}」：{fz}；{why_zh}。{CLOSING_ZH}", Criterion::PastDeal.name_zh()),
                format!("Proposed split: {list_en}, by {}: {fe}; {why_en}. {CLOSING_EN}", Criterion::PastDeal.name_en()),
            )
        }
        (ProposedOutcome::Undecided, _) => {
            let tied_zh = names_zh(remaining);
            let tied_en = names_en(remaining);
            let tried_zh = steps.iter().map(|s| s.criterion.name_zh()).collect::<Vec<_>>().join("、");
            let tried_en = steps.iter().map(|s| s.criterion.name_en()).collect::<Vec<_>>().join(", ");
            if steps.last().is_some_and(|s| s.criterion == Criterion::EarlierWindow) {
                let before = &steps[..steps.len() - 1];
                let (pz, pe) = if before.is_empty() {
                    (String::new(), String::new())
                } else {
                    (
                        format!("此前的标准（{}）也未能区分，", before.iter().map(|s| s.criterion.name_zh()).collect::<Vec<_>>().join("、")),
                        format!(" The earlier criteria ({}) did not tell them apart either.", before.iter().map(|s| s.criterion.name_en()).collect::<Vec<_>>().join(", ")),
                    )
                };
                (
                    format!("证据窗口重叠，无法判定 {tied_zh} 谁先报备；{pz}请经理裁决。"),
                    format!("The evidence windows overlap, so it cannot be told which of {tied_en} claimed first.{pe} The manager decides."),
                )
            } else if steps.is_empty() {
                (
                    format!("没有可用的仲裁标准区分 {tied_zh}，请经理裁决。"),
                    format!("No arbitration criterion applies to {tied_en}. The manager decides."),
                )
            } else {
                (
                    format!("仲裁标准（{tried_zh}）均无法区分 {tied_zh}，请经理裁决。"),
                    format!("No criterion ({tried_en}) tells {tied_en} apart. The manager decides."),
                )
            }
        }
    }
}
