//! Import benchmark harness (prints figures; never pass/fail). Run through
//! `scripts/bench-import.sh` (`make bench-import`), which builds it in release mode
//! and times the Python peer (pandas + openpyxl) reading the same workbook.
//!
//! A registry holding N leads a colleague (王伟) works is built once and kept under
//! `--dir` (seeding is not part of the import). A generated N-row `.xlsx` team list
//! is then imported into a fresh copy of it by 李娜 through the core's `import_file`:
//! 10% of the rows are the colleague's customers (others' customers in the report),
//! 2% repeat a later row's customer with a second contact (merged in the file), 0.5% have no company
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

/// A well-mixed 64-bit hash (splitmix64): neighbouring indices get unrelated names.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Customer `i`: a city, a three-character brand, an industry; a contact; a phone no
/// other customer has. Names share characters as real ones do, but rarely all of them.
fn lead(i: usize) -> LeadFields {
    const CITIES: &[&str] = &["深圳", "广州", "北京", "上海", "成都", "杭州", "武汉", "西安", "南京", "重庆", "苏州", "天津", "长沙", "郑州", "东莞", "青岛", "沈阳", "宁波", "昆明", "佛山"];
    const BRAND: &str = "华恒鼎宏金瑞新海博正达信安泰盛通兴隆昌荣德福康源利丰宝嘉美佳和顺发中天成汇聚创凯越腾飞龙凤祥云星辰光明亮晨阳春秋冬雪松柏竹梅兰菊林森江河湖山峰岩石玉晶钰锦绣文华威远航宇宙立远景致格思睿智慧明哲达远卓越精诚铭洋浩瀚";
    const INDUSTRIES: &[&str] = &["电子科技", "精密机械", "新材料", "物流", "食品", "建材", "医疗器械", "家具", "化工", "纺织", "传媒", "软件"];
    const SURNAMES: &str = "李王张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹";
    const GIVEN: &str = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞宇浩然思雨欣怡子轩梓涵";
    let brand: Vec<char> = BRAND.chars().collect();
    let (surnames, given): (Vec<char>, Vec<char>) = (SURNAMES.chars().collect(), GIVEN.chars().collect());
    let h = mix(i as u64);
    let pick = |chars: &[char], shift: u32| chars[((h >> shift) as usize) % chars.len()];
    let city = CITIES[(h % CITIES.len() as u64) as usize];
    let industry = INDUSTRIES[((h >> 40) % INDUSTRIES.len() as u64) as usize];
    LeadFields {
        company: Some(format!("{city}{}{}{}{industry}有限公司", pick(&brand, 8), pick(&brand, 16), pick(&brand, 24))),
        contact: Some(format!("{}{}{}", pick(&surnames, 32), pick(&given, 44), pick(&given, 52))),
        // 7919 is prime to 10^8: every i below 10^8 gets its own number.
        phone: Some(format!("1{}{:09}", 3 + i % 7, (i as u64 * 7_919 + 12_345) % 1_000_000_000)),
        email: (i % 2 == 0).then(|| format!("c{i}@example.cn")),
        region: Some(city.into()),
        industry: Some(industry.into()),
        need: Some("年度采购".into()),
        ..LeadFields::default()
    }
}

fn rep(id: &str, name: &str, role: Role) -> Rep {
    Rep { id: id.into(), name: name.into(), branch: "sz".into(), region: None, role, active: true }
}

/// The registry with `n` leads of 王伟, built once (seeding is slow and not measured).
fn seeded(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join(format!("registry-v2-{n}"));
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
        // A customer the colleague works (in the registry).
        lead(k * 7)
    } else if k < theirs + repeats {
        // A later row's customer again, with a second contact.
        let mut f = lead(1_000_000 + rows - 1 - (k - theirs) * 3);
        f.contact = Some(format!("{}经理", f.contact.unwrap_or_default().chars().next().unwrap_or('王')));
        f
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
    // The dry run: reading, merging and matching against the registry, no writes.
    let t = Instant::now();
    let dry = api::import::import_file_with_progress(&mut ctx, ImportArgs { dry_run: true, ..args.clone() }, &mut |_| {}).unwrap();
    let dry_s = secs(t);
    println!("dry run (read + in-file dedup + matching {} customers against the registry, no writes): {dry_s:.2} s", dry.customers);
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
        println!("  (first batch committed after {f:.2} s)");
    }
    println!("import_report: {report_s:.2} s ({:.1} MB)", report_bytes.len() as f64 / 1e6);
    println!("  of which writing {} customers in batches of {}: ≈ {:.2} s ({:.0}/s)", summary.registered.len(), api::import::IMPORT_BATCH, import_s - dry_s, summary.registered.len() as f64 / (import_s - dry_s).max(0.001));
    println!("END TO END (import_file + import_report): {:.2} s   goal ≤ 30 s", import_s + report_s);
}
