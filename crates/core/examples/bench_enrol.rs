//! What the keyed digests cost an enrolled laptop (prints figures; never pass/fail):
//! `make bench-enrol` (LEADS, default 20000).
//!
//! A registry of N leads written before enrolment (plain contacts) is enrolled: the
//! company keys appear beside it and every lead is re-derived with the keyed digests
//! of its phone, e-mail and contact (docs/VISIBILITY.md, stage 4). Then: a typing
//! check of a new value (its digests computed) and of the same value again (cached),
//! a re-derivation in the same process (digests reused), and one sealed registration.
//! Peer: the same re-derivation without the company keys.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use leadguard_core::model::{LeadFields, Rep, Role};
use leadguard_core::registry::{InitOptions, Registry};
use leadguard_seal::{CompanyKeys, DigestKey, DigestParams, StaffKey};

fn lead(i: usize) -> LeadFields {
    const CITIES: &[&str] = &["深圳", "广州", "北京", "上海", "成都", "杭州", "武汉", "西安", "南京", "重庆"];
    const WORDS: &[&str] = &["华", "恒", "鼎", "宏", "金", "瑞", "新", "海", "博", "正", "达", "信", "安", "泰", "盛", "通"];
    const SURNAMES: &[&str] = &["李", "王", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴"];
    let w = |k: usize| WORDS[(i / k) % WORDS.len()];
    LeadFields {
        company: Some(format!("{}市{}{}{}科技有限公司{}", CITIES[i % CITIES.len()], w(1), w(7), w(131), i / 4096)),
        contact: Some(format!("{}{}{}", SURNAMES[i % 10], w(3), w(11))),
        phone: Some(format!("13{:09}", (i as u64 * 7_919) % 1_000_000_000)),
        email: Some(format!("c{i}@example.cn")),
        region: Some(CITIES[i % CITIES.len()].into()),
        need: Some("年度采购".into()),
        ..LeadFields::default()
    }
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn main() {
    let n: usize = std::env::var("LEADS").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let base = std::env::var("BENCH_DIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    let dir = tempfile::Builder::new().prefix("lg-bench-enrol").tempdir_in(base).unwrap();
    let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let rep = Rep { id: "lina".into(), name: "李娜".into(), branch: "sz".into(), region: None, role: Role::Rep, active: true };
    let mut reg = Registry::init(dir.path(), InitOptions { rep, shard_size: 2000 }, t0).unwrap();
    let mut i = 0;
    while i < n {
        reg.add_leads((i..(i + 1000).min(n)).map(lead).collect(), t0 + Duration::seconds(i as i64)).unwrap();
        i += 1000;
    }
    println!("{n} plain leads (phone, e-mail, contact each), cores: {}", std::thread::available_parallelism().map_or(1, |p| p.get()));
    let t = Instant::now();
    reg.rebuild_derived().unwrap();
    println!("peer: re-derive without company keys              {:>9.1} s", secs(t));

    let keys = CompanyKeys { digest: DigestKey::generate().unwrap(), digest_params: DigestParams::DEFAULT, staff: Some(StaffKey::generate().unwrap()) };
    // Peer: the same enrolment digesting on one core (a copy of the registry).
    drop(reg);
    let one_core = tempfile::Builder::new().prefix("lg-bench-enrol-1").tempdir_in(dir.path().parent().unwrap()).unwrap();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), one_core.path().join(entry.file_name())).unwrap();
        }
    }
    keys.write(&one_core.path().join("company.keys")).unwrap();
    let mut single = Registry::open(one_core.path()).unwrap();
    std::env::set_var("LEADGUARD_DIGEST_THREADS", "1");
    let t = Instant::now();
    single.company_keys_installed().unwrap();
    let enrol_one = secs(t);
    std::env::remove_var("LEADGUARD_DIGEST_THREADS");
    drop(single);
    println!("peer: enrolment digesting on one core             {enrol_one:>9.1} s  ({:.2} ms per lead)", enrol_one * 1e3 / n as f64);
    let mut reg = Registry::open(dir.path()).unwrap();
    keys.write(&dir.path().join("company.keys")).unwrap();
    let t = Instant::now();
    reg.company_keys_installed().unwrap();
    let enrol = secs(t);
    println!("enrolment: re-derive with keyed digests, all cores {enrol:>8.1} s  ({:.2} ms per lead)", enrol * 1e3 / n as f64);
    // The first check builds the in-memory duplicate index: not what is measured.
    let warm = LeadFields { company: Some("预热公司".into()), phone: Some("13000000001".into()), ..LeadFields::default() };
    reg.possible_duplicates(&warm, 5, None).unwrap();
    let typed = LeadFields { company: Some("某某新公司".into()), contact: Some("欧阳娜娜".into()), phone: Some("13611112222".into()), email: Some("x@y.cn".into()), ..LeadFields::default() };
    let t = Instant::now();
    reg.possible_duplicates(&typed, 5, None).unwrap();
    println!("typing check, new values (3 digests)              {:>9.1} ms", secs(t) * 1e3);
    let t = Instant::now();
    reg.possible_duplicates(&typed, 5, None).unwrap();
    println!("typing check, same values again (cached)          {:>9.1} ms", secs(t) * 1e3);
    let t = Instant::now();
    reg.rebuild_derived().unwrap();
    println!("re-derive again in the same process (memo warm)   {:>9.1} s", secs(t));
    let t = Instant::now();
    reg.add_leads(vec![lead(n + 1)], t0 + Duration::days(1)).unwrap();
    println!("one sealed registration                           {:>9.1} ms", secs(t) * 1e3);
}
