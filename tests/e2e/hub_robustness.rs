//! The hub under hostile or unlucky conditions: malformed and oversized bodies get
//! a 4xx while other clients keep being served, and a hub killed with -9 in the
//! middle of pushes loses no change it acknowledged.

#[path = "hub_support.rs"]
mod hub_support;

use hub_support::{automerge_changes, batch, pull_all, Hub};
use leadguard_protocol::{Ack, ErrorBody, ErrorCode, PushChange, PushRequest, CONTENT_TYPE, MAX_BODY_BYTES, MAX_CHANGE_BYTES};
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Posts raw bytes to `/v1/push` and returns the status and decoded error body.
fn raw_push(hub: &Hub, credential: &str, content_type: &str, gzip: bool, body: Vec<u8>) -> (u16, Option<ErrorCode>) {
    let mut req = reqwest::blocking::Client::new()
        .post(format!("{}/v1/push", hub.url))
        .bearer_auth(credential)
        .header("content-type", content_type);
    if gzip {
        req = req.header("content-encoding", "gzip");
    }
    let resp = req.body(body).send().expect("send");
    let status = resp.status().as_u16();
    let code = serde_json::from_slice::<ErrorBody>(&resp.bytes().unwrap_or_default()).ok().map(|e| e.code);
    (status, code)
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

fn enrolled_credential(hub: &Hub, rep: &str) -> String {
    let token = hub.token(rep, "sh", "rep");
    hub.anonymous().enroll(&token).unwrap().credential
}

#[test]
fn malformed_or_oversized_messages_get_a_4xx_and_the_hub_keeps_serving() {
    let hub = Hub::start();
    let cred = enrolled_credential(&hub, "mallory");
    let (good, _) = hub.device("li.na", "sh", "rep");
    let (reader, _) = hub.device("wang.wei", "sh", "rep");
    let valid = automerge_changes("aaaa", "li.na", 2);

    let cases: Vec<(&str, (u16, Option<ErrorCode>))> = vec![
        ("garbage", raw_push(&hub, &cred, CONTENT_TYPE, false, b"\x00\xffnot a message".to_vec())),
        ("json to the binary endpoint", raw_push(&hub, &cred, "application/json", false, b"{\"changes\":[]}".to_vec())),
        ("truncated frame", raw_push(&hub, &cred, CONTENT_TYPE, false, batch("d", "branch:sh", &valid).encode()[..20].to_vec())),
        ("corrupt gzip", raw_push(&hub, &cred, CONTENT_TYPE, true, b"\x1f\x8b\x08\x00garbage".to_vec())),
        (
            "bytes that are not an Automerge change",
            raw_push(&hub, &cred, CONTENT_TYPE, false, batch("d", "branch:sh", &[b"hello".to_vec()]).encode()),
        ),
        ("not a scope", raw_push(&hub, &cred, CONTENT_TYPE, false, batch("d", "sh", &valid).encode())),
        (
            "one change over the per-change cap",
            raw_push(&hub, &cred, CONTENT_TYPE, false, batch("d", "branch:sh", &[vec![0u8; MAX_CHANGE_BYTES + 1]]).encode()),
        ),
        ("body over the limit", raw_push(&hub, &cred, CONTENT_TYPE, false, vec![7u8; MAX_BODY_BYTES + 1024])),
        ("gzip bomb (64 MiB of zeros)", raw_push(&hub, &cred, CONTENT_TYPE, true, gzip(&vec![0u8; 64 << 20]))),
    ];
    let expected = [
        (400, ErrorCode::Malformed),
        (415, ErrorCode::UnsupportedMedia),
        (400, ErrorCode::Malformed),
        (400, ErrorCode::Malformed),
        (422, ErrorCode::InvalidChange),
        (400, ErrorCode::Malformed),
        (413, ErrorCode::TooLarge),
        (413, ErrorCode::TooLarge),
        (413, ErrorCode::TooLarge),
    ];
    for ((name, got), want) in cases.iter().zip(expected) {
        assert_eq!(*got, (want.0, Some(want.1)), "{name}");
    }

    // A batch with one bad change stores nothing, not even its good changes.
    let mut mixed = batch("sh/m/0", "branch:sh", &valid);
    mixed.changes.push(PushChange { doc_id: "sh/m/0".into(), scope: "branch:sh".into(), bytes: vec![1, 2, 3] });
    let (status, _) = raw_push(&hub, &cred, CONTENT_TYPE, false, mixed.encode());
    assert_eq!(status, 422);
    assert!(pull_all(&reader, 100).is_empty());

    // The hub still serves well-behaved clients, compressed bodies included.
    assert_eq!(hub.anonymous().health().unwrap().status, "ok");
    assert_eq!(good.push(&batch("sh/a/0", "branch:sh", &valid)).unwrap().acks.len(), 2);
    assert_eq!(pull_all(&reader, 100).len(), 2);
    let (status, _) = raw_push(&hub, &cred, CONTENT_TYPE, true, gzip(&batch("sh/b/0", "branch:sh", &automerge_changes("bbbb", "mallory", 1)).encode()));
    assert_eq!(status, 200);
}

#[test]
fn hub_killed_with_sigkill_mid_push_loses_no_acknowledged_change() {
    const TOTAL: usize = 3_000;
    const BATCH: usize = 25;
    let mut hub = Hub::start();
    let (pusher, _) = hub.device("li.na", "sh", "rep");
    let (reader, _) = hub.device("wang.wei", "sh", "rep");
    let changes: Vec<PushRequest> = (0..TOTAL / BATCH)
        .map(|i| batch(&format!("sh/a/{i}"), "branch:sh", &automerge_changes(&format!("a{i:03}"), "li.na", BATCH)))
        .collect();

    // The device pushes batch after batch, retrying a batch until it is acknowledged,
    // as the sync client does; every ack it receives is recorded.
    let acked: Arc<Mutex<Vec<Ack>>> = Arc::default();
    let retries = Arc::new(Mutex::new(0usize));
    let worker = {
        let (acked, retries) = (acked.clone(), retries.clone());
        std::thread::spawn(move || {
            for b in &changes {
                loop {
                    match pusher.push(b) {
                        Ok(r) => {
                            acked.lock().unwrap().extend(r.acks);
                            break;
                        }
                        Err(e) if e.is_retryable() => {
                            *retries.lock().unwrap() += 1;
                            std::thread::sleep(std::time::Duration::from_millis(50));
                        }
                        Err(e) => panic!("non-retryable push error: {e}"),
                    }
                }
            }
        })
    };
    while acked.lock().unwrap().len() < TOTAL / 3 {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    hub.kill9();
    let acked_before_kill: Vec<Ack> = acked.lock().unwrap().clone();
    std::thread::sleep(std::time::Duration::from_millis(300));
    hub.restart();
    worker.join().expect("the retrying client completes");
    assert!(*retries.lock().unwrap() > 0, "the kill landed while the client was pushing");

    let stored: HashMap<_, _> = pull_all(&reader, 10_000).into_iter().map(|c| (c.hash, c)).collect();
    for ack in &acked_before_kill {
        let c = stored.get(&ack.hash).expect("an acknowledged change survived the kill");
        assert_eq!((c.hub_seq, c.received_at), (ack.hub_seq, ack.received_at), "its receipt is unchanged");
    }
    assert_eq!(stored.len(), TOTAL, "everything arrived exactly once");
    let all = acked.lock().unwrap();
    assert_eq!(all.len(), TOTAL);
    assert!(all.iter().all(|a| stored[&a.hash].hub_seq == a.hub_seq));
}

#[path = "hub_operations.rs"]
mod hub_operations;

#[path = "hub_adopt.rs"]
mod hub_adopt;
