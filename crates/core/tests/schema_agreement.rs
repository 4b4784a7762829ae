//! The schema (`leadguard_schema`) and the core read events alike: every event the
//! core writes passes the schema, and every event string the schema accepts, the core
//! decodes. Otherwise a replica could accept a change it then cannot read (the
//! `corrupt_store` poison pill), or refuse its own writes.

use chrono::{TimeZone, Utc};
use leadguard_core::model::{Event, EventKind, Fault, FaultKind, FollowupKind, LeadFields, Outcome, Relation, RelationKind, Rep, Role, Share};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn event(kind: EventKind) -> Event {
    Event {
        id: "0123456789abcdef".into(),
        kind,
        rep: "li.na".into(),
        device: "4f1a2b3c4d5e6f70".into(),
        device_time: Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap() + chrono::Duration::nanoseconds(123_456_789),
        after: Some(Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()),
    }
}

fn every_kind() -> Vec<EventKind> {
    let fields = LeadFields {
        company: Some("深圳市腾达科技有限公司".into()),
        phone: Some("139-1234-5678".into()),
        need: Some("门禁\n考勤".into()),
        notes: Some("第一行\n第二行".into()),
        relations: Some(vec![Relation { kind: RelationKind::SameUnit, lead_id: Some("fedcba9876543210".into()), note: None, rep: None }, Relation { kind: RelationKind::Referral, lead_id: None, note: Some("老客户介绍".into()), rep: Some("wang.qiang".into()) }]),
        ..LeadFields::default()
    };
    let decide = |outcome: Outcome| EventKind::Decide {
        case_id: "c0ffee0123456789".into(),
        decision: "d1".into(),
        outcome,
        reason: "李娜先拜访".into(),
        covers: vec!["e1".into()],
        supersedes: Some("d0".into()),
        merged_away: true,
        faults: vec![Fault { rep: "wang.qiang".into(), kind: FaultKind::Grab }],
        leads: Vec::new(),
    };
    vec![
        EventKind::Register { fields: fields.clone() },
        EventKind::Update { fields: LeadFields { company: Some(String::new()), ..LeadFields::default() } },
        EventKind::Claim,
        EventKind::Followup { followup: FollowupKind::StoreVisit, note: String::new() },
        EventKind::Release,
        EventKind::Handover { from: "li.na".into(), to: "wang.wei".into() },
        decide(Outcome::Owner { rep: "li.na".into() }),
        decide(Outcome::Split { shares: vec![Share { rep: "li.na".into(), pct: 60 }, Share { rep: "wang.wei".into(), pct: 40 }] }),
        decide(Outcome::Pool),
        decide(Outcome::Merge { into: "fedcba9876543210".into(), owner: "li.na".into() }),
        decide(Outcome::Undo),
        EventKind::Appeal { case_id: "c1".into(), appeal: "a1".into(), decision: "d1".into(), note: "我 3 月 1 日已拜访".into(), leads: Vec::new() },
        EventKind::DuplicateAcknowledged { leads: vec!["fedcba9876543210".into()], reason: None, collaborate: false },
        EventKind::DuplicateAcknowledged { leads: vec!["fedcba9876543210".into()], reason: Some("客户主动来电".into()), collaborate: true },
        EventKind::Review { verdict: leadguard_core::model::Verdict::Accept, reason: String::new() },
        EventKind::Review { verdict: leadguard_core::model::Verdict::Reject, reason: "客户未到访".into() },
        EventKind::Followup { followup: FollowupKind::DepositRefund, note: "客户退订金".into() },
        EventKind::Assign { to: "li.na".into(), reason: "规则 1（华南） → 李娜（持有 3 个客户，团队中最少）".into() },
        EventKind::Visit { time_in: "2026-03-01T09:00:00Z".parse().unwrap(), time_out: None, inviter: None, first_visit: false, note: None },
        EventKind::Visit {
            time_in: "2026-03-01T09:00:00Z".parse().unwrap(),
            time_out: Some("2026-03-01T10:30:00Z".parse().unwrap()),
            inviter: Some("li.na".into()),
            first_visit: true,
            note: Some("看样品".into()),
        },
    ]
}

/// Fails to compile when a kind is added: add it to [`every_kind`] and to the
/// schema (`leadguard_schema::event`), or replicas will quarantine it.
#[allow(dead_code)]
fn every_kind_is_listed(k: &EventKind) {
    match k {
        EventKind::Register { .. }
        | EventKind::Update { .. }
        | EventKind::Claim
        | EventKind::Followup { .. }
        | EventKind::Release
        | EventKind::Handover { .. }
        | EventKind::Decide { .. }
        | EventKind::Appeal { .. }
        | EventKind::DuplicateAcknowledged { .. }
        | EventKind::Review { .. }
        | EventKind::Assign { .. }
        | EventKind::Visit { .. } => {}
    }
}

#[test]
fn every_event_the_core_writes_passes_the_schema_under_its_own_kind() {
    for kind in every_kind() {
        let e = event(kind);
        let json = serde_json::to_string(&e).unwrap();
        let info = leadguard_schema::event::parse(&json).unwrap_or_else(|v| panic!("{json}: {v}"));
        assert_eq!(info.kind.name(), e.kind.name());
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), e);
    }
    let rep = Rep { id: "li.na".into(), name: "李娜".into(), branch: "sh".into(), region: None, role: Role::Rep, active: true };
    let json = serde_json::to_string(&rep).unwrap();
    assert_eq!(leadguard_schema::directory::entry(&json, "li.na", "sh").unwrap().role, Role::Rep);
}

/// A value for a key: valid for it, absent, null, or of another type.
fn value(valid: Value) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        4 => Just(Some(valid)),
        1 => Just(None),
        1 => Just(Some(Value::Null)),
        1 => Just(Some(json!(7))),
        1 => Just(Some(json!(""))),
        1 => Just(Some(json!(["x"]))),
        1 => Just(Some(json!({}))),
        1 => "[a-z\\.\\-]{1,8}|2026-0[1-9]-[0-2][1-9]T0[0-9]:00:00(Z|\\+08:00)".prop_map(|s| Some(json!(s))),
    ]
}

fn keys_of(kind: &str) -> Vec<(&'static str, Value)> {
    let fields = json!({"company": "腾达", "need": "a\nb", "notes": null, "relations": [{"kind": "family", "lead_id": null, "note": "x"}]});
    match kind {
        "register" | "update" => vec![("fields", fields)],
        "followup" => vec![("followup", json!("visit")), ("note", json!("上门"))],
        "handover" => vec![("from", json!("a")), ("to", json!("b"))],
        "decide" => vec![
            ("case_id", json!("c")),
            ("decision", json!("d")),
            ("outcome", json!({"kind": "split", "shares": [{"rep": "a", "pct": 50}, {"rep": "b", "pct": 50}]})),
            ("reason", json!("r")),
            ("covers", json!(["e"])),
            ("supersedes", json!("d0")),
            ("merged_away", json!(false)),
            ("faults", json!([{"rep": "b", "kind": "grab"}])),
        ],
        "appeal" => vec![("case_id", json!("c")), ("appeal", json!("a")), ("decision", json!("d")), ("note", json!("n"))],
        "duplicate_acknowledged" => vec![("leads", json!(["0123456789abcdef"]))],
        "review" => vec![("verdict", json!("reject")), ("reason", json!("r"))],
        "assign" => vec![("to", json!("a")), ("reason", json!("规则 1"))],
        "visit" => vec![
            ("time_in", json!("2026-03-01T09:00:00Z")),
            ("time_out", json!("2026-03-01T10:00:00+08:00")),
            ("inviter", json!("li.na")),
            ("first_visit", json!(true)),
            ("note", json!("看样品")),
        ],
        _ => vec![],
    }
}

fn candidate() -> impl Strategy<Value = String> {
    let kinds = ["register", "update", "claim", "followup", "release", "handover", "decide", "appeal", "duplicate_acknowledged", "review", "assign", "visit"];
    (prop::sample::select(kinds.to_vec()), any::<u64>()).prop_flat_map(|(kind, _)| {
        let mut keys = vec![
            ("id", json!("e1")),
            ("rep", json!("li.na")),
            ("device", json!("d")),
            ("device_time", json!("2026-03-02T09:00:00Z")),
            ("after", json!("2026-03-01T09:00:00.5+08:00")),
        ];
        keys.extend(keys_of(kind));
        let strategies: Vec<_> = keys.iter().map(|(_, v)| value(v.clone())).collect();
        let names: Vec<&'static str> = keys.iter().map(|(k, _)| *k).collect();
        strategies.prop_map(move |vals| {
            let mut m = Map::new();
            m.insert("kind".into(), json!(kind));
            for (k, v) in names.iter().zip(vals) {
                if let Some(v) = v {
                    m.insert((*k).into(), v);
                }
            }
            Value::Object(m).to_string()
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn whatever_the_schema_accepts_the_core_decodes(s in candidate()) {
        if leadguard_schema::event::parse(&s).is_ok() {
            prop_assert!(serde_json::from_str::<Event>(&s).is_ok(), "schema accepts, core cannot read: {}", s);
        }
    }
}

#[test]
fn the_generator_starts_from_valid_events() {
    for kind in ["register", "update", "claim", "followup", "release", "handover", "decide", "appeal", "duplicate_acknowledged", "review", "assign", "visit"] {
        let mut m = json!({"kind": kind, "id": "e1", "rep": "li.na", "device": "d", "device_time": "2026-03-02T09:00:00Z"});
        for (k, v) in keys_of(kind) {
            m[k] = v;
        }
        let s = m.to_string();
        assert!(leadguard_schema::event::parse(&s).is_ok(), "{s}");
        assert!(serde_json::from_str::<Event>(&s).is_ok(), "{s}");
    }
}
