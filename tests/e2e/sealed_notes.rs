//! Free text sealed with the lead key (docs/VISIBILITY.md stage 4, rule 12), with the
//! real CLI, a real hub over loopback and real SQLite: a follow-up note written on an
//! enrolled laptop is sealed under the customer's key, so the customer's document
//! stays company-wide; its owner and branch manager read the note, another branch's
//! rep holds the event (its follow-up counts) but no file of its data directory holds
//! the note's text.

#[path = "hub_support.rs"]
mod hub_support;

use hub_support::{files_holding, Hub};
use leadguard_core::model::EventKind;
use serde_json::json;
use std::path::Path;
use hub_support::call;
use leadguard_tests::leadguard_ok as cli;

/// The notes of a lead's follow-ups as stored in `data`'s replica (sealed or not).
fn stored_notes(data: &Path, lead: &str) -> Vec<String> {
    let mut reg = leadguard_core::Registry::open(data).expect("registry");
    let (events, _) = reg.status(lead, chrono::Utc::now()).expect("status");
    events
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::Followup { note, .. } => Some(note),
            _ => None,
        })
        .collect()
}

#[test]
fn rule_12_a_sealed_follow_up_note_keeps_the_document_company_wide_and_off_other_branches_files() {
    let hub = Hub::start();
    let dirs: Vec<tempfile::TempDir> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let (south_m, lina, east_m, wang) = (dirs[0].path(), dirs[1].path(), dirs[2].path(), dirs[3].path());
    for (dir, id, name, branch, reps) in [
        (south_m, "zhou.min", "周敏", "south", vec![("li.na", "李娜")]),
        (east_m, "chen.gang", "陈刚", "east", vec![("wang.wei", "王伟")]),
    ] {
        call(dir, "init", json!({ "rep_id": id, "name": name, "branch": branch, "role": "manager" }));
        for (rid, rname) in reps {
            cli(dir, &["rep", "add", "--id", rid, "--name", rname]);
        }
        cli(dir, &["enroll", "--hub", &hub.url, "--token", &hub.token(id, branch, "manager")]);
        cli(dir, &["sync"]);
    }
    for (dir, id, name, branch) in [(lina, "li.na", "李娜", "south"), (wang, "wang.wei", "王伟", "east")] {
        call(dir, "init", json!({ "rep_id": id, "name": name, "branch": branch }));
        cli(dir, &["enroll", "--hub", &hub.url, "--token", &hub.token(id, branch, "rep")]);
    }
    let lead = cli(lina, &["lead", "add", "--company", "深圳市腾达科技有限公司", "--contact", "欧阳娜娜", "--phone", "13611112222", "--need", "门禁"])
        ["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let note = "客户要求周五上门演示门禁系统";
    cli(lina, &["followup", "add", &lead, "--kind", "visit", "--note", note]);
    for dir in [lina, south_m, wang, east_m] {
        cli(dir, &["sync"]);
    }

    // Stored sealed on every replica; the owner and the branch's manager read it.
    let stored = stored_notes(lina, &lead);
    assert_eq!(stored.len(), 1);
    assert!(stored[0].starts_with("s1:"), "the note is sealed: {stored:?}");
    for dir in [lina, south_m] {
        let seen = call(dir, "lead_get", json!({ "id": lead }));
        let notes: Vec<&str> = seen["history"].as_array().unwrap().iter().filter_map(|e| e["note"].as_str()).collect();
        assert!(notes.contains(&note), "{seen:#}");
    }

    // The document stays company-wide: east's rep holds the follow-up event…
    let east_notes = stored_notes(wang, &lead);
    assert_eq!(east_notes.len(), 1, "the follow-up reached another branch's rep");
    assert!(east_notes[0].starts_with("s1:"));
    // …and no file of east's laptops holds the note's text.
    for dir in [wang, east_m] {
        for needle in [note, "上门演示"] {
            let found = files_holding(dir, needle.as_bytes());
            assert!(found.is_empty(), "{needle} found in {found:?}");
        }
    }
    assert!(!files_holding(lina, "欧阳娜娜".as_bytes()).is_empty(), "the scan finds what is there: the owner's own customer");
}
