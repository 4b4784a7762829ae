//! Who may author what: the hub reads the events and directory entries a pushed change
//! writes, and refuses what the pushing device may not author.
//!
//! Replicas trust what the hub relays, and a device's credentials say who it is (rep,
//! role, branch), so this is the one place a patched client can be stopped from
//! forging another rep's claim, a manager's decision, or a promotion of itself in the
//! branch directory. The rules, for a device enrolled as rep R with role X:
//!
//! - an **event** (a JSON string with `kind` and `rep`, the core's event encoding in a
//!   lead's list) must have `rep` = R; `decide` and `handover` need X = manager;
//! - in the **directory** (`directory/<branch>`), a manager writes anything; anyone
//!   else writes only their own entry `rep/R`, with role X, and never the policy, and
//!   deletes nothing there;
//! - an event string that repeats a key is refused, so the hub and the replicas cannot
//!   read different fields out of one string;
//! - in lead documents, list items are events and are immutable: an item that is not an
//!   event string, an overwrite of an item, or a deletion is refused — a replica could
//!   not read the lead, or an acknowledged event would be lost.
//!
//! Other content passes: the hub stays agnostic of everything that grants nothing.

use std::collections::BTreeMap;
use std::fmt;

use automerge::legacy::{Key, OpType};
use automerge::ScalarValue;
use leadguard_protocol::Role;
use serde::de::{Deserializer, MapAccess, Visitor};

use crate::error::HubError;
use crate::scope::Device;

/// Event kinds only a manager writes.
const MANAGER_EVENTS: [&str; 2] = ["decide", "handover"];

/// Checks change `i` of a push (document `doc_id`) against `device`.
pub fn check(device: &Device, i: usize, doc_id: &str, change: &automerge::Change) -> Result<(), HubError> {
    // decode() expects a validated change (it is: `Change::try_from` checked it); a
    // panic in it must still not take a request handler down.
    let expanded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change.decode()))
        .map_err(|_| HubError::InvalidChange(format!("change {i} cannot be decoded")))?;
    let manager = device.role == Role::Manager;
    let directory = doc_id.starts_with("directory/");
    for op in &expanded.operations {
        if directory && !manager {
            check_directory_op(device, i, &op.key, &op.action)?;
        }
        if !directory {
            check_list_op(i, op)?;
        }
        if let OpType::Put(ScalarValue::Str(s)) = &op.action {
            if let Some(event) = event_fields(s).map_err(|e| HubError::Forbidden(format!("change {i}: {e}")))? {
                check_event(device, i, &event)?;
            }
        }
    }
    Ok(())
}

fn check_event(device: &Device, i: usize, event: &BTreeMap<String, serde_json::Value>) -> Result<(), HubError> {
    let kind = event.get("kind").and_then(|v| v.as_str()).unwrap_or_default();
    let rep = event.get("rep").and_then(|v| v.as_str()).unwrap_or_default();
    if rep != device.rep {
        return Err(HubError::Forbidden(format!(
            "change {i} writes a `{kind}` event on behalf of {rep:?}; this device belongs to {:?}",
            device.rep
        )));
    }
    if MANAGER_EVENTS.contains(&kind) && device.role != Role::Manager {
        return Err(HubError::Forbidden(format!("change {i}: only a manager's device may write a `{kind}` event")));
    }
    Ok(())
}

fn check_list_op(i: usize, op: &automerge::legacy::Op) -> Result<(), HubError> {
    let refuse = |what: &str| Err(HubError::Forbidden(format!("change {i} {what}: events are immutable")));
    match (&op.action, &op.key, op.insert) {
        (OpType::Delete, _, _) => refuse("deletes"),
        (OpType::Put(ScalarValue::Str(s)), Key::Seq(_), true) => match event_fields(s) {
            Ok(Some(_)) => Ok(()),
            Ok(None) => refuse("inserts a list item that is not an event"),
            Err(e) => Err(HubError::Forbidden(format!("change {i}: {e}"))),
        },
        (_, Key::Seq(_), true) => refuse("inserts a list item that is not an event"),
        (_, Key::Seq(_), false) => refuse("overwrites a list item"),
        _ => Ok(()),
    }
}

fn check_directory_op(device: &Device, i: usize, key: &Key, action: &OpType) -> Result<(), HubError> {
    let own = format!("rep/{}", device.rep);
    let refuse = |what: String| Err(HubError::Forbidden(format!("change {i}: {what} (only a manager edits the directory)")));
    let key = match key {
        Key::Map(k) => k.as_str(),
        Key::Seq(_) => return refuse("a list edit in the directory".into()),
    };
    if key != own {
        return refuse(format!("writes directory entry {key:?}"));
    }
    match action {
        OpType::Put(ScalarValue::Str(s)) => {
            let entry: serde_json::Value = serde_json::from_str(s)
                .map_err(|_| HubError::Forbidden(format!("change {i}: directory entry {key:?} is not JSON")))?;
            let id = entry.get("id").and_then(|v| v.as_str());
            let role = entry.get("role").and_then(|v| v.as_str());
            if id != Some(device.rep.as_str()) || role != Some(device.role.as_str()) {
                return refuse(format!("writes itself into the directory as {:?} with role {:?}", id.unwrap_or(""), role.unwrap_or("")));
            }
            Ok(())
        }
        _ => refuse(format!("an edit of {key:?} that is not an entry")),
    }
}

/// The top-level fields of `s` if it is an event (a JSON object with string `kind` and
/// `rep`); `Ok(None)` for any other string; an error for an event-like object that
/// repeats a key.
fn event_fields(s: &str) -> Result<Option<BTreeMap<String, serde_json::Value>>, String> {
    if !s.trim_start().starts_with('{') {
        return Ok(None);
    }
    let mut de = serde_json::Deserializer::from_str(s);
    let fields = match de.deserialize_map(UniqueKeys) {
        Ok(f) => f,
        Err(e) if e.to_string().starts_with(DUPLICATE) => return Err(format!("an event string repeats a key ({e})")),
        Err(_) => return Ok(None),
    };
    let is_event = fields.get("kind").is_some_and(|v| v.is_string()) && fields.get("rep").is_some_and(|v| v.is_string());
    Ok(is_event.then_some(fields))
}

const DUPLICATE: &str = "duplicate key";

/// A JSON object's top-level fields, refusing a repeated key.
struct UniqueKeys;

impl<'de> Visitor<'de> for UniqueKeys {
    type Value = BTreeMap<String, serde_json::Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
            if out.contains_key(&k) {
                return Err(serde::de::Error::custom(format!("{DUPLICATE} {k:?}")));
            }
            out.insert(k, v);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_strings_are_recognised_and_a_repeated_key_is_refused() {
        assert!(event_fields(r#"{"id":"e1","kind":"claim","rep":"li.na"}"#).unwrap().is_some());
        assert!(event_fields("上海华强电子").unwrap().is_none());
        assert!(event_fields(r#"{"id":1,"name":"x"}"#).unwrap().is_none());
        assert!(event_fields(r#"{"kind":"claim","rep":"li.na","kind":"decide"}"#).is_err());
        assert!(event_fields(r#"{"kind":"claim","rep":"li.na""#).unwrap().is_none(), "not JSON: not an event");
    }
}
