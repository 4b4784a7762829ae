//! Every replica checks each pulled change against the schema before it touches
//! anything, even if a hub let it through: a bad change is quarantined (the same
//! decision on every replica), never merged, and never stops the sync.

mod support;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ReadDoc, ROOT};
use leadguard_core::api::{self, Context};
use leadguard_core::model::{EventKind, LeadFields};
use leadguard_core::replication::RemoteChange;
use leadguard_core::{ErrorCode, Registry};
use serde_json::json;
use support::*;

/// Every local change of `reg` as the hub would relay it, from `hub_seq` 1 on.
fn relayed(reg: &Registry) -> Vec<RemoteChange> {
    reg.pending_changes(1_000_000)
        .unwrap()
        .into_iter()
        .map(|p| RemoteChange { hub_seq: p.local_seq, doc_id: p.doc_id, scope: p.scope, hash: p.hash, bytes: p.bytes, received_at: h(1), device_prev_sync: None })
        .collect()
}

/// The document `doc_id` rebuilt from relayed changes, as an attacker would fork it.
fn fork(changes: &[RemoteChange], doc_id: &str) -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(&b"\xee\xee"[..]));
    let own: Vec<automerge::Change> = changes.iter().filter(|c| c.doc_id == doc_id).map(|c| automerge::Change::from_bytes(c.bytes.clone()).unwrap()).collect();
    doc.apply_changes(own).unwrap();
    doc
}

/// The change just made in `doc`, relayed with `hub_seq`.
fn forged(doc: &mut AutoCommit, doc_id: &str, hub_seq: i64) -> RemoteChange {
    doc.commit();
    let mut c = doc.get_last_local_change().unwrap().clone();
    RemoteChange { hub_seq, doc_id: doc_id.into(), scope: "branch:sz".into(), hash: c.hash().0, bytes: c.bytes().to_vec(), received_at: h(2), device_prev_sync: None }
}

fn event(kind: &str, rep: &str, extra: serde_json::Value) -> String {
    let mut e = json!({"id": format!("forged-{kind}"), "kind": kind, "rep": rep, "device": "eeee", "device_time": "2026-03-02T10:00:00Z"});
    e.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    e.to_string()
}

struct World {
    _dir: tempfile::TempDir,
    /// r1's laptop: registered the lead.
    a: Registry,
    /// The manager's laptop, which has everything a relayed.
    m: Registry,
    lead: String,
    doc: String,
    relayed: Vec<RemoteChange>,
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut a = branch(dir.path(), "r1");
    let lead = register(&mut a, "r1", "深圳市腾达科技有限公司", h(0));
    let doc = a.row(&lead).unwrap().doc_id;
    let relayed = relayed(&a);
    let mut m = branch(&dir.path().join("m"), "m1");
    m.apply_remote(&relayed).unwrap();
    World { _dir: dir, a, m, lead, doc, relayed }
}

fn quarantined(reg: &Registry) -> Vec<(String, i64)> {
    let mut stmt = reg.connection().prepare("SELECT reason, hub_seq FROM quarantine ORDER BY hub_seq").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
}

#[test]
fn an_unknown_event_kind_is_quarantined_and_sync_continues() {
    let mut w = world();
    let mut d = fork(&w.relayed, &w.doc);
    let (_, list) = d.get(ROOT, w.lead.as_str()).unwrap().unwrap();
    d.insert(&list, 1, event("poison", "r2", json!({}))).unwrap();
    let poison = forged(&mut d, &w.doc, 100);
    // A change built on top of the poison must not slip in either.
    let (_, list) = d.get(ROOT, w.lead.as_str()).unwrap().unwrap();
    d.insert(&list, 2, event("claim", "r2", json!({}))).unwrap();
    let on_top = forged(&mut d, &w.doc, 101);
    // An honest colleague's change in the same pull still lands.
    let mut b = branch(&w._dir.path().join("b"), "r2");
    let other = register(&mut b, "r2", "汕头玩具厂", h(1));
    let honest: Vec<RemoteChange> = relayed(&b).into_iter().filter(|c| !c.doc_id.starts_with("directory/")).map(|c| RemoteChange { hub_seq: 102 + c.hub_seq, ..c }).collect();

    let batch: Vec<RemoteChange> = [poison.clone(), on_top.clone()].into_iter().chain(honest.clone()).collect();
    for reg in [&mut w.a, &mut w.m] {
        let report = reg.apply_remote(&batch).expect("a poisoned pull never fails the sync");
        assert_eq!(report.quarantined, 2);
        assert_eq!(quarantined(reg), vec![("unknown_kind".to_string(), 100), ("depends_on_quarantined".to_string(), 101)]);
        assert_eq!(reg.events(&w.lead).unwrap().len(), 1, "the lead's history is untouched");
        assert_eq!(reg.row(&other).unwrap().company, "汕头玩具厂");
        // and the lead still reads and accepts new events
        reg.status(&w.lead, h(3)).unwrap();
        // pulled again: a known quarantined change, nothing new
        let again = reg.apply_remote(&batch).unwrap();
        assert_eq!((again.quarantined, again.applied), (0, 0));
    }
    // Managers see the quarantine; reps may not list it.
    let dir = w.m.data_dir().to_path_buf();
    drop(w.m);
    let mut ctx = Context::open(&dir).unwrap();
    let list = api::dispatch(&mut ctx, "quarantine_list", serde_json::Value::Null).unwrap();
    assert_eq!(list["items"][0]["reason"], "depends_on_quarantined");
    assert_eq!(list["items"][1]["reason"], "unknown_kind");
    assert_eq!(list["items"][1]["doc_id"], w.doc.as_str());
    let dir = w.a.data_dir().to_path_buf();
    drop(w.a);
    let mut ctx = Context::open(&dir).unwrap();
    assert_eq!(api::dispatch(&mut ctx, "quarantine_list", serde_json::Value::Null).unwrap_err().code, ErrorCode::Forbidden);
}

#[test]
fn a_root_key_overwrite_is_quarantined() {
    let mut w = world();
    let owner_before = w.m.row(&w.lead).unwrap().owner;
    type Forge = Box<dyn Fn(&mut AutoCommit, &str)>;
    let forgeries: [Forge; 3] = [
        Box::new(|d, lead| {
            let l = d.put_object(ROOT, lead, ObjType::List).unwrap();
            d.insert(&l, 0, event("register", "r2", json!({"fields": {"company": "腾达"}}))).unwrap();
        }),
        Box::new(|d, lead| {
            d.put_object(ROOT, lead, ObjType::List).unwrap();
        }),
        Box::new(|d, lead| d.put(ROOT, lead, "erased").unwrap()),
    ];
    for (i, forge) in forgeries.iter().enumerate() {
        let mut d = fork(&w.relayed, &w.doc);
        forge(&mut d, &w.lead);
        let c = forged(&mut d, &w.doc, 200 + i as i64);
        assert_eq!(w.m.apply_remote(&[c]).unwrap().quarantined, 1);
    }
    assert!(quarantined(&w.m).iter().all(|(r, _)| r == "root_rewrite"));
    assert_eq!(w.m.row(&w.lead).unwrap().owner, owner_before);
    assert_eq!(w.m.events(&w.lead).unwrap().len(), 1);
}

#[test]
fn a_lead_copied_into_another_document_is_quarantined() {
    let mut w = world();
    let copy_doc = "sz/eeee/0";
    let mut d = AutoCommit::new().with_actor(ActorId::from(&b"\xee\xee"[..]));
    let l = d.put_object(ROOT, w.lead.as_str(), ObjType::List).unwrap();
    d.insert(&l, 0, event("register", "r2", json!({"fields": {"company": "腾达"}}))).unwrap();
    let c = forged(&mut d, copy_doc, 300);
    assert_eq!(w.m.apply_remote(&[c]).unwrap().quarantined, 1);
    assert_eq!(quarantined(&w.m), vec![("lead_elsewhere".to_string(), 300)]);
    w.m.reindex().unwrap();
    let row = w.m.row(&w.lead).unwrap();
    assert_eq!((row.doc_id, row.owner.as_deref()), (w.doc.clone(), Some("r1")));
}

#[test]
fn replicas_quarantine_the_same_changes_whatever_they_hold() {
    // The copy's document sorts before and after the original's (device ids are
    // random): replicas check a pull in hub order, not in document order.
    for copy_doc in ["sz/0000000000000000/0", "sz/ffffffffffffffff/0"] {
        let mut w = world();
        // One replica receives the lead and the copy in one pull, the other in two.
        let mut d = AutoCommit::new().with_actor(ActorId::from(&b"\xee\xee"[..]));
        let l = d.put_object(ROOT, w.lead.as_str(), ObjType::List).unwrap();
        d.insert(&l, 0, event("register", "r2", json!({"fields": {"company": "腾达"}}))).unwrap();
        let copy = forged(&mut d, copy_doc, 500);
        let mut one = branch(&w._dir.path().join("one"), "r2");
        let all: Vec<RemoteChange> = w.relayed.iter().cloned().chain([copy.clone()]).collect();
        one.apply_remote(&all).unwrap();
        let mut two = branch(&w._dir.path().join("two"), "r2");
        two.apply_remote(&w.relayed).unwrap();
        two.apply_remote(&[copy]).unwrap();
        assert_eq!(quarantined(&one), vec![("lead_elsewhere".to_string(), 500)], "{copy_doc}");
        assert_eq!(quarantined(&one), quarantined(&two), "{copy_doc}");
        assert_eq!(quarantined(&one), quarantined(&{ w.m.apply_remote(&all).unwrap(); w.m }), "{copy_doc}");
    }
}

#[test]
fn control_characters_in_fields_are_refused() {
    let mut w = world();
    for fields in [
        LeadFields { company: Some("腾达\u{1b}]0;owned\u{7}".into()), ..LeadFields::default() },
        LeadFields { contact: Some("\u{202e}明陈".into()), ..LeadFields::default() },
        LeadFields { phone: Some("139\n1234".into()), ..LeadFields::default() },
    ] {
        let err = w.a.add_lead(fields, h(1)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument, "{err}");
    }
    let err = try_write(&mut w.a, "r1", &w.lead, EventKind::Update { fields: LeadFields { need: Some("\u{9b}31m".into()), ..LeadFields::default() } }, h(1)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
    // Notes may span lines.
    w.a.add_lead(LeadFields { company: Some("揭阳五金".into()), notes: Some("第一行\n第二行".into()), ..LeadFields::default() }, h(1)).unwrap();
    let mut bad = rep("r9", "张伟\u{202e}", leadguard_core::model::Role::Rep);
    assert_eq!(w.m.put_rep(bad.clone(), h(1)).unwrap_err().code(), ErrorCode::InvalidArgument);
    bad.name = "张伟".into();
    w.m.put_rep(bad, h(1)).unwrap();
}

/// A change automerge accepts as bytes but panics on when expanding (found by
/// cargo-fuzz: an op naming an actor the change does not list). A replica
/// quarantines it as undecodable and the rest of the pull lands.
#[test]
fn a_change_that_makes_automerge_panic_is_quarantined_not_a_crash() {
    let mut w = world();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/tests/corpus/fuzz-decode-panic-unknown-actor.change");
    let bytes = std::fs::read(path).unwrap();
    let change = automerge::Change::from_bytes(bytes.clone()).expect("the bytes themselves decode");
    let crasher = RemoteChange { hub_seq: 200, doc_id: w.doc.clone(), scope: "branch:sz".into(), hash: change.hash().0, bytes, received_at: h(2), device_prev_sync: None };
    let mut b = branch(&w._dir.path().join("b"), "r2");
    let other = register(&mut b, "r2", "汕头玩具厂", h(1));
    let honest: Vec<RemoteChange> = relayed(&b).into_iter().filter(|c| !c.doc_id.starts_with("directory/")).map(|c| RemoteChange { hub_seq: 300 + c.hub_seq, ..c }).collect();
    let batch: Vec<RemoteChange> = std::iter::once(crasher).chain(honest).collect();
    let report = w.m.apply_remote(&batch).expect("the pull goes on");
    assert_eq!(report.quarantined, 1);
    // Set aside (here already because it names dependencies nobody has; the schema
    // check refuses the same bytes as undecodable: crates/schema/tests/corpus).
    let q = quarantined(&w.m);
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].1, 200);
    assert_eq!(w.m.row(&other).unwrap().company, "汕头玩具厂");
    assert_eq!(w.m.events(&w.lead).unwrap().len(), 1);
}

/// A pull page of hundreds of changes is decoded on every core: the forged, garbled
/// and wrongly hashed changes in it get the verdicts they get in small pages, and
/// the honest ones land with the same events and audit entries.
#[test]
fn a_large_page_gets_the_verdicts_of_small_pages() {
    let w = world();
    let mut d = fork(&w.relayed, &w.doc);
    let (_, list) = d.get(ROOT, w.lead.as_str()).unwrap().unwrap();
    d.insert(&list, 1, event("poison", "r2", json!({}))).unwrap();
    let poison = forged(&mut d, &w.doc, 1101);
    let (_, list) = d.get(ROOT, w.lead.as_str()).unwrap().unwrap();
    d.insert(&list, 2, event("claim", "r2", json!({}))).unwrap();
    let on_top = forged(&mut d, &w.doc, 1203);
    let mut b = branch(&w._dir.path().join("b"), "r2");
    let leads: Vec<String> = b
        .add_leads((0..300).map(|i| complete(&format!("汕头玩具{i}厂"))).collect(), h(1))
        .unwrap()
        .into_iter()
        .map(|x| x.lead_id)
        .collect();
    // b's changes at even hub sequences, the forged ones amid them at odd ones.
    let honest: Vec<RemoteChange> = relayed(&b)
        .into_iter()
        .filter(|c| !c.doc_id.starts_with("directory/"))
        .enumerate()
        .map(|(i, c)| RemoteChange { hub_seq: 1000 + 2 * i as i64, ..c })
        .collect();
    assert!(honest.len() >= 300, "one change per lead");
    let wrong_hash = RemoteChange { hub_seq: 1305, hash: [7; 32], ..honest[5].clone() };
    let garbled = RemoteChange { hub_seq: 1407, hash: [9; 32], bytes: vec![0x85, 0x6f, 0x4a, 0x83, 1, 2, 3], ..honest[6].clone() };
    let mut page: Vec<RemoteChange> = vec![poison, on_top, wrong_hash, garbled];
    page.extend(honest);
    page.sort_by_key(|c| c.hub_seq);
    assert!(page.len() > 256, "a page decoded on worker threads");

    let mut one = branch(&w._dir.path().join("one"), "m1");
    let mut small = branch(&w._dir.path().join("small"), "m1");
    for reg in [&mut one, &mut small] {
        reg.apply_remote(&w.relayed).unwrap();
    }
    let report = one.apply_remote(&page).unwrap();
    let mut in_small_pages = 0;
    for p in page.chunks(7) {
        in_small_pages += small.apply_remote(p).unwrap().quarantined;
    }
    assert_eq!((report.quarantined, in_small_pages), (4, 4));
    assert_eq!(quarantined(&one), quarantined(&small));
    let reasons: Vec<String> = quarantined(&one).into_iter().map(|(r, _)| r).collect();
    assert_eq!(reasons, ["unknown_kind", "depends_on_quarantined", "undecodable", "undecodable"]);
    assert_eq!(one.events(&w.lead).unwrap().len(), 1, "the forged events stay out");
    let audited = |reg: &Registry, lead: &str| -> Vec<(String, String, Option<String>)> {
        leadguard_core::audit::for_lead(reg.connection(), lead).unwrap().into_iter().map(|e| (e.event_id, e.kind, e.hub_time)).collect()
    };
    for lead in &leads {
        assert_eq!(one.events(lead).unwrap(), small.events(lead).unwrap(), "{lead}");
        assert_eq!(one.row(lead).unwrap(), small.row(lead).unwrap(), "{lead}");
        let entries = audited(&one, lead);
        assert_eq!(entries.len(), 1, "{lead}: its registration is logged once");
        assert_eq!(entries, audited(&small, lead), "{lead}");
    }
    assert!(leadguard_core::audit::verify(one.connection()).unwrap().ok);
}
