//! A hub that starts from a laptop's history (`leadguard history export` →
//! `leadguard-hub adopt`): the demo story written by a whole branch on one laptop
//! becomes the branch's past, laptops enrolled afterwards pull it and sync on, and a
//! damaged file or a foreign branch's documents are refused without storing a change.
//! Included by `hub_robustness.rs` (one test binary).

use crate::hub_support::Hub;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use leadguard_tests::leadguard_ok as cli;

fn lead_ids(data: &Path) -> BTreeSet<String> {
    let v = cli(data, &["lead", "list", "--limit", "1000"]);
    v["items"].as_array().expect("items").iter().map(|l| l["id"].as_str().unwrap().to_owned()).collect()
}

fn case_ids(data: &Path) -> BTreeSet<String> {
    let v = cli(data, &["collisions", "list"]);
    v["cases"].as_array().expect("cases").iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect()
}

fn adopt(hub: &Hub, branch: &str, file: &Path) -> std::process::Output {
    hub.admin(&["adopt", "--branch", branch, "--input", file.to_str().unwrap()])
}

fn changes_on_hub(hub: &Hub) -> i64 {
    let url = format!("{}/metrics", hub.url);
    let body = reqwest::blocking::get(url).expect("metrics").text().expect("text");
    let line = body
        .lines()
        .find(|l| !l.starts_with('#') && l.split_whitespace().next().is_some_and(|m| m.ends_with("changes_stored")))
        .unwrap_or_else(|| panic!("no change count in\n{body}"));
    line.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap() as i64
}

#[test]
fn a_branch_history_adopted_by_a_new_hub_reaches_every_laptop_enrolled_after() {
    let hub = Hub::start();
    let story = tempfile::tempdir().unwrap();
    cli(story.path(), &["demo", "--leads", "40", "--as", "zhangwei"]);
    let file = story.path().join("story.lghist");
    let exported = cli(story.path(), &["history", "export", "--output", file.to_str().unwrap()]);
    let written = exported["changes"].as_i64().unwrap();
    assert!(written > 40, "{exported}");

    let out = adopt(&hub, "huanan", &file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let first: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((first["changes"].as_i64(), first["new"].as_i64()), (Some(written), Some(written)), "{first}");
    // Safe to run twice: nothing new the second time.
    let again: Value = serde_json::from_slice(&adopt(&hub, "huanan", &file).stdout).unwrap();
    assert_eq!(again["new"].as_i64(), Some(0), "{again}");

    // Each person's own laptop: a registry of its own, enrolled as that person.
    let manager = tempfile::tempdir().unwrap();
    let rep = tempfile::tempdir().unwrap();
    for (dir, id, name, role) in [(&manager, "zhangwei", "张伟", "manager"), (&rep, "lina", "李娜", "rep")] {
        cli(dir.path(), &["init", "--rep", id, "--name", name, "--branch", "huanan", "--role", role]);
        let token = hub.token(id, "huanan", role);
        cli(dir.path(), &["enroll", "--hub", &hub.url, "--token", &token]);
        cli(dir.path(), &["sync"]);
    }
    let story_leads = lead_ids(story.path());
    assert_eq!(lead_ids(manager.path()), story_leads, "the manager's laptop holds the branch's past");
    assert_eq!(lead_ids(rep.path()), story_leads);
    // The story signed in as the manager sees every case; so does the manager's laptop.
    assert!(!case_ids(story.path()).is_empty());
    assert_eq!(case_ids(manager.path()), case_ids(story.path()));

    // And they sync on: what 李娜 registers reaches 张伟.
    let added = cli(rep.path(), &["lead", "add", "--company", "佛山顺德新材料有限公司", "--contact", "周工", "--phone", "13612345678", "--need", "样品"]);
    let id = added["lead"]["id"].as_str().unwrap().to_owned();
    cli(rep.path(), &["sync"]);
    cli(manager.path(), &["sync"]);
    assert!(lead_ids(manager.path()).contains(&id));
}

#[test]
fn a_damaged_history_or_another_branchs_documents_are_refused_and_nothing_is_stored() {
    let hub = Hub::start();
    let story = tempfile::tempdir().unwrap();
    cli(story.path(), &["demo", "--leads", "10"]);
    let file = story.path().join("story.lghist");
    cli(story.path(), &["history", "export", "--output", file.to_str().unwrap()]);
    let good = std::fs::read(&file).unwrap();

    let before = changes_on_hub(&hub);
    let damaged = story.path().join("damaged.lghist");
    for bytes in [&good[..good.len() - 3], &b"LGHIST1\n\xff\xff"[..], &b"PK\x03\x04 a spreadsheet"[..]] {
        std::fs::write(&damaged, bytes).unwrap();
        let out = adopt(&hub, "huanan", &damaged);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a Leadguard history file"), "{}", String::from_utf8_lossy(&out.stderr));
    }
    // The demo branch is 华南 (huanan): the operator cannot file it under another.
    let out = adopt(&hub, "east", &file);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("branch:huanan"), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(changes_on_hub(&hub), before, "a refused adoption stores nothing");
}
