//! The apps' host (`leadguard_core::api::Host`, used by the desktop shell and the web
//! server): a sync takes the registry only for its local steps, so the user's search
//! answers while the sync waits on the hub; a panicked command's context is reopened
//! from disk.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use leadguard_core::api::Host;
use leadguard_core::ErrorCode;
use serde_json::json;

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

#[test]
fn a_search_answers_while_a_sync_waits_on_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let host = Host::new(dir.path().to_path_buf());
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
