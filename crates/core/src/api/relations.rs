//! Relations between leads (docs/RULES.md rule 10): link a lead as family (直系亲属),
//! the same purchasing unit (同一购买单位) or a referral (转介绍), and read them with
//! the lead, its duplicate warnings and its cases.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Context;
use crate::error::ApiError;
use crate::model::RelationKind;
use crate::registry::Registry;
use crate::relating::Relate;
use crate::status::LeadState;
use crate::visibility::{self, LeadRef, LeadView};

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct LeadRelateArgs {
    /// The lead whose fields get the relation (the user must be allowed to edit it).
    pub id: String,
    pub kind: RelationKind,
    /// The related lead: required for family and one purchasing unit.
    #[serde(default)]
    pub other: Option<String>,
    /// A referral's referrer (a rep id); by default the owner of `other`.
    #[serde(default)]
    pub referrer: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// Removes the relation of `kind` to `other` instead.
    #[serde(default)]
    pub remove: Option<bool>,
}

/// A relation as a lead, its duplicate warning or its case shows it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RelatedLead {
    pub kind: RelationKind,
    /// The other lead, as anyone may know it (company, owner, protection end);
    /// `None` for a referral without a lead.
    pub lead: Option<LeadRef>,
    /// Whether the lead in question holds the relation in its own fields (it can be
    /// removed there).
    pub held_here: bool,
    /// A referral's credited referrer (id and name).
    pub referrer: Option<String>,
    pub referrer_name: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LeadRelated {
    pub lead: LeadView,
    pub relations: Vec<RelatedLead>,
}

/// A lead named by a relation, as people know it; `None` when not held here.
pub(super) fn lead_ref(reg: &Registry, id: &str, at: DateTime<Utc>) -> Option<LeadRef> {
    let row = reg.row(id).ok()?.at(at);
    let owned = matches!(row.state, LeadState::Protected | LeadState::Deal);
    Some(LeadRef {
        id: id.to_string(),
        company: row.company.clone(),
        owner_name: if owned { visibility::name_of(|r| reg.rep(r), row.owner.as_deref()) } else { None },
        protected_until: if row.state == LeadState::Protected { row.protected_until } else { None },
    })
}

/// Every relation naming `lead` (both directions), the same-customer ones only if asked.
pub(super) fn related(reg: &Registry, lead: &str, at: DateTime<Utc>, same_customer_only: bool) -> Result<Vec<RelatedLead>, ApiError> {
    let mut out = Vec::new();
    for r in reg.relations_of(lead)? {
        if same_customer_only && !r.kind.same_customer() {
            continue;
        }
        let other = r.other_than(lead).to_string();
        out.push(RelatedLead {
            kind: r.kind,
            lead: if other.is_empty() { None } else { lead_ref(reg, &other, at) },
            held_here: r.holder == lead,
            referrer_name: r.rep.as_deref().and_then(|id| reg.rep(id)).map(|x| x.name.clone()),
            referrer: r.rep,
            note: r.note,
        });
    }
    Ok(out)
}

pub(super) fn lead_relate(ctx: &mut Context, a: LeadRelateArgs) -> Result<LeadRelated, ApiError> {
    let now = ctx.now();
    let reg = ctx.registry()?;
    let w = if a.remove.unwrap_or(false) {
        reg.unrelate(&a.id, a.kind, a.other.as_deref(), now)?
    } else {
        reg.relate(&a.id, Relate { kind: a.kind, other: a.other, referrer: a.referrer, note: a.note }, now)?
    };
    let lead = super::leads::written_view(reg, &w, now)?;
    let relations = related(reg, &w.lead_id, now, false)?;
    Ok(LeadRelated { lead, relations })
}

