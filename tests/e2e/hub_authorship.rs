//! The hub refuses what a device may not author: a rep's forged manager decision, an
//! event on behalf of another rep, a rep promoting or renaming itself in the branch
//! directory, a lead's history replaced or copied into another document, an event the
//! schema does not define, control characters in fields. A refused push stores nothing,
//! and the legitimate writes of the same devices still go through.

#[path = "hub_support.rs"]
mod hub_support;

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use hub_support::{batch, lead_id, pull_all, register_event, Hub};
use leadguard_protocol::client::ClientError;
use leadguard_protocol::ErrorCode;
use serde_json::json;

/// One change creating lead `lead` (its registration by the event's rep) with
/// `event` appended, the core's shard layout.
fn event_change(actor: &str, lead: &str, event: serde_json::Value) -> Vec<u8> {
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(actor.as_bytes()));
    let list = doc.put_object(automerge::ROOT, lead_id(lead, 0), automerge::ObjType::List).unwrap();
    doc.insert(&list, 0, register_event(event["rep"].as_str().unwrap(), "深圳市腾达科技有限公司")).unwrap();
    doc.insert(&list, 1, event.to_string()).unwrap();
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

/// An event of `kind` by `rep`, with the keys its kind needs.
fn event(kind: &str, rep: &str) -> serde_json::Value {
    let mut e = json!({ "id": format!("ev-{kind}-{rep}"), "kind": kind, "rep": rep, "device": "d", "device_time": "2026-11-22T08:00:00Z" });
    let extra = match kind {
        "decide" => json!({ "case_id": "c1", "decision": "d1", "outcome": { "kind": "owner", "rep": rep }, "reason": "先到先得" }),
        "handover" => json!({ "from": "li.na", "to": rep }),
        "assign" => json!({ "to": rep, "reason": "规则 1" }),
        _ => json!({}),
    };
    e.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    e
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
    // Assigning a pool customer (分配) is a manager's act too.
    let assign = event_change("aa03", "lead-3", event("assign", "wang.wei"));
    forbidden(rep.push(&batch("sh/aa03/0", "branch:sh", &[assign])));
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
    let list = doc.put_object(automerge::ROOT, lead_id("lead-9", 0), automerge::ObjType::List).unwrap();
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
    let list = doc.put_object(automerge::ROOT, lead_id("lead-1", 0), automerge::ObjType::List).unwrap();
    doc.insert(&list, 0, register_event("wang.wei", "深圳市腾达科技有限公司")).unwrap();
    doc.commit();
    let first = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    assert_eq!(rep.push(&batch("sh/aa01/0", "branch:sh", &[first])).unwrap().acks.len(), 1);

    let saved = doc.save();
    let attempt = |f: &dyn Fn(&mut automerge::AutoCommit, &automerge::ObjId)| {
        let mut fork = automerge::AutoCommit::load(&saved).unwrap().with_actor(automerge::ActorId::from(&b"aa02"[..]));
        let (_, list) = fork.get(automerge::ROOT, lead_id("lead-1", 0)).unwrap().expect("the lead's list");
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

/// The error's status, code and message (which starts with the schema reason).
fn refusal(r: Result<impl std::fmt::Debug, ClientError>) -> (u16, ErrorCode, String) {
    match r {
        Err(ClientError::Hub { status, code, message }) => (status, code, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// li.na's lead, registered through the hub; returns the document's saved state.
fn registered_lead(hub: &Hub) -> (leadguard_protocol::client::HubClient, Vec<u8>) {
    let (lina, _) = hub.device("li.na", "sh", "rep");
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(&b"aa01"[..]));
    let list = doc.put_object(automerge::ROOT, lead_id("tengda", 0), automerge::ObjType::List).unwrap();
    doc.insert(&list, 0, register_event("li.na", "深圳市腾达科技有限公司")).unwrap();
    doc.commit();
    let first = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    assert_eq!(lina.push(&batch("sh/aa01/0", "branch:sh", &[first])).unwrap().acks.len(), 1);
    (lina, doc.save())
}

/// A change made on a fork of `saved` by actor `actor`.
fn forge(saved: &[u8], actor: &[u8], f: impl FnOnce(&mut automerge::AutoCommit)) -> Vec<u8> {
    let mut fork = automerge::AutoCommit::load(saved).unwrap().with_actor(automerge::ActorId::from(actor));
    f(&mut fork);
    fork.commit();
    fork.get_last_local_change().expect("a forged change").raw_bytes().to_vec()
}

#[test]
fn a_root_key_overwrite_is_refused() {
    let hub = Hub::start();
    let (_, saved) = registered_lead(&hub);
    let (attacker, _) = hub.device("wang.wei", "sh", "rep");
    let (manager, _) = hub.device("zhang.jl", "sh", "manager");
    let lead = lead_id("tengda", 0);
    type Forge = Box<dyn Fn(&mut automerge::AutoCommit)>;
    let forgeries: [Forge; 4] = [
        Box::new(|d| {
            let l = d.put_object(automerge::ROOT, lead_id("tengda", 0), automerge::ObjType::List).unwrap();
            d.insert(&l, 0, register_event("wang.wei", "深圳市腾达科技有限公司")).unwrap();
        }),
        Box::new(|d| {
            d.put_object(automerge::ROOT, lead_id("tengda", 0), automerge::ObjType::List).unwrap();
        }),
        Box::new(|d| d.put(automerge::ROOT, lead_id("tengda", 0), "erased").unwrap()),
        Box::new(|d| d.delete(automerge::ROOT, lead_id("tengda", 0)).unwrap()),
    ];
    for (i, f) in forgeries.iter().enumerate() {
        let bytes = forge(&saved, &[0xbb, i as u8], f);
        let (status, code, why) = refusal(attacker.push(&batch("sh/aa01/0", "branch:sh", std::slice::from_ref(&bytes))));
        assert_eq!((status, code), (403, ErrorCode::Forbidden), "{why}");
        assert!(why.starts_with("root_rewrite"), "{why}");
        // Not even a manager rewrites history.
        assert_eq!(refusal(manager.push(&batch("sh/aa01/0", "branch:sh", &[bytes]))).0, 403);
    }
    let pulled = pull_all(&manager, 100);
    assert_eq!(pulled.len(), 1, "only li.na's registration is stored");
    let mut doc = automerge::AutoCommit::new();
    doc.apply_changes(pulled.iter().map(|p| automerge::Change::try_from(&p.bytes[..]).unwrap())).unwrap();
    let (_, list) = doc.get(automerge::ROOT, lead.as_str()).unwrap().unwrap();
    assert!(doc.get(&list, 0).unwrap().unwrap().0.into_string().unwrap().contains("\"rep\":\"li.na\""));
}

#[test]
fn a_lead_copied_into_another_document_is_refused() {
    let hub = Hub::start();
    let (_, _) = registered_lead(&hub);
    let (attacker, _) = hub.device("wang.wei", "sh", "rep");
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(&b"bb01"[..]));
    let list = doc.put_object(automerge::ROOT, lead_id("tengda", 0), automerge::ObjType::List).unwrap();
    doc.insert(&list, 0, register_event("wang.wei", "深圳市腾达科技有限公司")).unwrap();
    doc.commit();
    let copy = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    let (status, _, why) = refusal(attacker.push(&batch("sh/bb01/0", "branch:sh", &[copy])));
    assert_eq!(status, 403);
    assert!(why.starts_with("lead_elsewhere"), "{why}");
}

#[test]
fn an_unknown_event_kind_is_refused_even_from_a_distributor() {
    let hub = Hub::start();
    let (_, saved) = registered_lead(&hub);
    let (rep, _) = hub.device("wang.wei", "sh", "rep");
    let poison = forge(&saved, b"bb02", |d| {
        let (_, l) = d.get(automerge::ROOT, lead_id("tengda", 0)).unwrap().unwrap();
        d.insert(&l, 1, event("poison", "wang.wei").to_string()).unwrap();
    });
    let (status, code, why) = refusal(rep.push(&batch("sh/aa01/0", "branch:sh", &[poison])));
    assert_eq!((status, code), (422, ErrorCode::InvalidChange));
    assert!(why.starts_with("unknown_kind"), "{why}");
    // A distributor's own scope is checked alike (its branch reads it).
    let (dist, _) = hub.device("agent-7", "sh", "distributor");
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(&b"dd01"[..]));
    let list = doc.put_object(automerge::ROOT, lead_id("agent", 0), automerge::ObjType::List).unwrap();
    doc.insert(&list, 0, register_event("agent-7", "汕头玩具厂")).unwrap();
    doc.insert(&list, 1, json!({ "id": "x", "kind": "claim", "rep": "agent-7", "device": "d", "device_time": "2026-11-22T08:00:00Z", "fields": 1 }).to_string()).unwrap();
    doc.commit();
    let bad = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    let (status, _, why) = refusal(dist.push(&batch("dist:sh/agent-7/0", "dist:sh/agent-7", &[bad])));
    assert_eq!(status, 422);
    assert!(why.starts_with("unknown_key"), "{why}");
}

#[test]
fn control_characters_in_fields_are_refused() {
    let hub = Hub::start();
    let (lina, saved) = registered_lead(&hub);
    for (i, company) in ["腾达\u{1b}]0;owned\u{7}", "\u{202e}达腾", "腾达\n科技"].into_iter().enumerate() {
        let bytes = forge(&saved, &[0xaa, i as u8], |d| {
            let (_, l) = d.get(automerge::ROOT, lead_id("tengda", 0)).unwrap().unwrap();
            let mut update = event("update", "li.na");
            update["fields"] = json!({ "company": company });
            d.insert(&l, 1, update.to_string()).unwrap();
        });
        let (status, _, why) = refusal(lina.push(&batch("sh/aa01/0", "branch:sh", &[bytes])));
        assert_eq!(status, 422);
        assert!(why.starts_with("bad_text"), "{why}");
    }
}

#[test]
fn a_rep_cannot_rename_themselves() {
    let hub = Hub::start();
    let (rep, _) = hub.device("wang.wei", "sh", "rep");
    let (manager, _) = hub.device("zhang.jl", "sh", "manager");
    let entry = |name: &str| json!({ "id": "wang.wei", "name": name, "branch": "sh", "region": null, "role": "rep", "active": true });
    // Joining names the rep; afterwards only a manager renames.
    assert_eq!(rep.push(&batch("directory/sh", "branch:sh", &[directory_change("aa01", "rep/wang.wei", entry("王伟"))])).unwrap().acks.len(), 1);
    let (status, _, why) = refusal(rep.push(&batch("directory/sh", "branch:sh", &[directory_change("aa02", "rep/wang.wei", entry("张伟(经理)"))])));
    assert_eq!(status, 403);
    assert!(why.starts_with("rename_forbidden"), "{why}");
    assert_eq!(manager.push(&batch("directory/sh", "branch:sh", &[directory_change("bb01", "rep/wang.wei", entry("王伟(华南)"))])).unwrap().acks.len(), 1);
    // The rep's device may write its entry again only with the manager's name.
    assert_eq!(refusal(rep.push(&batch("directory/sh", "branch:sh", &[directory_change("aa03", "rep/wang.wei", entry("王伟"))]))).0, 403);
    assert_eq!(rep.push(&batch("directory/sh", "branch:sh", &[directory_change("aa04", "rep/wang.wei", entry("王伟(华南)"))])).unwrap().acks.len(), 1);
    // A bidi override is no name, whoever writes it.
    let (status, _, why) = refusal(manager.push(&batch("directory/sh", "branch:sh", &[directory_change("bb02", "rep/wang.wei", entry("王伟\u{202e}"))])));
    assert_eq!(status, 422);
    assert!(why.starts_with("bad_text"), "{why}");
}
