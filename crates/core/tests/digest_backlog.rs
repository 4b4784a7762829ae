//! Keyed digests of pulled plain leads left out of the app's apply slices
//! (`leadguard_core::digest_backlog`): what reads digests stays correct while they are
//! pending, and once the backlog is worked off the registry equals a rebuild that
//! digested everything at once.

mod support;

use leadguard_core::model::{EventKind, LeadFields};
use leadguard_core::registry::Target;
use leadguard_core::Registry;
use leadguard_seal::{CompanyKeys, DigestKey, DigestParams, StaffKey};
use support::simhub::team;
use support::*;

fn company_keys() -> CompanyKeys {
    CompanyKeys { digest: DigestKey::generate().unwrap(), digest_params: DigestParams::TEST, staff: Some(StaffKey::generate().unwrap()) }
}

fn link_reasons(reg: &Registry, a: &str, b: &str) -> Vec<String> {
    let cases = reg.collision_cases(None).unwrap();
    let link = cases.iter().flat_map(|c| &c.duplicates).find(|d| (d.a == a && d.b == b) || (d.a == b && d.b == a));
    link.map(|d| d.reasons_zh.clone()).unwrap_or_default()
}

fn assert_no_drift(reg: &mut Registry) {
    for c in reg.verify_derived().unwrap() {
        assert!(c.drift.is_empty(), "view {} differs from its rebuild: {:?}", c.view, c.drift);
    }
}

/// A manager's enrolled laptop that pulled, with digests deferred, a plain lead written
/// before enrolment (王强's) and a sealed one with the same phone (李娜's); returns it
/// with (plain, sealed).
fn pulled_with_digests_deferred(dir: &std::path::Path) -> (Registry, String, String) {
    let (_hub, mut regs) = team(dir);
    let keys = company_keys();
    let plain = write(&mut regs[2], "r2", Target::New, EventKind::Register { fields: fields("腾达电子", "陈明", "+86 139-1234-5678") }, h(1)).lead_id;
    keys.write(&regs[1].data_dir().join("company.keys")).unwrap();
    let sealed = write(&mut regs[1], "r1", Target::New, EventKind::Register { fields: fields("深圳市腾达科技有限公司", "陈明", "13912345678") }, h(2)).lead_id;
    assert_eq!(regs[1].row(&sealed).unwrap().phone, "13912345678", "李娜 reads her own customer");
    let mut changes = support::as_pulled(&regs[2], "", 0);
    changes.extend(support::as_pulled(&regs[1], "", 0));
    let mut laptop = regs.remove(0);
    keys.write(&laptop.data_dir().join("company.keys")).unwrap();
    laptop.apply_remote_deferring_digests(&changes).unwrap();
    (laptop, plain, sealed)
}

#[test]
fn a_plain_and_a_sealed_lead_with_one_phone_link_once_the_deferred_digests_are_done() {
    let dir = tempfile::tempdir().unwrap();
    let (mut laptop, plain, sealed) = pulled_with_digests_deferred(dir.path());
    assert_eq!(laptop.digest_backlog_len(), 1, "the plain lead waits for its digests; the sealed one brought its own");
    let before = link_reasons(&laptop, &plain, &sealed);
    assert!(!before.iter().any(|s| s.contains("电话相同")), "no digest yet, no phone link: {before:?}");
    // Meanwhile the typing check still finds the plain lead on its plain phone, and the
    // sealed one on the typed value's digest.
    let typed = LeadFields { company: Some("某某公司".into()), phone: Some("139-1234-5678".into()), contact: Some("陈明".into()), ..LeadFields::default() };
    let found: Vec<String> = laptop.possible_duplicates(&typed, 10, None).unwrap().into_iter().map(|(id, _)| id).collect();
    assert!(found.contains(&plain) && found.contains(&sealed), "{found:?}");

    laptop.finish_digest_backlog().unwrap();
    assert_eq!(laptop.digest_backlog_len(), 0);
    let after = link_reasons(&laptop, &plain, &sealed);
    assert!(after.iter().any(|s| s.contains("电话相同")), "the collision surfaces once digested: {after:?}");
    // The same as digesting inside the apply: a rebuild from scratch does that.
    assert_no_drift(&mut laptop);
}

#[test]
fn a_digest_backlog_left_by_a_closed_app_is_found_again_from_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (laptop, plain, sealed) = pulled_with_digests_deferred(dir.path());
    let path = laptop.data_dir().to_path_buf();
    drop(laptop);
    let mut reopened = Registry::open(&path).unwrap();
    assert_eq!(reopened.digest_backlog_len(), 0, "the backlog in memory went with the app");
    let work = reopened.digest_work(100).unwrap().expect("the rows show a lead waiting");
    assert_eq!(work.leads, vec![plain.clone()]);
    assert_eq!(work.values(), 2, "its phone and its contact");
    let done = work.compute(1).unwrap();
    reopened.digest_absorb(done).unwrap();
    reopened.digest_fill(&work.leads).unwrap();
    assert!(link_reasons(&reopened, &plain, &sealed).iter().any(|s| s.contains("电话相同")));
    assert!(reopened.digest_work(100).unwrap().is_none(), "nothing waits any more");
    assert_no_drift(&mut reopened);
}

#[test]
fn the_doctor_works_the_digest_backlog_off_before_comparing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut laptop, plain, sealed) = pulled_with_digests_deferred(dir.path());
    let report = laptop.doctor(false, "test").unwrap();
    assert_eq!(report.differences, 0, "pending digests are not a difference: {report:?}");
    assert_eq!(laptop.digest_backlog_len(), 0);
    assert!(link_reasons(&laptop, &plain, &sealed).iter().any(|s| s.contains("电话相同")));
}
