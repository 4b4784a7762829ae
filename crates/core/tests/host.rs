//! The apps' host (`leadguard_core::api::Host`, used by the desktop shell and the web
//! server): a sync takes the registry only for its local steps, so the user's search
//! answers while the sync waits on the hub; a search answers from committed rows while
//! anything holds the registry, as the user the last command left (a demo's user switch),
//! and finds what a command just wrote; a panicked
//! command's context is reopened from disk.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use leadguard_core::api::{Context, Host};
use leadguard_core::{ErrorCode, Registry};
use serde_json::{json, Value};
use support::{branch, h, register};

fn ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

/// A hub that takes the first request and answers it only when told to: 401.
fn stalled_hub() -> (String, mpsc::Receiver<()>, mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (arrived_tx, arrived) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let handle = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        let mut buf = [0u8; 4096];
        let _ = conn.read(&mut buf).unwrap();
        arrived_tx.send(()).unwrap();
        release_rx.recv().unwrap();
        let body = r#"{"code":"unauthorized","message":"unknown credential"}"#;
        let answer = format!(
            "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        conn.write_all(answer.as_bytes()).unwrap();
    });
    (url, arrived, release, handle)
}

/// Holds `host`'s registry on a thread of `s`, as a command or a sync step does, until
/// the returned sender is sent to.
fn hold_registry<'scope>(s: &'scope std::thread::Scope<'scope, '_>, host: &'scope Host) -> mpsc::Sender<()> {
    let (held_tx, held) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    s.spawn(move || {
        host.with_context(|_| {
            held_tx.send(()).unwrap();
            release_rx.recv().unwrap();
            Ok(())
        })
        .unwrap()
    });
    held.recv().unwrap();
    release
}

/// 李娜's laptop with one customer (深圳市腾达科技), enrolled at a [`stalled_hub`].
fn li_na_with_a_stalled_hub(dir: &std::path::Path) -> (Host, mpsc::Receiver<()>, mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let host = Host::new(dir.to_path_buf());
    host.call("init", json!({ "rep_id": "lina", "name": "李娜", "branch": "sz" })).unwrap();
    host.call("lead_add", json!({ "fields": { "company": "深圳市腾达科技有限公司", "contact": "陈明", "phone": "13912345678", "need": "门禁" } }))
        .unwrap();
    let (url, arrived, release, hub) = stalled_hub();
    host.with_context(|ctx| {
        let reg = ctx.registry()?;
        reg.set_hub_url(Some(&url))?;
        reg.set_device_token(Some("lgd_0000000000000000000000000000000000000000000000000000000000000000"))?;
        Ok(())
    })
    .unwrap();
    (host, arrived, release, hub)
}

#[test]
fn a_search_answers_while_a_sync_waits_on_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let (host, arrived, release, hub) = li_na_with_a_stalled_hub(dir.path());

    let host = &host;
    std::thread::scope(|s| {
        let sync = s.spawn(move || host.call("sync_run", json!(null)));
        arrived.recv().unwrap();
        // The sync is inside its network exchange and the hub has not answered: the
        // user's commands go on, the progress shows it running. (Were the registry held
        // for the whole sync, the search would wait for the hub, which waits for us: so
        // it gets a generous minute, then the hub is released and the test fails.)
        let (answered, answer) = mpsc::channel();
        s.spawn(move || answered.send(host.call("lead_list", json!({ "search": "腾达" }))).unwrap());
        let found = match answer.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(found) => found.unwrap(),
            Err(_) => {
                release.send(()).unwrap();
                panic!("the search waited for the sync's network exchange");
            }
        };
        assert_eq!(found["total"], 1);
        let progress = host.call("sync_progress", json!(null)).unwrap();
        assert!(progress["progress"].is_object(), "{progress}");
        assert!(!sync.is_finished(), "the sync still waits on the hub");
        release.send(()).unwrap();
        let err = sync.join().unwrap().unwrap_err();
        assert_eq!(err.code, ErrorCode::Sync, "{err:?}");
        assert!(matches!(err.reason, leadguard_core::Reason::SyncFailed { .. }), "{err:?}");
    });
    hub.join().unwrap();
    assert!(host.call("sync_progress", json!(null)).unwrap()["progress"].is_null(), "the board clears when the sync ends");
    // Nothing was lost or half-written: the registry still answers and still holds the lead.
    assert_eq!(host.call("lead_list", json!({})).unwrap()["total"], 1);
}

#[test]
fn the_first_search_after_a_sync_started_answers_while_the_registry_is_held() {
    let dir = tempfile::tempdir().unwrap();
    let (host, arrived, release_hub, hub) = li_na_with_a_stalled_hub(dir.path());

    let host = &host;
    std::thread::scope(|s| {
        // Nothing was listed since the registry opened; the sync starts.
        let sync = s.spawn(move || host.call("sync_run", json!(null)));
        arrived.recv().unwrap();
        // A sync step (here: a command) holds the registry while the user searches.
        let release = hold_registry(s, host);
        let (answered, answer) = mpsc::channel();
        s.spawn(move || answered.send(host.call("lead_list", json!({ "search": "腾达" }))).unwrap());
        let found = answer.recv_timeout(std::time::Duration::from_secs(60));
        release.send(()).unwrap();
        release_hub.send(()).unwrap();
        assert_eq!(found.expect("the first search waited for the registry").unwrap()["total"], 1);
        assert!(sync.join().unwrap().is_err(), "the stalled hub refuses the sync");
    });
    hub.join().unwrap();
}

#[test]
fn a_panicked_command_leaves_a_context_reopened_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let host = Host::new(dir.path().to_path_buf());
    host.call("init", json!({ "rep_id": "lina", "name": "李娜", "branch": "sz" })).unwrap();
    host.call("lead_add", json!({ "fields": { "company": "佛山陶瓷", "contact": "周伟", "need": "瓷砖" } })).unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        host.with_context(|_| -> Result<(), leadguard_core::ApiError> { panic!("a bug in a command") })
    }));
    assert!(panicked.is_err());
    // The next command reopens the registry and finds what was saved.
    assert_eq!(host.call("lead_list", json!({})).unwrap()["total"], 1);
}

#[test]
fn a_lead_registered_through_the_host_is_found_by_the_next_search() {
    let dir = tempfile::tempdir().unwrap();
    let host = Host::new(dir.path().to_path_buf());
    host.call("init", json!({ "rep_id": "lina", "name": "李娜", "branch": "sz" })).unwrap();
    assert_eq!(host.call("lead_list", json!({ "search": "腾达" })).unwrap()["total"], 0);
    let added = host
        .call("lead_add", json!({ "fields": { "company": "深圳市腾达科技有限公司", "contact": "陈明", "phone": "13912345678", "need": "门禁" } }))
        .unwrap();
    let id = added["lead"]["id"].as_str().unwrap().to_string();
    for q in ["腾达", "腾达科技", "1391234", "陈明", id.as_str()] {
        assert_eq!(ids(&host.call("lead_list", json!({ "search": q })).unwrap()), vec![id.clone()], "search {q:?}");
    }
    // An edit is found by its new text at once, and no longer by the old.
    host.call("lead_update", json!({ "id": id, "fields": { "company": "深圳市华强电子有限公司" } })).unwrap();
    assert_eq!(host.call("lead_list", json!({ "search": "腾达科技" })).unwrap()["total"], 0);
    assert_eq!(host.call("lead_list", json!({ "search": "华强电子" })).unwrap()["total"], 1);
    assert_eq!(host.call("lead_list", json!({ "filter": "mine", "search": "华强电子" })).unwrap()["total"], 1, "the SQL path too");
}

#[test]
fn a_search_answers_from_committed_rows_while_the_registry_is_held_and_masks_others_contacts() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r2");
    // r1's customer arrived on r2's laptop (as if synced); r2 registered one too.
    let theirs = register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    let mine = register(&mut reg, "r2", "广州市腾达贸易有限公司", h(0));
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("r2")).unwrap();
    ctx.set_now(Some(h(1)));
    let host = Host::from_context(ctx);
    assert_eq!(host.call("lead_list", json!({ "search": "腾达" })).unwrap()["total"], 2);

    let (held_tx, held) = mpsc::channel();
    let (release, release_rx) = mpsc::channel::<()>();
    let host = &host;
    std::thread::scope(|s| {
        s.spawn(move || {
            host.with_context(|ctx| {
                // An uncommitted write inside the hold, as a sync's apply slice makes.
                let conn = ctx.registry()?.connection();
                conn.execute_batch("BEGIN IMMEDIATE; UPDATE lead_index SET company = '未提交的名称'").unwrap();
                held_tx.send(()).unwrap();
                release_rx.recv().unwrap();
                conn.execute_batch("ROLLBACK").unwrap();
                Ok(())
            })
            .unwrap()
        });
        held.recv().unwrap();
        let (answered, answers) = mpsc::channel();
        s.spawn(move || {
            for args in [json!({ "search": "腾达" }), json!({ "search": "未提交" }), json!({ "filter": "reported" })] {
                answered.send(host.call("lead_list", args)).unwrap();
            }
        });
        let next = || match answers.recv_timeout(std::time::Duration::from_secs(60)) {
            Ok(page) => page.unwrap(),
            Err(_) => {
                release.send(()).unwrap();
                panic!("the search waited for the registry");
            }
        };
        let found = next();
        assert_eq!(ids(&found).len(), 2);
        let item = |id: &str| found["items"].as_array().unwrap().iter().find(|i| i["id"] == id).unwrap().clone();
        assert_eq!(item(&theirs)["masked"], true, "another rep's customer stays masked");
        assert_eq!(item(&theirs)["fields"]["phone"], "139****5678");
        assert_eq!(item(&mine)["masked"], false);
        assert_eq!(next()["total"], 0, "the uncommitted text is not seen");
        let reported = next();
        assert_eq!(ids(&reported), vec![mine.clone()]);
        assert_eq!(reported["items"][0]["fields"]["company"], "广州市腾达贸易有限公司", "the committed row");
        release.send(()).unwrap();
    });
}

#[test]
fn a_lead_written_by_another_process_is_found_through_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "r1");
    register(&mut reg, "r1", "华强电子", h(0));
    drop(reg);
    let host = Host::new(dir.path().join("r1"));
    assert_eq!(host.call("lead_list", json!({ "search": "华强" })).unwrap()["total"], 1);
    // A CLI command beside the running app writes to the same file.
    let mut cli = Registry::open(&dir.path().join("r1")).unwrap();
    let id = register(&mut cli, "r1", "华强医疗", h(1));
    drop(cli);
    let page = host.call("lead_list", json!({ "search": "华强" })).unwrap();
    assert_eq!(page["total"], 2);
    assert!(ids(&page).contains(&id));
}

#[test]
fn a_list_answered_while_a_command_holds_the_registry_is_for_the_user_switched_to() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    leadguard_core::demo::seed(&data, None, 90, "lina", h(0)).unwrap();
    let mut ctx = Context::open(&data).unwrap();
    ctx.set_now(Some(h(0)));
    let host = Host::from_context(ctx);
    // The first list opens the reader, with 李娜 as its user.
    let linas = host.call("lead_list", json!({ "filter": "mine" })).unwrap()["total"].as_u64().unwrap();
    assert!(linas > 0, "李娜 has customers in the demo");
    host.call("demo_switch_user", json!({ "rep": "zhangwei" })).unwrap();

    let host = &host;
    let while_held = std::thread::scope(|s| {
        let release = hold_registry(s, host);
        let page = host.call("lead_list", json!({ "filter": "mine" }));
        release.send(()).unwrap();
        page.unwrap()
    });
    let when_free = host.call("lead_list", json!({ "filter": "mine" })).unwrap();
    assert_eq!(while_held["total"], when_free["total"], "the list while held is 张伟's, as it is once the registry is free");
    assert_ne!(while_held["total"].as_u64().unwrap(), linas, "not 李娜's customers");
}
