//! Search during a first sync (a harness that prints figures, not a test): a new
//! laptop pulls `--leads` colleagues' registrations from the real hub over loopback
//! while the user searches the registry every 20 ms. Two runs in one: the app's host
//! (`leadguard_core::api::Host`: the sync takes the registry one local step at a time,
//! a search needs no registry) beside the same sync holding the registry for its whole
//! run and searches taking the registry too (how the host ran before). Prints the
//! sync's wall time and the search latencies (p50, p99, max).
//!
//! Run: `scripts/bench-sync.sh --search` (or `cargo run --release -p leadguard-hub
//! --example bench_search_during_sync -- --leads 100000`).

use leadguard_core::api::{self, Host};
use leadguard_hub::Store;
use leadguard_protocol::client::HubClient;
use leadguard_protocol::{PushChange, PushRequest, Role};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(|v| v.parse().expect("a number")).unwrap_or(default)
}

fn lead_id(k: usize) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in k.to_le_bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}")
}

const CITIES: [&str; 4] = ["深圳", "广州", "东莞", "佛山"];
const TRADE: &str = "华腾达恒瑞丰鼎盛远航新宏泰安康嘉鸿德佳美金银海天正中国富创信源通";
const TRADES: [&str; 8] = ["电子科技", "贸易", "实业", "五金制品", "物流", "建材", "服装", "餐饮管理"];
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹";
const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉";

fn pick(table: &str, i: usize) -> char {
    let chars: Vec<char> = table.chars().collect();
    chars[i % chars.len()]
}

/// A customer the way a team's registry looks: mostly distinct companies and
/// people, a trade name now and then shared across cities and trades.
fn customer(i: usize) -> (String, String) {
    let t = TRADE.chars().count();
    let company = format!(
        "{}市{}{}{}有限公司",
        CITIES[i % 4],
        pick(TRADE, i / 4),
        pick(TRADE, i / (4 * t) + i / 7),
        TRADES[(i / 3) % TRADES.len()]
    );
    let contact = format!("{}{}{}", pick(SURNAMES, i), pick(GIVEN, i / 30), pick(GIVEN, i / 900 + i % 7));
    (company, contact)
}

/// A stand-in for a writer's keyed digest (32 hex digits, equal for equal values): the
/// laptop never recomputes a digest a sealed registration carries, so its cost does
/// not depend on how the digest was made, and the bench's setup stays fast.
fn stand_in_digest(kind: &str, value: &str) -> String {
    let mut out = String::new();
    for seed in [0xcbf2_9ce4_8422_2325u64, 0x8422_2325_cbf2_9ce4] {
        let mut h = seed;
        for b in kind.bytes().chain(value.bytes()) {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

/// A registration's fields: plain (written before the company enrolled its laptops),
/// or sealed under a fresh lead key with the match data its writer adds (masked phone,
/// digests of phone and contact), as an enrolled laptop writes them.
fn registration(i: usize, sealed: bool) -> serde_json::Value {
    let (company, contact) = customer(i);
    let phone = format!("139{:08}", i);
    if !sealed {
        return json!({ "company": company, "contact": contact, "phone": phone, "need": "年度采购" });
    }
    let key = leadguard_seal::LeadKey::generate().expect("key");
    let id = lead_id(i);
    let seal = |field: &str, plain: &str| leadguard_seal::seal(&key, &id, field, plain).expect("seal");
    json!({
        "company": company, "contact": seal("contact", &contact), "phone": seal("phone", &phone), "need": seal("need", "年度采购"),
        "phone_masked": leadguard_seal::mask_phone(&phone),
        "phone_digest": stand_in_digest("phone", &phone), "contact_digest": stand_in_digest("contact", &contact),
    })
}

/// `n` registrations by colleague `rep`, one change each, pushed in batches.
fn push_colleague(client: &HubClient, rep: &str, from: usize, n: usize, sealed: bool) {
    let new_doc = |k: usize| automerge::AutoCommit::new().with_actor(automerge::ActorId::from(format!("{rep}-{k}").as_bytes()));
    let mut doc = new_doc(0);
    let mut batch = Vec::new();
    for i in from..from + n {
        use automerge::transaction::Transactable;
        // A new document every 2,000 leads, as the app's shards (a change belongs
        // to the document whose history it continues).
        if i > from && (i - from) % 2_000 == 0 {
            doc = new_doc((i - from) / 2_000);
        }
        let lead = doc.put_object(automerge::ROOT, lead_id(i), automerge::ObjType::List).expect("lead");
        let event = json!({
            "id": format!("e{i}"), "kind": "register", "rep": rep, "device": rep,
            "device_time": "2026-11-22T08:00:00Z",
            "fields": registration(i, sealed)
        });
        doc.insert(&lead, 0, event.to_string()).expect("insert");
        doc.commit();
        let bytes = doc.get_last_local_change().expect("change").raw_bytes().to_vec();
        batch.push(PushChange { doc_id: format!("sh/{rep}/{}", (i - from) / 2_000), scope: "branch:sh".into(), bytes });
        if batch.len() == 1_000 {
            client.push(&PushRequest { changes: std::mem::take(&mut batch) }).expect("push");
        }
    }
    if !batch.is_empty() {
        client.push(&PushRequest { changes: batch }).expect("push");
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Search latencies while the sync pulled and applied changes, and while it digested
/// the pulled plain leads after the pull (the app's host; a sync holding the registry
/// digests inside its apply).
#[derive(Default)]
struct Latencies {
    pulling: Vec<Duration>,
    digesting: Vec<Duration>,
    /// When the sync began digesting, from its start.
    digest_from: Option<Duration>,
}

/// A fresh laptop syncs (`hold_whole_sync`: under one lock for the whole run) while
/// another thread searches; returns the sync's wall time and the search latencies.
fn run(url: &str, token: &str, hold_whole_sync: bool) -> (Duration, Latencies) {
    let dir = tempfile::tempdir().expect("tempdir");
    let host = Host::new(dir.path().to_path_buf());
    host.call("init", json!({ "rep_id": "laptop", "name": "新同事", "branch": "sh" })).expect("init");
    host.call("sync_enroll", json!({ "hub_url": url, "token": token })).expect("enroll");
    let done = AtomicBool::new(false);
    let mut latencies = Latencies::default();
    let t = Instant::now();
    let wall = std::thread::scope(|s| {
        let syncing = s.spawn(|| {
            let r = if hold_whole_sync {
                host.with_context(|ctx| api::dispatch(ctx, "sync_run", json!(null)))
            } else {
                host.call("sync_run", json!(null))
            };
            let wall = t.elapsed();
            done.store(true, Ordering::SeqCst);
            let report = r.expect("sync");
            assert_eq!(report["quarantined"], 0, "{report}");
            (wall, report["applied"].as_u64().unwrap_or(0))
        });
        // Every search started while the sync runs counts, however long it waited.
        while !done.load(Ordering::SeqCst) {
            // The progress board answers without the registry (what the UI polls).
            let progress = host.call("sync_progress", json!(null)).expect("progress");
            let digesting = progress["progress"]["phase"] == "digesting";
            if digesting && latencies.digest_from.is_none() {
                latencies.digest_from = Some(t.elapsed());
            }
            let q = Instant::now();
            let search = json!({ "search": "腾达", "limit": 20 });
            if hold_whole_sync {
                host.with_context(|ctx| api::dispatch(ctx, "lead_list", search)).expect("search");
            } else {
                host.call("lead_list", search).expect("search");
            }
            if digesting { &mut latencies.digesting } else { &mut latencies.pulling }.push(q.elapsed());
            std::thread::sleep(Duration::from_millis(20));
        }
        syncing.join().expect("sync thread")
    });
    latencies.pulling.sort();
    latencies.digesting.sort();
    let (wall, applied) = wall;
    let held = host.call("lead_list", json!({ "limit": 1 })).expect("list");
    let plus = if held["total_capped"] == true { "+" } else { "" };
    println!("  the laptop applied {applied} changes and lists {}{plus} leads", held["total"]);
    (wall, latencies)
}

fn main() {
    let leads = arg("--leads", 20_000);
    // Which era of data the colleagues wrote: plain (before enrolment; the laptop digests
    // every pulled lead) or sealed (`--sealed`: digests supplied by their writers).
    let sealed = std::env::args().any(|a| a == "--sealed");
    let colleagues = arg("--colleagues", 4).max(1);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Arc::new(Store::open(dir.path()).expect("store"));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    runtime.spawn(leadguard_hub::serve(listener, store.clone(), std::future::pending()));
    let enrol = |rep: &str| store.create_enrolment(rep, rep, "sh", Role::Rep, 3_600_000).expect("enrolment").token;

    let era = if sealed { "sealed, digests from their writers" } else { "plain, written before enrolment" };
    println!("search during a first sync: {leads} colleagues' leads ({era}) on the hub, a search every 20 ms on the syncing laptop");
    let t = Instant::now();
    for c in 0..colleagues {
        let rep = format!("colleague{c}");
        let client = HubClient::new(&url).expect("client");
        let cred = client.enroll(&enrol(&rep)).expect("enroll").credential;
        let n = leads / colleagues + usize::from(c < leads % colleagues);
        push_colleague(&client.with_credential(&cred), &rep, c * (leads / colleagues + 1), n, sealed);
    }
    println!("setup: pushed in {:.1} s", t.elapsed().as_secs_f64());
    for (label, hold) in [("host (sync outside the lock)", false), ("sync holding the registry", true)] {
        let (wall, l) = run(&url, &enrol("laptop"), hold);
        let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
        let load = load.split_whitespace().next().unwrap_or("?").to_string();
        println!("{label:<30} sync {:>6.1} s (load average {load})", wall.as_secs_f64());
        let mut all: Vec<Duration> = l.pulling.iter().chain(&l.digesting).copied().collect();
        all.sort();
        let digest_from = l.digest_from.map_or(String::new(), |d| format!(" (from {:.1} s)", d.as_secs_f64()));
        let phases = [("pulling", &l.pulling), ("digesting after the pull", &l.digesting), ("whole sync", &all)];
        // The whole sync is worth its own line only beside a digest phase.
        let shown = if l.digesting.is_empty() { 1 } else { 3 };
        for (what, l) in phases.into_iter().take(shown) {
            if l.is_empty() {
                continue;
            }
            let from = if what.starts_with("digesting") { digest_from.as_str() } else { "" };
            println!(
                "    {:>5} searches while {what}{from}: p50 {:>7.1} ms, p99 {:>7.1} ms, max {:>7.1} ms",
                l.len(),
                percentile(l, 0.5).as_secs_f64() * 1e3,
                percentile(l, 0.99).as_secs_f64() * 1e3,
                l.last().copied().unwrap_or_default().as_secs_f64() * 1e3
            );
        }
    }
}
