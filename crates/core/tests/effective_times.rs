//! One test per rule of effective times: an event counts at its device time clamped
//! into its hub-time evidence window [its device's last sync, the hub's receipt], and
//! protection, expiry, cooldowns and pool claims are judged on those times.

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadguard_core::collisions::claims::claim_attempts;
use leadguard_core::collisions::Window;
use leadguard_core::model::{Event, EventKind, LeadFields};
use leadguard_core::policy::Policy;
use leadguard_core::status::{check, derive, LeadState, Rejection};
use leadguard_core::timing::{clamp, effective_times, Receipt, Timing};

fn h(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + Duration::hours(hours)
}

fn ev(id: &str, rep: &str, device: &str, kind: EventKind, device_time: DateTime<Utc>, after: Option<DateTime<Utc>>) -> Event {
    Event { id: id.into(), kind, rep: rep.into(), device: device.into(), device_time, after }
}

fn register(id: &str, rep: &str, device: &str, t: DateTime<Utc>) -> Event {
    let fields = LeadFields {
        company: Some("深圳市腾达科技有限公司".into()),
        contact: Some("陈明".into()),
        need: Some("门禁系统".into()),
        ..Default::default()
    };
    ev(id, rep, device, EventKind::Register { fields }, t, None)
}

fn receipt(prev: Option<DateTime<Utc>>, received: DateTime<Utc>) -> Receipt {
    Receipt { device_prev_sync: prev, received_at: Some(received) }
}

fn the_end() -> DateTime<Utc> {
    DateTime::<Utc>::MIN_UTC
}

#[test]
fn an_honest_clock_counts_at_its_device_time() {
    let w = Window { from: Some(h(0)), to: Some(h(10)) };
    assert_eq!(clamp(h(4), &w), h(4));
}

#[test]
fn a_clock_ahead_counts_at_the_hub_receipt() {
    assert_eq!(clamp(h(24 * 30), &Window { from: Some(h(0)), to: Some(h(10)) }), h(10));
}

#[test]
fn a_clock_behind_counts_from_the_last_sync() {
    assert_eq!(clamp(h(-24 * 30), &Window { from: Some(h(0)), to: Some(h(10)) }), h(0));
}

#[test]
fn an_event_not_at_the_hub_has_only_its_lower_bound() {
    let w = Window { from: Some(h(0)), to: None };
    assert_eq!(clamp(h(24 * 5), &w), h(24 * 5), "offline, the laptop's own clock");
    assert_eq!(clamp(h(-5), &w), h(0));
    assert_eq!(clamp(h(-5), &Window { from: None, to: None }), h(-5), "never synced: nothing bounds it");
}

#[test]
fn the_hubs_record_of_the_last_sync_wins_over_the_events_word() {
    let mut timing = Timing::none();
    // The event says it follows a sync at h(0); the hub knows the device synced at h(5).
    let e = ev("c", "r2", "d2", EventKind::Claim, h(-100), Some(h(0)));
    timing.insert("c", receipt(Some(h(5)), h(8)));
    assert_eq!(timing.window(&e), Window { from: Some(h(5)), to: Some(h(8)) });
    // A lower end after the receipt is a lie: the receipt bounds it.
    let liar = ev("l", "r2", "d2", EventKind::Claim, h(100), Some(h(50)));
    timing.insert("l", receipt(None, h(9)));
    assert_eq!(timing.window(&liar), Window { from: Some(h(9)), to: Some(h(9)) });
    assert_eq!(effective_times(&[liar], &timing), vec![h(9)]);
}

#[test]
fn one_device_never_goes_back_in_time() {
    // Registered at h(10), then the clock was set back: the edit still follows it.
    let events = vec![
        register("r", "r1", "d1", h(10)),
        ev("u", "r1", "d1", EventKind::Update { fields: LeadFields { notes: Some("x".into()), ..Default::default() } }, h(2), None),
    ];
    assert_eq!(effective_times(&events, &Timing::none()), vec![h(10), h(10)]);
    let s = derive(&events, &Policy::default(), the_end(), &Timing::none());
    assert!(s.ignored.is_empty(), "{:?}", s.ignored);
}

#[test]
fn a_registration_with_the_clock_ahead_is_protected_from_its_receipt() {
    let events = vec![register("r", "r1", "d1", h(24 * 30))];
    let mut timing = Timing::none();
    assert_eq!(derive(&events, &Policy::default(), the_end(), &timing).protected_until, Some(h(24 * 30 + 72)));
    timing.insert("r", receipt(Some(h(-1)), h(1)));
    let s = derive(&events, &Policy::default(), the_end(), &timing);
    assert_eq!((s.registered_at, s.protected_until), (Some(h(1)), Some(h(73))));
    assert_eq!(derive(&events, &Policy::default(), h(80), &timing).state, LeadState::Pool);
}

#[test]
fn a_pool_claim_inside_protection_by_hub_time_takes_no_effect() {
    // r1 registered at h(0) (protected to h(72)); r2 synced at h(24), set the clock to
    // h(120) and claimed; the hub received it at h(25).
    let events = vec![register("r", "r1", "d1", h(0)), ev("c", "r2", "d2", EventKind::Claim, h(120), Some(h(24)))];
    let mut timing = Timing::none();
    timing.insert("r", receipt(None, h(0)));
    let provisional = derive(&events, &Policy::default(), the_end(), &timing);
    assert_eq!(provisional.owner.as_deref(), Some("r2"), "before the receipt: his own clock");
    timing.insert("c", receipt(Some(h(24)), h(25)));
    let s = derive(&events, &Policy::default(), the_end(), &timing);
    assert_eq!((s.owner.as_deref(), s.protected_until), (Some("r1"), Some(h(72))));
    assert_eq!(s.ignored, vec![("c".to_string(), Rejection::OwnedByOther { owner: "r1".into(), until: Some(h(72)) })]);
    let attempts = claim_attempts(&events, &Policy::default(), &timing);
    let claim = attempts.iter().find(|a| a.index == 1).unwrap();
    assert_eq!((claim.effective_time, claim.took_effect), (h(25), false));
    assert_eq!(claim.held_by, Some(("r1".to_string(), Some(h(72)))));
}

#[test]
fn an_event_inserted_early_in_the_list_is_replayed_at_its_effective_time() {
    // r1 released at h(10); r3 claimed at h(20). r2's forged claim sits before r3's in
    // the list, dated h(11), but his device had synced at h(30).
    let events = vec![
        register("r", "r1", "d1", h(0)),
        ev("x", "r1", "d1", EventKind::Release, h(10), None),
        ev("f", "r2", "d2", EventKind::Claim, h(11), None),
        ev("c", "r3", "d3", EventKind::Claim, h(20), Some(h(15))),
    ];
    let mut timing = Timing::none();
    timing.insert("r", receipt(None, h(0)));
    timing.insert("x", receipt(None, h(10)));
    timing.insert("c", receipt(Some(h(15)), h(20)));
    timing.insert("f", receipt(Some(h(30)), h(31)));
    let s = derive(&events, &Policy::default(), the_end(), &timing);
    assert_eq!(s.owner.as_deref(), Some("r3"));
    assert!(matches!(&s.ignored[..], [(id, Rejection::OwnedByOther { .. })] if id == "f"));
}

#[test]
fn a_cooldown_is_judged_on_hub_time() {
    // r1 released at h(10) (24 h cooldown); reclaims with the clock at h(40), but the
    // hub received the claim at h(12).
    let events = vec![
        register("r", "r1", "d1", h(0)),
        ev("x", "r1", "d1", EventKind::Release, h(10), None),
        ev("c", "r1", "d1", EventKind::Claim, h(40), Some(h(10))),
    ];
    let mut timing = Timing::none();
    timing.insert("r", receipt(None, h(0)));
    timing.insert("x", receipt(None, h(10)));
    timing.insert("c", receipt(Some(h(10)), h(12)));
    let s = derive(&events, &Policy::default(), the_end(), &timing);
    assert_eq!(s.state, LeadState::Pool);
    assert!(matches!(s.ignored[..], [(_, Rejection::Cooldown { until })] if until == h(34)));
}

#[test]
fn a_command_is_judged_from_the_devices_last_sync() {
    // The device synced at h(30) after r1's protection was extended to h(100): with
    // the clock set back to h(1) the claim is still refused, and with it forward to
    // h(200) it is allowed (provisionally, until the hub's receipt).
    let events = vec![register("r", "r1", "d1", h(28))];
    let mut timing = Timing::none();
    timing.insert("r", receipt(None, h(28)));
    let back = ev("c", "r2", "d2", EventKind::Claim, h(1), Some(h(30)));
    assert!(matches!(check(&events, &Policy::default(), &back, &timing), Err(Rejection::OwnedByOther { .. })));
    let ahead = ev("c", "r2", "d2", EventKind::Claim, h(200), Some(h(30)));
    let s = check(&events, &Policy::default(), &ahead, &timing).unwrap();
    assert_eq!((s.owner.as_deref(), s.claimed_at), (Some("r2"), Some(h(200))));
}
