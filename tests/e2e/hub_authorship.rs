//! The hub refuses what a device may not author (DESIGN.md security: the hub scopes
//! every write): a rep's forged manager decision, an event on behalf of another rep, a
//! rep promoting itself in the branch directory. A refused push stores nothing, and
//! the legitimate writes of the same devices still go through.

#[path = "hub_support.rs"]
mod hub_support;

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use hub_support::{batch, pull_all, Hub};
use leadguard_protocol::client::ClientError;
use leadguard_protocol::ErrorCode;
use serde_json::json;

/// One change appending `event` to lead `lead`'s list, the core's shard layout.
fn event_change(actor: &str, lead: &str, event: serde_json::Value) -> Vec<u8> {
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(actor.as_bytes()));
    let list = doc.put_object(automerge::ROOT, lead, automerge::ObjType::List).unwrap();
    doc.insert(&list, 0, event.to_string()).unwrap();
    doc.commit();
    doc.get_last_local_change().unwrap().raw_bytes().to_vec()
}

/// One change putting directory entry `key` = `value`.
fn directory_change(actor: &str, key: &str, value: serde_json::Value) -> Vec<u8> {
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(actor.as_bytes()));
    doc.put(automerge::ROOT, key, value.to_string()).unwrap();
    doc.commit();
    doc.get_last_local_change().unwrap().raw_bytes().to_vec()
}

fn event(kind: &str, rep: &str) -> serde_json::Value {
    json!({ "id": format!("ev-{kind}-{rep}"), "kind": kind, "rep": rep, "device": "d", "device_time": "2026-11-22T08:00:00Z" })
}

fn forbidden(r: Result<impl std::fmt::Debug, ClientError>) -> String {
    match r {
        Err(ClientError::Hub { status: 403, code: ErrorCode::Forbidden, message }) => message,
        other => panic!("expected 403 forbidden, got {other:?}"),
    }
}

#[test]
fn a_reps_device_cannot_push_a_managers_decision() {
    let hub = Hub::start();
    let (rep, _) = hub.device("wang.wei", "sh", "rep");
    let (manager, _) = hub.device("zhang.jl", "sh", "manager");
    let (colleague, _) = hub.device("li.na", "sh", "rep");

    let forged = event_change("aa01", "lead-1", event("decide", "wang.wei"));
    let why = forbidden(rep.push(&batch("sh/aa01/0", "branch:sh", &[forged])));
    assert!(why.contains("only a manager"), "{why}");
    let handover = event_change("aa02", "lead-2", event("handover", "wang.wei"));
    forbidden(rep.push(&batch("sh/aa02/0", "branch:sh", &[handover])));
    assert!(pull_all(&colleague, 100).is_empty(), "nothing of a refused push is stored");

    // The same kinds from a manager's device, and a rep's own claim, are accepted.
    let decided = event_change("bb01", "lead-1", event("decide", "zhang.jl"));
    assert_eq!(manager.push(&batch("sh/bb01/0", "branch:sh", &[decided])).unwrap().acks.len(), 1);
    let claim = event_change("aa03", "lead-3", event("claim", "wang.wei"));
    assert_eq!(rep.push(&batch("sh/aa03/0", "branch:sh", &[claim])).unwrap().acks.len(), 1);
    assert_eq!(pull_all(&colleague, 100).len(), 2);
}

#[test]
fn a_device_cannot_write_events_on_behalf_of_another_rep() {
    let hub = Hub::start();
    let (rep, _) = hub.device("wang.wei", "sh", "rep");
    let (manager, _) = hub.device("zhang.jl", "sh", "manager");
    let claim_as_lina = event_change("aa01", "lead-1", event("claim", "li.na"));
    let why = forbidden(rep.push(&batch("sh/aa01/0", "branch:sh", std::slice::from_ref(&claim_as_lina))));
    assert!(why.contains("on behalf of"), "{why}");
    // Not even a manager speaks for a rep: events carry their author.
    forbidden(manager.push(&batch("sh/aa01/0", "branch:sh", &[claim_as_lina])));
    // A string that repeats `kind` could be read one way by the hub and another by a replica.
    let mut doc = automerge::AutoCommit::new();
    let list = doc.put_object(automerge::ROOT, "lead-9", automerge::ObjType::List).unwrap();
    doc.insert(&list, 0, r#"{"id":"e","kind":"claim","rep":"wang.wei","kind":"decide"}"#).unwrap();
    doc.commit();
    let twisted = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    let why = forbidden(rep.push(&batch("sh/x/0", "branch:sh", &[twisted])));
    assert!(why.contains("repeats a key"), "{why}");
}

#[test]
fn a_rep_cannot_promote_itself_or_edit_others_in_the_directory() {
    let hub = Hub::start();
    let (rep, _) = hub.device("wang.wei", "sh", "rep");
    let (manager, _) = hub.device("zhang.jl", "sh", "manager");
    let entry = |id: &str, role: &str| json!({ "id": id, "name": id, "branch": "sh", "role": role, "active": true });

    let promoted = directory_change("aa01", "rep/wang.wei", entry("wang.wei", "manager"));
    let why = forbidden(rep.push(&batch("directory/sh", "branch:sh", &[promoted])));
    assert!(why.contains("role"), "{why}");
    let other = directory_change("aa02", "rep/li.na", entry("li.na", "rep"));
    forbidden(rep.push(&batch("directory/sh", "branch:sh", &[other])));
    let policy = directory_change("aa03", "policy", json!({ "protection_days": 365 }));
    forbidden(rep.push(&batch("directory/sh", "branch:sh", std::slice::from_ref(&policy))));

    // Its own entry with its enrolled role is how a laptop joins; a manager edits anything.
    let own = directory_change("aa04", "rep/wang.wei", entry("wang.wei", "rep"));
    assert_eq!(rep.push(&batch("directory/sh", "branch:sh", &[own])).unwrap().acks.len(), 1);
    assert_eq!(manager.push(&batch("directory/sh", "branch:sh", &[policy])).unwrap().acks.len(), 1);
}

#[test]
fn events_in_a_lead_list_cannot_be_garbage_overwritten_or_deleted() {
    let hub = Hub::start();
    let (rep, _) = hub.device("wang.wei", "sh", "rep");
    let (colleague, _) = hub.device("li.na", "sh", "rep");
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(&b"aa01"[..]));
    let list = doc.put_object(automerge::ROOT, "lead-1", automerge::ObjType::List).unwrap();
    doc.insert(&list, 0, event("claim", "wang.wei").to_string()).unwrap();
    doc.commit();
    let first = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    assert_eq!(rep.push(&batch("sh/aa01/0", "branch:sh", &[first])).unwrap().acks.len(), 1);

    let saved = doc.save();
    let attempt = |f: &dyn Fn(&mut automerge::AutoCommit, &automerge::ObjId)| {
        let mut fork = automerge::AutoCommit::load(&saved).unwrap().with_actor(automerge::ActorId::from(&b"aa02"[..]));
        let (_, list) = fork.get(automerge::ROOT, "lead-1").unwrap().expect("the lead's list");
        f(&mut fork, &list);
        fork.commit();
        let bytes = fork.get_last_local_change().expect("a forged change").raw_bytes().to_vec();
        forbidden(rep.push(&batch("sh/aa01/0", "branch:sh", &[bytes])))
    };
    assert!(attempt(&|d, l| d.insert(l, 1, "not an event").unwrap()).contains("not an event"));
    assert!(attempt(&|d, l| d.insert(l, 1, 42).unwrap()).contains("not an event"));
    assert!(attempt(&|d, l| d.put(l, 0, event("release", "wang.wei").to_string()).unwrap()).contains("overwrites"));
    assert!(attempt(&|d, l| d.delete(l, 0).unwrap()).contains("deletes"));
    assert_eq!(pull_all(&colleague, 100).len(), 1, "only the genuine event was stored");
}
