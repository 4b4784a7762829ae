//! `leadguard doctor` through the real CLI, and its run at open after a process that
//! held the registry was killed with -9; field values never reach the terminal raw.

use std::io::BufRead;
use std::process::{Command, Stdio};

use leadguard_tests::{bin, json, leadguard};
use serde_json::Value;

fn ok(data: &std::path::Path, args: &[&str]) -> Value {
    let out = leadguard(data, args);
    assert!(out.status.success(), "{args:?} failed: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    json(&out)
}

fn init_with_lead(data: &std::path::Path, company: &str) -> String {
    ok(data, &["init", "--rep", "lina", "--name", "李娜", "--branch", "sz"]);
    let added = ok(data, &["lead", "add", "--company", company, "--contact", "陈明", "--phone", "13912345678", "--need", "门禁系统"]);
    added["lead"]["id"].as_str().unwrap().to_string()
}

fn tamper(data: &std::path::Path, lead: &str, company: &str) {
    let c = rusqlite::Connection::open(data.join("registry.sqlite")).unwrap();
    c.execute("UPDATE lead_index SET company = ?2 WHERE lead_id = ?1", rusqlite::params![lead, company]).unwrap();
}

fn listed_company(data: &std::path::Path) -> String {
    let page = ok(data, &["lead", "list"]);
    page["items"][0]["fields"]["company"].as_str().unwrap_or_default().to_string()
}

#[test]
fn doctor_reports_and_rebuilds_a_tampered_row() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let lead = init_with_lead(&data, "深圳市腾达科技有限公司");
    assert_eq!(ok(&data, &["doctor"])["differences"], 0);

    tamper(&data, &lead, "别家公司");
    assert_eq!(listed_company(&data), "别家公司", "the list reads the derived row");
    let check = leadguard(&data, &["doctor", "--check"]);
    assert_eq!(check.status.code(), Some(1), "differences exit 1");
    let report = json(&check);
    assert_eq!(report["repaired"], false);
    assert!(report["differences"].as_u64().unwrap() >= 1, "{report}");
    assert_eq!(listed_company(&data), "别家公司", "--check changes nothing");

    let fix = leadguard(&data, &["doctor"]);
    assert_eq!(fix.status.code(), Some(1));
    assert_eq!(json(&fix)["repaired"], true);
    assert_eq!(listed_company(&data), "深圳市腾达科技有限公司");
    assert_eq!(ok(&data, &["doctor", "--check"])["differences"], 0);
}

#[test]
fn a_registry_left_open_by_a_killed_process_is_checked_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let lead = init_with_lead(&data, "深圳市腾达科技有限公司");
    // A long-lived process (the browser UI's server) holds the registry open.
    let mut serve = Command::new(bin("leadguard"))
        .args(["--data", data.to_str().unwrap(), "serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn leadguard serve");
    let mut first = String::new();
    std::io::BufReader::new(serve.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("http://127.0.0.1:"), "{first}");
    serve.kill().unwrap(); // SIGKILL: no destructor runs
    serve.wait().unwrap();
    assert!(data.join("registry.open").exists(), "the killed process left its marker");

    tamper(&data, &lead, "别家公司");
    assert_eq!(listed_company(&data), "深圳市腾达科技有限公司", "the next open ran the doctor and rebuilt the row");
    assert!(!data.join("registry.open").exists(), "a clean exit removes the marker");
    // A clean shutdown does not trigger it again.
    tamper(&data, &lead, "别家公司");
    assert_eq!(listed_company(&data), "别家公司");
}

#[test]
fn control_and_bidi_characters_never_reach_the_terminal_raw() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    let lead = init_with_lead(&data, "深圳市腾达科技有限公司");
    // Another laptop's value, as it would arrive by sync (written here straight into
    // the derived row the list prints).
    tamper(&data, &lead, "腾达\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}科技\u{9b}1m");
    for args in [&["lead", "list"][..], &["--json", "lead", "list"][..]] {
        let out = Command::new(bin("leadguard")).arg("--data").arg(&data).args(args).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{9b}'] {
            assert!(!text.contains(bad), "{args:?} printed {bad:?} raw: {text:?}");
        }
        assert!(text.contains("腾达"), "{text}");
    }
    // The JSON still carries the exact value for programs.
    let page = ok(&data, &["lead", "list"]);
    assert_eq!(page["items"][0]["fields"]["company"], "腾达\u{1b}]0;pwned\u{7}\u{1b}[2J\u{202e}科技\u{9b}1m");
}
