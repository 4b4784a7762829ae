//! Duplicate check commands (线索查重, docs/RULES.md rule 2): who already follows a
//! customer like this one, with score, reasons, owner and protection end.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Context;
use leadguard_dedup::{Match, Reason};

use crate::error::ApiError;
use crate::model::LeadFields;
use crate::registry::Registry;
use crate::sync::online_check;
use crate::visibility::{self, LeadView, Viewer};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct DedupCheckArgs {
    pub fields: LeadFields,
    /// A lead to leave out (the one being edited).
    #[serde(default)]
    pub exclude: Option<String>,
    /// At most this many matches (default 5).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Why a match was made, or what lowered its score: a stable `kind` (e.g.
/// `same_phone`, `same_company_other_contact`, `region_differs`) and ready-made texts.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DupReason {
    pub kind: String,
    pub zh: String,
    pub en: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DuplicateMatch {
    /// The known lead, masked if someone else follows it.
    pub lead: LeadView,
    /// 0..1
    pub score: f32,
    /// At or above the duplicate threshold: a warning. Below it, only possibly the
    /// same customer (shown softly: 可能是同一客户).
    #[serde(default = "likely_default")]
    pub likely: bool,
    /// What raised the score, strongest first.
    pub reasons: Vec<DupReason>,
    /// Fields that lowered the score (e.g. another region), strongest first.
    #[serde(default)]
    pub lowered_by: Vec<DupReason>,
    /// Leads that are one customer with the known lead (family, one purchasing unit:
    /// rule 10), with who follows them.
    #[serde(default)]
    pub related: Vec<super::RelatedLead>,
}

fn likely_default() -> bool {
    true
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DedupResult {
    /// Likely duplicates (at or above the threshold), best first.
    pub matches: Vec<DuplicateMatch>,
    /// Possible duplicates (below the threshold: the same name in another city or
    /// industry, say), best first.
    #[serde(default)]
    pub possible: Vec<DuplicateMatch>,
    /// A distributor's laptop: what the hub said of the typed customer (its laptop
    /// holds no other party's customers). None on an employee's laptop.
    #[serde(default)]
    pub online: Option<crate::sync::online_check::OnlineCheck>,
}

/// Likely duplicates of `fields` as the session's user may see them.
pub fn find(
    reg: &mut Registry,
    fields: &LeadFields,
    exclude: Option<&str>,
    limit: usize,
    at: DateTime<Utc>,
) -> Result<Vec<DuplicateMatch>, ApiError> {
    let found = reg.duplicates(fields, limit, exclude)?;
    present(reg, found, at)
}

fn reason(r: &Reason) -> DupReason {
    let kind = serde_json::to_value(r)
        .ok()
        .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
        .unwrap_or_default();
    DupReason { kind, zh: r.zh(), en: r.en() }
}

fn present(reg: &mut Registry, found: Vec<(String, Match)>, at: DateTime<Utc>) -> Result<Vec<DuplicateMatch>, ApiError> {
    let me = reg.session()?;
    let threshold = reg.policy(&me.branch).dup_threshold();
    let viewer = Viewer { rep: me, at, reclaim_cooldown_hours: reg.policy(&me.branch).reclaim_cooldown_hours };
    let mut out = Vec::with_capacity(found.len());
    for (id, m) in found {
        // The dedup index may briefly know a lead another process removed; skip it.
        let Ok(row) = reg.row(&id) else { continue };
        let lead = visibility::from_row(&viewer, &row.at(at), |r| reg.rep(r));
        let related = super::relations::related(reg, &id, at, true)?;
        out.push(DuplicateMatch {
            related,
            lead,
            score: m.score,
            likely: m.score >= threshold,
            reasons: m.reasons.iter().map(reason).collect(),
            lowered_by: m.against.iter().map(reason).collect(),
        });
    }
    Ok(out)
}

pub(super) fn dedup_check(ctx: &mut Context, a: DedupCheckArgs) -> Result<DedupResult, ApiError> {
    let at = ctx.now();
    let limit = a.limit.unwrap_or(5).clamp(1, 50) as usize;
    let reg = ctx.registry()?;
    // Possible matches are listed after every likely one, so ask for more of both.
    let found = reg.possible_duplicates(&a.fields, limit * 2, a.exclude.as_deref())?;
    let all = present(reg, found, at)?;
    let (mut matches, mut possible): (Vec<_>, Vec<_>) = all.into_iter().partition(|m| m.likely);
    matches.truncate(limit);
    possible.truncate(limit);
    let ask = online_check::prepare(reg, &a.fields)?;
    // The registry is not needed while the hub answers.
    let online = ask.map(|prepared| match prepared {
        Ok((client, req)) => online_check::ask(&client, &req),
        Err(unavailable) => unavailable,
    });
    Ok(DedupResult { matches, possible, online })
}
