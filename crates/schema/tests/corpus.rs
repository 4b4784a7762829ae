//! A corpus of malformed changes (and a few valid ones), replayed through the change
//! check on every test run. `corpus/MANIFEST` lists `file<TAB>doc id<TAB>expected
//! code` (`ok` for valid); the change bytes are in `corpus/<file>`. Inputs found by the
//! fuzz test that once misbehaved belong here too.
//!
//! Regenerate the generated part with `LEADGUARD_WRITE_CORPUS=1 cargo nextest run -p
//! leadguard-schema --test corpus` (changes are committed at time 0, so bytes are stable).

mod support;

use std::path::PathBuf;

use automerge::transaction::Transactable;
use automerge::{ActorId, AutoCommit, ObjType, ROOT};
use leadguard_schema::{check_change, Reason};
use serde_json::json;
use support::*;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn append(actor: u8, item: impl Into<automerge::ScalarValue>) -> Vec<u8> {
    let mut d = fork(actor);
    let l = lead_list(&d);
    d.insert(&l, 1, item.into()).unwrap();
    commit(&mut d)
}

fn fresh(f: impl FnOnce(&mut AutoCommit)) -> Vec<u8> {
    let mut d = AutoCommit::new().with_actor(ActorId::from(&b"\xdd"[..]));
    f(&mut d);
    commit(&mut d)
}

/// The generated cases: name, document id, bytes, expected code.
fn cases() -> Vec<(&'static str, &'static str, Vec<u8>, &'static str)> {
    let ev = |k: &str, extra: serde_json::Value| ev(k, "li.na", extra);
    vec![
        ("valid-append", DOC, append(0xb1, ev("claim", json!({}))), "ok"),
        ("valid-new-lead", OTHER_DOC, fresh(|d| {
            let l = d.put_object(ROOT, "fedcba9876543210", ObjType::List).unwrap();
            d.insert(&l, 0, register("li.na")).unwrap();
        }), "ok"),
        ("root-list-overwrite", DOC, { let mut d = fork(0xb2); let l = d.put_object(ROOT, LEAD, ObjType::List).unwrap(); d.insert(&l, 0, register("wang.wei")).unwrap(); commit(&mut d) }, "root_rewrite"),
        ("root-empty-list", DOC, { let mut d = fork(0xb3); d.put_object(ROOT, LEAD, ObjType::List).unwrap(); commit(&mut d) }, "root_rewrite"),
        ("root-string", DOC, { let mut d = fork(0xb4); d.put(ROOT, LEAD, "x").unwrap(); commit(&mut d) }, "root_rewrite"),
        ("root-delete", DOC, { let mut d = fork(0xb5); d.delete(ROOT, LEAD).unwrap(); commit(&mut d) }, "root_rewrite"),
        ("lead-copy", OTHER_DOC, fresh(|d| { let l = d.put_object(ROOT, LEAD, ObjType::List).unwrap(); d.insert(&l, 0, register("wang.wei")).unwrap(); }), "lead_elsewhere"),
        ("unknown-kind", DOC, append(0xb6, ev("poison", json!({}))), "unknown_kind"),
        ("unknown-key", DOC, append(0xb7, ev("claim", json!({"owner": "wang.wei"}))), "unknown_key"),
        ("missing-fields", DOC, append(0xb8, ev("update", json!({}))), "malformed"),
        ("bad-time", DOC, append(0xb9, ev("claim", json!({"device_time": "2026-02-30T00:00:00Z"}))), "malformed"),
        ("field-number", DOC, append(0xba, ev("update", json!({"fields": {"phone": 13912345678u64}}))), "malformed"),
        ("escape-in-company", DOC, append(0xbb, ev("update", json!({"fields": {"company": "\u{1b}[2J腾达"}}))), "bad_text"),
        ("bidi-in-contact", DOC, append(0xbc, ev("update", json!({"fields": {"contact": "\u{202e}明陈"}}))), "bad_text"),
        ("newline-in-phone", DOC, append(0xbd, ev("update", json!({"fields": {"phone": "139\n1234"}}))), "bad_text"),
        ("overlong-need", DOC, append(0xbe, ev("update", json!({"fields": {"need": "门".repeat(1001)}}))), "too_long"),
        ("repeated-key", DOC, append(0xbf, r#"{"id":"e","kind":"claim","rep":"li.na","device":"d","device_time":"2026-03-01T09:00:00Z","kind":"decide"}"#), "duplicate_key"),
        ("not-json", DOC, append(0xc0, "garbage"), "not_event"),
        ("number-item", DOC, append(0xc1, 7i64), "not_event"),
        ("second-register", DOC, append(0xc2, register("li.na")), "register_misplaced"),
        ("lead-without-register", OTHER_DOC, fresh(|d| { let l = d.put_object(ROOT, "fedcba9876543210", ObjType::List).unwrap(); d.insert(&l, 0, ev("claim", json!({}))).unwrap(); }), "register_misplaced"),
        ("bad-lead-id", OTHER_DOC, fresh(|d| { let l = d.put_object(ROOT, "lead-1", ObjType::List).unwrap(); d.insert(&l, 0, register("li.na")).unwrap(); }), "bad_id"),
        ("nested-map", DOC, fresh(|d| { let m = d.put_object(ROOT, "fedcba9876543210", ObjType::Map).unwrap(); d.put(&m, "k", "v").unwrap(); }), "malformed"),
        ("item-overwrite", DOC, { let mut d = fork(0xc3); let l = lead_list(&d); d.put(&l, 0, ev("release", json!({}))).unwrap(); commit(&mut d) }, "not_append"),
        ("item-delete", DOC, { let mut d = fork(0xc4); let l = lead_list(&d); d.delete(&l, 0).unwrap(); commit(&mut d) }, "not_append"),
        ("insert-before-first", DOC, { let mut d = fork(0xc5); let l = lead_list(&d); d.insert(&l, 0, ev("claim", json!({}))).unwrap(); commit(&mut d) }, "not_append"),
        ("bad-doc-id", "shared-id", append(0xc6, ev("claim", json!({}))), "bad_doc_id"),
        ("directory-string-entry", "directory/sh", fresh(|d| d.put(ROOT, "rep/li.na", "boss").unwrap()), "malformed"),
        ("directory-unknown-key", "directory/sh", fresh(|d| d.put(ROOT, "owner", "{}").unwrap()), "malformed"),
        ("message-claims-foreign-event", DOC, {
            let mut d = fork(0xc7);
            let l = lead_list(&d);
            d.insert(&l, 1, ev("claim", json!({}))).unwrap();
            d.commit_with(automerge::transaction::CommitOptions::default().with_message(r#"{"ev":["e-register-li.na"]}"#.to_owned()).with_time(0));
            d.get_last_local_change().unwrap().raw_bytes().to_vec()
        }, "malformed"),
        ("directory-delete", "directory/sh", fresh(|d| { d.put(ROOT, "policy", "{}").unwrap(); d.delete(ROOT, "policy").unwrap(); }), "directory_forbidden"),
    ]
}

fn code(doc_id: &str, bytes: &[u8]) -> String {
    let Ok(change) = automerge::Change::from_bytes(bytes.to_vec()) else { return Reason::Undecodable.code().into() };
    match check_change(doc_id, &change, &State::with_base(), None) {
        Ok(_) => "ok".into(),
        Err(v) => v.reason.code().into(),
    }
}

#[test]
fn the_corpus_of_malformed_changes_is_refused_with_its_reasons() {
    if std::env::var_os("LEADGUARD_WRITE_CORPUS").is_some() {
        let mut manifest = String::new();
        for (name, doc, bytes, expected) in cases() {
            std::fs::write(dir().join(format!("{name}.change")), &bytes).unwrap();
            manifest.push_str(&format!("{name}.change\t{doc}\t{expected}\n"));
        }
        std::fs::write(dir().join("MANIFEST"), manifest).unwrap();
    }
    let mut manifest = std::fs::read_to_string(dir().join("MANIFEST")).expect("corpus/MANIFEST");
    // Fuzzer finds (automerge's `decode` panicking on a crafted change, caught and
    // refused as undecodable) live in their own list, which regeneration keeps.
    manifest.push_str(&std::fs::read_to_string(dir().join("MANIFEST.found")).expect("corpus/MANIFEST.found"));
    let mut n = 0;
    for line in manifest.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let [file, doc, expected] = line.split('\t').collect::<Vec<_>>()[..] else { panic!("bad manifest line {line:?}") };
        let bytes = std::fs::read(dir().join(file)).unwrap();
        assert_eq!(code(doc, &bytes), expected, "{file}");
        n += 1;
    }
    assert!(n >= cases().len(), "every generated case is in the corpus");
}

#[test]
fn the_generated_cases_still_produce_their_codes() {
    for (name, doc, bytes, expected) in cases() {
        assert_eq!(code(doc, &bytes), expected, "{name}");
    }
}
