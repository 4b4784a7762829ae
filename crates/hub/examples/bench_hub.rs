//! Hub load benchmark (a harness that prints figures, not a test): hundreds of
//! simulated laptops — each with its own credential, its own document and its own new
//! leads — sync at once against one and two `leadguard-hub` processes over one
//! database, SQLite and PostgreSQL side by side, through the real protocol and client
//! over loopback HTTP.
//!
//! A device's sync is what a laptop does: push its new changes, pull every page since
//! its cursor (its branch's colleagues' changes), complete. By default the push answers
//! with the first page (`--flows push-page`: two requests when one page holds it all);
//! `--flows separate` syncs as clients before it did (push, pull, complete), and
//! `--flows push-page,separate` runs both side by side. Two arrivals: a burst (every
//! device's first sync in the same instant, the next ones right after) and a spread
//! (each sync at a random time within `--spread-secs`). Reported per configuration:
//! sync latency p50/p99 (client side, the whole sync: two or three requests), syncs per second,
//! and where the time goes: mean time per route and the writer's busy time from the
//! hubs' `/metrics`, and the CPU of the clients, the hubs and PostgreSQL (`/proc`)
//! over the timed window. Changes and credentials are made before the clock starts,
//! and the simulated laptops are as light as the protocol allows: the figures are the
//! hub's. The laptops are tasks on one small tokio runtime, each writing the protocol
//! client's requests (same headers and bodies) on its own keep-alive connection
//! (`--clients wire`, the default, `bench_hub_parts/wire_client.rs`), or sending them
//! through one reqwest client per hub (`--clients async`), or one blocking thread each
//! through the protocol's `HubClient` (`--clients blocking`); `--clients wire,async`
//! runs two side by side.
//!
//! Run: `make bench-hub` (or `scripts/bench-hub.sh --devices 100,500 --hubs 1,2
//! --backends sqlite,postgres`); the script starts a throwaway PostgreSQL server
//! (`--postgres URL`, fsync on, as deployed) for the run.

#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use automerge::transaction::Transactable;
use leadguard_hub::store::Database;
use leadguard_hub::Store;
use leadguard_protocol::client::HubClient;
use leadguard_protocol::{PushChange, PushRequest, Role};

#[path = "bench_hub_parts/async_client.rs"]
mod async_client;
#[path = "bench_hub_parts/wire_client.rs"]
mod wire_client;

struct Args {
    hub_bin: String,
    devices: Vec<usize>,
    hubs: Vec<usize>,
    backends: Vec<String>,
    postgres: Option<String>,
    branches: usize,
    rounds: usize,
    leads_per_round: usize,
    /// Arrival by spread: each device's syncs at random times within this many seconds.
    spread_secs: f64,
    /// Device counts run in the spread mode (after every burst row).
    spread_devices: Vec<usize>,
    /// Push with the first page in its answer (true) or push then pull (false).
    flows: Vec<bool>,
    /// The simulated laptops' transport.
    clients: Vec<Client>,
}

/// The simulated laptops' transport.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Client {
    /// Async tasks, each writing its requests on its own connection (`wire_client.rs`).
    Wire,
    /// Async tasks sending through one reqwest client per hub (`async_client.rs`).
    Async,
    /// One blocking thread each, through the protocol's `HubClient`.
    Blocking,
}

fn client_name(client: Client) -> &'static str {
    match client {
        Client::Wire => "wire",
        Client::Async => "async",
        Client::Blocking => "blocking",
    }
}

fn flow_name(push_page: bool) -> &'static str {
    if push_page { "push-page" } else { "separate" }
}

fn parse_args() -> Args {
    let mut a = Args { hub_bin: String::new(), devices: vec![100, 500, 1000], hubs: vec![1, 2], backends: vec!["sqlite".into(), "postgres".into()], postgres: None, branches: 20, rounds: 3, leads_per_round: 5, spread_secs: 10.0, spread_devices: vec![500, 1000], flows: vec![true], clients: vec![Client::Wire] };
    let list = |v: &str| v.split(',').map(|x| x.trim().parse().expect("a number")).collect::<Vec<usize>>();
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--hub-bin" => a.hub_bin = v,
            "--devices" => a.devices = list(&v),
            "--hubs" => a.hubs = list(&v),
            "--backends" => a.backends = v.split(',').map(|b| b.trim().to_owned()).collect(),
            "--postgres" => a.postgres = Some(v),
            "--branches" => a.branches = v.parse().expect("--branches"),
            "--rounds" => a.rounds = v.parse().expect("--rounds"),
            "--leads-per-round" => a.leads_per_round = v.parse().expect("--leads-per-round"),
            "--spread-secs" => a.spread_secs = v.parse().expect("--spread-secs"),
            // `--spread-devices ""` runs the burst rows alone.
            "--spread-devices" => a.spread_devices = if v.trim().is_empty() { vec![] } else { list(&v) },
            "--flows" => {
                a.flows = v
                    .split(',')
                    .map(|f| match f.trim() {
                        "push-page" => true,
                        "separate" => false,
                        other => panic!("--flows: push-page and/or separate, not {other:?}"),
                    })
                    .collect()
            }
            "--clients" => {
                a.clients = v
                    .split(',')
                    .map(|c| match c.trim() {
                        "wire" => Client::Wire,
                        "async" => Client::Async,
                        "blocking" => Client::Blocking,
                        other => panic!("--clients: wire, async and/or blocking, not {other:?}"),
                    })
                    .collect()
            }
            _ => panic!("unknown flag {flag}"),
        }
    }
    assert!(!a.hub_bin.is_empty(), "--hub-bin PATH (the leadguard-hub binary) is required");
    for b in &a.backends {
        assert!(b == "sqlite" || b == "postgres", "--backends: sqlite and/or postgres, not {b:?}");
    }
    assert!(
        a.postgres.is_some() || !a.backends.iter().any(|b| b == "postgres"),
        "--postgres URL (a server the bench may create databases on) is required for the postgres backend"
    );
    a
}

/// A simulated laptop: credential, branch, and its changes, one batch per round.
struct Device {
    credential: String,
    rounds: Vec<PushRequest>,
}

fn lead_id(device: usize, i: usize) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in device.to_le_bytes().into_iter().chain(i.to_le_bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Real Automerge changes in the core's layout, registering leads for `rep`.
fn device_changes(n: usize, branch: &str, rep: &str, rounds: usize, per_round: usize) -> Vec<PushRequest> {
    let actor = format!("{n:08x}");
    let doc_id = format!("{branch}/{actor}/0");
    let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(actor.as_bytes()));
    (0..rounds)
        .map(|r| PushRequest {
            changes: (0..per_round)
                .map(|i| {
                    let lead = lead_id(n, r * per_round + i);
                    let list = doc.put_object(automerge::ROOT, &lead, automerge::ObjType::List).expect("list");
                    let event = serde_json::json!({
                        "id": format!("e{lead}"), "kind": "register", "rep": rep, "device": actor,
                        "device_time": "2026-11-30T08:00:00Z",
                        "fields": { "company": format!("{branch} 华南贸易有限公司 {n}-{r}-{i}"), "phone": format!("139{:08}", n * 100 + i) }
                    });
                    doc.insert(&list, 0, event.to_string()).expect("insert");
                    doc.commit();
                    PushChange {
                        doc_id: doc_id.clone(),
                        scope: format!("branch:{branch}"),
                        bytes: doc.get_last_local_change().expect("change").raw_bytes().to_vec(),
                    }
                })
                .collect(),
        })
        .collect()
}

struct HubProcess {
    url: String,
    child: Child,
}

impl Drop for HubProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_hub(bin: &str, data: &std::path::Path, database: Option<&str>) -> HubProcess {
    let mut command = Command::new(bin);
    command.arg("--data").arg(data).env_remove("LEADGUARD_HUB_DATABASE");
    if let Some(url) = database {
        command.args(["--database", url]);
    }
    let mut child = command
        .args(["--log", "warn", "serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn leadguard-hub");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("hub url");
    HubProcess { url: line.trim().to_owned(), child }
}

/// CPU seconds (user + system) of process `pid`, with its waited-for children when
/// `children` (PostgreSQL's postmaster accumulates the backends that exited).
fn cpu_seconds(pid: u32, children: bool) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return 0.0 };
    // Fields after the command name (which may hold spaces): state is field 3.
    let fields: Vec<&str> = stat.rsplit_once(')').map_or("", |(_, rest)| rest).split_whitespace().collect();
    let tick = |i: usize| fields.get(i - 3).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    let ticks = tick(14) + tick(15) + if children { tick(16) + tick(17) } else { 0.0 };
    ticks / 100.0 // USER_HZ
}

fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds of the PostgreSQL server whose postmaster is `postmaster`: it and every
/// backend it started (a whole-server figure: the bench is its only client).
fn postgres_cpu(postmaster: u32) -> f64 {
    let mut total = cpu_seconds(postmaster, true);
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        if let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) {
            if parent_of(pid) == Some(postmaster) {
                total += cpu_seconds(pid, false);
            }
        }
    }
    total
}

/// The postmaster of the server at `url` (the parent of a backend serving us).
fn postmaster_of(url: &str) -> Option<u32> {
    let mut client = postgres::Client::connect(url, postgres::NoTls).ok()?;
    let backend: i32 = client.query_one("SELECT pg_backend_pid()", &[]).ok()?.get(0);
    parent_of(backend as u32)
}

/// CPU seconds of the bench's clients, the hubs and PostgreSQL at one instant.
struct CpuSample {
    clients: f64,
    hubs: f64,
    postgres: f64,
}

fn sample_cpu(hubs: &[HubProcess], postmaster: Option<u32>) -> CpuSample {
    CpuSample {
        clients: cpu_seconds(std::process::id(), false),
        hubs: hubs.iter().map(|h| cpu_seconds(h.child.id(), false)).sum(),
        postgres: postmaster.map_or(0.0, postgres_cpu),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Mean seconds and count of each labelled series of histogram `metric` (sum / count
/// from the hubs' `/metrics`), over every hub: per route, per push phase.
fn histogram_means(hubs: &[HubProcess], metric: &str) -> Vec<(String, f64, f64)> {
    let mut totals: std::collections::BTreeMap<String, (f64, f64)> = Default::default();
    for hub in hubs {
        let text = reqwest::blocking::get(format!("{}/metrics", hub.url)).and_then(|r| r.text()).unwrap_or_default();
        for line in text.lines() {
            for (suffix, slot) in [("_sum{", 0), ("_count{", 1)] {
                let prefix = format!("{metric}{suffix}");
                if let Some(rest) = line.strip_prefix(&prefix) {
                    let route = rest.split('"').nth(1).unwrap_or("?").to_owned();
                    let value: f64 = rest.rsplit(' ').next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
                    let e = totals.entry(route).or_default();
                    if slot == 0 { e.0 += value } else { e.1 += value }
                }
            }
        }
    }
    totals.into_iter().filter(|(_, (_, n))| *n > 0.0).map(|(r, (sum, n))| (r, sum / n, n)).collect()
}

/// The hubs' writers: groups committed, writes in them, seconds busy (`/metrics`).
fn writer_stats(hubs: &[HubProcess]) -> (f64, f64, f64) {
    let mut total = (0.0, 0.0, 0.0);
    for hub in hubs {
        let text = reqwest::blocking::get(format!("{}/metrics", hub.url)).and_then(|r| r.text()).unwrap_or_default();
        for line in text.lines() {
            let value = |name: &str| line.strip_prefix(name).and_then(|v| v.trim().parse::<f64>().ok());
            if let Some(v) = value("leadguard_hub_write_groups ") {
                total.0 += v;
            } else if let Some(v) = value("leadguard_hub_writes_grouped ") {
                total.1 += v;
            } else if let Some(v) = value("leadguard_hub_write_busy_seconds ") {
                total.2 += v;
            }
        }
    }
    total
}

/// The machine's count of connections dropped because a listen queue was full
/// (`TcpExt: ListenOverflows` in /proc/net/netstat; 0 where unreadable).
fn listen_overflows() -> u64 {
    let Ok(text) = std::fs::read_to_string("/proc/net/netstat") else { return 0 };
    let mut lines = text.lines().filter(|l| l.starts_with("TcpExt:"));
    let (Some(names), Some(values)) = (lines.next(), lines.next()) else { return 0 };
    names.split_whitespace().zip(values.split_whitespace()).find(|(n, _)| *n == "ListenOverflows").and_then(|(_, v)| v.parse().ok()).unwrap_or(0)
}

/// A fresh database on the PostgreSQL server `server`; returns its URL.
fn fresh_postgres(server: &str, name: &str) -> String {
    let mut client = postgres::Client::connect(server, postgres::NoTls).expect("connect to PostgreSQL");
    client.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).expect("drop an old bench database");
    client.batch_execute(&format!("CREATE DATABASE {name}")).expect("create the bench database");
    let (base, _) = server.rsplit_once('/').expect("a database in the URL");
    format!("{base}/{name}")
}

/// When each of a device's `rounds` syncs starts, in seconds after the clock starts:
/// all at once (0: the burst, each sync right after the previous one), or at uniformly
/// random times within `spread` seconds (sorted; a sync still running delays the next).
fn schedule(device: usize, rounds: usize, spread: f64) -> Vec<f64> {
    let mut state = (device as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x1234_5678;
    let mut next = || {
        // splitmix64: a fixed, seedable sequence without a dependency.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) as f64 / u64::MAX as f64
    };
    let mut at: Vec<f64> = (0..rounds).map(|_| if spread > 0.0 { next() * spread } else { 0.0 }).collect();
    at.sort_by(f64::total_cmp);
    at
}

/// What one timed run of the simulated laptops gave: sync latencies, failures, wall
/// time, bytes on the wire, and the CPU and writer figures sampled at the starting line.
struct Timed {
    all: Vec<Duration>,
    /// Each sync's latency by its round (the burst's first syncs start together), and
    /// its push's share (the push answered, first page decoded).
    by_round: Vec<Vec<Duration>>,
    pushes: Vec<Duration>,
    /// The completions' round trips as the laptops saw them (async clients only).
    completions: Vec<Duration>,
    failures: usize,
    wall: Duration,
    sent: u64,
    received: u64,
    before: (CpuSample, (f64, f64, f64)),
}

/// Latency counts from a sync's start: its scheduled time, or the end of the previous
/// sync when that ran late.
fn due(start: f64) -> Duration {
    Duration::from_secs_f64(start)
}

/// The laptops as blocking threads sharing one `HubClient` per hub (one connection
/// pool and I/O thread per hub; `--clients blocking`, the bench before async tasks).
fn drive_threads(hubs: &[HubProcess], sims: Vec<Device>, spread: f64, push_page: bool, sample: impl Fn() -> (CpuSample, (f64, f64, f64))) -> Timed {
    let clients: Vec<HubClient> = hubs.iter().map(|h| HubClient::new(&h.url).expect("client")).collect();
    let barrier = Arc::new(Barrier::new(sims.len() + 1));
    let threads: Vec<_> = sims
        .into_iter()
        .enumerate()
        .map(|(n, sim)| {
            let barrier = barrier.clone();
            let client = clients[n % clients.len()].clone();
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || {
                    let client = client.with_credential(&sim.credential);
                    let mut cursor = 0;
                    let mut latencies = Vec::with_capacity(sim.rounds.len());
                    let mut failures = 0usize;
                    let starts = schedule(n, sim.rounds.len(), spread);
                    barrier.wait();
                    let clock = Instant::now();
                    for (batch, start) in sim.rounds.iter().zip(starts) {
                        if let Some(wait) = due(start).checked_sub(clock.elapsed()) {
                            std::thread::sleep(wait);
                        }
                        let t = Instant::now();
                        let mut pushed = Duration::ZERO;
                        let ok = (|| -> Result<(), leadguard_protocol::client::ClientError> {
                            let mut first = if push_page {
                                client.push_with_page(batch, cursor)?.page
                            } else {
                                client.push(batch)?;
                                None
                            };
                            pushed = t.elapsed();
                            loop {
                                let page = match first.take() {
                                    Some(page) => page,
                                    None => client.pull(cursor, None)?,
                                };
                                cursor = page.next_cursor;
                                if !page.more {
                                    break;
                                }
                            }
                            client.complete(cursor)?;
                            Ok(())
                        })();
                        match ok {
                            Ok(()) => latencies.push((t.elapsed(), pushed)),
                            Err(_) => failures += 1,
                        }
                    }
                    (latencies, failures)
                })
                .expect("thread")
        })
        .collect();
    // Every client thread is built and waiting: the clock and the CPU count start now.
    let received_before: u64 = clients.iter().map(|c| c.traffic().received()).sum();
    let sent_before: u64 = clients.iter().map(|c| c.traffic().sent()).sum();
    let before = sample();
    let started = Instant::now();
    barrier.wait();
    let mut per_device = Vec::new();
    let mut failures = 0;
    for t in threads {
        let (l, f) = t.join().expect("device thread");
        per_device.push(l);
        failures += f;
    }
    let wall = started.elapsed();
    let (all, by_round, pushes) = gather(per_device);
    let received = clients.iter().map(|c| c.traffic().received()).sum::<u64>() - received_before;
    let sent = clients.iter().map(|c| c.traffic().sent()).sum::<u64>() - sent_before;
    Timed { all, by_round, pushes, completions: Vec::new(), failures, wall, sent, received, before }
}

/// Every sync's latency, the same by round, and the pushes' share, from each device's
/// (latency, push) list.
fn gather(per_device: Vec<Vec<(Duration, Duration)>>) -> (Vec<Duration>, Vec<Vec<Duration>>, Vec<Duration>) {
    let (mut all, mut by_round, mut pushes) = (Vec::new(), Vec::<Vec<Duration>>::new(), Vec::new());
    for syncs in per_device {
        for (round, (latency, pushed)) in syncs.into_iter().enumerate() {
            if by_round.len() <= round {
                by_round.resize_with(round + 1, Vec::new);
            }
            by_round[round].push(latency);
            all.push(latency);
            pushes.push(pushed);
        }
    }
    (all, by_round, pushes)
}

/// With `LEADGUARD_BENCH_TRACE=FILE` (async clients), one CSV line per sync appended to
/// FILE: device, round, start after the starting line, the push's share, the
/// completion's round trip and the latency, in ms: where a run's slow syncs sit.
fn trace_sync(device: usize, round: usize, start: Duration, pushed: Duration, completed: Duration, latency: Duration) {
    use std::io::Write;
    let Some(path) = std::env::var_os("LEADGUARD_BENCH_TRACE") else { return };
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let line = format!("{device},{round},{:.1},{:.1},{:.1},{:.1}\n", ms(start), ms(pushed), ms(completed), ms(latency));
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = f.write_all(line.as_bytes());
    }
}

/// The laptops as tasks on one tokio runtime (a worker per core), one async HTTP
/// client per hub: the same requests as `HubClient` (`bench_hub_parts/async_client.rs`).
fn drive_async(hubs: &[HubProcess], sims: Vec<Device>, spread: f64, push_page: bool, wire_laptops: bool, sample: impl Fn() -> (CpuSample, (f64, f64, f64))) -> Timed {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(std::thread::available_parallelism().map_or(1, |n| n.get()))
        .enable_all()
        .build()
        .expect("tokio runtime");
    let _guard = runtime.enter();
    let clients: Vec<async_client::AsyncHub> = hubs.iter().map(|h| async_client::AsyncHub::new(&h.url)).collect();
    let wire = Arc::new(async_client::Wire::default());
    let barrier = Arc::new(tokio::sync::Barrier::new(sims.len() + 1));
    let tasks: Vec<_> = sims
        .into_iter()
        .enumerate()
        .map(|(n, sim)| {
            let (barrier, wire) = (barrier.clone(), wire.clone());
            let client = clients[n % clients.len()].clone();
            let mut laptop = wire_laptops.then(|| wire_client::WireLaptop::new(&hubs[n % hubs.len()].url));
            runtime.spawn(async move {
                let mut cursor = 0;
                let mut latencies = Vec::with_capacity(sim.rounds.len());
                let mut completions = Vec::with_capacity(sim.rounds.len());
                let mut failures = 0usize;
                let starts = schedule(n, sim.rounds.len(), spread);
                barrier.wait().await;
                let clock = tokio::time::Instant::now();
                for (batch, start) in sim.rounds.iter().zip(starts) {
                    tokio::time::sleep_until(clock + due(start)).await;
                    let t = Instant::now();
                    let synced = match laptop.as_mut() {
                        Some(laptop) => laptop.sync(&sim.credential, batch, cursor, push_page, &wire).await,
                        None => client.sync(&sim.credential, batch, cursor, push_page, &wire).await,
                    };
                    match synced {
                        Ok((next, pushed, completed)) => {
                            cursor = next;
                            trace_sync(n, latencies.len(), t.duration_since(clock.into_std()), pushed, completed, t.elapsed());
                            completions.push(completed);
                            latencies.push((t.elapsed(), pushed));
                        }
                        Err(_) => failures += 1,
                    }
                }
                (latencies, completions, failures)
            })
        })
        .collect();
    // The workers run the spawned tasks to the starting line meanwhile (a few µs each).
    std::thread::sleep(Duration::from_millis(200));
    let (sent_before, received_before) = (wire.sent.load(std::sync::atomic::Ordering::Relaxed), wire.received.load(std::sync::atomic::Ordering::Relaxed));
    let before = sample();
    let started = Instant::now();
    let (per_device, completions, failures) = runtime.block_on(async {
        barrier.wait().await;
        let mut per_device = Vec::new();
        let mut completions = Vec::new();
        let mut failures = 0;
        for t in tasks {
            let (l, c, f) = t.await.expect("device task");
            per_device.push(l);
            completions.extend(c);
            failures += f;
        }
        (per_device, completions, failures)
    });
    let wall = started.elapsed();
    let (all, by_round, pushes) = gather(per_device);
    let sent = wire.sent.load(std::sync::atomic::Ordering::Relaxed) - sent_before;
    let received = wire.received.load(std::sync::atomic::Ordering::Relaxed) - received_before;
    Timed { all, by_round, pushes, completions, failures, wall, sent, received, before }
}

fn run(args: &Args, backend: &str, devices: usize, hub_count: usize, spread: f64, push_page: bool, client: Client) {
    let dir = tempfile::tempdir().expect("tempdir");
    let database = match (backend, &args.postgres) {
        ("postgres", Some(server)) => Some(fresh_postgres(server, &format!("bench_{devices}_{hub_count}_{}_{}", spread as u64, u8::from(push_page)))),
        _ => None,
    };
    // Enrol every simulated device in-process before the hubs start (enrolment is not
    // what is measured), then generate its changes.
    let store = Store::connect(&Database::choose(database.as_deref(), dir.path()).expect("database")).expect("hub store");
    let mut sims = Vec::with_capacity(devices);
    for n in 0..devices {
        let branch = format!("b{}", n % args.branches);
        let rep = format!("rep{n}");
        let e = store.create_enrolment(&rep, &rep, &branch, Role::Rep, 3_600_000).expect("enrolment");
        let (_, credential) = store.enroll(&e.token).expect("enroll");
        sims.push(Device { credential, rounds: device_changes(n, &branch, &rep, args.rounds, args.leads_per_round) });
    }
    drop(store);
    let hubs: Vec<HubProcess> = (0..hub_count).map(|_| start_hub(&args.hub_bin, dir.path(), database.as_deref())).collect();
    let postmaster = database.as_deref().and_then(postmaster_of);
    let sample = || (sample_cpu(&hubs, postmaster), writer_stats(&hubs));
    let overflows_before = listen_overflows();
    let timed = match client {
        Client::Wire => drive_async(&hubs, sims, spread, push_page, true, sample),
        Client::Async => drive_async(&hubs, sims, spread, push_page, false, sample),
        Client::Blocking => drive_threads(&hubs, sims, spread, push_page, sample),
    };
    let overflows = listen_overflows().saturating_sub(overflows_before);
    let Timed { mut all, mut by_round, mut pushes, mut completions, failures, wall, sent, received, before: (before, writes_before) } = timed;
    let cpu_after = sample_cpu(&hubs, postmaster);
    all.sort();
    pushes.sort();
    completions.sort();
    by_round.iter_mut().for_each(|r| r.sort());
    println!(
        "{:>8} {:>18} {:>7} {:>7} {:>4} {:>7} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>9.0}",
        if spread > 0.0 { format!("{spread:.0} s") } else { "burst".into() },
        format!("{}/{}", flow_name(push_page), client_name(client)),
        backend,
        devices,
        hub_count,
        all.len(),
        failures,
        wall.as_secs_f64(),
        percentile(&all, 0.50).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.len() as f64 / wall.as_secs_f64()
    );
    let ms = |sorted: &[Duration], p: f64| percentile(sorted, p).as_secs_f64() * 1e3;
    let rounds = by_round.iter().enumerate().map(|(i, r)| format!("{} {:.0}/{:.0}", i + 1, ms(r, 0.5), ms(r, 0.99))).collect::<Vec<_>>().join(", ");
    // The completion is a small write (the hub's own time for it is in the means below);
    // the rest of its round trip is waiting for the laptops' and the hub's async workers.
    let completing = if completions.is_empty() {
        String::new()
    } else {
        format!("; the completion's round trip p50/p99 {:.0}/{:.0} ms", ms(&completions, 0.5), ms(&completions, 0.99))
    };
    println!(
        "                 p50/p99 ms by round: {rounds}; the push's share p50/p99 {:.0}/{:.0} ms{completing}",
        ms(&pushes, 0.5),
        ms(&pushes, 0.99)
    );
    let means = histogram_means(&hubs, "leadguard_hub_http_request_duration_seconds");
    let where_ = means.iter().map(|(r, mean, n)| format!("{r} {:.1} ms ×{n:.0}", mean * 1e3)).collect::<Vec<_>>().join(", ");
    // A push's own split: its turn at the gate, waiting for and inside its write group, then its first page.
    let phases = histogram_means(&hubs, "leadguard_hub_push_phase_duration_seconds");
    // "turn", "store" then "page", the order they happen in.
    let split = phases.iter().rev().map(|(p, mean, _)| format!("{p} {:.1} ms", mean * 1e3)).collect::<Vec<_>>().join(", ");
    let split = if split.is_empty() { String::new() } else { format!("; a push: {split}") };
    println!("                 on the hub (mean per request): {where_}{split}");
    let writes = writer_stats(&hubs);
    let (groups, grouped, busy) = (writes.0 - writes_before.0, writes.1 - writes_before.1, writes.2 - writes_before.2);
    println!(
        "                 writer: {groups:.0} groups of {:.1} writes, busy {busy:.1} s (all hubs) in {:.1} s ({:.2} ms per write)",
        grouped / groups.max(1.0),
        wall.as_secs_f64(),
        busy * 1e3 / grouped.max(1.0)
    );
    let (clients, hub_cpu, pg_cpu) = (cpu_after.clients - before.clients, cpu_after.hubs - before.hubs, cpu_after.postgres - before.postgres);
    let per_sync = |s: f64| s * 1e3 / all.len().max(1) as f64;
    println!(
        "                 CPU while timed: clients {clients:.1} s, hubs {hub_cpu:.1} s, PostgreSQL {pg_cpu:.1} s of {:.1} core-s ({:.2} / {:.2} / {:.2} ms per sync)",
        wall.as_secs_f64() * std::thread::available_parallelism().map_or(1, |n| n.get()) as f64,
        per_sync(clients),
        per_sync(hub_cpu),
        per_sync(pg_cpu)
    );
    // A handshake dropped from a full accept queue waits for TCP's retransmission.
    let dropped = if overflows > 0 { format!("; handshakes dropped by a full listen queue: {overflows}") } else { String::new() };
    println!(
        "                 on the wire per sync: sent {:.1} KB, received {:.1} KB{dropped}",
        sent as f64 / 1e3 / all.len().max(1) as f64,
        received as f64 / 1e3 / all.len().max(1) as f64
    );
}

/// Milliseconds one core takes for a fixed piece of work (SHA-256 of 64 MiB, best of
/// three): the same binaries ran 2–3× slower on some days' machines than on others,
/// so figures from different runs compare only with this beside them.
fn reference_work_ms() -> f64 {
    use sha2::Digest;
    let block = vec![0x5au8; 64 << 10];
    (0..3)
        .map(|_| {
            let t = Instant::now();
            let mut h = sha2::Sha256::new();
            for _ in 0..1024 {
                h.update(&block);
            }
            std::hint::black_box(h.finalize());
            t.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let args = parse_args();
    println!(
        "leadguard-hub load: {} branches, {} syncs per device, {} new leads per sync; {} cores; this machine's reference work (SHA-256 of 64 MiB on one core) {:.0} ms",
        args.branches,
        args.rounds,
        args.leads_per_round,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        reference_work_ms()
    );
    println!(
        "{:>8} {:>18} {:>7} {:>7} {:>4} {:>7} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "arrival", "flow/client", "backend", "devices", "hubs", "syncs", "failed", "wall s", "p50 ms", "p99 ms", "syncs/s"
    );
    println!("burst: every device's first sync starts in the same instant, each next sync right after the previous one");
    // Each configuration on every backend in turn: the backends side by side.
    for &devices in &args.devices {
        for &hubs in &args.hubs {
            for backend in &args.backends {
                for &push_page in &args.flows {
                    for &client in &args.clients {
                        run(&args, backend, devices, hubs, 0.0, push_page, client);
                    }
                }
            }
        }
    }
    // The realistic arrival: each device's syncs at random times within the window
    // (a 5-minute sync interval compressed), one hub.
    if !args.spread_devices.is_empty() {
        println!(
            "spread: each device's {} syncs at random times within {:.0} s (offered load {} syncs/s at 500 devices)",
            args.rounds,
            args.spread_secs,
            (500 * args.rounds) as f64 / args.spread_secs
        );
    }
    for &devices in &args.spread_devices {
        for backend in &args.backends {
            for &push_page in &args.flows {
                for &client in &args.clients {
                    run(&args, backend, devices, 1, args.spread_secs, push_page, client);
                }
            }
        }
    }
}
