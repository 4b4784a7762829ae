//! Property: the derived status equals a simple reference model over random event
//! sequences. The model is written differently on purpose: it simulates time hour by
//! hour with countdowns (protection left, cooldown left) instead of comparing
//! interval ends, so an off-by-one or a missed rule in either shows up as a mismatch.
//! The model lives in hub time: the same history from devices with wrong clocks, with
//! receipts that pin each event's window, must derive the same status.

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadguard_core::model::{Event, EventKind, FollowupKind, LeadFields};
use leadguard_core::policy::Policy;
use leadguard_core::status::{derive, LeadState};
use leadguard_core::timing::{Receipt, Timing};
use proptest::prelude::*;

const REPS: [&str; 3] = ["a", "b", "c"];
const KINDS: [FollowupKind; 6] = [
    FollowupKind::Call,
    FollowupKind::Visit,
    FollowupKind::Sample,
    FollowupKind::Quote,
    FollowupKind::StoreVisit,
    FollowupKind::Deal,
];

#[derive(Debug, Clone)]
enum Op {
    /// Adds contact and need (completes the lead).
    Complete(usize),
    Claim(usize),
    Followup(usize, usize),
    Release(usize),
    Handover(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => (0..3usize).prop_map(Op::Complete),
        3 => (0..3usize).prop_map(Op::Claim),
        3 => (0..3usize, 0..6usize).prop_map(|(r, k)| Op::Followup(r, k)),
        2 => (0..3usize).prop_map(Op::Release),
        1 => (0..3usize, 0..3usize).prop_map(|(f, t)| Op::Handover(f, t)),
    ]
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// The reference: integer hours, countdowns ticked once per hour.
#[derive(Debug, Default)]
struct Model {
    complete: bool,
    owner: Option<usize>,
    deal: bool,
    left: i64,
    prev: Option<usize>,
    cooldown_left: i64,
    ignored: usize,
}

impl Model {
    fn tick(&mut self, p: &Policy) {
        if self.owner.is_some() && !self.deal {
            self.left -= 1;
            if self.left <= 0 {
                self.prev = self.owner.take();
                self.cooldown_left = p.reclaim_cooldown_hours as i64;
            }
        } else if self.cooldown_left > 0 {
            self.cooldown_left -= 1;
        }
    }

    fn take(&mut self, rep: usize, p: &Policy) {
        self.owner = Some(rep);
        self.left = p.protection_hours as i64;
        self.cooldown_left = 0;
    }

    fn apply(&mut self, op: &Op, p: &Policy) {
        let ok = match *op {
            Op::Complete(r) => {
                if !self.complete {
                    self.complete = true;
                    self.take(r, p);
                    true
                } else {
                    self.owner == Some(r)
                }
            }
            Op::Claim(r) => {
                let cooling = self.prev == Some(r) && self.cooldown_left > 0;
                if self.complete && self.owner.is_none() && !cooling {
                    self.take(r, p);
                    true
                } else {
                    false
                }
            }
            Op::Followup(r, k) => {
                if self.owner != Some(r) {
                    false
                } else {
                    if KINDS[k] == FollowupKind::Deal {
                        self.deal = true;
                    } else if !self.deal && p.qualifying_followups.contains(&KINDS[k]) {
                        self.left = self.left.max(p.extension_hours as i64);
                    }
                    true
                }
            }
            Op::Release(r) => {
                if self.owner == Some(r) && !self.deal {
                    self.prev = self.owner.take();
                    self.cooldown_left = p.reclaim_cooldown_hours as i64;
                    true
                } else {
                    false
                }
            }
            Op::Handover(f, t) => {
                if self.owner == Some(f) {
                    self.owner = Some(t);
                    if !self.deal {
                        self.left = self.left.max(p.protection_hours as i64);
                    }
                    true
                } else {
                    false
                }
            }
        };
        if !ok {
            self.ignored += 1;
        }
    }
}

fn event(i: usize, rep: &str, kind: EventKind, hour: i64) -> Event {
    Event {
        id: format!("e{i}"),
        kind,
        rep: rep.into(),
        device: "d".into(),
        device_time: t0() + Duration::hours(hour),
        after: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn derived_status_equals_reference_model(
        complete_at_start in any::<bool>(),
        registrant in 0..3usize,
        steps in prop::collection::vec((0..60i64, op()), 0..30),
        tail in 0..200i64,
        protection in 1..100u32,
        extension in 0..100u32,
        cooldown in 0..50u32,
        clocks in prop::collection::vec(-720i64..=720, 1..8),
    ) {
        let policy = Policy {
            protection_hours: protection,
            extension_hours: extension,
            reclaim_cooldown_hours: cooldown,
            ..Policy::default()
        };
        let mark = LeadFields { company: Some("某公司".into()), ..Default::default() };
        let full = LeadFields { contact: Some("某人".into()), need: Some("需求".into()), ..mark.clone() };
        let mut events = vec![event(0, REPS[registrant], EventKind::Register {
            fields: if complete_at_start { full.clone() } else { mark.clone() },
        }, 0)];
        let mut model = Model::default();
        if complete_at_start {
            model.complete = true;
            model.take(registrant, &policy);
        }
        let mut hour = 0;
        for (i, (gap, op)) in steps.iter().enumerate() {
            for _ in 0..*gap { model.tick(&policy); }
            hour += gap;
            model.apply(op, &policy);
            let (rep, kind) = match *op {
                Op::Complete(r) => (r, EventKind::Update { fields: LeadFields { contact: Some("某人".into()), need: Some("需求".into()), ..Default::default() } }),
                Op::Claim(r) => (r, EventKind::Claim),
                Op::Followup(r, k) => (r, EventKind::Followup { followup: KINDS[k], note: String::new() }),
                Op::Release(r) => (r, EventKind::Release),
                Op::Handover(f, t) => (0, EventKind::Handover { from: REPS[f].into(), to: REPS[t].into() }),
            };
            events.push(event(i + 1, REPS[rep], kind, hour));
        }
        for _ in 0..tail { model.tick(&policy); }
        let at = t0() + Duration::hours(hour + tail);
        let s = derive(&events, &policy, at, &Timing::none());

        let want_state = match (model.complete, model.owner, model.deal) {
            (false, _, _) => LeadState::Incomplete,
            (true, Some(_), true) => LeadState::Deal,
            (true, Some(_), false) => LeadState::Protected,
            (true, None, _) => LeadState::Pool,
        };
        prop_assert_eq!(s.state, want_state);
        prop_assert_eq!(s.owner.as_deref(), model.owner.map(|o| REPS[o]));
        if want_state == LeadState::Protected {
            prop_assert_eq!(s.protected_until, Some(at + Duration::hours(model.left)));
        } else {
            prop_assert_eq!(s.protected_until, None);
        }
        if want_state == LeadState::Pool {
            prop_assert_eq!(s.previous_owner.as_deref(), model.prev.map(|o| REPS[o]));
        }
        prop_assert_eq!(s.ignored.len(), model.ignored);

        // The same history written on devices with clocks off by up to ±30 days: each
        // receipt pins its event's window to the hour the model placed it at, so the
        // device clocks change nothing.
        let mut timing = Timing::none();
        let skewed: Vec<Event> = events
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let hub = Some(e.device_time);
                timing.insert(e.id.clone(), Receipt { device_prev_sync: hub, received_at: hub });
                let device_time = e.device_time + Duration::hours(clocks[i % clocks.len()]);
                Event { device: format!("d{i}"), device_time, ..e.clone() }
            })
            .collect();
        prop_assert_eq!(derive(&skewed, &policy, at, &timing), s);
    }
}
