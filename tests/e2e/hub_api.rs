//! The hub's API against a real `leadguard-hub` process: enrolment, push/pull with
//! receipts, idempotent re-push, resumable pull, and scope authorisation.

#[path = "hub_support.rs"]
mod hub_support;

use automerge::ReadDoc;
use hub_support::{automerge_changes, batch, lead_id, pull_all, sealed_era_changes, Hub};
use leadguard_protocol::client::ClientError;
use leadguard_protocol::{ErrorCode, PushRequest};

fn code(r: Result<impl std::fmt::Debug, ClientError>) -> (u16, ErrorCode) {
    match r {
        Err(ClientError::Hub { status, code, .. }) => (status, code),
        other => panic!("expected a hub error, got {other:?}"),
    }
}

#[test]
fn a_rep_pushes_and_a_colleague_pulls_the_same_changes_with_receipts() {
    let hub = Hub::start();
    let (a, a_id) = hub.device("li.na", "sh", "rep");
    let (b, _) = hub.device("wang.wei", "sh", "rep");
    let (c, _) = hub.device("zhao.lei", "bj", "rep");
    let changes = automerge_changes("aaaa", "li.na", 3);

    let acks = a.push(&batch("sh/a/0", "branch:sh", &changes)).unwrap().acks;
    assert_eq!(acks.len(), 3);
    assert!(acks.windows(2).all(|w| w[0].hub_seq < w[1].hub_seq && w[0].received_at <= w[1].received_at));
    // Never synced before: the window opens at the device's enrolment.
    assert!(acks.iter().all(|a| a.device_prev_sync.is_some_and(|p| p <= a.received_at)), "{acks:?}");

    let pulled = pull_all(&b, 100);
    assert_eq!(pulled.len(), 3);
    for (p, (ack, bytes)) in pulled.iter().zip(acks.iter().zip(&changes)) {
        assert_eq!((p.hash, p.hub_seq, p.received_at), (ack.hash, ack.hub_seq, ack.received_at));
        assert_eq!((&p.bytes, p.doc_id.as_str(), p.scope.as_str(), p.device.as_str()), (bytes, "sh/a/0", "branch:sh", a_id.as_str()));
    }
    // The pulled bytes are the real Automerge changes: they rebuild the document.
    let mut doc = automerge::AutoCommit::new();
    doc.apply_changes(pulled.iter().map(|p| automerge::Change::try_from(&p.bytes[..]).unwrap())).unwrap();
    let (_, list) = doc.get(automerge::ROOT, lead_id("aaaa", 2)).unwrap().expect("the lead's list");
    let first = doc.get(&list, 0).unwrap().unwrap().0.into_string().unwrap();
    assert!(first.contains("aaaa 华南贸易有限公司 2"), "{first}");

    assert!(pull_all(&c, 100).is_empty(), "another branch sees nothing of a document holding plain contacts");
    assert!(pull_all(&a, 100).is_empty(), "a device is not sent its own changes back");

    // A document with no plain contact (sealed era) reaches every employee of the
    // company, never a distributor (docs/VISIBILITY.md, company-wide replication).
    let (dist, _) = hub.device("agent-7", "bj", "distributor");
    let sealed = sealed_era_changes("bbbb", "li.na", 2);
    a.push(&batch("sh/a/1", "branch:sh", &sealed)).unwrap();
    let reached: Vec<String> = pull_all(&c, 100).into_iter().map(|p| p.doc_id).collect();
    assert_eq!(reached, vec!["sh/a/1".to_string(); 2], "another branch's employee receives the sealed-era document only");
    assert!(pull_all(&dist, 100).is_empty(), "a distributor never does");
}

/// Compact pull pages are asked for, never imposed: a client that does not name
/// them (every client before them) gets the plain page, with the same changes and
/// receipts; the compact page is smaller and leaves the change hashes out.
#[test]
fn an_old_client_gets_plain_pages_and_compact_pages_carry_the_same_changes() {
    let hub = Hub::start();
    let (a, _) = hub.device("li.na", "sh", "rep");
    let credential = hub.anonymous().enroll(&hub.token("wang.wei", "sh", "rep")).unwrap().credential;
    let compact = hub.anonymous().with_credential(&credential);
    let plain = hub.anonymous().with_credential(&credential).with_plain_pages();
    let changes = automerge_changes("aaaa", "li.na", 40);
    a.push(&batch("sh/a/0", "branch:sh", &changes)).unwrap();

    let before = plain.traffic().received();
    let old = plain.pull(0, None).unwrap();
    let plain_bytes = plain.traffic().received() - before;
    let before = compact.traffic().received();
    let new = compact.pull(0, None).unwrap();
    let compact_bytes = compact.traffic().received() - before;
    assert_eq!(old.changes.len(), 40);
    assert_eq!(new, old, "same changes, hashes, receipts and cursor in both forms");
    assert!(compact_bytes * 2 < plain_bytes, "compact {compact_bytes} bytes against plain {plain_bytes}");

    // Without the Accept header, the plain media type and layout, as before.
    let raw = reqwest::blocking::Client::new()
        .get(format!("{}/v1/pull?since=0", hub.url))
        .bearer_auth(&credential)
        .send()
        .unwrap();
    assert_eq!(raw.headers()["content-type"], leadguard_protocol::CONTENT_TYPE);
    assert_eq!(leadguard_protocol::PullResponse::decode(&raw.bytes().unwrap()).unwrap(), old);
}

/// The hub gzips an answer of 1 KiB or more for a client that accepts it, and sends a
/// small one (a completion, `/v1/me`) as it is: deflate's set-up costs more CPU than
/// a few hundred bytes save.
#[test]
fn small_answers_go_uncompressed_and_large_ones_gzipped() {
    let hub = Hub::start();
    let (a, _) = hub.device("li.na", "sh", "rep");
    let credential = hub.anonymous().enroll(&hub.token("wang.wei", "sh", "rep")).unwrap().credential;
    a.push(&batch("sh/a/0", "branch:sh", &automerge_changes("aaaa", "li.na", 40))).unwrap();
    let get = |path: &str| {
        reqwest::blocking::Client::new()
            .get(format!("{}{path}", hub.url))
            .bearer_auth(&credential)
            .header("accept-encoding", "gzip")
            .send()
            .unwrap()
    };
    let me = get("/v1/me");
    assert_eq!(me.status(), 200);
    assert!(me.headers().get("content-encoding").is_none(), "a small answer as it is");
    let page = get("/v1/pull?since=0");
    assert_eq!(page.headers()["content-encoding"], "gzip", "a plain page of 40 changes gzipped");
}

#[test]
fn a_repush_is_idempotent_and_keeps_the_first_receipt() {
    let hub = Hub::start();
    let (a, _) = hub.device("li.na", "sh", "rep");
    let (b, _) = hub.device("wang.wei", "sh", "rep");
    let changes = automerge_changes("aaaa", "li.na", 4);
    let first = a.push(&batch("sh/a/0", "branch:sh", &changes[..2])).unwrap().acks;
    std::thread::sleep(std::time::Duration::from_millis(20));
    a.complete(0).unwrap();
    // The retry overlaps what was acknowledged and adds two more changes.
    let second = a.push(&batch("sh/a/0", "branch:sh", &changes)).unwrap().acks;
    assert_eq!(&second[..2], &first[..], "the original receipts, unchanged");
    // The first push's window opens at enrolment, the later one's at the sync between.
    assert!(second[2].device_prev_sync > first[0].device_prev_sync, "{first:?} {second:?}");
    assert_eq!(pull_all(&b, 100).len(), 4, "stored once each");
}

#[test]
fn sync_complete_becomes_the_prev_sync_of_later_pushes() {
    let hub = Hub::start();
    let (a, _) = hub.device("li.na", "sh", "rep");
    let changes = automerge_changes("aaaa", "li.na", 2);
    a.push(&batch("sh/a/0", "branch:sh", &changes[..1])).unwrap();
    let done = a.complete(1).unwrap();
    assert_eq!(done.previous, None);
    let ack = a.push(&batch("sh/a/0", "branch:sh", &changes[1..])).unwrap().acks[0];
    assert_eq!(ack.device_prev_sync, Some(done.synced_at));
    assert!(ack.received_at >= done.synced_at);
    let again = a.complete(2).unwrap();
    assert_eq!(again.previous, Some(done.synced_at));
    assert_eq!(a.me().unwrap().last_sync, Some(again.synced_at));
}

#[test]
fn a_cut_pull_resumes_from_its_cursor_without_gaps_or_duplicates() {
    let hub = Hub::start();
    let (a, _) = hub.device("li.na", "sh", "rep");
    let (b, _) = hub.device("wang.wei", "sh", "rep");
    let (c, _) = hub.device("zhao.lei", "bj", "rep");
    let changes = automerge_changes("aaaa", "li.na", 25);
    // Interleave another branch's changes so cursors must skip unreadable ones.
    for (i, chunk) in changes.chunks(5).enumerate() {
        a.push(&batch("sh/a/0", "branch:sh", chunk)).unwrap();
        c.push(&batch(&format!("bj/c/{i}"), "branch:bj", &automerge_changes(&format!("cc{i}"), "zhao.lei", 2))).unwrap();
    }
    let first = b.pull(0, Some(10)).unwrap();
    assert_eq!((first.changes.len(), first.more), (10, true));
    // The connection is "cut" here; the device only kept the cursor.
    let second = b.pull(first.next_cursor, Some(10)).unwrap();
    let third = b.pull(second.next_cursor, Some(10)).unwrap();
    assert_eq!((second.changes.len(), second.more), (10, true));
    assert_eq!((third.changes.len(), third.more), (5, false));
    let seqs: Vec<u64> = [first, second, third].iter().flat_map(|p| p.changes.iter().map(|c| c.hub_seq)).collect();
    let all: Vec<u64> = pull_all(&b, 1000).iter().map(|c| c.hub_seq).collect();
    assert_eq!(seqs, all);
    assert_eq!(all.len(), 25);
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    // Nothing new: an up-to-date device gets an empty page at the end of the log.
    let last = b.pull(*all.last().unwrap(), None).unwrap();
    assert!(last.changes.is_empty() && !last.more);
}

#[test]
fn unauthenticated_revoked_and_cross_branch_requests_are_refused_and_leak_nothing() {
    let hub = Hub::start();
    let (a, a_id) = hub.device("li.na", "sh", "rep");
    let (c, _) = hub.device("zhao.lei", "bj", "rep");
    a.push(&batch("sh/a/0", "branch:sh", &automerge_changes("aaaa", "li.na", 1))).unwrap();

    let anon = hub.anonymous();
    assert_eq!(code(anon.pull(0, None)), (401, ErrorCode::Unauthorized));
    assert_eq!(code(anon.me()), (401, ErrorCode::Unauthorized));
    assert_eq!(code(anon.push(&PushRequest::default())), (401, ErrorCode::Unauthorized));
    let forged = hub.anonymous().with_credential("lgd_0000000000000000000000000000000000000000000000000000000000000000");
    let forged_err = forged.pull(0, None).unwrap_err().to_string();

    // Cross-branch write and explicit cross-branch read: 403.
    assert_eq!(code(c.push(&batch("sh/x/0", "branch:sh", &automerge_changes("cccc", "zhao.lei", 1)))), (403, ErrorCode::Forbidden));
    assert_eq!(code(c.pull_scope(0, None, "branch:sh")), (403, ErrorCode::Forbidden));
    assert_eq!(code(c.pull_scope(0, None, "dist:sh/nobody")), (403, ErrorCode::Forbidden));

    // Revoked by the `revoke` command (another process): the serving hub trusts the
    // credential it verified a moment ago for at most its window (2 s), then refuses it,
    // exactly like an unknown credential.
    let revoked_at = std::time::Instant::now();
    let out = hub.admin(&["revoke", "--device", &a_id]);
    assert!(out.status.success());
    let revoked_err = loop {
        match a.pull(0, None) {
            Err(e) => break e,
            Ok(_) => {
                // The hub's `store::AUTH_WINDOW`.
                assert!(revoked_at.elapsed() < std::time::Duration::from_secs(2), "accepted {:?} after the revocation", revoked_at.elapsed());
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
    };
    assert_eq!(code(a.me()), (401, ErrorCode::Unauthorized));
    assert_eq!(revoked_err.to_string(), forged_err);

    // A used enrolment token cannot enrol a second laptop.
    let token = hub.token("li.na", "sh", "rep");
    hub.anonymous().enroll(&token).unwrap();
    assert_eq!(code(hub.anonymous().enroll(&token)), (400, ErrorCode::InvalidToken));

    let devices: serde_json::Value = serde_json::from_slice(&hub.admin(&["devices", "list"]).stdout).unwrap();
    let a_row = devices.as_array().unwrap().iter().find(|d| d["id"] == a_id.as_str()).unwrap();
    assert!(a_row["revoked_at"].is_number());
}

#[test]
fn distributors_see_only_their_reports_and_their_branch_reads_them() {
    let hub = Hub::start();
    let (rep, _) = hub.device("li.na", "sh", "rep");
    let (manager, _) = hub.device("boss", "sh", "manager");
    let (other, _) = hub.device("zhao.lei", "bj", "manager");
    let (dist, _) = hub.device("agent-7", "sh", "distributor");
    let (other_dist, _) = hub.device("agent-8", "sh", "distributor");
    let dist_scope = "dist:sh/agent-7";
    rep.push(&batch("sh/r/0", "branch:sh", &automerge_changes("rrrr", "li.na", 2))).unwrap();
    dist.push(&batch("dist:sh/agent-7/0", dist_scope, &automerge_changes("dddd", "agent-7", 3))).unwrap();

    assert_eq!(code(dist.push(&batch("sh/d/0", "branch:sh", &automerge_changes("dddx", "agent-7", 1)))), (403, ErrorCode::Forbidden));
    assert_eq!(code(other_dist.push(&batch("dist:sh/agent-7/1", dist_scope, &automerge_changes("eeee", "agent-8", 1)))), (403, ErrorCode::Forbidden));
    assert_eq!(code(other_dist.pull_scope(0, None, dist_scope)), (403, ErrorCode::Forbidden), "another distributor reads none of it");
    // Branch staff may append to a report (a review, a decision) but never open one
    // in the distributor's name or their own.
    // (the scope admits the rep; the schema's authorship check refuses the event)
    let refused = rep.push(&batch("dist:sh/agent-7/1", dist_scope, &automerge_changes("rrrx", "li.na", 1))).unwrap_err();
    assert!(refused.to_string().contains("foreign_author"), "{refused}");
    assert!(pull_all(&dist, 100).is_empty(), "a distributor never receives branch data");
    assert_eq!(code(dist.pull_scope(0, None, "branch:sh")), (403, ErrorCode::Forbidden));
    assert_eq!(pull_all(&manager, 100).len(), 5, "the branch reads its distributor's reports");
    assert_eq!(pull_all(&rep, 100).len(), 3);
    assert!(pull_all(&other, 100).is_empty(), "another branch reads neither");
    assert_eq!(code(other.pull_scope(0, None, dist_scope)), (403, ErrorCode::Forbidden));
    assert_eq!(code(other.push(&batch("dist:sh/agent-7/1", dist_scope, &automerge_changes("oooo", "zhao.lei", 1)))), (403, ErrorCode::Forbidden));
}

#[test]
fn a_document_name_cannot_be_taken_in_another_scope() {
    let hub = Hub::start();
    let (east, _) = hub.device("li.na", "east", "rep");
    let (north, _) = hub.device("zhao.lei", "north", "rep");
    let dir = |actor: &str, rep: &str| {
        let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(actor.as_bytes()));
        let entry = serde_json::json!({ "id": rep, "name": rep, "branch": "east", "role": "rep", "active": true });
        automerge::transaction::Transactable::put(&mut doc, automerge::ROOT, format!("rep/{rep}"), entry.to_string()).unwrap();
        doc.commit();
        vec![doc.get_last_local_change().unwrap().raw_bytes().to_vec()]
    };
    // A north device squatting east's directory, in its own scope or in east's.
    let squat = north.push(&batch("directory/east", "branch:north", &dir("nnnn", "zhao.lei"))).unwrap_err();
    assert!(squat.to_string().contains("wrong_scope"), "{squat}");
    assert_eq!(code(Err::<(), _>(squat)), (403, ErrorCode::Forbidden));
    assert_eq!(code(north.push(&batch("directory/east", "branch:east", &dir("nnnn", "zhao.lei")))), (403, ErrorCode::Forbidden));
    assert_eq!(code(north.push(&batch("east/nnnn/0", "branch:north", &automerge_changes("nnnn", "zhao.lei", 1)))), (403, ErrorCode::Forbidden));
    // A name that says no scope at all is malformed.
    let made_up = north.push(&batch("shared-id", "branch:north", &automerge_changes("nnnn", "zhao.lei", 1))).unwrap_err();
    assert!(made_up.to_string().contains("bad_doc_id"), "{made_up}");
    assert_eq!(code(Err::<(), _>(made_up)), (422, ErrorCode::InvalidChange));
    // East's own devices are unaffected.
    assert_eq!(east.push(&batch("directory/east", "branch:east", &dir("eeee", "li.na"))).unwrap().acks.len(), 1);
    assert!(pull_all(&east, 100).is_empty(), "nothing of the squatter was stored");
}
