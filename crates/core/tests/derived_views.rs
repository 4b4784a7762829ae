//! Every derived view kept current write by write, merge by merge, equals its rebuild
//! from the documents: random writes on two devices, pulls both ways, late hub
//! receipts, a pulled policy change (which can change whether an edit took effect, so
//! a lead's identifying fields); `verify_derived` compares each view with a rebuild.

mod support;

use leadguard_core::model::{EventKind, FollowupKind, LeadFields};
use leadguard_core::registry::Target;
use leadguard_core::replication::Ack;
use leadguard_core::Registry;
use support::*;

/// A small deterministic generator (the schedule must replay alike).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

const COMPANIES: [&str; 4] = ["深圳华强电子有限公司", "广州白云贸易有限公司", "东莞长安五金厂", "佛山南海陶瓷有限公司"];
const CONTACTS: [&str; 3] = ["陈明", "刘洋", "黄磊"];
const PHONES: [&str; 3] = ["13912345678", "13800001111", "13712340000"];

fn random_fields(rng: &mut Lcg) -> LeadFields {
    fields(COMPANIES[rng.below(4)], CONTACTS[rng.below(3)], PHONES[rng.below(3)])
}

/// One random write by the device's user; refused writes (rules) are fine.
fn random_write(reg: &mut Registry, me: &str, rng: &mut Lcg, leads: &mut Vec<String>, step: i64) {
    let at = h(step);
    if leads.is_empty() || rng.below(3) == 0 {
        let w = reg.write_events(vec![(Target::New, me.to_string(), EventKind::Register { fields: random_fields(rng) })], at);
        leads.extend(w.ok().map(|mut w| w.remove(0).lead_id));
        return;
    }
    let lead = leads[rng.below(leads.len())].clone();
    let kind = match rng.below(4) {
        0 => EventKind::Update { fields: random_fields(rng) },
        1 => EventKind::Claim,
        2 => EventKind::Followup { followup: FollowupKind::Call, note: "回访".into() },
        _ => EventKind::Release,
    };
    let _ = try_write(reg, me, &lead, kind, at);
}

fn assert_views_agree(reg: &mut Registry, who: &str) -> Vec<leadguard_core::ViewCheck> {
    let checks = reg.verify_derived().unwrap();
    for c in &checks {
        assert!(c.drift.is_empty(), "{who}: view {} differs from its rebuild: {:?}", c.view, c.drift);
    }
    checks
}

#[test]
fn incremental_views_equal_a_rebuild_after_random_writes_and_pulls() {
    for seed in [1_u64, 7, 42] {
        let dir = tempfile::tempdir().unwrap();
        let mut r1 = branch(&dir.path().join("a"), "r1");
        let mut r2 = branch(&dir.path().join("b"), "r2");
        // Warm the in-memory views so they are kept, not only built, write by write.
        r1.warm_dedup().unwrap();
        r1.short_search("华", h(0), 10, 0).unwrap();
        let mut rng = Lcg(seed);
        let (mut l1, mut l2) = (Vec::new(), Vec::new());
        for step in 0..30 {
            random_write(&mut r1, "r1", &mut rng, &mut l1, step);
            random_write(&mut r2, "r2", &mut rng, &mut l2, step);
        }
        // A pull each way: both devices then hold the other's leads and claims.
        copy_all(&r2, &mut r1);
        copy_all(&r1, &mut r2);
        l1.extend(l2.iter().cloned());
        for step in 30..40 {
            random_write(&mut r1, "r1", &mut rng, &mut l1, step);
        }
        // The hub acknowledges r1's changes late: receipts move effective times.
        let acks: Vec<Ack> = r1
            .pending_changes(10_000)
            .unwrap()
            .into_iter()
            .map(|p| Ack { hash: p.hash, hub_seq: 10_000 + p.local_seq, received_at: h(60), device_prev_sync: Some(h(-1)) })
            .collect();
        r1.mark_acknowledged(&acks).unwrap();
        // The manager shortens protection; r1 pulls the policy and re-derives every lead.
        let mut m1 = branch(&dir.path().join("c"), "m1");
        let mut policy = m1.policy("sz");
        policy.protection_hours = 12;
        m1.set_policy(policy, h(61)).unwrap();
        assert_views_agree(&mut m1, "m1");
        // (Verifying drops r1's in-memory indexes, as a commit by another process does:
        // the policy pull then re-scores changed leads without a warm duplicate index.)
        assert_views_agree(&mut r1, "r1 before the policy");
        copy_all(&m1, &mut r1);
        assert_eq!(r1.policy("sz").protection_hours, 12, "the policy arrived");
        let checks = assert_views_agree(&mut r1, "r1");
        assert_views_agree(&mut r2, "r2");
        let rows = |view: &str| checks.iter().find(|c| c.view == view).map(|c| c.rows).unwrap_or(0);
        assert!(rows("lead_index") > 0 && rows("event_changes") > 0 && rows("memory") > 0, "{checks:?}");
        assert!(rows("cases") > 0, "seed {seed}: the schedule must produce duplicate links: {checks:?}");
    }
}

#[test]
fn a_view_changed_behind_the_pipeline_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut r1 = branch(dir.path(), "r1");
    let a = register(&mut r1, "r1", "深圳华强电子有限公司", h(1));
    register(&mut r1, "r1", "深圳华强电子有限公司", h(2));
    assert_views_agree(&mut r1, "r1");
    r1.connection().execute("DELETE FROM dup_links", []).unwrap();
    r1.connection().execute("UPDATE lead_index SET company = 'x' WHERE lead_id = ?1", [&a]).unwrap();
    let checks = r1.verify_derived().unwrap();
    let drift = |view: &str| checks.iter().find(|c| c.view == view).map(|c| c.drift.clone()).unwrap_or_default();
    assert!(drift("cases").iter().any(|d| d.starts_with("dup_links: ")), "{checks:?}");
    assert!(drift("lead_index").iter().any(|d| d.contains(&a)), "{checks:?}");
    // verify changes nothing: the damage is still there.
    let links: i64 = r1.connection().query_row("SELECT COUNT(*) FROM dup_links", [], |r| r.get(0)).unwrap();
    assert_eq!(links, 0);
}
