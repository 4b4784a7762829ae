//! A hostile device in random schedules: honest laptops register, follow up and sync
//! through a hub that relays (as a hub without checks would) changes a hostile device
//! forged — unknown kinds, history replaced or erased, leads copied into other
//! documents, garbage and control characters, events inserted before a lead's first,
//! messages claiming other changes' events. Every honest laptop must quarantine the
//! same changes and end exactly where the same schedule without the attacker ends.
//! `PROPTEST_CASES=1000` for a longer run.

mod support;

use std::collections::BTreeMap;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ObjType, ReadDoc, ROOT};
use leadguard_core::model::{EventKind, FollowupKind};
use leadguard_core::replication::{Ack, RemoteChange};
use leadguard_core::Registry;
use proptest::prelude::*;
use serde_json::json;
use support::*;

#[derive(Debug, Clone)]
enum Op {
    Register(usize),
    Followup(usize, usize),
    Sync(usize),
    Attack(Attack, usize),
}

#[derive(Debug, Clone, Copy)]
enum Attack {
    Poison,
    OverwriteList,
    EmptyList,
    EraseWithString,
    Delete,
    CopyElsewhere,
    Garbage,
    EscapeInField,
    InsertBeforeFirst,
    ClaimOthersEvents,
}

fn op() -> impl Strategy<Value = Op> {
    let attack = prop_oneof![
        Just(Attack::Poison),
        Just(Attack::OverwriteList),
        Just(Attack::EmptyList),
        Just(Attack::EraseWithString),
        Just(Attack::Delete),
        Just(Attack::CopyElsewhere),
        Just(Attack::Garbage),
        Just(Attack::EscapeInField),
        Just(Attack::InsertBeforeFirst),
        Just(Attack::ClaimOthersEvents),
    ];
    prop_oneof![
        3 => (0usize..3).prop_map(Op::Register),
        2 => (0usize..3, 0usize..8).prop_map(|(d, l)| Op::Followup(d, l)),
        3 => (0usize..3).prop_map(Op::Sync),
        3 => (attack, 0usize..8).prop_map(|(a, l)| Op::Attack(a, l)),
    ]
}

/// The hub's change log, relaying whatever it is given.
#[derive(Default)]
struct Log {
    changes: Vec<(RemoteChange, Option<usize>)>,
    pulled: [i64; 3],
}

impl Log {
    fn push(&mut self, dev: usize, reg: &mut Registry, at: chrono::DateTime<chrono::Utc>) {
        let mut acks = Vec::new();
        for p in reg.pending_changes(1_000_000).unwrap() {
            let seq = self.changes.len() as i64 + 1;
            acks.push(Ack { hash: p.hash, hub_seq: seq, received_at: at, device_prev_sync: None });
            let c = RemoteChange { hub_seq: seq, doc_id: p.doc_id, scope: p.scope, hash: p.hash, bytes: p.bytes, received_at: at, device_prev_sync: None };
            self.changes.push((c, Some(dev)));
        }
        reg.mark_acknowledged(&acks).unwrap();
    }

    fn pull(&mut self, dev: usize, reg: &mut Registry) {
        let batch: Vec<RemoteChange> =
            self.changes.iter().filter(|(c, from)| c.hub_seq > self.pulled[dev] && *from != Some(dev)).map(|(c, _)| c.clone()).collect();
        reg.apply_remote(&batch).expect("a pull never fails, whatever the hub relays");
        self.pulled[dev] = self.changes.len() as i64;
    }

    fn plant(&mut self, doc_id: &str, bytes: Vec<u8>, at: chrono::DateTime<chrono::Utc>) {
        let hash = automerge::Change::from_bytes(bytes.clone()).unwrap().hash().0;
        if self.changes.iter().any(|(c, _)| c.hash == hash) {
            return;
        }
        let seq = self.changes.len() as i64 + 1;
        self.changes.push((RemoteChange { hub_seq: seq, doc_id: doc_id.into(), scope: "branch:sz".into(), hash, bytes, received_at: at, device_prev_sync: None }, None));
    }

    /// The document as honest devices wrote it (each forgery builds on that; forgeries
    /// built on forgeries are `depends_on_quarantined`, tested in quarantine.rs).
    fn doc(&self, doc_id: &str) -> AutoCommit {
        let mut doc = AutoCommit::new();
        let own = self
            .changes
            .iter()
            .filter(|(c, from)| c.doc_id == doc_id && from.is_some())
            .map(|(c, _)| automerge::Change::from_bytes(c.bytes.clone()).unwrap());
        doc.apply_changes(own).unwrap();
        doc
    }
}

fn event(kind: &str, extra: serde_json::Value) -> String {
    let mut e = json!({"id": format!("x{}", kind.len()), "kind": kind, "rep": "r2", "device": "eeee", "device_time": "2026-03-02T10:00:00Z"});
    e.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    e.to_string()
}

/// The forged change of `attack` on `lead` of `doc_id`, by a hostile actor `n`.
fn forge(log: &Log, attack: Attack, doc_id: &str, lead: &str, n: usize) -> Option<(String, Vec<u8>)> {
    let mut base = log.doc(doc_id);
    // An attacker knows a lead id only once its registration reached the hub.
    base.get(ROOT, lead).ok()??;
    let mut d = base.fork().with_actor(ActorId::from(format!("hostile{n}").as_bytes()));
    let list = match d.get(ROOT, lead) {
        Ok(Some((automerge::Value::Object(ObjType::List), id))) if d.length(&id) > 0 => Some(id),
        _ => None,
    };
    let mut target = doc_id.to_owned();
    let mut message = None;
    match (attack, list) {
        (Attack::Poison, Some(l)) => d.insert(&l, d.length(&l), event("poison", json!({}))).unwrap(),
        (Attack::OverwriteList, _) => {
            let l = d.put_object(ROOT, lead, ObjType::List).unwrap();
            d.insert(&l, 0, event("register", json!({"fields": {"company": "抢来的"}}))).unwrap();
        }
        (Attack::EmptyList, _) => {
            d.put_object(ROOT, lead, ObjType::List).unwrap();
        }
        (Attack::EraseWithString, _) => d.put(ROOT, lead, "erased").unwrap(),
        (Attack::Delete, _) => d.delete(ROOT, lead).unwrap(),
        (Attack::CopyElsewhere, _) => {
            d = AutoCommit::new().with_actor(ActorId::from(format!("hostile{n}").as_bytes()));
            let l = d.put_object(ROOT, lead, ObjType::List).unwrap();
            d.insert(&l, 0, event("register", json!({"fields": {"company": "抢来的"}}))).unwrap();
            target = format!("sz/hostile{n}/0");
        }
        (Attack::Garbage, Some(l)) => d.insert(&l, d.length(&l), "garbage").unwrap(),
        (Attack::EscapeInField, Some(l)) => d.insert(&l, d.length(&l), event("update", json!({"fields": {"company": "\u{1b}[2J抢"}}))).unwrap(),
        (Attack::InsertBeforeFirst, Some(l)) => d.insert(&l, 0, event("claim", json!({}))).unwrap(),
        (Attack::ClaimOthersEvents, Some(l)) => {
            let first = d.get(&l, 0).unwrap().and_then(|(v, _)| v.into_string().ok()).and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok()).unwrap_or_default();
            d.insert(&l, d.length(&l), event("claim", json!({}))).unwrap();
            message = Some(json!({"ev": [first["id"], "x5"]}).to_string());
        }
        (_, None) => return None,
    }
    let mut opts = CommitOptions::default().with_time(0);
    if let Some(m) = message {
        opts = opts.with_message(m);
    }
    d.commit_with(opts)?; // nothing to commit: the forgery was a no-op
    Some((target, d.get_last_local_change()?.raw_bytes().to_vec()))
}

/// Per honest laptop: company → (owner, state, protected until, events), and its
/// quarantine (hub seq, reason).
type Outcome = Vec<(BTreeMap<String, (Option<String>, String, Option<i64>, usize)>, Vec<(i64, String)>)>;

fn run(ops: &[Op], attacks: bool) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let mut regs = [branch(&dir.path().join("m"), "m1"), branch(&dir.path().join("a"), "r1"), branch(&dir.path().join("b"), "r2")];
    let reps = ["m1", "r1", "r2"];
    let mut log = Log::default();
    // Every laptop starts with the others' directory entries.
    for (i, reg) in regs.iter_mut().enumerate() {
        log.push(i, reg, h(0));
    }
    let mut leads: Vec<(String, String)> = Vec::new(); // (lead id, doc id) in the order registered
    for (step, op) in ops.iter().enumerate() {
        let at = h(1 + step as i64);
        match op {
            Op::Register(d) => {
                let id = register(&mut regs[*d], reps[*d], &format!("华南贸易有限公司{step}"), at);
                leads.push((id.clone(), regs[*d].row(&id).unwrap().doc_id));
            }
            Op::Followup(d, l) => {
                if let Some((id, _)) = leads.get(*l) {
                    if regs[*d].row(id).is_ok() {
                        let _ = try_write(&mut regs[*d], reps[*d], id, EventKind::Followup { followup: FollowupKind::Visit, note: "上门".into() }, at);
                    }
                }
            }
            Op::Sync(d) => {
                log.push(*d, &mut regs[*d], at);
                log.pull(*d, &mut regs[*d]);
            }
            Op::Attack(a, l) => {
                if let (true, Some((id, doc))) = (attacks, leads.get(*l)) {
                    if log.changes.iter().any(|(c, _)| &c.doc_id == doc) {
                        if let Some((target, bytes)) = forge(&log, *a, doc, id, step) {
                            log.plant(&target, bytes, at);
                        }
                    }
                }
            }
        }
    }
    for _ in 0..2 {
        for (i, reg) in regs.iter_mut().enumerate() {
            log.push(i, reg, h(1000));
            log.pull(i, reg);
        }
    }
    regs.iter_mut()
        .map(|reg| {
            type Row = (String, String, Option<String>, String, Option<i64>);
            let rows: Vec<Row> = {
                let mut stmt = reg.connection().prepare("SELECT lead_id, company, owner, state, protected_until FROM lead_index").unwrap();
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))).unwrap().map(Result::unwrap).collect()
            };
            let mut by_company = BTreeMap::new();
            for (id, company, owner, state, until) in rows {
                let events = reg.events(&id).unwrap().len();
                by_company.insert(company, (owner, state, until, events));
            }
            let q: Vec<(i64, String)> = {
                let mut stmt = reg.connection().prepare("SELECT hub_seq, reason FROM quarantine ORDER BY hub_seq").unwrap();
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
            };
            (by_company, q)
        })
        .collect()
}

/// 100 schedules by default (each replays two whole schedules: with and without the
/// attacker); `PROPTEST_CASES=1000` for a longer run.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(100)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 100, ..ProptestConfig::default() })]

    #[test]
    fn a_hostile_device_changes_nothing_honest_laptops_agree_on(ops in prop::collection::vec(op(), 4..28)) {
        let attacked = run(&ops, true);
        let control = run(&ops, false);
        for (i, (leads, quarantine)) in attacked.iter().enumerate() {
            prop_assert_eq!(leads, &control[i].0, "laptop {} ends elsewhere than without the attacker", i);
            prop_assert_eq!(quarantine, &attacked[0].1, "laptop {} quarantined other changes", i);
            prop_assert!(control[i].1.is_empty());
        }
        let planted = ops.iter().filter(|o| matches!(o, Op::Attack(..))).count();
        prop_assert!(attacked[0].1.len() <= planted);
    }
}

#[test]
fn every_attack_of_the_schedules_is_quarantined_by_every_laptop() {
    let attacks = [
        Attack::Poison,
        Attack::OverwriteList,
        Attack::EmptyList,
        Attack::CopyElsewhere,
        Attack::Garbage,
        Attack::EscapeInField,
        Attack::InsertBeforeFirst,
        Attack::ClaimOthersEvents,
        Attack::EraseWithString,
        Attack::Delete,
    ];
    let mut ops = vec![Op::Register(1), Op::Register(2), Op::Sync(1), Op::Sync(2)];
    ops.extend(attacks.iter().map(|a| Op::Attack(*a, 0)));
    ops.extend([Op::Followup(1, 0), Op::Sync(1), Op::Sync(0)]);
    let out = run(&ops, true);
    let reasons: Vec<&str> = out[0].1.iter().map(|(_, r)| r.as_str()).collect();
    assert_eq!(
        reasons,
        ["unknown_kind", "root_rewrite", "root_rewrite", "lead_elsewhere", "not_event", "bad_text", "not_append", "malformed", "root_rewrite", "root_rewrite"]
    );
    assert!(out.iter().all(|(_, q)| q == &out[0].1));
    assert_eq!(out, run(&ops, false).into_iter().map(|(l, _)| (l, out[0].1.clone())).collect::<Vec<_>>());
}
