//! Tests of `group.rs`: pushes stored together on PostgreSQL.

use super::*;
use crate::store::pg::PgStore;
use crate::store::Backend;
use crate::authorship::tests::lead_change;
use leadguard_protocol::Role;

#[test]
fn a_forged_push_in_a_group_fails_alone_and_the_honest_ones_are_stored() {
    let url = leadguard_tests::postgres::fresh_database();
    let store = PgStore::connect(&url).unwrap();
    let device = |rep: &str| {
        let e = store.create_enrolment(rep, rep, "sh", Role::Rep, 60_000).unwrap();
        store.enroll(&e.token).unwrap().0
    };
    let (li, wang) = (device("li.na"), device("wang.wei"));
    let a = lead_change(b"aa", "000000000000000a", "li.na");
    let c = lead_change(b"aa", "000000000000000c", "li.na");
    let d = lead_change(b"bb", "000000000000000d", "wang.wei");
    let push = |device: &Device, changes: Vec<ValidChange>| PushJob { device: device.clone(), changes, checks: Checks::Device };
    // One group, in this order (the writer takes every push queued before it runs).
    let redone = super::super::writer::REDONE.load(std::sync::atomic::Ordering::Relaxed);
    let results = super::super::writer::run_queued(
        &url,
        vec![
            push(&li, vec![a.clone()]),
            // Forged: wang.wei's device writes an event in li.na's name.
            push(&wang, vec![lead_change(b"bb", "000000000000000b", "li.na")]),
            // A new lead and a re-push of the first push's change.
            push(&li, vec![c.clone(), a.clone()]),
            // The first push's lead again, in another document: the group sees it.
            push(&wang, vec![lead_change(b"bb", "000000000000000a", "wang.wei")]),
            push(&wang, vec![d.clone()]),
        ],
    );
    assert_eq!(super::super::writer::REDONE.load(std::sync::atomic::Ordering::Relaxed), redone, "stored together, not redone");
    let reason = |r: &Result<Vec<Ack>, HubError>| match r {
        Err(HubError::Refused { violation, .. }) => Some(violation.reason),
        _ => None,
    };
    assert_eq!(reason(&results[1]), Some(leadguard_schema::Reason::ForeignAuthor), "{:?}", results[1]);
    assert_eq!(reason(&results[3]), Some(leadguard_schema::Reason::LeadElsewhere), "{:?}", results[3]);
    let seqs = |r: &Result<Vec<Ack>, HubError>| r.as_ref().unwrap().iter().map(|a| a.hub_seq).collect::<Vec<_>>();
    assert_eq!((seqs(&results[0]), seqs(&results[2]), seqs(&results[4])), (vec![1], vec![2, 1], vec![3]));
    assert_eq!(results[2].as_ref().unwrap()[1], results[0].as_ref().unwrap()[0], "a re-push in the group gets the first receipt");
    // Stored: the honest changes and leads, nothing of the refused pushes.
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let leads: Vec<String> = client.query("SELECT lead_id FROM leads ORDER BY lead_id", &[]).unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(leads, ["000000000000000a", "000000000000000c", "000000000000000d"]);
    let matched: i64 = client.query_one("SELECT count(*) FROM lead_match", &[]).unwrap().get(0);
    assert!(matched <= 3);
    // A re-push through the hub answers from the log with the same receipts.
    assert_eq!(store.push_checked(&li, &[c, a]).unwrap(), *results[2].as_ref().unwrap());
    assert_eq!(store.push_checked(&wang, &[d]).unwrap(), *results[4].as_ref().unwrap());
    assert_eq!(store.change_count().unwrap(), 3);
}

/// A fresh hub database with 李娜's (li.na, branch sh) device enrolled.
fn li_nas_store() -> (String, PgStore, Device) {
    let url = leadguard_tests::postgres::fresh_database();
    let store = PgStore::connect(&url).unwrap();
    let e = store.create_enrolment("li.na", "李娜", "sh", Role::Rep, 60_000).unwrap();
    let li = store.enroll(&e.token).unwrap().0;
    (url, store, li)
}

#[test]
fn a_group_the_database_refuses_is_redone_push_by_push_and_only_the_bad_push_fails() {
    let (url, store, li) = li_nas_store();
    // A device the database does not know: its changes break the group's insert.
    let ghost = Device { id: "ghost".into(), ..li.clone() };
    let push = |device: &Device, actor: &[u8], lead: &str| PushJob { device: device.clone(), changes: vec![lead_change(actor, lead, "li.na")], checks: Checks::Device };
    let redone = super::super::writer::REDONE.load(std::sync::atomic::Ordering::Relaxed);
    let results = super::super::writer::run_queued(
        &url,
        vec![push(&li, b"aa", "000000000000000a"), push(&ghost, b"bb", "000000000000000b"), push(&li, b"aa", "000000000000000c")],
    );
    assert_eq!(super::super::writer::REDONE.load(std::sync::atomic::Ordering::Relaxed), redone + 3);
    assert!(matches!(results[1], Err(HubError::Postgres(_))), "{:?}", results[1]);
    let seq = |r: &Result<Vec<Ack>, HubError>| r.as_ref().unwrap()[0].hub_seq;
    assert_eq!((seq(&results[0]), seq(&results[2])), (1, 2), "the others stored, numbered in order");
    assert_eq!(store.change_count().unwrap(), 2);
    let leads: i64 = postgres::Client::connect(&url, postgres::NoTls).unwrap().query_one("SELECT count(*) FROM leads", &[]).unwrap().get(0);
    assert_eq!(leads, 2, "nothing of the refused push is left");
}

#[test]
fn a_document_marked_plain_in_a_group_has_its_changes_stored_branch_only_once() {
    let (url, _store, li) = li_nas_store();
    // Unchecked bytes make their documents plain (served to their own branch only).
    let push = |actor: &[u8], lead: &str| PushJob { device: li.clone(), changes: vec![lead_change(actor, lead, "li.na")], checks: Checks::None };
    let results = super::super::writer::run_queued(&url, vec![push(b"aa", "000000000000000a"), push(b"bb", "000000000000000b")]);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let plain: Vec<bool> = client.query("SELECT plain FROM docs ORDER BY doc_id", &[]).unwrap().iter().map(|r| r.get(0)).collect();
    assert_eq!(plain, [true, true]);
    // Inserted with the mark, never rewritten: the live rows are the page's first two
    // tuples (an UPDATE would have left them dead and added two more).
    let rows: Vec<(bool, String)> =
        client.query("SELECT company_wide, ctid::text FROM changes ORDER BY hub_seq", &[]).unwrap().iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(rows, [(false, "(0,1)".to_owned()), (false, "(0,2)".to_owned())]);
}

/// A lead's registration, then updates of it, each a change of its own in one document.
fn lead_history(actor: &[u8], lead: &str, rep: &str, events: &[serde_json::Value]) -> Vec<ValidChange> {
    use automerge::transaction::Transactable;
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(actor));
    let list = doc.put_object(automerge::ROOT, lead, automerge::ObjType::List).unwrap();
    let doc_id = format!("sh/{}/0", String::from_utf8_lossy(actor));
    events
        .iter()
        .enumerate()
        .map(|(i, fields)| {
            let kind = if i == 0 { "register" } else { "update" };
            let event = serde_json::json!({"id": format!("e{i}"), "kind": kind, "rep": rep, "device": "d", "device_time": "2026-11-22T08:00:00Z", "fields": fields});
            doc.insert(&list, i, event.to_string()).unwrap();
            doc.commit();
            let change = doc.get_last_local_change().unwrap().clone();
            ValidChange { hash: leadguard_protocol::ChangeHash(change.hash().0), doc_id: doc_id.clone(), scope: "branch:sh".into(), bytes: change.raw_bytes().to_vec() }
        })
        .collect()
}

#[test]
fn a_group_folds_its_updates_over_the_match_row_read_with_it() {
    let (url, store, li) = li_nas_store();
    let history = lead_history(
        b"aa",
        "000000000000000a",
        "li.na",
        &[serde_json::json!({"company": "上海华宇科技有限公司", "region": "上海"}), serde_json::json!({"region": "苏州"}), serde_json::json!({"region": "无锡"})],
    );
    store.push_checked(&li, &history[..1]).unwrap();
    // Both updates in one group, each its own push; neither names the company, which
    // only the row stored before holds.
    let push = |changes: &[ValidChange]| PushJob { device: li.clone(), changes: changes.to_vec(), checks: Checks::Device };
    let results = super::super::writer::run_queued(&url, vec![push(&history[1..2]), push(&history[2..])]);
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let row = client.query_one("SELECT company, region, company_key FROM lead_match WHERE lead_id = '000000000000000a'", &[]).unwrap();
    let (company, region, key): (String, String, String) = (row.get(0), row.get(1), row.get(2));
    assert_eq!((company.as_str(), region.as_str()), ("上海华宇科技有限公司", "无锡"), "the stored row, then each update in order");
    assert_eq!(key, crate::check::company_key("上海华宇科技有限公司", "无锡"));
    let rows: i64 = client.query_one("SELECT count(*) FROM lead_match", &[]).unwrap().get(0);
    assert_eq!(rows, 1);
}

/// A group's read never compares every row of a table with every key (`= ANY` on a
/// sequential scan: quadratic, ≈80 ms a group at 7,500 changes in `make bench-hub`,
/// whenever the planner thinks a table small — a new hub's, growing faster than it is
/// analysed). Checked on small, never-analysed tables, where sequential scans win.
#[test]
fn a_group_reads_its_keys_by_join_never_by_a_scan_comparing_each_row_with_every_key() {
    let url = leadguard_tests::postgres::fresh_database();
    drop(PgStore::connect(&url).unwrap());
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    client
        .batch_execute(
            "INSERT INTO devices (id, rep, name, branch, role, created_at, enrolled_at)
               SELECT 'dev' || n, 'r' || n, 'n', 'b', 'rep', 0, 0 FROM generate_series(1, 50) AS n;
             INSERT INTO docs (doc_id, scope) SELECT 'd' || n, 'branch:b' FROM generate_series(1, 50) AS n;
             INSERT INTO changes (hub_seq, hash, doc_id, scope, device_id, received_at, bytes, company_wide)
               SELECT s, sha256(s::text::bytea), 'd' || (1 + s % 50), 'branch:b', 'dev1', s, '\\x00', true FROM generate_series(1, 300) AS s;
             INSERT INTO leads (lead_id, doc_id, list_obj) SELECT 'l' || n, 'd' || (1 + n % 50), '1@aa' FROM generate_series(1, 300) AS n;
             INSERT INTO lead_match (lead_id, company, region, company_key, phone_visible, phone_digest, email_digest)
               SELECT 'l' || n, '', '', '', '', '', '' FROM generate_series(1, 300) AS n;",
        )
        .unwrap();
    client.batch_execute(&format!("PREPARE read_batch (text[], text[], bytea[], text[], text[], text[]) AS {READ_BATCH}")).unwrap();
    for mode in ["force_custom_plan", "force_generic_plan"] {
        client.batch_execute(&format!("SET plan_cache_mode = {mode}")).unwrap();
        let explain = "EXPLAIN (FORMAT JSON) EXECUTE read_batch (ARRAY['dev1', 'dev2'], ARRAY['d1', 'd2'],
            ARRAY[sha256('1'), sha256('2'), sha256('3')], ARRAY['l1', 'l2', 'l3'], ARRAY['d1'], ARRAY['1@aa'])";
        for node in crate::store::pg::explain::plan_nodes(&mut client, explain).1 {
            let filter = node["Filter"].as_str().unwrap_or("");
            assert!(!filter.contains("ANY"), "{mode}: a scan compares each row with every key: {filter}");
        }
    }
}
