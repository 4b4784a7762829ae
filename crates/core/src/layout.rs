//! How leads and the branch directory are laid out inside Automerge documents.
//!
//! *Shard documents* (`<branch>/<device>/<n>`) hold leads: root key = lead id, value =
//! a list of events, each event one JSON string. Events are immutable, so a string is
//! enough (no per-field CRDT needed) and costs one operation instead of one per field;
//! appends from two devices to the same list both survive a merge, in an order every
//! replica agrees on. The list object is created by the device that registers the lead,
//! so two devices never race to create it.
//!
//! The *directory document* (`directory/<branch>`) holds `rep/<id>` → JSON [`Rep`] and
//! `policy` → JSON [`Policy`] directly at the root: devices that initialise the same
//! branch independently create the document separately, and root keys merge cleanly
//! where nested objects created on both sides would shadow each other.

use automerge::{AutoCommit, ObjType, ReadDoc, ScalarValue, Value, ROOT};

use crate::error::{Error, Result};
use crate::model::{Event, Rep};
use crate::policy::Policy;
use automerge::transaction::Transactable;

/// Id of the directory document of `branch`.
pub fn directory_doc_id(branch: &str) -> String {
    format!("directory/{branch}")
}

/// Scope (the unit the hub authorises) of documents of `branch`.
pub fn branch_scope(branch: &str) -> String {
    format!("branch:{branch}")
}

/// Id of a device's `n`-th shard in `branch`.
pub fn shard_doc_id(branch: &str, device: &str, n: u32) -> String {
    format!("{branch}/{device}/{n}")
}

/// Id of the `n`-th document of the reports distributor `rep` makes to `branch`.
/// Named by the distributor, not the laptop, so every laptop of one distributor
/// writes the same documents (they merge like any Automerge document).
pub fn report_doc_id(branch: &str, rep: &str, n: u32) -> String {
    format!("dist:{branch}/{rep}/{n}")
}

/// Scope of the reports distributor `rep` makes to `branch` (the hub serves it to
/// that distributor and to the branch's staff).
pub fn report_scope(branch: &str, rep: &str) -> String {
    format!("dist:{branch}/{rep}")
}

/// Whether a document holds distributors' reports (a lead there follows the
/// report rules: validity period, review).
pub fn is_report_doc(doc_id: &str) -> bool {
    doc_id.starts_with("dist:")
}

/// Scope of a document that never leaves the laptop: a distributor's copy of its own
/// directory entry (the branch directory is the manager's, and a distributor does
/// not receive it).
pub fn local_scope(branch: &str) -> String {
    format!("local:{branch}")
}

/// The branch a lead document belongs to: `<branch>/<device>/<n>` or
/// `dist:<branch>/<rep>/<n>`.
pub fn branch_of_doc(doc_id: &str) -> &str {
    doc_id.strip_prefix("dist:").unwrap_or(doc_id).split('/').next().unwrap_or_default()
}

fn str_value(v: &Value<'_>) -> Option<String> {
    match v {
        Value::Scalar(s) => match s.as_ref() {
            ScalarValue::Str(s) => Some(s.to_string()),
            _ => None,
        },
        _ => None,
    }
}

/// The events of a lead, in document order; `None` if the shard lacks the lead.
pub fn read_events(doc: &AutoCommit, lead_id: &str) -> Result<Option<Vec<Event>>> {
    let Some((Value::Object(ObjType::List), list)) = doc.get(ROOT, lead_id)? else { return Ok(None) };
    let mut out = Vec::with_capacity(doc.length(&list));
    for item in doc.list_range(&list, ..) {
        let text = match &item.value {
            automerge::ValueRef::Scalar(automerge::ScalarValueRef::Str(s)) => s.to_string(),
            _ => return Err(Error::Decode(format!("lead {lead_id}: event {} is not a string", item.index))),
        };
        let e: Event =
            serde_json::from_str(&text).map_err(|e| Error::Decode(format!("lead {lead_id}: event: {e}")))?;
        out.push(e);
    }
    Ok(Some(out))
}

/// Appends an event to a lead, creating the lead's list if it is new.
pub fn append_event(doc: &mut AutoCommit, lead_id: &str, event: &Event) -> Result<()> {
    let list = match doc.get(ROOT, lead_id)? {
        Some((Value::Object(ObjType::List), id)) => id,
        Some(_) => return Err(Error::Decode(format!("lead {lead_id} is not a list"))),
        None => doc.put_object(ROOT, lead_id, ObjType::List)?,
    };
    let json = serde_json::to_string(event).map_err(|e| Error::Decode(e.to_string()))?;
    let at = doc.length(&list);
    doc.insert(&list, at, json)?;
    Ok(())
}

/// Every lead id in a shard.
pub fn lead_ids(doc: &AutoCommit) -> Vec<String> {
    doc.keys(ROOT).collect()
}

/// Reps recorded in a directory document.
pub fn read_reps(doc: &AutoCommit) -> Result<Vec<Rep>> {
    let mut out = Vec::new();
    for key in doc.keys(ROOT).filter(|k| k.starts_with("rep/")) {
        if let Some((v, _)) = doc.get(ROOT, key.as_str())? {
            let text = str_value(&v).ok_or_else(|| Error::Decode(format!("{key} is not a string")))?;
            out.push(serde_json::from_str(&text).map_err(|e| Error::Decode(format!("{key}: {e}")))?);
        }
    }
    Ok(out)
}

/// Writes (or replaces) a rep in a directory document.
pub fn put_rep(doc: &mut AutoCommit, rep: &Rep) -> Result<()> {
    let json = serde_json::to_string(rep).map_err(|e| Error::Decode(e.to_string()))?;
    doc.put(ROOT, format!("rep/{}", rep.id), json)?;
    Ok(())
}

/// The branch policy (the default when none was set).
pub fn read_policy(doc: &AutoCommit) -> Result<Policy> {
    match doc.get(ROOT, "policy")? {
        Some((v, _)) => {
            let text = str_value(&v).ok_or_else(|| Error::Decode("policy is not a string".into()))?;
            serde_json::from_str(&text).map_err(|e| Error::Decode(format!("policy: {e}")))
        }
        None => Ok(Policy::default()),
    }
}

pub fn put_policy(doc: &mut AutoCommit, policy: &Policy) -> Result<()> {
    let json = serde_json::to_string(policy).map_err(|e| Error::Decode(e.to_string()))?;
    doc.put(ROOT, "policy", json)?;
    Ok(())
}
