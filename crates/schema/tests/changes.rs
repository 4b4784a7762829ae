//! The change check, one test per way a hostile device tried to write what it may
//! not. Replicas run the same check without an author; the hub with one.

mod support;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT};
use leadguard_schema::{check_change, Author, Reason, Role};
use serde_json::json;
use support::*;

fn reason(doc_id: &str, bytes: &[u8], author: Option<&Author<'_>>) -> Result<(), Reason> {
    check_change(doc_id, &decode(bytes), &State::with_base(), author).map(|_| ()).map_err(|v| v.reason)
}

const LINA: Author<'static> = Author { rep: "li.na", role: Role::Rep };
const WANG: Author<'static> = Author { rep: "wang.wei", role: Role::Rep };

#[test]
fn appending_an_event_and_creating_a_lead_pass() {
    let mut d = fork(0xbb);
    let list = lead_list(&d);
    d.insert(&list, 1, ev("followup", "li.na", json!({"followup": "visit", "note": "上门\n拜访"}))).unwrap();
    assert_eq!(reason(DOC, &commit(&mut d), Some(&LINA)), Ok(()));

    let mut d = fork(0xbb);
    let new = d.put_object(ROOT, "fedcba9876543210", ObjType::List).unwrap();
    d.insert(&new, 0, register("wang.wei")).unwrap();
    d.insert(&new, 1, ev("duplicate_acknowledged", "wang.wei", json!({"leads": [LEAD]}))).unwrap();
    let fx = check_change(DOC, &decode(&commit(&mut d)), &State::with_base(), Some(&WANG)).unwrap();
    assert_eq!(fx.new_leads[0].lead, "fedcba9876543210");
    assert_eq!(fx.events.len(), 2);
}

#[test]
fn a_root_key_overwrite_is_refused() {
    for forged in [
        // a new list holding one attacker `register` event
        Box::new(|d: &mut AutoCommit| {
            let l = d.put_object(ROOT, LEAD, ObjType::List).unwrap();
            d.insert(&l, 0, register("wang.wei")).unwrap();
        }) as Box<dyn Fn(&mut AutoCommit)>,
        Box::new(|d: &mut AutoCommit| {
            d.put_object(ROOT, LEAD, ObjType::List).unwrap();
        }),
        Box::new(|d: &mut AutoCommit| d.put(ROOT, LEAD, "erased").unwrap()),
        Box::new(|d: &mut AutoCommit| d.delete(ROOT, LEAD).unwrap()),
    ] {
        let mut d = fork(0xbb);
        forged(&mut d);
        assert_eq!(reason(DOC, &commit(&mut d), None), Err(Reason::RootRewrite));
    }
}

#[test]
fn a_lead_copied_into_another_document_is_refused() {
    let mut d = AutoCommit::new().with_actor(ActorId::from(&b"\xbb"[..]));
    let l = d.put_object(ROOT, LEAD, ObjType::List).unwrap();
    d.insert(&l, 0, register("wang.wei")).unwrap();
    assert_eq!(reason(OTHER_DOC, &commit(&mut d), Some(&WANG)), Err(Reason::LeadElsewhere));
}

#[test]
fn a_lead_opens_with_its_registration_by_its_author() {
    let new = |first: String, second: Option<String>| {
        let mut d = AutoCommit::new().with_actor(ActorId::from(&b"\xbb"[..]));
        let l = d.put_object(ROOT, "fedcba9876543210", ObjType::List).unwrap();
        d.insert(&l, 0, first).unwrap();
        if let Some(s) = second {
            d.insert(&l, 0, s).unwrap(); // a second item at the head would read first
        }
        commit(&mut d)
    };
    assert_eq!(reason(OTHER_DOC, &new(ev("claim", "wang.wei", json!({})), None), None), Err(Reason::RegisterMisplaced));
    assert_eq!(reason(OTHER_DOC, &new(register("wang.wei"), Some(register("wang.wei"))), None), Err(Reason::RegisterMisplaced));
    assert_eq!(reason(OTHER_DOC, &new(register("li.na"), None), Some(&WANG)), Err(Reason::ForeignAuthor));
    let mut d = AutoCommit::new();
    d.put_object(ROOT, "lead-1", ObjType::List).unwrap();
    assert_eq!(reason(OTHER_DOC, &commit(&mut d), None), Err(Reason::BadId));
}

#[test]
fn events_are_only_ever_appended() {
    type Forge = Box<dyn Fn(&mut AutoCommit, &automerge::ObjId)>;
    let cases: [(Forge, Reason); 5] = [
        (Box::new(|d, l| d.put(l, 0, ev("release", "li.na", json!({}))).unwrap()), Reason::NotAppend),
        (Box::new(|d, l| d.delete(l, 0).unwrap()), Reason::NotAppend),
        (Box::new(|d, l| d.insert(l, 0, ev("claim", "li.na", json!({}))).unwrap()), Reason::NotAppend),
        (Box::new(|d, l| d.insert(l, 1, 42).unwrap()), Reason::NotEvent),
        (Box::new(|d, l| d.insert(l, 1, register("li.na")).unwrap()), Reason::RegisterMisplaced),
    ];
    for (forge, expected) in cases {
        let mut d = fork(0xbb);
        let l = lead_list(&d);
        forge(&mut d, &l);
        assert_eq!(reason(DOC, &commit(&mut d), None), Err(expected));
    }
}

#[test]
fn an_unknown_event_kind_is_refused() {
    for bad in [ev("poison", "li.na", json!({})), ev("claim", "li.na", json!({"x": 1})), ev("followup", "li.na", json!({"followup": 3, "note": ""}))] {
        let mut d = fork(0xbb);
        let l = lead_list(&d);
        d.insert(&l, 1, bad).unwrap();
        assert!(matches!(reason(DOC, &commit(&mut d), None), Err(Reason::UnknownKind | Reason::UnknownKey | Reason::Malformed)));
    }
}

#[test]
fn control_characters_in_fields_are_refused() {
    let mut d = fork(0xbb);
    let l = lead_list(&d);
    d.insert(&l, 1, ev("update", "li.na", json!({"fields": {"company": "腾达\u{1b}]0;pwned\u{7}"}}))).unwrap();
    assert_eq!(reason(DOC, &commit(&mut d), None), Err(Reason::BadText));
    let mut d = fork(0xbb);
    let l = lead_list(&d);
    d.insert(&l, 1, ev("followup", "li.na", json!({"followup": "call", "note": "\u{202e}reversed"}))).unwrap();
    assert_eq!(reason(DOC, &commit(&mut d), None), Err(Reason::BadText));
}

fn directory_put(key: &str, value: serde_json::Value) -> Vec<u8> {
    let mut d = AutoCommit::new().with_actor(ActorId::from(&b"\xcc"[..]));
    d.put(ROOT, key, value.to_string()).unwrap();
    commit(&mut d)
}

fn entry(id: &str, name: &str, role: &str) -> serde_json::Value {
    json!({"id": id, "name": name, "branch": "sh", "region": null, "role": role, "active": true})
}

#[test]
fn a_rep_cannot_rename_themselves() {
    let renamed = directory_put("rep/li.na", entry("li.na", "张伟(经理)", "rep"));
    assert_eq!(reason("directory/sh", &renamed, Some(&LINA)), Err(Reason::RenameForbidden));
    let kept = directory_put("rep/li.na", entry("li.na", "李娜", "rep"));
    assert_eq!(reason("directory/sh", &kept, Some(&LINA)), Ok(()));
    // joining: no entry yet, so the first one names the rep
    assert_eq!(reason("directory/sh", &directory_put("rep/wang.wei", entry("wang.wei", "王伟", "rep")), Some(&WANG)), Ok(()));
    // a manager renames anyone
    let manager = Author { rep: "zhang", role: Role::Manager };
    assert_eq!(reason("directory/sh", &renamed, Some(&manager)), Ok(()));
    assert_eq!(reason("directory/sh", &directory_put("rep/li.na", entry("li.na", "李娜", "manager")), Some(&LINA)), Err(Reason::DirectoryForbidden));
    assert_eq!(reason("directory/sh", &directory_put("policy", json!({})), Some(&LINA)), Err(Reason::DirectoryForbidden));
    let bidi = directory_put("rep/li.na", entry("li.na", "李娜\u{202e}", "rep"));
    assert_eq!(reason("directory/sh", &bidi, None), Err(Reason::BadText));
    assert_eq!(reason("directory/sh", &directory_put("rep/li.na", entry("li.na", "李娜", "rep")), None), Ok(()));
    let other_branch = directory_put("rep/li.na", json!({"id": "li.na", "name": "李娜", "branch": "bj", "role": "rep"}));
    assert_eq!(reason("directory/sh", &other_branch, None), Err(Reason::Malformed));
}

#[test]
fn a_document_name_cannot_be_taken_in_another_scope() {
    let mut d = AutoCommit::new();
    d.put_object(ROOT, "fedcba9876543210", ObjType::List).unwrap();
    let bytes = commit(&mut d);
    assert_eq!(reason("shared-id", &bytes, None), Err(Reason::BadDocId));
    assert_eq!(leadguard_schema::DocName::in_scope("directory/east", "branch:north").unwrap_err().reason, Reason::WrongScope);
}

#[test]
fn a_change_cannot_claim_another_changes_events() {
    let with_message = |message: &str| {
        let mut d = fork(0xbb);
        let l = lead_list(&d);
        d.insert(&l, 1, ev("claim", "li.na", json!({}))).unwrap();
        d.commit_with(automerge::transaction::CommitOptions::default().with_message(message.to_owned()).with_time(0));
        d.get_last_local_change().unwrap().raw_bytes().to_vec()
    };
    // The core's message: its own event ids.
    assert_eq!(reason(DOC, &with_message(r#"{"dev":"d","rep":"li.na","at":"x","ev":["e-claim-li.na"]}"#), None), Ok(()));
    // Naming li.na's registration would move its hub receipt (evidence window).
    assert_eq!(reason(DOC, &with_message(r#"{"ev":["e-claim-li.na","e-register-li.na"]}"#), None), Err(Reason::Malformed));
    assert_eq!(reason(DOC, &with_message(r#"{"ev":[],"ev":["e-register-li.na"]}"#), None), Err(Reason::DuplicateKey));
    assert_eq!(reason(DOC, &with_message("free text"), None), Ok(()));
}

#[test]
fn rule_16_a_receptionist_writes_visits_as_itself_and_registrations_only_for_a_rep() {
    const DESK: Author<'static> = Author { rep: "zhou.qian", role: Role::Receptionist };
    let visit = |rep: &str| ev("visit", rep, json!({"time_in": "2026-03-02T09:00:00Z", "inviter": "li.na", "first_visit": true}));
    let append = |item: String| {
        let mut d = fork(0xbb);
        let list = lead_list(&d);
        d.insert(&list, 1, item).unwrap();
        commit(&mut d)
    };
    let create = |first: String| {
        let mut d = AutoCommit::new().with_actor(ActorId::from(&b"\xcc"[..]));
        let l = d.put_object(ROOT, "fedcba9876543210", ObjType::List).unwrap();
        d.insert(&l, 0, first).unwrap();
        d.insert(&l, 1, ev("visit", "zhou.qian", json!({"time_in": "2026-03-02T09:00:00Z"}))).unwrap();
        commit(&mut d)
    };
    assert_eq!(reason(DOC, &append(visit("zhou.qian")), Some(&DESK)), Ok(()));
    // An unmatched visitor, registered on behalf of the duty rep.
    assert_eq!(reason(OTHER_DOC, &create(register("wang.wei")), Some(&DESK)), Ok(()));
    // Never for itself, never a claim, a follow-up or a decision; a rep writes no visits.
    assert_eq!(reason(OTHER_DOC, &create(register("zhou.qian")), Some(&DESK)), Err(Reason::ForeignAuthor));
    assert_eq!(reason(DOC, &append(ev("claim", "zhou.qian", json!({}))), Some(&DESK)), Err(Reason::ForeignAuthor));
    assert_eq!(reason(DOC, &append(ev("followup", "zhou.qian", json!({"followup": "visit", "note": ""}))), Some(&DESK)), Err(Reason::ForeignAuthor));
    assert_eq!(reason(DOC, &append(visit("li.na")), Some(&DESK)), Err(Reason::ForeignAuthor));
    assert_eq!(reason(DOC, &append(visit("li.na")), Some(&LINA)), Err(Reason::ForeignAuthor));
}
