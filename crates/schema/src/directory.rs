//! The branch directory document (`directory/<branch>`): root keys `rep/<id>` → a JSON
//! entry `{id, name, branch, region?, role, active?}` and `policy` → a JSON object
//! (its fields are the core's to read; a replica that cannot read it quarantines it).
//!
//! Names are what colleagues and managers see, so a name is set when a rep first
//! appears in the directory (joining) and afterwards changed only by a manager: a
//! non-manager's entry must keep the name the directory has for them. The hub, which
//! knows who pushes, enforces it ([`crate::change`]).

use serde_json::{Map, Value};

use crate::error::{refuse, Reason, Violation};
use crate::json;
use crate::names::check_id;
use crate::role::Role;
use crate::text::{self, Lines, MAX_LINE_CHARS, MAX_NAME_CHARS};

/// A directory key, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key<'a> {
    /// `rep/<id>`
    Rep(&'a str),
    /// `policy`
    Policy,
}

/// Parses a root key of a directory document.
pub fn key(k: &str) -> Result<Key<'_>, Violation> {
    if k == "policy" {
        return Ok(Key::Policy);
    }
    match k.strip_prefix("rep/") {
        Some(id) => check_id("a directory entry's rep id", id).map(|_| Key::Rep(id)),
        None => refuse(Reason::Malformed, format!("{:?} is not a directory key (rep/<id> or policy)", text::escape(k, Lines::One))),
    }
}

/// A valid directory entry: what the checks compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub name: String,
    pub role: Role,
}

/// Checks the entry stored under `rep/<key_id>` of the directory of `branch`.
pub fn entry(s: &str, key_id: &str, branch: &str) -> Result<Entry, Violation> {
    let m = json::object(s, "a directory entry", Reason::Malformed)?;
    for k in m.keys() {
        if !["id", "name", "branch", "region", "role", "active"].contains(&k.as_str()) {
            return refuse(Reason::UnknownKey, format!("a directory entry has an unknown key {:?}", text::escape(k, Lines::One)));
        }
    }
    let string = |k: &str| match m.get(k) {
        Some(Value::String(s)) => Ok(s.as_str()),
        _ => refuse(Reason::Malformed, format!("a directory entry needs a string `{k}`")),
    };
    let id = string("id")?;
    if id != key_id {
        return refuse(Reason::Malformed, format!("directory entry rep/{key_id} is for {id:?}"));
    }
    let name = string("name")?;
    text::check("name", name, Lines::One, MAX_NAME_CHARS)?;
    if name.trim().is_empty() {
        return refuse(Reason::Malformed, "a name must not be blank");
    }
    if string("branch")? != branch {
        return refuse(Reason::Malformed, format!("directory entry rep/{key_id} names another branch than {branch:?}"));
    }
    let role: Role = string("role")?.parse().map_err(|e: crate::UnknownRole| Violation::new(Reason::Malformed, e.to_string()))?;
    match m.get("region") {
        None | Some(Value::Null) => {}
        Some(Value::String(r)) => text::check("region", r, Lines::One, MAX_LINE_CHARS)?,
        _ => return refuse(Reason::Malformed, "`region` must be a string"),
    }
    if !matches!(m.get("active"), None | Some(Value::Bool(_))) {
        return refuse(Reason::Malformed, "`active` must be true or false");
    }
    check_id("rep id", id)?;
    Ok(Entry { id: id.to_owned(), name: name.to_owned(), role })
}

/// Checks the policy value is a JSON object (its fields are checked by the core).
pub fn policy(s: &str) -> Result<Map<String, Value>, Violation> {
    json::object(s, "the policy", Reason::BadPolicy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_checked_against_their_key_and_branch() {
        let e = r#"{"id":"li.na","name":"李娜","branch":"sh","region":null,"role":"rep","active":true}"#;
        assert_eq!(entry(e, "li.na", "sh").unwrap().name, "李娜");
        assert_eq!(entry(e, "wang", "sh").unwrap_err().reason, Reason::Malformed);
        assert_eq!(entry(e, "li.na", "bj").unwrap_err().reason, Reason::Malformed);
        let bidi = r#"{"id":"li.na","name":"李娜\u202e","branch":"sh","role":"rep"}"#;
        assert_eq!(entry(bidi, "li.na", "sh").unwrap_err().reason, Reason::BadText);
        let admin = r#"{"id":"li.na","name":"x","branch":"sh","role":"admin"}"#;
        assert_eq!(entry(admin, "li.na", "sh").unwrap_err().reason, Reason::Malformed);
        assert_eq!(key("rep/a b").unwrap_err().reason, Reason::BadId);
        assert_eq!(key("owner").unwrap_err().reason, Reason::Malformed);
        assert_eq!(key("policy").unwrap(), Key::Policy);
    }
}
