//! The system's arbitration proposal for a collision case (`crate::arbitration`).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::{CollisionIdArgs, Context};
use crate::arbitration::{self, Proposal, Receipts};
use crate::error::{ApiError, Error};
use crate::model::{Event, Rep};

/// Hub receipts of `events` (event → change → `hub_received_at`), where known.
pub fn receipts_of(conn: &Connection, events: &[Event]) -> crate::Result<Receipts> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.hub_received_at FROM event_changes ec JOIN changes c ON c.hash = ec.hash
         WHERE ec.event_id = ?1 AND c.hub_received_at IS NOT NULL",
    )?;
    let mut out = Receipts::new();
    for e in events {
        let at: Option<String> = stmt.query_row([&e.id], |r| r.get(0)).ok();
        if let Some(t) = at.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()) {
            out.insert(e.id.clone(), t.with_timezone(&Utc));
        }
    }
    Ok(out)
}

/// Managers, and the reps a case names, see its proposal.
pub(super) fn collision_propose(ctx: &mut Context, a: CollisionIdArgs) -> Result<Proposal, ApiError> {
    let reg = ctx.registry()?;
    let me = reg.session()?.clone();
    let case = reg.collision_case(&a.id)?.ok_or_else(|| Error::from(crate::Reason::NotFound { kind: crate::ObjectKind::CollisionCase, id: a.id.clone() }))?;
    if !me.role.decides_cases() && !case.reps.contains(&me.id) {
        return Err(Error::from(crate::Reason::CaseNotYours { case: a.id.clone() }).into());
    }
    Ok(proposal_for(reg, &case)?)
}

/// The proposal for `case` from the registry's data.
pub fn proposal_for(reg: &mut crate::Registry, case: &crate::collisions::CollisionCase) -> crate::Result<Proposal> {
    let mut histories = BTreeMap::new();
    for lead in &case.lead_ids {
        histories.insert(lead.clone(), reg.events(lead)?);
    }
    let all: Vec<Event> = histories.values().flatten().cloned().collect();
    let receipts = receipts_of(reg.connection(), &all)?;
    let reps: BTreeMap<String, Rep> = reg.reps().map(|r| (r.id.clone(), r.clone())).collect();
    let policy = reg.policy(&case.branch);
    Ok(arbitration::propose_with_receipts(case, &histories, &receipts, &reps, &policy))
}
