//! Sync benchmark (a harness that prints figures, not a test): a laptop offline for
//! a week with `--own` changes of its own syncs against a hub that holds `--others`
//! changes from its colleagues, over loopback HTTP with the real hub and client.
//! Beside it, in the same run, the naive alternative: exchanging whole Automerge
//! documents (save on one side, load and merge on the other).
//!
//! Run: `scripts/bench-sync.sh` (or `cargo run -p leadguard-hub --example bench_sync
//! -- --others 100000 --own 5000`).

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ReadDoc};
use leadguard_hub::Store;
use leadguard_protocol::client::HubClient;
use leadguard_protocol::{PushChange, PushRequest, Role};
use std::sync::Arc;
use std::time::Instant;

/// Changes per shard document (ARCHITECTURE: a few thousand leads per shard).
const SHARD: usize = 2_000;

struct Shard {
    doc_id: String,
    doc: AutoCommit,
    changes: Vec<Vec<u8>>,
}

/// A 16-hex lead id for registration `i` of shard `k` of `device`.
fn lead_id(device: &str, k: usize, i: usize) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in device.bytes().chain(k.to_le_bytes()).chain(i.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}")
}

/// `n` lead registrations by `device` (also its rep), one change each, in shards of
/// [`SHARD`], in the core's layout: root key = lead id, value = list of event strings.
fn make_shards(device: &str, n: usize) -> Vec<Shard> {
    let mut shards = Vec::new();
    let mut left = n;
    let mut k = 0;
    while left > 0 {
        let count = left.min(SHARD);
        let mut doc = AutoCommit::new().with_actor(automerge::ActorId::from(format!("{device}-{k}").as_bytes()));
        let mut changes = Vec::with_capacity(count);
        for i in 0..count {
            let lead = doc.put_object(automerge::ROOT, lead_id(device, k, i), ObjType::List).expect("lead");
            let event = serde_json::json!({
                "id": lead_id("event", k, i), "kind": "register", "rep": device, "device": device,
                "device_time": "2026-11-22T08:00:00Z",
                "fields": { "company": format!("深圳市第{i}号电子科技有限公司"), "contact": "张伟",
                            "phone": format!("1380013{:04}", i % 10_000), "need": "年度采购 500 台" }
            });
            doc.insert(&lead, 0, event.to_string()).expect("insert");
            doc.commit();
            changes.push(doc.get_last_local_change().expect("change").raw_bytes().to_vec());
        }
        shards.push(Shard { doc_id: format!("sh/{device}/{k}"), doc, changes });
        left -= count;
        k += 1;
    }
    shards
}

fn push_all(client: &HubClient, shards: &[Shard]) {
    for s in shards {
        for chunk in s.changes.chunks(2_000) {
            let req = PushRequest {
                changes: chunk
                    .iter()
                    .map(|b| PushChange { doc_id: s.doc_id.clone(), scope: "branch:sh".into(), bytes: b.clone() })
                    .collect(),
            };
            client.push(&req).expect("push");
        }
    }
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| v.parse().expect("a number"))
        .unwrap_or(default)
}

fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1e6)
}

fn main() {
    let others = arg("--others", 100_000);
    let own = arg("--own", 5_000);
    let colleagues = arg("--colleagues", 10).max(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    runtime.spawn(leadguard_hub::serve(listener, store.clone(), std::future::pending()));
    let device = |rep: &str| {
        let e = store.create_enrolment(rep, rep, "sh", Role::Rep, 3_600_000).expect("enrolment");
        let c = HubClient::new(&url).expect("client");
        let cred = c.enroll(&e.token).expect("enroll").credential;
        c.with_credential(&cred)
    };

    println!("leadguard sync benchmark: {others} changes from {colleagues} colleagues on the hub, {own} offline changes on the laptop");
    let t = Instant::now();
    let mut theirs = Vec::new();
    for c in 0..colleagues {
        let n = others / colleagues + usize::from(c < others % colleagues);
        let shards = make_shards(&format!("colleague{c}"), n);
        push_all(&device(&format!("colleague{c}")), &shards);
        theirs.extend(shards);
    }
    let mine = make_shards("laptop", own);
    println!("setup: generated and pushed the colleagues' changes in {:.1} s", t.elapsed().as_secs_f64());

    // Change-log sync, as `leadguard sync` does it: push pending, pull since 0, complete.
    let laptop = device("laptop");
    let t = Instant::now();
    push_all(&laptop, &mine);
    let pushed_at = t.elapsed();
    let pull_from = laptop.traffic().received();
    let (mut since, mut pulled, mut pulled_bytes) = (0, 0usize, 0usize);
    loop {
        let page = laptop.pull(since, None).expect("pull");
        pulled += page.changes.len();
        pulled_bytes += page.changes.iter().map(|c| c.bytes.len()).sum::<usize>();
        since = page.next_cursor;
        if !page.more {
            break;
        }
    }
    let pull_down = laptop.traffic().received() - pull_from;
    laptop.complete(since).expect("complete");
    let wall = t.elapsed();
    let tr = laptop.traffic();
    println!("change-log sync: {:.2} s wall (push {:.2} s), {} requests", wall.as_secs_f64(), pushed_at.as_secs_f64(), tr.requests());
    println!(
        "  pushed {own} changes, pulled {pulled} changes ({} of change bytes) in compact pages; on the wire: sent {}, received {}",
        mb(pulled_bytes as u64),
        mb(tr.sent()),
        mb(tr.received())
    );
    println!("  the pull alone: received {}", mb(pull_down));

    // The same pull in plain pages (gzip on the wire), as clients before compact pages.
    let plain = laptop.clone().with_plain_pages();
    let (received0, t) = (tr.received(), Instant::now());
    let mut cursor = 0;
    loop {
        let page = plain.pull(cursor, None).expect("pull");
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    let plain_down = tr.received() - received0;
    println!("  the same pull in plain pages: {:.2} s, received {}", t.elapsed().as_secs_f64(), mb(plain_down));

    // The next day: 100 new changes from a colleague; the laptop syncs again.
    let extra = make_shards("colleague-late", 100);
    push_all(&device("colleague-late"), &extra);
    let (sent0, recv0, req0) = (tr.sent(), tr.received(), tr.requests());
    let t = Instant::now();
    let page = laptop.pull(since, None).expect("pull");
    laptop.complete(page.next_cursor).expect("complete");
    println!(
        "next-day sync (100 new changes): {:.3} s, {} requests, sent {}, received {}",
        t.elapsed().as_secs_f64(),
        tr.requests() - req0,
        mb(tr.sent() - sent0),
        mb(tr.received() - recv0)
    );

    // Naive alternative: whole documents both ways, loaded and merged on arrival.
    let t = Instant::now();
    let (mut down, mut up) = (0u64, 0u64);
    let mut merged_leads = 0;
    for s in theirs.iter_mut() {
        let bytes = s.doc.save();
        down += bytes.len() as u64;
        let mut copy = AutoCommit::load(&bytes).expect("load");
        copy.merge(&mut s.doc.clone()).expect("merge");
        merged_leads += usize::from(copy.length(automerge::ROOT) > 0);
    }
    for s in mine.iter() {
        let bytes = s.doc.clone().save();
        up += bytes.len() as u64;
        AutoCommit::load(&bytes).expect("load");
    }
    println!(
        "naive full-document exchange: {:.2} s (save + load + merge, no network), {} down + {} up in {} documents",
        t.elapsed().as_secs_f64(),
        mb(down),
        mb(up),
        theirs.len() + mine.len()
    );
    println!(
        "pulled bytes against whole documents: compact pages {:.2}x, plain pages {:.2}x",
        pull_down as f64 / down as f64,
        plain_down as f64 / down as f64
    );
    assert_eq!(merged_leads, theirs.len());
    println!("hub now holds {} changes", store.change_count().expect("count"));
}
