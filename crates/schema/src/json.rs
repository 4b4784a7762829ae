//! JSON objects read strictly: a repeated key anywhere is refused, so the hub, the
//! replicas and any other reader cannot pick different values out of one string.

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{refuse, Reason, Violation};

const DUPLICATE: &str = "duplicate key";

/// A JSON value that refused repeated keys while it was read.
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(v.into())
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            let Strict(v) = map.next_value()?;
            if out.contains_key(&k) {
                return Err(serde::de::Error::custom(format!("{DUPLICATE} {k:?}")));
            }
            out.insert(k, v);
        }
        Ok(Value::Object(out))
    }
}

/// Parses `s` as one JSON value, refusing repeated keys at any depth. `Ok(None)` when
/// `s` is not JSON at all.
pub fn parse(s: &str) -> Result<Option<Value>, Violation> {
    match serde_json::from_str::<Strict>(s) {
        Ok(Strict(v)) => Ok(Some(v)),
        Err(e) if e.to_string().starts_with(DUPLICATE) => refuse(Reason::DuplicateKey, format!("a JSON value repeats a key ({e})")),
        Err(_) => Ok(None),
    }
}

/// Parses `s` as a JSON object (refusing repeated keys); `what` names it in refusals.
pub fn object(s: &str, what: &str, not_object: Reason) -> Result<Map<String, Value>, Violation> {
    match parse(s)? {
        Some(Value::Object(m)) => Ok(m),
        _ => refuse(not_object, format!("{what} is not a JSON object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_refused_at_any_depth() {
        assert!(parse(r#"{"a":1,"b":{"c":[1,{"d":2}]}}"#).unwrap().is_some());
        assert_eq!(parse(r#"{"a":1,"a":2}"#).unwrap_err().reason, Reason::DuplicateKey);
        assert_eq!(parse(r#"{"a":{"b":1,"b":1}}"#).unwrap_err().reason, Reason::DuplicateKey);
        assert_eq!(parse(r#"[{"b":1,"b":1}]"#).unwrap_err().reason, Reason::DuplicateKey);
        assert_eq!(parse("not json").unwrap(), None);
        assert_eq!(parse(r#"{"a":1"#).unwrap(), None);
    }
}
