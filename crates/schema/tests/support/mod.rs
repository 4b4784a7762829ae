//! Helpers of the schema tests: real Automerge changes built the way an attacker
//! would, and an in-memory [`DocState`].

#![allow(dead_code)]

use std::collections::HashMap;

use automerge::transaction::{CommitOptions, Transactable};
use automerge::{ActorId, AutoCommit, ObjType, ReadDoc, ROOT};
use leadguard_schema::DocState;
use serde_json::{json, Value};

/// The shard every test writes into, and the lead it already holds.
pub const DOC: &str = "sh/4f1a2b3c4d5e6f70/0";
pub const LEAD: &str = "0123456789abcdef";
pub const OTHER_DOC: &str = "sh/9e8d7c6b5a493827/0";

/// An event of `kind` by `rep`, with the kind's keys in `extra`.
pub fn ev(kind: &str, rep: &str, extra: Value) -> String {
    let mut e = json!({"id": format!("e-{kind}-{rep}"), "kind": kind, "rep": rep, "device": "4f1a2b3c4d5e6f70", "device_time": "2026-03-01T09:00:00Z"});
    e.as_object_mut().unwrap().extend(extra.as_object().cloned().unwrap_or_default());
    e.to_string()
}

pub fn register(rep: &str) -> String {
    ev("register", rep, json!({"fields": {"company": "深圳市腾达科技有限公司", "phone": "13912345678"}}))
}

/// The last change of `doc`, committed deterministically (time 0).
pub fn commit(doc: &mut AutoCommit) -> Vec<u8> {
    doc.commit_with(CommitOptions::default().with_time(0)).expect("something to commit");
    doc.get_last_local_change().expect("change").raw_bytes().to_vec()
}

/// The shard holding [`LEAD`], registered by li.na, written by actor `aa`.
pub fn base() -> AutoCommit {
    let mut doc = AutoCommit::new().with_actor(ActorId::from(&b"\xaa"[..]));
    let list = doc.put_object(ROOT, LEAD, ObjType::List).unwrap();
    doc.insert(&list, 0, register("li.na")).unwrap();
    doc.commit_with(CommitOptions::default().with_time(0));
    doc
}

/// A fork of [`base`] as another actor, for forging the next change.
pub fn fork(actor: u8) -> AutoCommit {
    let saved = base().save();
    AutoCommit::load(&saved).unwrap().with_actor(ActorId::from(&[actor][..]))
}

/// The lead list of [`LEAD`] in `doc`.
pub fn lead_list(doc: &AutoCommit) -> automerge::ObjId {
    doc.get(ROOT, LEAD).unwrap().expect("lead").1
}

/// State of a replica or hub holding [`base`].
#[derive(Default)]
pub struct State {
    pub homes: HashMap<String, String>,
    pub lists: HashMap<String, String>,
    pub names: HashMap<String, String>,
}

impl State {
    pub fn with_base() -> State {
        let doc = base();
        let mut s = State::default();
        s.homes.insert(LEAD.into(), DOC.into());
        s.lists.insert(lead_list(&doc).to_string(), LEAD.into());
        s.names.insert("li.na".into(), "李娜".into());
        s
    }
}

impl DocState for State {
    fn lead_home(&self, lead: &str) -> Option<String> {
        self.homes.get(lead).cloned()
    }
    fn list_owner(&self, obj: &str) -> Option<String> {
        self.lists.get(obj).cloned()
    }
    fn entry_name(&self, rep: &str) -> Option<String> {
        self.names.get(rep).cloned()
    }
}

pub fn decode(bytes: &[u8]) -> automerge::Change {
    automerge::Change::from_bytes(bytes.to_vec()).expect("a change")
}
