//! Which events of a lead are claims, found by replaying its history.

use chrono::{DateTime, Utc};

use crate::collisions::model::ClaimKind;
use crate::model::{Event, EventKind};
use crate::policy::Policy;
use crate::status::{self, LeadState, Rejection};
use crate::timing::Timing;

/// A claim found in a lead's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// Position in the history.
    pub index: usize,
    pub kind: ClaimKind,
    /// False for a merged claim on a lead someone else already held.
    pub took_effect: bool,
    /// When it was judged: its device time clamped into its evidence window.
    pub effective_time: DateTime<Utc>,
    /// For a pool claim that took no effect because another rep held the lead at its
    /// effective time: that rep, and the end of their protection (`None`: a deal).
    pub held_by: Option<(String, Option<DateTime<Utc>>)>,
}

/// The claims in `events`: complete registrations, edits that completed a
/// registration, and pool claims — including claims that merged in too late to take
/// effect because another rep held the lead. A bare, incomplete registration is a
/// mark, not a claim (docs/RULES.md rule 3); a claim refused for the rep's own reasons
/// (cooldown, incomplete lead) collides with nobody. Listed in replay order.
pub fn claim_attempts(events: &[Event], policy: &Policy, timing: &Timing) -> Vec<Attempt> {
    let mut out = Vec::new();
    status::replay(events, policy, timing, |st| {
        let e = st.event;
        let took = st.result.is_ok();
        let s = st.status;
        let mut held_by = None;
        let kind = match &e.kind {
            EventKind::Register { fields } => {
                let claimed = took && s.state != LeadState::Incomplete && s.owner.as_deref() == Some(e.rep.as_str());
                // A second registration of one lead (hand-crafted data) still shows the
                // rep meant to claim it.
                let refused_complete = !took && policy.is_complete(fields);
                (claimed || refused_complete).then_some(ClaimKind::Register)
            }
            EventKind::Update { .. } => (took && st.state_before == LeadState::Incomplete && s.state == LeadState::Protected)
                .then_some(ClaimKind::Complete),
            EventKind::Claim => match st.result {
                Ok(()) => Some(ClaimKind::Claim),
                Err(Rejection::OwnedByOther { owner, until }) => {
                    held_by = Some((owner.clone(), *until));
                    Some(ClaimKind::Claim)
                }
                Err(_) => None,
            },
            _ => None,
        };
        if let Some(kind) = kind {
            out.push(Attempt { index: st.index, kind, took_effect: took, effective_time: st.at, held_by });
        }
    });
    out
}
