//! Registry benchmark harness (prints figures; never pass/fail). Run through
//! `scripts/bench-core.sh`, which builds it in release mode.
//!
//! For each shard size: register N leads (batches of 1,000 per SQLite transaction, one
//! Automerge change per lead), then report database size, time to open the registry,
//! to list/search a page, to load one lead's document, to build the duplicate index,
//! and the cost of single-lead commands (one fsync'd transaction each).
//!
//! Usage: bench_core [--leads N] [--shards 500,2000,10000] [--open-1m]

use std::path::Path;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use leadguard_core::registry::Filter;
use leadguard_core::model::{LeadFields, Rep, Role};
use leadguard_core::registry::{InitOptions, Registry};

fn lead(i: usize) -> LeadFields {
    const CITIES: &[&str] = &["深圳", "广州", "北京", "上海", "成都", "杭州", "武汉", "西安", "南京", "重庆"];
    const WORDS: &[&str] = &["华", "恒", "鼎", "宏", "金", "瑞", "新", "海", "博", "正", "达", "信", "安", "泰", "盛", "通"];
    const INDUSTRIES: &[&str] = &["电子科技", "精密机械", "新材料", "物流", "食品", "建材", "医疗器械", "家具"];
    const SURNAMES: &[&str] = &["李", "王", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"];
    let w = |k: usize| WORDS[(i / k) % WORDS.len()];
    LeadFields {
        company: Some(format!(
            "{}市{}{}{}{}有限公司",
            CITIES[i % CITIES.len()],
            w(1),
            w(7),
            w(131),
            INDUSTRIES[(i / 3) % INDUSTRIES.len()]
        ) + &format!("{}", i / 50_000)),
        contact: Some(format!("{}{}{}", SURNAMES[i % 10], w(3), w(11))),
        phone: Some(format!("13{:09}", (i as u64 * 7_919) % 1_000_000_000)),
        email: Some(format!("c{i}@example.cn")),
        region: Some(CITIES[i % CITIES.len()].into()),
        industry: Some(INDUSTRIES[(i / 3) % INDUSTRIES.len()].into()),
        need: Some("年度采购".into()),
        ..LeadFields::default()
    }
}

fn size_mb(dir: &Path) -> f64 {
    std::fs::read_dir(dir)
        .map(|rd| rd.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum::<u64>())
        .unwrap_or(0) as f64
        / 1e6
}

fn rep() -> Rep {
    Rep { id: "lina".into(), name: "李娜".into(), branch: "sz".into(), region: None, role: Role::Rep, active: true }
}

fn build(dir: &Path, n: usize, shard: u32) -> f64 {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let mut reg = Registry::init(dir, InitOptions { rep: rep(), shard_size: shard }, t0).unwrap();
    let start = Instant::now();
    let mut i = 0;
    while i < n {
        let batch: Vec<LeadFields> = (i..(i + 1000).min(n)).map(lead).collect();
        reg.add_leads(batch, t0 + Duration::seconds(i as i64)).unwrap();
        i += 1000;
        if i % 100_000 == 0 {
            eprintln!("  … {i} leads, {:.1} s", start.elapsed().as_secs_f64());
        }
    }
    start.elapsed().as_secs_f64()
}

fn measure(dir: &Path, n: usize) {
    let start = Instant::now();
    let mut reg = Registry::open(dir).unwrap();
    let open_ms = start.elapsed().as_secs_f64() * 1e3;
    let at = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
    let t = Instant::now();
    let page = reg.list(&Filter::Mine("lina".into()), None, at, 50, 0).unwrap();
    let list_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let found = reg.list(&Filter::All, Some("恒鼎"), at, 50, 0).unwrap();
    let search_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    reg.short_search("恒鼎", at, 50, 0).unwrap();
    let short_build_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let short = reg.short_search("恒鼎", at, 50, 0).unwrap();
    let short_ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(short.total, found.total, "the in-memory search finds what the scan finds");
    let t = Instant::now();
    let found3 = reg.list(&Filter::All, Some("恒鼎宏"), at, 50, 0).unwrap();
    let search3_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let short3 = reg.short_search("恒鼎宏", at, 50, 0).unwrap();
    let short3_ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(short3.total, found3.total, "the in-memory search finds what the trigram index finds");
    // A broad phrase (every lead): the SQL path counts and orders 10,000+ matches.
    let t = Instant::now();
    let broad = reg.list(&Filter::All, Some("有限公司"), at, 50, 0).unwrap();
    let broad_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let broad_mem = reg.short_search("有限公司", at, 50, 0).unwrap();
    let broad_mem_ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(broad_mem.total, broad.total);
    let id = page.rows[0].lead_id.clone();
    let t = Instant::now();
    let (events, _) = reg.status(&id, at).unwrap();
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let indexed = reg.warm_dedup().unwrap();
    let dedup_build_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let dups = reg.duplicates(&lead(n / 2), 5, None).unwrap();
    let dedup_us = t.elapsed().as_secs_f64() * 1e6;
    println!("  open registry ({n} leads):        {open_ms:8.1} ms");
    println!("  list 'mine' page (of {}):     {list_ms:8.1} ms", page.total);
    println!("  search 2 chars, scan ({} hits):  {search_ms:8.1} ms", found.total);
    println!("  search 2 chars, in memory:        {short_ms:8.1} ms (the first builds the copy: {short_build_ms:.1} ms)");
    println!("  search 3 chars, FTS5 ({} hits):  {search3_ms:8.1} ms", found3.total);
    println!("  search 3 chars, in memory:        {short3_ms:8.1} ms");
    let plus = if broad.total_capped { "+" } else { "" };
    println!("  search 4 chars, FTS5 ({}{plus} hits): {broad_ms:8.1} ms", broad.total);
    println!("  search 4 chars, in memory:        {broad_mem_ms:8.1} ms");
    println!("  first lead_get (loads its shard): {load_ms:8.1} ms ({} events)", events.len());
    println!("  build dedup index ({indexed}):     {dedup_build_s:8.2} s");
    println!("  dedup check after build:          {dedup_us:8.0} µs ({} matches)", dups.len());
    let t0 = Utc.with_ymd_and_hms(2026, 3, 3, 0, 0, 0).unwrap();
    let t = Instant::now();
    for i in 0..100 {
        reg.add_lead(lead(n + 10 + i), t0).unwrap();
    }
    println!("  single lead add (own transaction): {:7.2} ms each", t.elapsed().as_secs_f64() * 10.0);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned();
    let n: usize = arg("--leads").map(|v| v.parse().expect("--leads N")).unwrap_or(100_000);
    let shards: Vec<u32> = arg("--shards")
        .unwrap_or_else(|| "500,2000,10000".into())
        .split(',')
        .map(|s| s.parse().expect("--shards a,b,c"))
        .collect();
    let base = std::env::var_os("BENCH_DIR").map(std::path::PathBuf::from).unwrap_or_else(std::env::temp_dir);
    for shard in shards {
        let dir = tempfile::Builder::new().prefix("lg-bench-").tempdir_in(&base).unwrap();
        println!("shard size {shard}:");
        let secs = build(dir.path(), n, shard);
        println!("  register {n} leads:              {secs:8.1} s ({:.0} leads/s)", n as f64 / secs);
        println!("  database size:                    {:8.1} MB ({:.0} B/lead)", size_mb(dir.path()), size_mb(dir.path()) * 1e6 / n as f64);
        measure(dir.path(), n);
    }
    if args.iter().any(|a| a == "--open-1m") {
        let shard = arg("--shard-1m").map(|v| v.parse().unwrap()).unwrap_or(2000);
        let dir = tempfile::Builder::new().prefix("lg-bench-1m-").tempdir_in(&base).unwrap();
        println!("1M leads, shard size {shard}:");
        let secs = build(dir.path(), 1_000_000, shard);
        println!("  register 1000000 leads:          {secs:8.1} s");
        println!("  database size:                    {:8.1} MB", size_mb(dir.path()));
        measure(dir.path(), 1_000_000);
    }
}
