//! Duplicate check commands (线索查重, DESIGN.md rule 2): who already follows a
//! customer like this one, with score, reasons, owner and protection end.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Context;
use crate::error::ApiError;
use crate::model::LeadFields;
use crate::registry::Registry;
use crate::view::{self, LeadView, Viewer};

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

/// Why a match was made: a stable `kind` (e.g. `same_phone`, `company_name_similar`)
/// and ready-made texts.
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
    pub reasons: Vec<DupReason>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DedupResult {
    pub matches: Vec<DuplicateMatch>,
}

/// Duplicates of `fields` as the session's user may see them.
pub fn find(
    reg: &mut Registry,
    fields: &LeadFields,
    exclude: Option<&str>,
    limit: usize,
    at: DateTime<Utc>,
) -> Result<Vec<DuplicateMatch>, ApiError> {
    let found = reg.duplicates(fields, limit, exclude)?;
    let me = reg.session()?;
    let viewer = Viewer { rep: me, at, reclaim_cooldown_hours: reg.policy(&me.branch).reclaim_cooldown_hours };
    let mut out = Vec::with_capacity(found.len());
    for (id, m) in found {
        // The dedup index may briefly know a lead another process removed; skip it.
        let Ok(row) = reg.row(&id) else { continue };
        let lead = view::from_row(&viewer, &row.at(at), |r| reg.rep(r));
        let reasons = m
            .reasons
            .iter()
            .map(|r| DupReason {
                kind: serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_string))
                    .unwrap_or_default(),
                zh: r.zh(),
                en: r.en(),
            })
            .collect();
        out.push(DuplicateMatch { lead, score: m.score, reasons });
    }
    Ok(out)
}

pub(super) fn dedup_check(ctx: &mut Context, a: DedupCheckArgs) -> Result<DedupResult, ApiError> {
    let at = ctx.now();
    let limit = a.limit.unwrap_or(5).clamp(1, 50) as usize;
    let reg = ctx.registry()?;
    Ok(DedupResult { matches: find(reg, &a.fields, a.exclude.as_deref(), limit, at)? })
}
