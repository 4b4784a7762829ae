//! The events of a lead's history and their exact JSON shape.
//!
//! An event is one JSON object in a lead's list: common keys `id`, `kind`, `rep`,
//! `device`, `device_time`, `after` (optional), plus the keys of its kind. This is the
//! core's encoding (`leadguard_core::model::Event`, serde), stated as rules: a kind
//! not listed here, a key its kind does not define, a repeated key, a value of the
//! wrong type or a text value breaking [`crate::text`] is refused. Everything that
//! passes, the core reads (its tests replay the corpus through both).

use serde_json::{Map, Value};

use crate::error::{refuse, Reason, Violation};
use crate::json;
use crate::names::{check_id, is_id};
use crate::text::{self, Lines, MAX_LINE_CHARS, MAX_NEED_CHARS, MAX_NOTE_CHARS};
use crate::timestamp::is_rfc3339;

/// Longest list of event or lead ids inside one event.
pub const MAX_ID_LIST: usize = 1000;
/// Most relations a lead may carry.
pub const MAX_RELATIONS: usize = 50;

/// Every kind of event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Register,
    Update,
    Claim,
    Followup,
    Release,
    Handover,
    Decide,
    Appeal,
    DuplicateAcknowledged,
    Review,
    Assign,
    /// 前台接待: a walk-in visit the front desk recorded.
    Visit,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Register,
        Kind::Update,
        Kind::Claim,
        Kind::Followup,
        Kind::Release,
        Kind::Handover,
        Kind::Decide,
        Kind::Appeal,
        Kind::DuplicateAcknowledged,
        Kind::Review,
        Kind::Assign,
        Kind::Visit,
    ];

    /// The `kind` value in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Register => "register",
            Kind::Update => "update",
            Kind::Claim => "claim",
            Kind::Followup => "followup",
            Kind::Release => "release",
            Kind::Handover => "handover",
            Kind::Decide => "decide",
            Kind::Appeal => "appeal",
            Kind::DuplicateAcknowledged => "duplicate_acknowledged",
            Kind::Review => "review",
            Kind::Assign => "assign",
            Kind::Visit => "visit",
        }
    }

    pub fn from_name(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// Kinds a receptionist's device may write: a visit, and the registration of an
    /// unmatched visitor on behalf of the duty rep.
    pub fn receptionist_may(self) -> bool {
        matches!(self, Kind::Register | Kind::Visit)
    }

    /// Kinds only a manager's device may write.
    pub fn manager_only(self) -> bool {
        matches!(self, Kind::Decide | Kind::Handover | Kind::Review | Kind::Assign)
    }

    /// The keys of this kind besides the common ones.
    fn keys(self) -> &'static [(&'static str, Spec)] {
        use Spec::*;
        match self {
            Kind::Register | Kind::Update => &[("fields", LeadFields)],
            Kind::Claim | Kind::Release => &[],
            Kind::Followup => &[("followup", FollowupKind), ("note", Text(Lines::Many, MAX_NOTE_CHARS))],
            Kind::Handover => &[("from", Id), ("to", Id)],
            Kind::Decide => &[
                ("case_id", Id),
                ("decision", Id),
                ("outcome", Outcome),
                ("reason", OptText(Lines::Many, MAX_NOTE_CHARS)),
                ("covers", OptIds),
                ("supersedes", NullableId),
                ("merged_away", OptBool),
                ("faults", OptFaults),
                ("leads", OptIds),
            ],
            Kind::Appeal => &[("case_id", Id), ("appeal", Id), ("decision", Id), ("note", Text(Lines::Many, MAX_NOTE_CHARS)), ("leads", OptIds)],
            Kind::DuplicateAcknowledged => &[("leads", Ids), ("reason", OptText(Lines::Many, MAX_NOTE_CHARS)), ("collaborate", OptBool)],
            Kind::Review => &[("verdict", Verdict), ("reason", OptText(Lines::Many, MAX_NOTE_CHARS))],
            Kind::Assign => &[("to", Id), ("reason", OptText(Lines::Many, MAX_NOTE_CHARS))],
            Kind::Visit => &[
                ("time_in", Time),
                ("time_out", NullableTime),
                ("inviter", NullableId),
                ("first_visit", OptBool),
                ("note", OptText(Lines::Many, MAX_NOTE_CHARS)),
            ],
        }
    }
}

/// What the change check needs to know of a valid event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInfo {
    pub id: String,
    pub kind: Kind,
    pub rep: String,
    /// The event carries a contact-class value in plain text rather than sealed — a
    /// lead field (contact, phone, e-mail, need, notes) or free text about the
    /// customer (a note or a reason): its document is served to its branch only
    /// (docs/VISIBILITY.md).
    pub plain_contact: bool,
    /// A registration's or update's match data, as written (the hub keeps it for the
    /// distributors' online check and recomputes its digests, docs/VISIBILITY.md).
    pub matching: Option<MatchData>,
    /// A decision or appeal: its case id, and the case's leads when it names them
    /// (`leads`: the ids whose hash is the case id, `crate::case`).
    pub case: Option<(String, Option<Vec<String>>)>,
}

/// The match-relevant lead fields an event writes: each `Some` when the event sets
/// it (an empty string clears it), `None` when it leaves it alone. `phone`, `email`
/// and `contact` are as stored: sealed (`s1:`) on an enrolled device.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchData {
    pub company: Option<String>,
    pub region: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub contact: Option<String>,
    pub phone_masked: Option<String>,
    pub phone_digest: Option<String>,
    pub email_digest: Option<String>,
    pub contact_digest: Option<String>,
}

impl MatchData {
    fn of(fields: &Map<String, Value>) -> MatchData {
        let get = |k: &str| fields.get(k).and_then(Value::as_str).map(str::to_owned);
        MatchData {
            company: get("company"),
            region: get("region"),
            phone: get("phone"),
            email: get("email"),
            contact: get("contact"),
            phone_masked: get("phone_masked"),
            phone_digest: get("phone_digest"),
            email_digest: get("email_digest"),
            contact_digest: get("contact_digest"),
        }
    }
}

/// Lead fields that identify or describe a person: sealed on an enrolled device.
const CONTACT_KEYS: [&str; 5] = ["contact", "phone", "email", "need", "notes"];
/// Event keys of free text about a customer (contact class, docs/VISIBILITY.md).
const FREE_TEXT_KEYS: [&str; 2] = ["note", "reason"];

/// The rule for one key. `Opt*`: may be missing; `Nullable*`: may also be null.
#[derive(Debug, Clone, Copy)]
enum Spec {
    Id,
    NullableId,
    Time,
    NullableTime,
    Text(Lines, usize),
    OptText(Lines, usize),
    Ids,
    OptIds,
    OptBool,
    FollowupKind,
    /// A manager's review of a distributor's report: `accept` or `reject`.
    Verdict,
    LeadFields,
    Outcome,
    /// Reps a decision finds at fault: `[{rep, kind: grab|unreported|flying}]`.
    OptFaults,
}

const COMMON: &[(&str, Spec)] = &[("id", Spec::Id), ("kind", Spec::Id), ("rep", Spec::Id), ("device", Spec::Id), ("device_time", Spec::Time), ("after", Spec::NullableTime)];

const FOLLOWUP_KINDS: [&str; 7] = ["call", "visit", "sample", "quote", "store_visit", "deal", "deposit_refund"];
const RELATION_KINDS: [&str; 3] = ["family", "same_unit", "referral"];

/// Text keys of a lead's fields: name, lines, limit.
const FIELD_KEYS: [(&str, Lines, usize); 13] = [
    ("company", Lines::One, MAX_LINE_CHARS),
    ("contact", Lines::One, MAX_LINE_CHARS),
    ("phone", Lines::One, MAX_LINE_CHARS),
    ("email", Lines::One, MAX_LINE_CHARS),
    ("region", Lines::One, MAX_LINE_CHARS),
    ("industry", Lines::One, MAX_LINE_CHARS),
    ("size", Lines::One, MAX_LINE_CHARS),
    // The need is a description (a text area in the app): it may span lines.
    ("need", Lines::Many, MAX_NEED_CHARS),
    ("notes", Lines::Many, MAX_NOTE_CHARS),
    // Open match data of a lead whose contacts are sealed (docs/VISIBILITY.md): the
    // masked phone (a staff field) and keyed digests (hex) of phone, e-mail, contact.
    ("phone_masked", Lines::One, MAX_LINE_CHARS),
    ("phone_digest", Lines::One, MAX_LINE_CHARS),
    ("email_digest", Lines::One, MAX_LINE_CHARS),
    ("contact_digest", Lines::One, MAX_LINE_CHARS),
];

/// Parses and checks one event string.
pub fn parse(s: &str) -> Result<EventInfo, Violation> {
    let map = match json::parse(s)? {
        Some(Value::Object(m)) => m,
        _ => return refuse(Reason::NotEvent, "a lead's list item is not an event (not a JSON object)"),
    };
    let kind_name = match map.get("kind") {
        Some(Value::String(k)) => k.as_str(),
        _ => return refuse(Reason::Malformed, "an event needs a string `kind`"),
    };
    let kind = Kind::from_name(kind_name)
        .ok_or_else(|| Violation::new(Reason::UnknownKind, format!("unknown event kind {:?}", text::escape(kind_name, Lines::One))))?;
    let what = format!("`{}` event", kind.name());
    check_object(&what, &map, COMMON.iter().chain(kind.keys()))?;
    let get = |k: &str| map.get(k).and_then(Value::as_str).unwrap_or_default().to_owned();
    let plain = |v: Option<&Value>| matches!(v, Some(Value::String(v)) if !v.trim().is_empty() && !text::is_sealed_form(v));
    let plain_fields = match map.get("fields") {
        Some(Value::Object(f)) => CONTACT_KEYS.iter().any(|k| plain(f.get(*k))),
        _ => false,
    };
    // Free text a person writes about a customer (a follow-up's or an appeal's note, a
    // decision's or a review's reason) is contact class too: in plain text it keeps
    // its document in its branch. An assignment's reason is generated (rule and rep).
    let plain_text = !matches!(kind, Kind::Assign) && FREE_TEXT_KEYS.iter().any(|k| plain(map.get(*k)));
    let plain_contact = plain_fields || plain_text;
    let matching = match (kind, map.get("fields")) {
        (Kind::Register | Kind::Update, Some(Value::Object(f))) => Some(MatchData::of(f)),
        _ => None,
    };
    let case = matches!(kind, Kind::Decide | Kind::Appeal).then(|| {
        let leads = map.get("leads").and_then(Value::as_array).map(|l| l.iter().filter_map(Value::as_str).map(str::to_owned).collect());
        (get("case_id"), leads)
    });
    Ok(EventInfo { id: get("id"), kind, rep: get("rep"), plain_contact, matching, case })
}

/// Checks that `map` has no keys beyond `specs` and each key meets its rule.
fn check_object<'a>(what: &str, map: &Map<String, Value>, specs: impl Iterator<Item = &'a (&'static str, Spec)> + Clone) -> Result<(), Violation> {
    if let Some(k) = map.keys().find(|k| !specs.clone().any(|(name, _)| name == k)) {
        return refuse(Reason::UnknownKey, format!("{what} has an unknown key {:?}", text::escape(k, Lines::One)));
    }
    for (key, spec) in specs {
        check_value(key, *spec, map.get(*key)).map_err(|v| v.context(what))?;
    }
    Ok(())
}

fn malformed<T>(key: &str, expected: &str) -> Result<T, Violation> {
    refuse(Reason::Malformed, format!("`{key}` must be {expected}"))
}

fn check_value(key: &str, spec: Spec, v: Option<&Value>) -> Result<(), Violation> {
    use Spec::*;
    match (spec, v) {
        (NullableId | NullableTime | OptText(..) | OptIds | OptBool, None) => Ok(()),
        (NullableId | NullableTime, Some(Value::Null)) => Ok(()),
        (Id | NullableId, Some(Value::String(s))) => check_id(&format!("`{key}`"), s),
        (Id | NullableId, _) => malformed(key, "an id string"),
        (Time | NullableTime, Some(Value::String(s))) if is_rfc3339(s) => Ok(()),
        (Time | NullableTime, _) => malformed(key, "an RFC 3339 time"),
        (Text(lines, max) | OptText(lines, max), Some(Value::String(s))) => text::check(&format!("`{key}`"), s, lines, max),
        (Text(..) | OptText(..), _) => malformed(key, "a string"),
        (Ids | OptIds, Some(Value::Array(items))) => {
            if items.len() > MAX_ID_LIST {
                return refuse(Reason::TooLong, format!("`{key}` lists {} ids; the limit is {MAX_ID_LIST}", items.len()));
            }
            for item in items {
                match item {
                    Value::String(s) => check_id(&format!("an id in `{key}`"), s)?,
                    _ => return malformed(key, "a list of id strings"),
                }
            }
            Ok(())
        }
        (Ids | OptIds, _) => malformed(key, "a list of id strings"),
        (OptBool, Some(Value::Bool(_))) => Ok(()),
        (OptBool, _) => malformed(key, "true or false"),
        (FollowupKind, Some(Value::String(s))) if FOLLOWUP_KINDS.contains(&s.as_str()) => Ok(()),
        (FollowupKind, _) => malformed(key, "one of call, visit, sample, quote, store_visit, deal, deposit_refund"),
        (Verdict, Some(Value::String(s))) if matches!(s.as_str(), "accept" | "reject") => Ok(()),
        (Verdict, _) => malformed(key, "accept or reject"),
        (LeadFields, Some(Value::Object(m))) => check_lead_fields(m),
        (LeadFields, _) => malformed(key, "an object of lead fields"),
        (Outcome, Some(Value::Object(m))) => check_outcome(m),
        (Outcome, _) => malformed(key, "an outcome object"),
        (OptFaults, None) => Ok(()),
        (OptFaults, Some(Value::Array(items))) if items.len() <= 20 => items.iter().try_for_each(check_fault),
        (OptFaults, Some(Value::Array(_))) => refuse(Reason::TooLong, "a decision finds at most 20 faults"),
        (OptFaults, _) => malformed(key, "a list of {rep, kind}"),
    }
}

/// A lead's descriptive fields (`register` and `update`).
pub fn check_lead_fields(m: &Map<String, Value>) -> Result<(), Violation> {
    for (k, v) in m {
        if let Some((name, lines, max)) = FIELD_KEYS.iter().find(|(name, ..)| name == k) {
            match v {
                Value::Null => {}
                Value::String(s) => text::check(name, s, *lines, *max)?,
                _ => return malformed(name, "a string"),
            }
        } else if k == "grade" {
            // Customer grade (客户等级): A, B or C; "" or null clears it.
            match v {
                Value::Null => {}
                Value::String(s) if matches!(s.as_str(), "" | "A" | "B" | "C") => {}
                _ => return malformed("grade", "A, B, C or empty"),
            }
        } else if k == "relations" {
            match v {
                Value::Null => {}
                Value::Array(items) if items.len() <= MAX_RELATIONS => items.iter().try_for_each(check_relation)?,
                Value::Array(items) => return refuse(Reason::TooLong, format!("{} relations; the limit is {MAX_RELATIONS}", items.len())),
                _ => return malformed("relations", "a list"),
            }
        } else {
            return refuse(Reason::UnknownKey, format!("lead fields have an unknown key {:?}", text::escape(k, Lines::One)));
        }
    }
    Ok(())
}

fn check_relation(v: &Value) -> Result<(), Violation> {
    let Value::Object(m) = v else { return malformed("relations", "a list of objects") };
    let kind = m.get("kind").and_then(Value::as_str).unwrap_or_default();
    if !RELATION_KINDS.contains(&kind) {
        return malformed("relations.kind", "family, same_unit or referral");
    }
    for (k, v) in m {
        match (k.as_str(), v) {
            ("kind", _) | ("lead_id" | "note", Value::Null) => {}
            ("lead_id", Value::String(s)) => check_id("relations.lead_id", s)?,
            // The referrer credited with a referral (转介绍).
            ("rep", Value::Null) => {}
            ("rep", Value::String(s)) => check_id("relations.rep", s)?,
            ("rep", _) => return malformed(k, "an id string"),
            ("note", Value::String(s)) => text::check("relations.note", s, Lines::Many, MAX_LINE_CHARS * 5)?,
            ("lead_id" | "note", _) => return malformed(k, "a string"),
            _ => return refuse(Reason::UnknownKey, format!("a relation has an unknown key {:?}", text::escape(k, Lines::One))),
        }
    }
    Ok(())
}

/// A fault a decision finds: `{rep, kind}`, kind `grab`, `unreported` or `flying`.
fn check_fault(v: &Value) -> Result<(), Violation> {
    let Value::Object(m) = v else { return malformed("faults", "a list of {rep, kind}") };
    if let Some(k) = m.keys().find(|k| *k != "rep" && *k != "kind") {
        return refuse(Reason::UnknownKey, format!("a fault has an unknown key {:?}", text::escape(k, Lines::One)));
    }
    match m.get("kind").and_then(Value::as_str) {
        Some("grab" | "unreported" | "flying") => {}
        _ => return malformed("faults.kind", "grab, unreported or flying"),
    }
    match m.get("rep") {
        Some(Value::String(r)) => check_id("faults.rep", r),
        _ => malformed("faults.rep", "an id"),
    }
}

/// A decision's outcome: `owner{rep}`, `split{shares}`, `pool`, `merge{into, owner}`, `undo`.
fn check_outcome(m: &Map<String, Value>) -> Result<(), Violation> {
    use Spec::Id;
    let kind = m.get("kind").and_then(Value::as_str).unwrap_or_default();
    let keys: &[(&str, Spec)] = match kind {
        "owner" => &[("kind", Id), ("rep", Id)],
        "merge" => &[("kind", Id), ("into", Id), ("owner", Id)],
        "pool" | "undo" => &[("kind", Id)],
        "split" => {
            if let Some(k) = m.keys().find(|k| *k != "kind" && *k != "shares") {
                return refuse(Reason::UnknownKey, format!("a split outcome has an unknown key {:?}", text::escape(k, Lines::One)));
            }
            let Some(Value::Array(shares)) = m.get("shares") else { return malformed("outcome.shares", "a list") };
            if shares.len() > 20 {
                return refuse(Reason::TooLong, "a split has at most 20 shares");
            }
            for share in shares {
                let Value::Object(s) = share else { return malformed("outcome.shares", "a list of {rep, pct}") };
                if s.len() != 2 || s.get("pct").and_then(Value::as_u64).is_none_or(|p| p > 100) {
                    return malformed("outcome.shares", "a list of {rep, pct} with pct 0-100");
                }
                match s.get("rep") {
                    Some(Value::String(r)) if is_id(r) => {}
                    _ => return malformed("outcome.shares.rep", "an id"),
                }
            }
            return Ok(());
        }
        _ => return malformed("outcome.kind", "owner, split, pool, merge or undo"),
    };
    check_object("the outcome", m, keys.iter())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(extra: Value) -> String {
        let mut base = json!({"id": "e1", "rep": "li.na", "device": "4f1a2b3c4d5e6f70", "device_time": "2026-03-01T09:00:00Z"});
        base.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        base.to_string()
    }

    #[test]
    fn rule_12_plain_free_text_keeps_a_document_in_its_branch() {
        let sealed = format!("s1:{}", "A".repeat(80));
        let plain_of = |extra: Value| parse(&ev(extra)).unwrap().plain_contact;
        assert!(plain_of(json!({"kind": "followup", "followup": "call", "note": "陈明说下周来店"})));
        assert!(!plain_of(json!({"kind": "followup", "followup": "call", "note": sealed})));
        assert!(!plain_of(json!({"kind": "followup", "followup": "call", "note": " "})));
        assert!(plain_of(json!({"kind": "appeal", "case_id": "c1", "appeal": "a1", "decision": "d1", "note": "客户电话 13912345678"})));
        assert!(plain_of(json!({"kind": "review", "verdict": "reject", "reason": "资料不全"})));
        // An assignment's reason is generated from the rule and the rep, not written
        // about the customer.
        assert!(!plain_of(json!({"kind": "assign", "to": "li.na", "reason": "规则 1（华南） → 李娜"})));
    }

    #[test]
    fn every_kind_in_its_shape_passes() {
        let ok = [
            json!({"kind": "register", "fields": {"company": "腾达", "phone": null, "notes": "a\nb", "relations": [{"kind": "family", "lead_id": null, "note": null}, {"kind": "referral", "lead_id": "0123456789abcdef", "rep": "wang.qiang"}]}}),
            json!({"kind": "update", "fields": {}, "after": "2026-03-01T08:00:00+08:00"}),
            json!({"kind": "update", "fields": {"grade": "A"}}),
            json!({"kind": "update", "fields": {"grade": ""}}),
            json!({"kind": "claim"}),
            json!({"kind": "release", "after": null}),
            json!({"kind": "followup", "followup": "store_visit", "note": "上门"}),
            json!({"kind": "followup", "followup": "deposit_refund", "note": "客户退订金"}),
            json!({"kind": "handover", "from": "a", "to": "b"}),
            json!({"kind": "decide", "case_id": "c1", "decision": "d1", "outcome": {"kind": "split", "shares": [{"rep": "a", "pct": 60}, {"rep": "b", "pct": 40}]}, "reason": "", "covers": ["e0"]}),
            json!({"kind": "decide", "case_id": "c1", "decision": "d2", "outcome": {"kind": "merge", "into": "0123456789abcdef", "owner": "a"}, "supersedes": null, "merged_away": true}),
            json!({"kind": "decide", "case_id": "c1", "decision": "d3", "outcome": {"kind": "undo"}, "supersedes": "d2"}),
            json!({"kind": "decide", "case_id": "c1", "decision": "d4", "outcome": {"kind": "owner", "rep": "a"}, "faults": [{"rep": "b", "kind": "grab"}, {"rep": "b", "kind": "flying"}]}),
            json!({"kind": "appeal", "case_id": "c1", "appeal": "a1", "decision": "d1", "note": "我先拜访"}),
            json!({"kind": "duplicate_acknowledged", "leads": ["0123456789abcdef"]}),
            json!({"kind": "review", "verdict": "accept"}),
            json!({"kind": "assign", "to": "li.na", "reason": "规则：华南 → 李娜、王强；李娜持有 3 个（最少）"}),
            json!({"kind": "review", "verdict": "reject", "reason": "客户信息不实"}),
            json!({"kind": "visit", "time_in": "2026-03-01T09:00:00Z", "time_out": null, "inviter": "li.na", "first_visit": true}),
            json!({"kind": "visit", "time_in": "2026-03-01T09:00:00Z", "time_out": "2026-03-01T10:00:00Z", "inviter": null, "note": "看样品"}),
            json!({"kind": "duplicate_acknowledged", "leads": ["0123456789abcdef"], "reason": "客户主动来电\n要求报价", "collaborate": true}),
        ];
        for extra in ok {
            let s = ev(extra.clone());
            assert!(parse(&s).is_ok(), "{s}: {:?}", parse(&s));
        }
    }

    #[test]
    fn deviations_are_refused_with_their_reason() {
        let cases = [
            (json!({"kind": "poison"}), Reason::UnknownKind),
            (json!({"kind": "claim", "extra": 1}), Reason::UnknownKey),
            (json!({"kind": "register"}), Reason::Malformed),
            (json!({"kind": "register", "fields": {"company": 1}}), Reason::Malformed),
            (json!({"kind": "register", "fields": {"colour": "red"}}), Reason::UnknownKey),
            (json!({"kind": "register", "fields": {"company": "a\u{1b}[2J"}}), Reason::BadText),
            (json!({"kind": "register", "fields": {"contact": "a\nb"}}), Reason::BadText),
            (json!({"kind": "followup", "followup": "lunch", "note": ""}), Reason::Malformed),
            (json!({"kind": "followup", "followup": "call"}), Reason::Malformed),
            (json!({"kind": "decide", "case_id": "c", "decision": "d", "outcome": {"kind": "owner"}}), Reason::Malformed),
            (json!({"kind": "decide", "case_id": "c", "decision": "d", "outcome": {"kind": "pool"}, "reason": null}), Reason::Malformed),
            (json!({"kind": "claim", "device_time": "yesterday"}), Reason::Malformed),
            (json!({"kind": "claim", "rep": "li na"}), Reason::BadId),
            (json!({"kind": "review", "verdict": "maybe"}), Reason::Malformed),
            (json!({"kind": "review"}), Reason::Malformed),
            (json!({"kind": "assign"}), Reason::Malformed),
            (json!({"kind": "visit"}), Reason::Malformed),
            (json!({"kind": "visit", "time_in": "2026-03-01T09:00:00Z", "first_visit": "yes"}), Reason::Malformed),
            (json!({"kind": "decide", "case_id": "c", "decision": "d", "outcome": {"kind": "pool"}, "faults": [{"rep": "b", "kind": "late"}]}), Reason::Malformed),
            (json!({"kind": "decide", "case_id": "c", "decision": "d", "outcome": {"kind": "pool"}, "faults": [{"rep": "b", "kind": "grab", "x": 1}]}), Reason::UnknownKey),
            (json!({"kind": "update", "fields": {"relations": [{"kind": "referral", "rep": "wang qiang"}]}}), Reason::BadId),
            (json!({"kind": "update", "fields": {"relations": [{"kind": "cousin"}]}}), Reason::Malformed),
            (json!({"kind": "update", "fields": {"grade": "D"}}), Reason::Malformed),
        ];
        for (extra, reason) in cases {
            let s = ev(extra);
            assert_eq!(parse(&s).map_err(|v| v.reason), Err(reason), "{s}");
        }
        assert_eq!(parse("not an event").unwrap_err().reason, Reason::NotEvent);
        assert_eq!(parse(r#"{"id":"e","kind":"claim","rep":"a","kind":"decide"}"#).unwrap_err().reason, Reason::DuplicateKey);
    }
}
