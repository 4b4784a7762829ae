//! A push that answers with the first pull page (`leadguard_protocol::push_page`),
//! against a real `leadguard-hub` process on the backend under test: the page is
//! the one `/v1/pull` serves, scopes included; old clients and hubs that ignore the
//! request keep working, and the app's sync saves a round trip with it.

#[path = "hub_support.rs"]
mod hub_support;

use hub_support::{automerge_changes, batch, call, sealed_era_changes, Hub};
use leadguard_protocol::{PushAnswer, PushResponse, CONTENT_TYPE, PULL_SINCE_HEADER, PUSH_PAGE_CONTENT_TYPE};
use leadguard_tests::leadguard_ok as cli;
use serde_json::json;

#[test]
fn a_push_answer_carries_the_page_a_separate_pull_serves() {
    let hub = Hub::start();
    let (a, _) = hub.device("li.na", "sh", "rep");
    let (b, _) = hub.device("wang.wei", "sh", "rep");
    a.push(&batch("sh/a/0", "branch:sh", &automerge_changes("aaaa", "li.na", 30))).unwrap();

    let answer = b.push_with_page(&batch("sh/b/0", "branch:sh", &automerge_changes("bbbb", "wang.wei", 5)), 0).unwrap();
    assert_eq!(answer.push.acks.len(), 5);
    let page = answer.page.expect("the hub serves the first page with the push");
    assert_eq!(page.changes.len(), 30, "the colleague's changes, not the pusher's own");
    assert!(!page.more);
    assert_eq!(page, b.pull(0, None).unwrap(), "the same changes, receipts and cursor as a separate pull");
    // A later cursor gives the later page, in the plain form too for a plain client.
    let plain = b.clone().with_plain_pages();
    let mid = page.changes[9].hub_seq;
    let later = plain.push_with_page(&batch("sh/b/0", "branch:sh", &automerge_changes("bbbb", "wang.wei", 5)), mid).unwrap();
    assert_eq!(later.push, answer.push, "a re-push keeps its first receipts");
    assert_eq!(later.page.unwrap(), b.pull(mid, None).unwrap());
}

#[test]
fn the_page_in_a_push_answer_honours_scopes() {
    let hub = Hub::start();
    let (a, _) = hub.device("li.na", "sh", "rep");
    let (c, _) = hub.device("zhao.lei", "bj", "rep");
    let (dist, _) = hub.device("agent-7", "bj", "distributor");
    a.push(&batch("sh/a/0", "branch:sh", &automerge_changes("aaaa", "li.na", 4))).unwrap();
    a.push(&batch("sh/a/1", "branch:sh", &sealed_era_changes("cccc", "li.na", 2))).unwrap();

    let answer = c.push_with_page(&batch("bj/c/0", "branch:bj", &automerge_changes("dddd", "zhao.lei", 1)), 0).unwrap();
    let docs: Vec<String> = answer.page.expect("page").changes.into_iter().map(|p| p.doc_id).collect();
    assert_eq!(docs, vec!["sh/a/1".to_string(); 2], "another branch's rep gets the sealed-era document only, never the branch-only one");
    let answer = dist.push_with_page(&batch("dist:bj/agent-7/0", "dist:bj/agent-7", &[]), 0).unwrap();
    assert!(answer.page.expect("page").changes.is_empty(), "a distributor gets nothing of the branches");
}

#[test]
fn an_old_client_gets_the_plain_push_response_and_a_bad_cursor_is_refused() {
    let hub = Hub::start();
    let (a, _) = hub.device("li.na", "sh", "rep");
    let credential = hub.anonymous().enroll(&hub.token("wang.wei", "sh", "rep")).unwrap().credential;
    a.push(&batch("sh/a/0", "branch:sh", &automerge_changes("aaaa", "li.na", 3))).unwrap();
    let body = batch("sh/b/0", "branch:sh", &automerge_changes("bbbb", "wang.wei", 2)).encode();
    let post = |header: Option<&str>| {
        let mut req = reqwest::blocking::Client::new()
            .post(format!("{}/v1/push", hub.url))
            .bearer_auth(&credential)
            .header("content-type", CONTENT_TYPE)
            .body(body.clone());
        if let Some(h) = header {
            req = req.header(PULL_SINCE_HEADER, h).header("accept", leadguard_protocol::PAGE_CONTENT_TYPE);
        }
        req.send().unwrap()
    };
    // Without the header: the plain push response, as every client before it got.
    let old = post(None);
    assert_eq!(old.headers()["content-type"], CONTENT_TYPE);
    assert_eq!(PushResponse::decode(&old.bytes().unwrap()).unwrap().acks.len(), 2);
    // With it: the combined answer, not gzipped again (its page is deflated already).
    let new = post(Some("0"));
    assert_eq!(new.headers()["content-type"], PUSH_PAGE_CONTENT_TYPE);
    assert!(new.headers().get("content-encoding").is_none());
    assert_eq!(PushAnswer::decode(&new.bytes().unwrap()).unwrap().page.unwrap().changes.len(), 3);
    let bad = post(Some("yesterday"));
    assert_eq!(bad.status().as_u16(), 400);
}

/// Syncs laptop B (a lead of its own) after laptop A (one lead) through `hub`;
/// returns B's report.
fn two_laptops_sync(hub: &Hub) -> leadguard_core::sync::SyncReport {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    call(a.path(), "init", json!({ "rep_id": "li.na", "name": "李娜", "branch": "sh" }));
    call(b.path(), "init", json!({ "rep_id": "wang.wei", "name": "王伟", "branch": "sh" }));
    call(a.path(), "lead_add", json!({ "fields": { "company": "上海华强电子有限公司", "contact": "张伟", "phone": "13800138000" } }));
    call(b.path(), "lead_add", json!({ "fields": { "company": "深圳新科技有限公司", "contact": "李强", "phone": "13900139000" } }));
    cli(a.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("li.na", "sh", "rep")]);
    cli(b.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("wang.wei", "sh", "rep")]);
    cli(a.path(), &["sync"]);
    let mut reg = leadguard_core::Registry::open(b.path()).unwrap();
    let report = leadguard_core::sync::sync(&mut reg, &mut |_| {}).unwrap();
    assert_eq!(reg.pending_count().unwrap(), 0);
    drop(reg);
    let leads = call(b.path(), "lead_list", json!({ "limit": 100 }));
    assert_eq!(leads["items"].as_array().map(Vec::len), Some(2), "B holds both leads");
    report
}

#[test]
fn the_apps_sync_takes_its_first_page_from_the_push_and_still_syncs_with_a_hub_that_ignores_it() {
    let new = two_laptops_sync(&Hub::start());
    let old = two_laptops_sync(&Hub::start_with(&["--no-push-pages"]));
    assert!(new.pushed > 0 && new.pulled > 0);
    assert_eq!((old.pushed, old.pulled, old.applied), (new.pushed, new.pulled, new.applied), "the same sync either way");
    assert_eq!(old.requests, new.requests + 1, "the separate pull is the one request saved");
}
