//! Which events of a lead are claims, found by replaying its history.

use crate::collisions::model::ClaimKind;
use crate::model::{Event, EventKind, Policy};
use crate::status::{self, LeadState, Rejection};

/// A claim found in a lead's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// Position in the history.
    pub index: usize,
    pub kind: ClaimKind,
    /// False for a merged claim on a lead someone else already held.
    pub took_effect: bool,
}

/// The claims in `events`: complete registrations, edits that completed a
/// registration, and pool claims — including claims that merged in too late to take
/// effect because another rep held the lead. A bare, incomplete registration is a
/// mark, not a claim (DESIGN.md rule 3); a claim refused for the rep's own reasons
/// (cooldown, incomplete lead) collides with nobody.
pub fn claim_attempts(events: &[Event], policy: &Policy) -> Vec<Attempt> {
    let mut s = status::derive(&[], policy, chrono::DateTime::<chrono::Utc>::MIN_UTC);
    let mut out = Vec::new();
    for (index, e) in events.iter().enumerate() {
        let state_before = s.state;
        let result = s.step(e, policy);
        let took = result.is_ok();
        let kind = match &e.kind {
            EventKind::Register { fields } => {
                let claimed = took && s.state != LeadState::Incomplete && s.owner.as_deref() == Some(e.rep.as_str());
                // A second registration of one lead (hand-crafted data) still shows the
                // rep meant to claim it.
                let refused_complete = !took && policy.is_complete(fields);
                (claimed || refused_complete).then_some(ClaimKind::Register)
            }
            EventKind::Update { .. } => {
                (took && state_before == LeadState::Incomplete && s.state == LeadState::Protected)
                    .then_some(ClaimKind::Complete)
            }
            EventKind::Claim => match &result {
                Ok(()) | Err(Rejection::OwnedByOther { .. }) => Some(ClaimKind::Claim),
                Err(_) => None,
            },
            _ => None,
        };
        if let Some(kind) = kind {
            out.push(Attempt { index, kind, took_effect: took });
        }
    }
    out
}
