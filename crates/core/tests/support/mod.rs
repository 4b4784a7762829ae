//! Shared fixtures: a branch "sz" with manager m1 and reps r1 (李娜), r2 (王强).
#![allow(dead_code)]

pub mod simhub;

use chrono::{DateTime, Duration, TimeZone, Utc};
use leadguard_core::model::{EventKind, LeadFields, Rep, Role};
use leadguard_core::registry::{InitOptions, Target, Written};
use leadguard_core::Registry;

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

pub fn h(hours: i64) -> DateTime<Utc> {
    t0() + Duration::hours(hours)
}

pub fn rep(id: &str, name: &str, role: Role) -> Rep {
    Rep { id: id.into(), name: name.into(), branch: "sz".into(), region: Some("华南".into()), role, active: true }
}

/// A registry whose device user is `me`, with m1, r1 and r2 in the directory.
pub fn branch(dir: &std::path::Path, me: &str) -> Registry {
    let role = if me.starts_with('m') { Role::Manager } else { Role::Rep };
    let manager_dir = dir.join("manager-bootstrap");
    // The directory is written by a manager; a rep's device receives it by sync.
    let mut mgr = Registry::init(&manager_dir, InitOptions { rep: rep("m1", "张经理", Role::Manager), shard_size: 100 }, t0())
        .unwrap();
    mgr.put_rep(rep("r1", "李娜", Role::Rep), t0()).unwrap();
    mgr.put_rep(rep("r2", "王强", Role::Rep), t0()).unwrap();
    if me == "m1" {
        return mgr;
    }
    let names = [("r1", "李娜"), ("r2", "王强")];
    let name = names.iter().find(|(i, _)| *i == me).map(|(_, n)| *n).unwrap_or("某人");
    let mut reg =
        Registry::init(&dir.join(me), InitOptions { rep: rep(me, name, role), shard_size: 100 }, t0()).unwrap();
    copy_all(&mgr, &mut reg);
    reg
}

/// When a change was written (its device clock): a stand-in hub receipt for tests of
/// honest clocks.
pub fn written_at(bytes: &[u8]) -> DateTime<Utc> {
    let change = automerge::Change::from_bytes(bytes.to_vec()).expect("a change");
    DateTime::from_timestamp(change.timestamp(), 0).expect("a time")
}

/// Delivers every change of `from` to `to` as if through the hub, received as written.
pub fn copy_all(from: &Registry, to: &mut Registry) {
    copy_scopes(from, to, "");
}

/// The changes `from` has not pushed yet whose scope starts with `prefix`, as the hub
/// would serve them: received the moment they were written (honest clocks), numbered
/// `base_seq` + their local sequence.
pub fn as_pulled(from: &Registry, prefix: &str, base_seq: i64) -> Vec<leadguard_core::replication::RemoteChange> {
    use leadguard_core::replication::RemoteChange;
    from.pending_changes(usize::MAX >> 1)
        .unwrap()
        .into_iter()
        .filter(|p| p.scope.starts_with(prefix))
        .map(|p| RemoteChange {
            received_at: written_at(&p.bytes),
            hub_seq: base_seq + p.local_seq,
            doc_id: p.doc_id,
            scope: p.scope,
            hash: p.hash,
            bytes: p.bytes,
            device_prev_sync: None,
        })
        .collect()
}

/// Delivers the changes of `from` whose scope starts with `prefix` (what the hub
/// would serve the receiver) to `to`, received as written; returns the apply report.
pub fn copy_scopes(from: &Registry, to: &mut Registry, prefix: &str) -> leadguard_core::replication::ApplyReport {
    to.apply_remote(&as_pulled(from, prefix, 0)).unwrap()
}

pub fn complete(company: &str) -> LeadFields {
    LeadFields {
        company: Some(company.into()),
        contact: Some("陈明".into()),
        phone: Some("13912345678".into()),
        need: Some("年度采购办公设备".into()),
        ..LeadFields::default()
    }
}

/// A complete registration in 深圳 with this company, contact and phone.
pub fn fields(company: &str, contact: &str, phone: &str) -> LeadFields {
    LeadFields {
        company: Some(company.into()),
        contact: Some(contact.into()),
        phone: Some(phone.into()),
        region: Some("深圳".into()),
        need: Some("采购".into()),
        ..LeadFields::default()
    }
}

/// Writes one event on behalf of `rep` at `at`.
pub fn write(reg: &mut Registry, rep: &str, target: Target, kind: EventKind, at: DateTime<Utc>) -> Written {
    reg.write_events(vec![(target, rep.to_string(), kind)], at).unwrap().remove(0)
}

pub fn try_write(
    reg: &mut Registry,
    rep: &str,
    lead: &str,
    kind: EventKind,
    at: DateTime<Utc>,
) -> Result<Written, leadguard_core::Error> {
    reg.write_events(vec![(Target::Lead(lead.to_string()), rep.to_string(), kind)], at).map(|mut v| v.remove(0))
}

/// Registers a complete lead for `rep` at `at`; returns its id.
pub fn register(reg: &mut Registry, rep: &str, company: &str, at: DateTime<Utc>) -> String {
    write(reg, rep, Target::New, EventKind::Register { fields: complete(company) }, at).lead_id
}
