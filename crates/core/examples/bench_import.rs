//! Import benchmark harness (prints figures; never pass/fail). Run through
//! `scripts/bench-import.sh` (`make bench-import`), which builds it in release mode
//! and times the Python peer (pandas + openpyxl) reading the same workbook.
//!
//! A registry holding N leads a colleague (王伟) works is built once and kept under
//! `--dir` (seeding is not part of the import). A generated N-row `.xlsx` team list
//! is then imported into a fresh copy of it by 李娜 through the core's `import_file`:
//! 10% of the rows are the colleague's customers (others' customers in the report),
//! 2% repeat an earlier row of the file (merged in the file), 0.5% have no company
//! (broken), the rest are new. The report workbook (`import_report`) is written too.
//!
//! Usage: bench_import [--rows N] [--leads N] [--dir DIR]

use std::path::{Path, PathBuf};
use std::time::Instant;

use base64::Engine;
use chrono::{Duration, TimeZone, Utc};
use leadguard_core::api::{self, import::ImportArgs, Context};
use leadguard_core::model::{LeadFields, Rep, Role};
use leadguard_core::registry::{InitOptions, Registry};
use leadguard_import::{Cell, Table};

fn lead(i: usize) -> LeadFields {
    const CITIES: &[&str] = &["深圳", "广州", "北京", "上海", "成都", "杭州", "武汉", "西安", "南京", "重庆"];
    const WORDS: &[&str] = &["华", "恒", "鼎", "宏", "金", "瑞", "新", "海", "博", "正", "达", "信", "安", "泰", "盛", "通"];
    const INDUSTRIES: &[&str] = &["电子科技", "精密机械", "新材料", "物流", "食品", "建材", "医疗器械", "家具"];
    const SURNAMES: &[&str] = &["李", "王", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"];
    let w = |k: usize| WORDS[(i / k) % WORDS.len()];
    LeadFields {
        company: Some(format!("{}市{}{}{}{}有限公司{}", CITIES[i % CITIES.len()], w(1), w(7), w(131), INDUSTRIES[(i / 3) % INDUSTRIES.len()], i / 50_000)),
        contact: Some(format!("{}{}{}", SURNAMES[i % 10], w(3), w(11))),
        phone: Some(format!("13{:09}", (i as u64 * 7_919) % 1_000_000_000)),
        email: Some(format!("c{i}@example.cn")),
        region: Some(CITIES[i % CITIES.len()].into()),
        industry: Some(INDUSTRIES[(i / 3) % INDUSTRIES.len()].into()),
        need: Some("年度采购".into()),
        ..LeadFields::default()
    }
}

fn rep(id: &str, name: &str, role: Role) -> Rep {
    Rep { id: id.into(), name: name.into(), branch: "sz".into(), region: None, role, active: true }
}

/// The registry with `n` leads of 王伟, built once (seeding is slow and not measured).
fn seeded(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join(format!("registry-{n}"));
    if path.join("registry.sqlite").exists() {
        return path;
    }
    let t0 = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let _ = std::fs::remove_dir_all(&path);
    let mut reg = Registry::init(&path, InitOptions { rep: rep("zhang", "张伟", Role::Manager), shard_size: 500 }, t0).unwrap();
    reg.put_rep(rep("lina", "李娜", Role::Rep), t0).unwrap();
    reg.put_rep(rep("wangwei", "王伟", Role::Rep), t0).unwrap();
    reg.set_session_rep("wangwei").unwrap();
    let start = Instant::now();
    for i in (0..n).step_by(1000) {
        reg.add_leads((i..(i + 1000).min(n)).map(lead).collect(), t0 + Duration::seconds(i as i64)).unwrap();
    }
    eprintln!("  seeded {n} leads in {:.1} s (kept in {})", start.elapsed().as_secs_f64(), path.display());
    reg.set_session_rep("lina").unwrap();
    path
}

const HEADERS: &[&str] = &["序号", "客户名称", "联系人", "手机号码", "邮箱", "所在城市", "所属行业", "客户需求"];

/// Row `k` of the team list (see the module comment for the mix).
fn row(k: usize, rows: usize) -> Vec<Cell> {
    let (theirs, repeats, broken) = (rows / 10, rows / 50, rows / 200);
    let f = if k < theirs {
        lead(k * 7)
    } else if k < theirs + repeats {
        lead(1_000_000 + (k - theirs) * 3)
    } else {
        lead(1_000_000 + k)
    };
    let text = |v: &Option<String>| Cell::from(v.clone());
    let company = if k >= rows - broken { Cell::Empty } else { text(&f.company) };
    let phone = f.phone.as_deref().and_then(|p| p.parse::<f64>().ok()).map_or(Cell::Empty, Cell::Number);
    vec![(k as u32 + 1).into(), company, text(&f.contact), phone, text(&f.email), text(&f.region), text(&f.industry), text(&f.need)]
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn main() {
    let mut rows = 100_000usize;
    let mut leads = 100_000usize;
    let mut dir = PathBuf::from("bench-out/import");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--rows" => rows = args.next().and_then(|v| v.parse().ok()).expect("--rows N"),
            "--leads" => leads = args.next().and_then(|v| v.parse().ok()).expect("--leads N"),
            "--dir" => dir = PathBuf::from(args.next().expect("--dir DIR")),
            other => panic!("unknown argument {other}"),
        }
    }
    std::fs::create_dir_all(&dir).unwrap();
    let base = seeded(&dir, leads);

    let xlsx = dir.join(format!("team-list-{rows}.xlsx"));
    let t = Instant::now();
    let mut sheet = Table::new("客户名单", HEADERS);
    sheet.rows = (0..rows).map(|k| row(k, rows)).collect();
    let mut help = Table::new("填写说明", &["说明"]);
    help.push(vec!["每行一个客户；电话填手机号。".into()]);
    std::fs::write(&xlsx, leadguard_import::to_xlsx(&[help, sheet]).unwrap()).unwrap();
    let bytes = std::fs::read(&xlsx).unwrap();
    println!("workbook: {rows} rows, {:.1} MB, written in {:.2} s ({})", bytes.len() as f64 / 1e6, secs(t), xlsx.display());

    let t = Instant::now();
    let table = leadguard_import::read_bytes("team.xlsx", &bytes, None).unwrap();
    let read_s = secs(t);
    let t = Instant::now();
    let customers = table.customers(0.85);
    let merge_s = secs(t);
    println!("read (calamine, header, checks): {read_s:.2} s   in-file dedup: {merge_s:.2} s ({} rows → {} customers)", table.rows.len(), customers.len());

    // A fresh copy of the seeded registry for each run.
    let work = dir.join("registry-run");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    for e in std::fs::read_dir(&base).unwrap().flatten() {
        std::fs::copy(e.path(), work.join(e.file_name())).unwrap();
    }
    let mut ctx = Context::open(&work).unwrap();
    let t = Instant::now();
    ctx.registry().unwrap();
    let open_s = secs(t);
    let args = ImportArgs {
        file_name: "team-list.xlsx".into(),
        content_base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
        sheet: None,
        owner: None,
        dry_run: false,
        include_matches: false,
        columns: Vec::new(),
    };
    let t = Instant::now();
    let mut first_batch = None;
    let summary = api::import::import_file_with_progress(&mut ctx, args, &mut |p| {
        if p.done > 0 && first_batch.is_none() {
            first_batch = Some(secs(t));
        }
    })
    .unwrap();
    let import_s = secs(t);
    let t = Instant::now();
    let report = api::dispatch(&mut ctx, "import_report", serde_json::to_value(&summary).unwrap()).unwrap();
    let report_s = secs(t);
    let report_bytes = base64::engine::general_purpose::STANDARD.decode(report["content_base64"].as_str().unwrap()).unwrap();
    std::fs::write(dir.join("report.xlsx"), &report_bytes).unwrap();
    println!("registry: {leads} leads (open {open_s:.2} s)");
    println!(
        "import_file: {import_s:.2} s — registered {}, already known {}, others' customers {}, merged groups {}, broken {}",
        summary.registered.len(),
        summary.already_known.len(),
        summary.matches.len(),
        summary.merged_in_file.len(),
        summary.broken.len()
    );
    if let Some(f) = first_batch {
        println!("  (first batch of 500 committed after {f:.2} s)");
    }
    println!("import_report: {report_s:.2} s ({:.1} MB)", report_bytes.len() as f64 / 1e6);
    println!("END TO END (import_file + import_report): {:.2} s   goal ≤ 30 s", import_s + report_s);
}
