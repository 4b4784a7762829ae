//! The reminder 24 h before a customer's protection ends (the home screen and the
//! desktop notification read it from `notifications_list`).

mod support;

use leadguard_core::model::{EventKind, FollowupKind};
use leadguard_core::notifications::NotificationKind;
use support::*;

fn reminders(reg: &mut leadguard_core::Registry, at: chrono::DateTime<chrono::Utc>) -> Vec<(String, Option<String>)> {
    reg.notifications(at)
        .unwrap()
        .into_iter()
        .filter(|n| n.kind == NotificationKind::ProtectionEnding)
        .map(|n| (n.id, n.lead_id))
        .collect()
}

#[test]
fn the_owner_is_reminded_24_hours_before_protection_ends_and_again_after_an_extension() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r1");
    // 72 h of protection from h(0): ends at h(72).
    let lead = register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    assert!(reminders(&mut reg, h(47)).is_empty(), "more than 24 h left: no reminder yet");
    let first = reminders(&mut reg, h(49));
    assert_eq!(first.len(), 1);
    assert_eq!(first[0].1.as_deref(), Some(lead.as_str()));
    let n = reg.notifications(h(49)).unwrap().into_iter().find(|n| n.id == first[0].0).unwrap();
    assert!(n.body_zh.contains("深圳市腾达科技有限公司") && n.body_zh.contains("电话不延长"), "{}", n.body_zh);
    // A visit extends protection: the reminder goes, and a new one comes before the new end.
    try_write(&mut reg, "r1", &lead, EventKind::Followup { followup: FollowupKind::Visit, note: "上门".into() }, h(50)).unwrap();
    assert!(reminders(&mut reg, h(51)).is_empty());
    let until = reg.status(&lead, h(51)).unwrap().1.protected_until.unwrap();
    let again = reminders(&mut reg, until - chrono::Duration::hours(2));
    assert_eq!(again.len(), 1);
    assert_ne!(again[0].0, first[0].0, "a new end is a new reminder (shown on the desktop again)");
    // Once protection has ended there is nothing left to remind of.
    assert!(reminders(&mut reg, until + chrono::Duration::hours(1)).is_empty());
}

#[test]
fn a_colleagues_expiring_customer_is_not_my_reminder() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r2");
    register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    assert!(reminders(&mut reg, h(60)).is_empty());
}
