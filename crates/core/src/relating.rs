//! Relating leads (docs/RULES.md rule 10) and what relations decide.
//!
//! A relation is written as an `update` of the lead's `relations` field, by someone
//! who may edit that lead: it replicates and merges like any edit, and the other lead
//! is never written (its owner may be someone else). [`crate::relations`] keeps the
//! table the rules read:
//! - family (直系亲属) and one purchasing unit (同一购买单位) are one customer: a pool
//!   claim of a lead whose relative another rep holds is refused
//!   ([`Registry::check_related_claim`]); offline, where nothing can refuse it, the
//!   two claims become one collision case (`collisions::detect`);
//! - a referral (转介绍) credits its referrer, shown with the lead and in its cases.

use chrono::{DateTime, Utc};

use crate::error::{Error, Result};
use crate::model::{EventKind, LeadFields, Relation, RelationKind};
use crate::registry::{Registry, Written};
use crate::relations::{self, RelationRow};
use crate::status::LeadState;
use crate::{ObjectKind, Reason};

/// A relation to write or remove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relate {
    pub kind: RelationKind,
    /// The related lead (required for family and one purchasing unit).
    pub other: Option<String>,
    /// A referral's referrer; by default the owner of `other`.
    pub referrer: Option<String>,
    pub note: Option<String>,
}

impl Registry {
    /// Adds a relation to `lead`'s fields (one `update` event).
    pub fn relate(&mut self, lead: &str, r: Relate, now: DateTime<Utc>) -> Result<Written> {
        let other = r.other.as_deref().map(str::trim).filter(|o| !o.is_empty()).map(str::to_string);
        if other.as_deref() == Some(lead) {
            return Err(Reason::RelationToItself {}.into());
        }
        let other_row = match &other {
            Some(o) => Some(self.row(o)?.at(now)),
            None if r.kind.same_customer() => return Err(Reason::RelationNeedsLead {}.into()),
            None => None,
        };
        let referrer = match (r.kind, r.referrer.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
            (RelationKind::Referral, Some(rep)) => {
                self.rep(rep).ok_or_else(|| Error::from(Reason::NotFound { kind: ObjectKind::Rep, id: rep.to_string() }))?;
                Some(rep.to_string())
            }
            (RelationKind::Referral, None) => other_row.as_ref().and_then(|row| row.owner.clone()),
            _ => None,
        };
        let (_, status) = self.status(lead, now)?;
        let mut list = status.fields.relations.clone().unwrap_or_default();
        if list.iter().any(|x| x.kind == r.kind && x.lead_id == other && (other.is_some() || x.rep == referrer)) {
            return Err(Reason::RelationExists {}.into());
        }
        let note = r.note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        list.push(Relation { kind: r.kind, lead_id: other, note, rep: referrer });
        self.act(lead, EventKind::Update { fields: LeadFields { relations: Some(list), ..LeadFields::default() } }, now)
    }

    /// Removes the relations of `kind` to `other` from `lead`'s fields.
    pub fn unrelate(&mut self, lead: &str, kind: RelationKind, other: Option<&str>, now: DateTime<Utc>) -> Result<Written> {
        let (_, status) = self.status(lead, now)?;
        let list = status.fields.relations.clone().unwrap_or_default();
        let kept: Vec<Relation> = list.iter().filter(|x| !(x.kind == kind && x.lead_id.as_deref() == other)).cloned().collect();
        if kept.len() == list.len() {
            return Err(Reason::NothingToUpdate {}.into());
        }
        self.act(lead, EventKind::Update { fields: LeadFields { relations: Some(kept), ..LeadFields::default() } }, now)
    }

    /// The relations naming `lead`, whichever lead holds them.
    pub(crate) fn relations_of(&self, lead: &str) -> Result<Vec<RelationRow>> {
        relations::of_lead(&self.conn, lead)
    }

    /// Refuses `rep`'s pool claim of `lead` when a lead of the same customer (family,
    /// one purchasing unit) is protected for, or bound by a deal to, another rep at `at`.
    pub fn check_related_claim(&self, lead: &str, rep: &str, at: DateTime<Utc>) -> Result<()> {
        for other in relations::one_customer(&self.conn, lead)? {
            if other == lead {
                continue;
            }
            let Some(row) = crate::lead_index::get(&self.conn, &other)?.map(|r| r.at(at)) else { continue };
            let held = matches!(row.state, LeadState::Protected | LeadState::Deal);
            if let (true, Some(owner)) = (held, row.owner.as_deref()) {
                if owner != rep {
                    let owner = self.rep(owner).map_or_else(|| owner.to_string(), |r| r.name.clone());
                    return Err(Reason::RelatedCustomerOwned { company: row.company.clone(), owner }.into());
                }
            }
        }
        Ok(())
    }
}
