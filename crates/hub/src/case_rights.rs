//! Who may write a decision or appeal on a case (docs/RULES.md rule 17), checked on
//! every push after the schema's check.
//!
//! A decision is written into every lead of its case, so on a case across branches it
//! lands in documents of a branch its author does not otherwise write. The hub admits
//! such a change only when all it writes is decisions and appeals that name their
//! case's leads (whose hash the schema checked against the case id), and the author
//! may decide or appeal that case:
//!
//! - a decision: a director assigned to a branch of the case; a manager of a branch
//!   of the case when the case stays in that branch, or when every involved branch's
//!   policy lets their managers decide (`cross_branch_decider: managers`) — by
//!   default a case across branches is the director's (escalated above the branches);
//! - an appeal: a rep or distributor of a branch of the case (the core checks that
//!   the case names them).
//!
//! The same rule applies inside the author's own branch: a manager's decision on a
//! cross-branch case is refused there too unless the policy gives it to managers.
//! What the hub does not do is derive the case: that the named leads collide is the
//! replicas' derivation (a case id nobody derives is shown by no replica).

use std::collections::BTreeSet;

use leadguard_core::policy::{CrossBranchDecider, Policy};
use leadguard_protocol::Role;
use leadguard_schema::event::Kind;
use leadguard_schema::{DocName, DocState, Effects, Reason, Violation};

use crate::error::{HubError, ScopeAccess};
use crate::scope::{Device, Scope};

/// What the rights check reads beyond the schema's state: a branch's policy as the
/// hub holds it (from its directory document).
pub trait HubDocs: DocState {
    fn policy(&self, branch: &str) -> Policy;
    /// The changes of document `doc_id` in hub order, each with its receipt:
    /// `(bytes, received_at, device_prev_sync)` in ms.
    fn doc_changes(&self, doc_id: &str) -> Vec<(Vec<u8>, i64, Option<i64>)>;
    /// The branch whose directory lists `rep`.
    fn rep_branch(&self, rep: &str) -> Option<String>;
}

/// The rep who owns `lead` now (protected or bound by a deal), as the replicas derive
/// it with each event timed by the hub's receipt.
fn owner_now(state: &dyn HubDocs, lead: &str) -> Option<String> {
    let doc = state.lead_home(lead)?;
    let policy = state.policy(&branch_of(&doc)?);
    let facts = crate::entitlement::facts_of_doc(&doc, &state.doc_changes(&doc), &[lead.to_owned()], &policy, chrono::Utc::now());
    facts.get(lead)?.owner.clone()
}

/// Whether `device` may write an event of `lead` although the lead lives in another
/// branch's document: a case across branches decided for a rep of this branch leaves
/// the customer in the other branch's document, and its new owner follows it up,
/// their manager (or director) hands it over — only while that rep owns it.
fn owners_side(state: &dyn HubDocs, device: &Device, lead: &str) -> bool {
    let Some(owner) = owner_now(state, lead) else { return false };
    if owner == device.rep {
        return true;
    }
    match device.role {
        Role::Manager | Role::Director => state.rep_branch(&owner).is_some_and(|b| device.branches().iter().any(|d| *d == b)),
        _ => false,
    }
}

/// The branch a lead document belongs to (a shard's or a report's).
fn branch_of(doc_id: &str) -> Option<String> {
    match DocName::parse(doc_id).ok()? {
        DocName::Shard { branch, .. } | DocName::Dist { branch, .. } => Some(branch),
        DocName::Directory { .. } => None,
    }
}

/// Checks the decisions and appeals of a change `device` pushed into `doc_id`, and
/// that a change into a scope the device does not write holds nothing else.
pub fn check(state: &dyn HubDocs, device: &Device, doc_id: &str, fx: &Effects) -> Result<Result<(), Violation>, HubError> {
    let scope = DocName::parse(doc_id).map(|n| n.scope()).unwrap_or_default();
    let foreign = !Scope::parse(&scope).is_some_and(|s| device.may_write(&s));
    let forbidden = || HubError::ScopeForbidden { scope: scope.clone(), access: ScopeAccess::Write };
    if foreign && (!fx.new_leads.is_empty() || !fx.entries.is_empty() || fx.policy.is_some()) {
        return Err(forbidden());
    }
    for (lead, ev) in &fx.events {
        let leads = match &ev.case {
            Some((_, Some(leads))) => leads,
            // Into another scope: a decision or appeal naming its case, or the owner's
            // side of a customer a cross-branch decision gave to this branch. In its own
            // scope, a decision written before rule 17 names no leads.
            None if foreign && owners_side(state, device, lead) => continue,
            _ if foreign => return Err(forbidden()),
            _ => continue,
        };
        let mut branches = BTreeSet::new();
        for lead in leads {
            match state.lead_home(lead).as_deref().and_then(branch_of) {
                Some(b) => branches.insert(b),
                None => return Ok(Err(Violation::new(Reason::NotTheDecider, format!("the case names lead {lead}, which the hub does not hold")))),
            };
        }
        let mine = device.branches().iter().any(|b| branches.contains(*b));
        let allowed = match (ev.kind, device.role) {
            (Kind::Decide, Role::Director) => mine,
            (Kind::Decide, Role::Manager) => {
                mine && (branches.len() == 1 || branches.iter().all(|b| state.policy(b).cross_branch_decider == CrossBranchDecider::Managers))
            }
            (Kind::Decide, _) => false,
            (Kind::Appeal, _) => mine,
            _ => !foreign,
        };
        if !allowed {
            let list = branches.into_iter().collect::<Vec<_>>().join(", ");
            let why = if branches_cross(&list) { "a case across branches is decided by a director of them unless every branch's policy gives it to its managers" } else { "the case belongs to another branch" };
            return Ok(Err(Violation::new(
                Reason::NotTheDecider,
                format!("a {} device may not write this `{}` event on a case of branches {list}: {why}", device.role, ev.kind.name()),
            )));
        }
    }
    Ok(Ok(()))
}

fn branches_cross(list: &str) -> bool {
    list.contains(", ")
}
