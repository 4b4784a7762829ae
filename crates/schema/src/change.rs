//! One Automerge change checked against the schema: the one function the hub runs on
//! every push and every replica runs on every pulled change.
//!
//! **Lead documents** (shards, distributor reports): a root key is a lead id whose
//! value is a list of events. A change may
//! - create a lead: make a list at a root key no document has yet, and insert as its
//!   one first item (at the list's head) the lead's `register` event;
//! - append events to existing leads' lists (insert after an existing item).
//!
//! Nothing else: no put or delete at the root (history replaced or erased), no
//! overwrite or delete of a list item, no insert before a lead's first event, no
//! `register` later in a list, no write into any other object, no lead id that lives
//! in another document.
//!
//! **Directory documents**: string puts of `rep/<id>` entries and `policy` at the root;
//! no deletes, no nested objects.
//!
//! The change's message may list only events the change writes (replicas take an
//! event's hub receipt from the change that lists it).
//!
//! With an [`Author`] (the hub, which knows the pushing device) also: every event is
//! written by the author's rep, `decide`/`handover` only by a manager, and outside
//! managers only the author's own directory entry, with its role and the name the
//! directory has for it.

use std::collections::HashMap;

use automerge::legacy::{ElementId, Key, ObjectId, OpType};
use automerge::{ObjType, ScalarValue};

use crate::directory::{self, Entry};
use crate::error::{refuse, Reason, Violation};
use crate::event::{self, EventInfo, Kind};
use crate::names::{is_lead_id, DocName};
use crate::role::Role;
use crate::text::{escape, Lines};

/// What the checker needs to know beyond the change: the state every replica agrees
/// on (which document holds a lead, which object is a lead's list).
pub trait DocState {
    /// The document that holds lead `lead`, if any document does.
    fn lead_home(&self, lead: &str) -> Option<String>;
    /// The lead whose event list is the object `obj` (`counter@actor`) of the
    /// document being written.
    fn list_owner(&self, obj: &str) -> Option<String>;
    /// The name the branch directory has for `rep`, if it has an entry (checked only
    /// with an [`Author`]).
    fn entry_name(&self, _rep: &str) -> Option<String> {
        None
    }
}

/// Who pushed the change (the hub knows it from the device credential).
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    pub rep: &'a str,
    pub role: Role,
}

/// A lead the change creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLead {
    pub lead: String,
    /// Its list object, `counter@actor`.
    pub list: String,
}

/// What a valid change writes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Effects {
    pub new_leads: Vec<NewLead>,
    /// Events appended, with their lead, in operation order.
    pub events: Vec<(String, EventInfo)>,
    /// Directory entries put.
    pub entries: Vec<Entry>,
    /// The policy JSON, if the change puts it.
    pub policy: Option<String>,
}

/// Checks `change` of document `doc_id`.
pub fn check_change(doc_id: &str, change: &automerge::Change, state: &dyn DocState, author: Option<&Author<'_>>) -> Result<Effects, Violation> {
    let name = DocName::parse(doc_id)?;
    // `decode` expects a validated change (`Change::try_from` / `from_bytes` checked
    // it); should it panic anyway, that is a refusal, not a crash.
    let expanded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change.decode()))
        .map_err(|_| Violation::new(Reason::Undecodable, "the change cannot be decoded"))?;
    check_decoded(&name, doc_id, change, &expanded, state, author)
}

/// [`check_change`] of a change already expanded (`change.decode()`, e.g. on another
/// thread while the replica checks earlier changes) of the document `name`
/// (`DocName::parse(doc_id)`, parsed once per document): the same verdict.
pub fn check_decoded(
    name: &DocName,
    doc_id: &str,
    change: &automerge::Change,
    expanded: &automerge::ExpandedChange,
    state: &dyn DocState,
    author: Option<&Author<'_>>,
) -> Result<Effects, Violation> {
    let actor = change.actor_id().to_hex_string();
    let start = change.start_op().get();
    let fx = match name {
        DocName::Directory { branch } => check_directory(branch, &expanded.operations, state, author)?,
        DocName::Dist { rep, .. } => check_leads(doc_id, Some(rep), &expanded.operations, &actor, start, state, author)?,
        DocName::Shard { .. } => check_leads(doc_id, None, &expanded.operations, &actor, start, state, author)?,
    };
    check_message(change.message(), &fx)?;
    Ok(fx)
}

/// The change's message lists the ids of the events it writes (`{"ev": [...]}`):
/// replicas take each event's hub receipt from the change that lists it, so a change
/// may list only its own events (else it could move a colleague's evidence window).
fn check_message(message: Option<&str>, fx: &Effects) -> Result<(), Violation> {
    let Some(Some(serde_json::Value::Object(m))) = message.map(crate::json::parse).transpose()? else { return Ok(()) };
    let Some(ev) = m.get("ev") else { return Ok(()) };
    let ids = ev.as_array().ok_or_else(|| Violation::new(Reason::Malformed, "the change message's `ev` is not a list"))?;
    for id in ids {
        let id = id.as_str().unwrap_or_default();
        if !fx.events.iter().any(|(_, e)| e.id == id) {
            return refuse(Reason::Malformed, format!("the change message names event {:?}, which the change does not write", escape(id, Lines::One)));
        }
    }
    Ok(())
}

/// A list created by this change.
struct NewList {
    lead: String,
    /// Items inserted at the head so far (exactly one is allowed: the registration).
    head_inserts: usize,
}

/// `reporter`: in a distributor's report document, the distributor whose reports it
/// holds — only they open a lead there (branch staff append reviews and decisions).
fn check_leads(
    doc_id: &str,
    reporter: Option<&str>,
    ops: &[automerge::legacy::Op],
    actor: &str,
    start: u64,
    state: &dyn DocState,
    author: Option<&Author<'_>>,
) -> Result<Effects, Violation> {
    let mut fx = Effects::default();
    let mut new_lists: HashMap<String, NewList> = HashMap::new();
    for (i, op) in ops.iter().enumerate() {
        let op_id = format!("{}@{actor}", start + i as u64);
        match &op.obj {
            ObjectId::Root => {
                let key = match &op.key {
                    Key::Map(k) => k.as_str(),
                    Key::Seq(_) => return refuse(Reason::Malformed, "a list edit at the document root"),
                };
                let shown = escape(key, Lines::One);
                let known = state.lead_home(key);
                let created_here = new_lists.values().any(|l| l.lead == key);
                match &op.action {
                    OpType::Make(ObjType::List) if op.pred.is_empty() && known.is_none() && !created_here => {
                        if !is_lead_id(key) {
                            return refuse(Reason::BadId, format!("lead id {shown:?} is not 16 hex digits"));
                        }
                        new_lists.insert(op_id.clone(), NewList { lead: key.to_owned(), head_inserts: 0 });
                        fx.new_leads.push(NewLead { lead: key.to_owned(), list: op_id });
                    }
                    _ => match known {
                        Some(home) if home != doc_id => {
                            return refuse(Reason::LeadElsewhere, format!("lead {shown} already lives in document {home}"))
                        }
                        Some(_) => {
                            return refuse(Reason::RootRewrite, format!("the change replaces or deletes lead {shown}: a lead's history is only appended to"))
                        }
                        None if created_here => return refuse(Reason::RootRewrite, format!("the change creates lead {shown} twice")),
                        None => return refuse(Reason::Malformed, format!("root key {shown} is not a lead's list of events")),
                    },
                }
            }
            ObjectId::Id(obj) => {
                let obj = obj.to_string();
                let new_list = new_lists.get_mut(&obj);
                let lead = match new_list.as_ref().map(|l| l.lead.clone()).or_else(|| state.list_owner(&obj)) {
                    Some(l) => l,
                    None => return refuse(Reason::NotAppend, "the change writes into an object that is not a lead's list of events"),
                };
                let s = match (&op.action, op.insert) {
                    (OpType::Delete, _) => return refuse(Reason::NotAppend, format!("the change deletes an event of lead {lead}: events are immutable")),
                    (_, false) => return refuse(Reason::NotAppend, format!("the change overwrites an event of lead {lead}: events are immutable")),
                    (OpType::Put(ScalarValue::Str(s)), true) if op.pred.is_empty() => s.as_str(),
                    _ => return refuse(Reason::NotEvent, format!("the change inserts a list item that is not an event into lead {lead}")),
                };
                let at_head = matches!(op.key, Key::Seq(ElementId::Head));
                let ev = event::parse(s).map_err(|v| v.context(format!("lead {lead}")))?;
                match new_list {
                    Some(list) if at_head => {
                        list.head_inserts += 1;
                        if list.head_inserts > 1 || ev.kind != Kind::Register {
                            return refuse(Reason::RegisterMisplaced, format!("lead {lead} must open with its one `register` event"));
                        }
                    }
                    _ if at_head => return refuse(Reason::NotAppend, format!("the change inserts before the first event of lead {lead}")),
                    _ if ev.kind == Kind::Register => {
                        return refuse(Reason::RegisterMisplaced, format!("a `register` event only opens a lead (lead {lead})"))
                    }
                    _ => {}
                }
                if let Some(reporter) = reporter.filter(|r| ev.kind == Kind::Register && *r != ev.rep) {
                    return refuse(Reason::ForeignAuthor, format!("lead {lead} is registered by {:?} in the report document of distributor {reporter:?}", ev.rep));
                }
                crate::case::check_named_leads(&lead, &ev).map_err(|v| v.context(format!("lead {lead}")))?;
                if let Some(a) = author {
                    check_event_author(a, &ev)?;
                }
                fx.events.push((lead, ev));
            }
        }
    }
    if let Some(list) = new_lists.values().find(|l| l.head_inserts == 0) {
        return refuse(Reason::RegisterMisplaced, format!("the change creates lead {} without its `register` event", list.lead));
    }
    Ok(fx)
}

fn check_event_author(a: &Author<'_>, ev: &EventInfo) -> Result<(), Violation> {
    let kind = ev.kind.name();
    if a.role == Role::Receptionist {
        // The front desk (前台) records visits as itself and registers an unmatched
        // visitor on behalf of the duty rep — never for itself: it holds no customers.
        return match ev.kind {
            Kind::Visit if ev.rep == a.rep => Ok(()),
            Kind::Register if ev.rep != a.rep => Ok(()),
            _ => refuse(Reason::ForeignAuthor, format!("a receptionist's device may write visits as itself and registrations for a rep, not a `{kind}` event by {:?}", ev.rep)),
        };
    }
    if ev.kind == Kind::Visit {
        return refuse(Reason::ForeignAuthor, "only a receptionist's device writes `visit` events");
    }
    if ev.rep != a.rep {
        return refuse(Reason::ForeignAuthor, format!("the change writes a `{kind}` event on behalf of {:?}; this device belongs to {:?}", ev.rep, a.rep));
    }
    // A director decides the cases of its branches (rule 17); whether this one is
    // its to decide is the hub's check of the case's leads (`leadguard-hub` authorship).
    if ev.kind == Kind::Decide && a.role == Role::Director {
        return Ok(());
    }
    if ev.kind.manager_only() && a.role != Role::Manager {
        return refuse(Reason::ManagerOnly, format!("only a manager's device may write a `{kind}` event"));
    }
    Ok(())
}

fn check_directory(branch: &str, ops: &[automerge::legacy::Op], state: &dyn DocState, author: Option<&Author<'_>>) -> Result<Effects, Violation> {
    let mut fx = Effects::default();
    let manager = author.is_none_or(|a| a.role == Role::Manager);
    for op in ops {
        let key = match (&op.obj, &op.key) {
            (ObjectId::Root, Key::Map(k)) => k.as_str(),
            _ => return refuse(Reason::Malformed, "the directory holds only JSON strings at its root (no nested objects or lists)"),
        };
        let parsed = directory::key(key)?;
        let value = match &op.action {
            OpType::Put(ScalarValue::Str(s)) if !op.insert => s.as_str(),
            OpType::Delete => return refuse(Reason::DirectoryForbidden, format!("the change deletes directory entry {key:?}: entries are never deleted")),
            _ => return refuse(Reason::Malformed, format!("directory entry {key:?} is not a JSON string")),
        };
        match parsed {
            directory::Key::Policy => {
                if !manager {
                    return refuse(Reason::DirectoryForbidden, "only a manager sets the policy (only a manager edits the directory)");
                }
                directory::policy(value)?;
                fx.policy = Some(value.to_owned());
            }
            directory::Key::Rep(id) => {
                let entry = directory::entry(value, id, branch)?;
                if let (Some(a), false) = (author, manager) {
                    if id != a.rep {
                        return refuse(Reason::DirectoryForbidden, format!("the change writes directory entry {key:?} (only a manager edits the directory)"));
                    }
                    if entry.role != a.role {
                        return refuse(Reason::DirectoryForbidden, format!("the change writes itself into the directory with role {:?}; its device is enrolled as {:?}", entry.role.as_str(), a.role.as_str()));
                    }
                    if let Some(name) = state.entry_name(id).filter(|n| *n != entry.name) {
                        return refuse(Reason::RenameForbidden, format!("the change renames {id} from {name:?} to {:?}: only a manager changes names in the directory", entry.name));
                    }
                }
                fx.entries.push(entry);
            }
        }
    }
    Ok(fx)
}
