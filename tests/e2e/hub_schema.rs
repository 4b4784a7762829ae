//! Replicas do not depend on the hub being right: changes a hub should have refused
//! (planted in its database here, as an older or compromised hub would relay them)
//! are quarantined by every laptop's `leadguard sync`, which carries on; managers list
//! them with `leadguard quarantine list`. Through the real CLI and hub binaries.

#[path = "hub_support.rs"]
mod hub_support;

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use hub_support::{pull_all, Hub};
use serde_json::json;
use leadguard_tests::leadguard_ok as cli;

/// `leadguard --data DATA --json ARGS...`, which must succeed, parsed.
/// Stores `bytes` in the hub's change log as if the hub had accepted it from `device`
/// (in the SQLite file: these tests are about the replicas, whatever the hub's backend).
fn plant(hub: &Hub, device: &str, doc_id: &str, bytes: &[u8]) {
    let conn = rusqlite::Connection::open(hub.data.join("hub.sqlite")).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
    let hash = automerge::Change::from_bytes(bytes.to_vec()).unwrap().hash();
    conn.execute(
        "INSERT INTO changes (hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes)
         VALUES (?1, ?2, 'branch:sh', ?3, (SELECT max(received_at) FROM changes), NULL, ?4)",
        rusqlite::params![&hash.0[..], doc_id, device, bytes],
    )
    .unwrap();
}

#[test]
fn an_unknown_event_kind_is_quarantined_and_sync_continues() {
    let hub = Hub::start_sqlite();
    let (lina, mgr) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    cli(lina.path(), &["init", "--rep", "li.na", "--name", "李娜", "--branch", "sh"]);
    cli(mgr.path(), &["init", "--rep", "zhang.jing", "--name", "张经理", "--branch", "sh", "--role", "manager"]);
    cli(lina.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("li.na", "sh", "rep")]);
    cli(mgr.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("zhang.jing", "sh", "manager")]);
    let lead = cli(lina.path(), &["lead", "add", "--company", "深圳市腾达科技有限公司", "--contact", "陈明", "--phone", "13912345678", "--need", "门禁系统"])["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    cli(lina.path(), &["sync"]);
    cli(mgr.path(), &["sync"]);

    // The attacker rebuilds li.na's shard from what the hub serves and forges on it.
    let (spy, spy_id) = hub.device("wang.wei", "sh", "rep");
    let pulled = pull_all(&spy, 1000);
    let shard = pulled.iter().find(|c| !c.doc_id.starts_with("directory/")).unwrap().doc_id.clone();
    let mut doc = automerge::AutoCommit::new();
    doc.apply_changes(pulled.iter().filter(|c| c.doc_id == shard).map(|c| automerge::Change::from_bytes(c.bytes.clone()).unwrap())).unwrap();
    let mut fork = doc.fork().with_actor(automerge::ActorId::from(&b"\xee\xee"[..]));
    let (_, list) = fork.get(automerge::ROOT, lead.as_str()).unwrap().unwrap();
    let poison = json!({ "id": "p1", "kind": "poison", "rep": "wang.wei", "device": "d", "device_time": "2026-11-22T08:00:00Z" });
    fork.insert(&list, 1, poison.to_string()).unwrap();
    fork.commit();
    let poison = fork.get_last_local_change().unwrap().raw_bytes().to_vec();
    let mut overwrite = doc.fork().with_actor(automerge::ActorId::from(&b"\xee\xef"[..]));
    overwrite.put(automerge::ROOT, lead.as_str(), "erased").unwrap();
    overwrite.commit();
    let overwrite = overwrite.get_last_local_change().unwrap().raw_bytes().to_vec();
    plant(&hub, &spy_id, &shard, &poison);
    plant(&hub, &spy_id, &shard, &overwrite);

    // Both laptops sync without error, keep the lead as it was, and set both aside.
    for data in [lina.path(), mgr.path()] {
        let report = cli(data, &["sync"]);
        assert_eq!(report["quarantined"], 2, "the sync says what it set aside: {report}");
        let shown = cli(data, &["lead", "show", &lead]);
        assert_eq!(shown["lead"]["fields"]["company"], "深圳市腾达科技有限公司", "{shown}");
        assert_eq!(shown["history"].as_array().unwrap().len(), 1, "{shown}");
        cli(data, &["sync"]);
    }
    let q = cli(mgr.path(), &["quarantine", "list"]);
    let reasons: Vec<&str> = q["items"].as_array().unwrap().iter().map(|i| i["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, vec!["root_rewrite", "unknown_kind"], "{q}");
    assert_eq!(q["items"][1]["doc_id"], shard.as_str());
    // A rep's laptop quarantined them too, but only managers list them.
    let out = leadguard_tests::leadguard(lina.path(), &["quarantine", "list"]);
    assert!(!out.status.success());
    assert_eq!(leadguard_tests::json(&out)["code"], "forbidden");
    // The laptops keep working with the hub: a new event still flows.
    cli(lina.path(), &["followup", "add", &lead, "--kind", "visit", "--note", "上门拜访"]);
    cli(lina.path(), &["sync"]);
    cli(mgr.path(), &["sync"]);
    assert_eq!(cli(mgr.path(), &["lead", "show", &lead])["history"].as_array().unwrap().len(), 2);
}
