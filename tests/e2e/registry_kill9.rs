//! Kill -9 during a burst of `lead add`: every lead whose command reported success is
//! present afterwards, and `PRAGMA integrity_check` is ok.
//!
//! Processes are killed at varied delays so kills land during startup, the write
//! transaction, the fsync and the output. At least 200 kills happen.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use leadguard_tests::{bin, json, leadguard};

#[test]
fn registry_survives_kill_minus_9_during_lead_add_burst() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let out = leadguard(data, &["init", "--rep", "lina", "--name", "李娜", "--branch", "sz"]);
    assert!(out.status.success());

    // Calibrate: how long does one `lead add` take here?
    let t = Instant::now();
    let out = leadguard(data, &["lead", "add", "--company", "校准公司", "--contact", "某人", "--need", "x"]);
    assert!(out.status.success());
    // A run's duration is re-measured as the registry grows (later adds re-derive more
    // state), so kills keep landing inside real runs instead of all before the first write.
    let mut one = t.elapsed().max(Duration::from_millis(2));
    let mut confirmed = vec![json(&out)["lead"]["id"].as_str().unwrap().to_string()];

    let mut kills = 0;
    let mut seed: u64 = 0x9e3779b97f4a7c15;
    let started = Instant::now();
    let mut i = 0;
    while kills < 220 && started.elapsed() < Duration::from_secs(150) {
        i += 1;
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        // Kill somewhere in 0..130% of a normal run; some runs finish first.
        let delay = one.mul_f64(((seed >> 33) % 1300) as f64 / 1000.0);
        let company = format!("压测公司{i}有限公司");
        let mut child = Command::new(bin("leadguard"))
            .arg("--data")
            .arg(data)
            .args(["--json", "lead", "add", "--company", &company, "--contact", "测试", "--need", "压测"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let run_started = Instant::now();
        // Every eighth run is left to finish: these confirmations are what the check needs.
        let spare = i % 8 == 0;
        if !spare {
            std::thread::sleep(delay);
        }
        let killed = !spare && child.try_wait().unwrap().is_none();
        if killed {
            child.kill().unwrap(); // SIGKILL
            kills += 1;
        }
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            if spare {
                one = run_started.elapsed().max(Duration::from_millis(2));
            }
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("successful run prints JSON");
            confirmed.push(v["lead"]["id"].as_str().unwrap().to_string());
        }
    }
    assert!(kills >= 200, "only {kills} kills happened");
    assert!(confirmed.len() > 10, "too few runs completed to check anything ({})", confirmed.len());

    // Every confirmed lead is there.
    let list = json(&leadguard(data, &["lead", "list", "--limit", "1000"]));
    let total = list["total"].as_u64().unwrap() as usize;
    let mut offset = 0;
    let mut present = std::collections::HashSet::new();
    while offset < total {
        let page = json(&leadguard(data, &["lead", "list", "--limit", "1000", "--offset", &offset.to_string()]));
        for l in page["items"].as_array().unwrap() {
            present.insert(l["id"].as_str().unwrap().to_string());
        }
        offset += 1000;
    }
    for id in &confirmed {
        assert!(present.contains(id), "lead {id} was reported as saved but is missing");
        let shown = leadguard(data, &["lead", "show", id]);
        assert!(shown.status.success(), "lead {id} does not load: {}", String::from_utf8_lossy(&shown.stdout));
    }
    let conn = rusqlite::Connection::open(data.join("registry.sqlite")).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    // Every stored change still decodes into its document: reindex from documents.
    let indexed: i64 = conn.query_row("SELECT COUNT(*) FROM lead_index", [], |r| r.get(0)).unwrap();
    drop(conn);
    let mut reg = leadguard_core::Registry::open(data).unwrap();
    assert_eq!(reg.reindex().unwrap() as i64, indexed);
    eprintln!("{kills} kills, {} confirmed adds, {total} leads present", confirmed.len());
}

/// Distinct customers a dedup check does not pair: company, contact and phone all differ.
fn big_customer_list(path: &std::path::Path, n: usize) {
    const A: [&str; 20] = ["华", "泰", "信", "达", "恒", "瑞", "鑫", "博", "宏", "安", "盛", "锦", "嘉", "润", "丰", "源", "凯", "诚", "德", "顺"];
    const B: [&str; 10] = ["科技", "物流", "电子", "机械", "化工", "食品", "纺织", "建材", "医疗", "传媒"];
    const C: [&str; 8] = ["广州", "深圳", "佛山", "东莞", "珠海", "中山", "惠州", "江门"];
    let mut csv = String::from("客户名称,联系人,手机,城市\n");
    for i in 0..n {
        let name = format!("{}{}{}{}{}有限公司", C[i % 8], A[i % 20], A[(i / 20) % 20], A[(i / 400) % 20], B[(i / 8) % 10]);
        csv.push_str(&format!("{name},联系人{i},1{:010},{}\n", 3_000_000_000u64 + (i as u64) * 7919, C[i % 8]));
    }
    std::fs::write(path, csv).unwrap();
}

fn leads_in(data: &std::path::Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open_with_flags(data.join("registry.sqlite"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    let total = conn.query_row("SELECT count(*) FROM lead_index", [], |r| r.get(0)).unwrap_or(0);
    let twice = conn
        .query_row("SELECT count(*) FROM (SELECT company FROM lead_index GROUP BY company HAVING count(*) > 1)", [], |r| r.get(0))
        .unwrap_or(0);
    (total, twice)
}

#[test]
fn an_import_killed_half_way_and_run_again_registers_each_customer_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    assert!(leadguard(&data, &["init", "--rep", "lina", "--name", "李娜", "--branch", "sz"]).status.success());
    let file = dir.path().join("big.csv");
    big_customer_list(&file, 2_500);
    let input = file.to_str().unwrap();
    let dry = json(&leadguard(&data, &["import", "--input", input, "--dry-run"]));
    let customers = dry["customers"].as_i64().unwrap();
    assert_eq!(dry["registered"].as_array().unwrap().len() as i64, customers, "{}", dry["broken"]);
    assert!(customers > 2_000, "the file's customers are distinct ({customers})");

    let mut child = Command::new(bin("leadguard"))
        .arg("--data")
        .arg(&data)
        .args(["--json", "import", "--input", input])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Kill as soon as the first batch is committed, while the next ones are written.
    let started = Instant::now();
    while leads_in(&data).0 == 0 {
        assert!(child.try_wait().unwrap().is_none(), "the import finished before a kill could land");
        assert!(started.elapsed() < Duration::from_secs(120), "no batch committed");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let (after_kill, _) = leads_in(&data);
    assert!(after_kill > 0 && after_kill < customers, "killed half-way: {after_kill} of {customers}");
    let batch = leadguard_core::api::import::IMPORT_BATCH as i64;
    assert_eq!(after_kill % batch, 0, "whole batches of {batch} only: {after_kill}");

    let again = json(&leadguard(&data, &["import", "--input", input]));
    assert_eq!(again["already_known"].as_array().unwrap().len() as i64, after_kill, "the cut-off import's customers are recognised");
    assert_eq!(again["registered"].as_array().unwrap().len() as i64, customers - after_kill);
    assert_eq!(leads_in(&data), (customers, 0), "each customer exactly once");
    let once_more = json(&leadguard(&data, &["import", "--input", input]));
    assert_eq!(once_more["registered"].as_array().unwrap().len(), 0);
}
