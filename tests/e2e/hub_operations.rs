//! Running a hub: backup while serving, restore after a loss, devices re-sending what
//! the hub lost (nothing lost overall), `/healthz` and `/metrics`. Included by
//! `hub_robustness.rs` (one test binary).

use crate::hub_support::{automerge_changes, batch, Hub};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use leadguard_tests::leadguard_ok as cli;

fn add_lead(data: &Path, company: &str, phone: &str) -> String {
    let v = cli(data, &["lead", "add", "--company", company, "--contact", "王经理", "--phone", phone, "--need", "年度采购"]);
    v["lead"]["id"].as_str().unwrap_or_else(|| panic!("lead id in {v}")).to_owned()
}

fn lead_ids(data: &Path) -> BTreeSet<String> {
    let v = cli(data, &["lead", "list", "--limit", "1000"]);
    v["items"].as_array().expect("items").iter().map(|l| l["id"].as_str().unwrap().to_owned()).collect()
}

fn protected_until(data: &Path, lead: &str) -> Value {
    cli(data, &["lead", "show", lead])["lead"]["protected_until"].clone()
}

fn admin_json(hub: &Hub, args: &[&str]) -> Value {
    let out = hub.admin(args);
    assert!(out.status.success(), "leadguard-hub {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn a_hub_restored_from_an_older_backup_loses_nothing_once_devices_resync() {
    // `backup`/`restore` are SQLite's; PostgreSQL's are pg_dump/pg_restore (docs/OPERATIONS.md).
    let mut hub = Hub::start_sqlite();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    cli(a.path(), &["init", "--rep", "li.na", "--name", "李娜", "--branch", "sh"]);
    cli(b.path(), &["init", "--rep", "wang.wei", "--name", "王伟", "--branch", "sh"]);
    cli(a.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("li.na", "sh", "rep")]);
    cli(b.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("wang.wei", "sh", "rep")]);

    let before = add_lead(a.path(), "上海华强电子有限公司", "13800138000");
    cli(a.path(), &["sync"]);
    cli(b.path(), &["sync"]);

    // Backup while the hub serves.
    let backups = tempfile::tempdir().unwrap();
    let file = backups.path().join("hub-backup.sqlite");
    let summary = admin_json(&hub, &["backup", "--output", file.to_str().unwrap()]);
    assert!(summary["changes"].as_i64().unwrap() > 0, "{summary}");
    assert!(file.exists());

    // Work after the backup: both laptops push, B pulls A's.
    let after_a = add_lead(a.path(), "杭州云帆科技有限公司", "13900139000");
    cli(a.path(), &["sync"]);
    let after_b = add_lead(b.path(), "苏州明德机械有限公司", "13700137000");
    cli(b.path(), &["sync"]);
    let until_before_restore = protected_until(a.path(), &after_a);
    assert!(!until_before_restore.is_null());

    // A restore beside a serving hub is refused and changes nothing.
    let refused = hub.admin(&["restore", "--input", file.to_str().unwrap()]);
    assert!(!refused.status.success(), "restore must refuse while the hub serves");

    // The hub machine is lost; the backup is restored and the hub restarted.
    hub.kill9();
    let restored = admin_json(&hub, &["restore", "--input", file.to_str().unwrap()]);
    assert_eq!(restored["epoch_start_seq"], summary["high_seq"], "{restored}");
    assert!(restored["replaced"].is_string(), "the lost database is kept aside: {restored}");
    hub.restart();

    // Each laptop notices and sends again what the hub lost.
    let ra = cli(a.path(), &["sync"]);
    assert!(ra["resent_after_restore"].as_u64().unwrap() > 0, "{ra}");
    let rb = cli(b.path(), &["sync"]);
    assert!(rb["resent_after_restore"].as_u64().unwrap() > 0, "{rb}");
    cli(a.path(), &["sync"]);
    let again = cli(a.path(), &["sync"]);
    assert_eq!(again["resent_after_restore"], Value::Null, "a restore is followed once");
    assert_eq!((again["pushed"].as_u64(), again["pulled"].as_u64()), (Some(0), Some(0)), "{again}");

    // Nothing lost: both laptops and a laptop enrolled after the restore hold all three.
    let all: BTreeSet<String> = [before.clone(), after_a.clone(), after_b.clone()].into();
    assert_eq!(lead_ids(a.path()), all);
    assert_eq!(lead_ids(b.path()), all);
    let c = tempfile::tempdir().unwrap();
    cli(c.path(), &["init", "--rep", "zhang.wei", "--name", "张伟", "--branch", "sh", "--role", "manager"]);
    cli(c.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("zhang.wei", "sh", "manager")]);
    cli(c.path(), &["sync"]);
    assert_eq!(lead_ids(c.path()), all);
    // An honest laptop's protection ends where it did: the new receipt's window holds
    // the old one, and the device time inside it is what counts.
    assert_eq!(protected_until(a.path(), &after_a), until_before_restore);
    assert_eq!(protected_until(c.path(), &after_a), until_before_restore);
}

#[test]
fn a_damaged_or_foreign_backup_is_refused_before_anything_is_replaced() {
    let mut hub = Hub::start_sqlite();
    hub.token("li.na", "sh", "rep");
    hub.kill9();
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("foreign.sqlite");
    rusqlite::Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
    let garbage = dir.path().join("garbage.sqlite");
    std::fs::write(&garbage, b"not a database at all, just text").unwrap();
    for input in [&foreign, &garbage, &dir.path().join("missing.sqlite")] {
        let out = hub.admin(&["restore", "--input", input.to_str().unwrap()]);
        assert!(!out.status.success(), "{} must be refused", input.display());
    }
    // The hub's own database is untouched: it still knows its device.
    let devices = admin_json(&hub, &["devices", "list"]);
    assert_eq!(devices.as_array().map(Vec::len), Some(1), "{devices}");
}

#[test]
fn healthz_and_metrics_report_the_hub() {
    let hub = Hub::start();
    let (client, _) = hub.device("li.na", "sh", "rep");
    hub.token("wang.wei", "sh", "rep"); // pending: enrolled on the hub, not yet joined
    client.pull(0, None).expect("pull");
    let answer = client.push_with_page(&batch("sh/a/0", "branch:sh", &automerge_changes("aaaa", "li.na", 2)), 0).expect("push with its first page");
    assert!(answer.page.is_some(), "the hub served the first page with the push");
    let http = reqwest::blocking::Client::new();
    let health = http.get(format!("{}/healthz", hub.url)).send().unwrap();
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(health.text().unwrap().trim(), "ok");
    let text = http.get(format!("{}/metrics", hub.url)).send().unwrap().text().unwrap();
    for line in [
        "leadguard_hub_devices{state=\"enrolled\"} 1",
        "leadguard_hub_devices{state=\"pending\"} 1",
        "leadguard_hub_devices{state=\"revoked\"} 0",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }
    assert!(
        text.lines().any(|l| l.starts_with("leadguard_hub_http_requests_total{") && l.contains("route=\"/v1/pull\"") && l.contains("status=\"200\"")),
        "{text}"
    );
    assert!(text.contains("leadguard_hub_http_request_duration_seconds_bucket{"), "{text}");
    // The writer's group commit: groups, writes and busy seconds, as numbers.
    for name in ["leadguard_hub_write_groups ", "leadguard_hub_writes_grouped ", "leadguard_hub_write_busy_seconds "] {
        let value = text.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().parse::<f64>().ok());
        assert!(value.is_some_and(|v| v >= 0.0), "missing {name:?} in\n{text}");
    }
    // Where the push's time went: its turn at the push gate, storing it, then reading
    // its first page.
    for phase in ["turn", "store", "page"] {
        let count = format!("leadguard_hub_push_phase_duration_seconds_count{{phase=\"{phase}\"}} 1");
        assert!(text.lines().any(|l| l == count), "missing {count:?} in\n{text}");
    }
    // Honest pushes are stored with their group, never redone one by one.
    assert!(text.lines().any(|l| l == "leadguard_hub_pushes_redone 0"), "missing leadguard_hub_pushes_redone 0 in\n{text}");
    // The push gate: its limit (the default, bounded) and nobody waiting once the push
    // is answered.
    let limit = text.lines().find_map(|l| l.strip_prefix("leadguard_hub_push_admission_limit ")).and_then(|v| v.parse::<u64>().ok());
    assert!(limit.is_some_and(|n| (1..100_000).contains(&n)), "{text}");
    assert!(text.lines().any(|l| l == "leadguard_hub_pushes_waiting 0"), "{text}");
    // Unknown paths are counted under one label, not under the path a client chose.
    http.get(format!("{}/no/such/{}", hub.url, "x".repeat(40))).send().unwrap();
    let text = http.get(format!("{}/metrics", hub.url)).send().unwrap().text().unwrap();
    assert!(!text.contains("xxxxxxxx"), "a client's path became a label");
    assert!(text.contains("route=\"unmatched\""), "{text}");
}

/// Admission: with one push let in at a time, laptops pushing at once each wait
/// their turn and every push is stored and acknowledged; `/metrics` reports the limit,
/// a turn for every push and nobody left waiting. A limit below one is refused.
#[test]
fn pushes_beyond_the_admission_limit_wait_their_turn_and_all_go_through() {
    let hub = Hub::start_with(&["--pushes-in-progress", "1"]);
    const LAPTOPS: usize = 6;
    let pushers: Vec<_> = (0..LAPTOPS)
        .map(|n| {
            let rep = format!("rep{n}");
            let (client, _) = hub.device(&rep, "sh", "rep");
            std::thread::spawn(move || {
                let changes = automerge_changes(&format!("gate{n}"), &rep, 3);
                let answer = client.push_with_page(&batch(&format!("sh/gate/{n}"), "branch:sh", &changes), 0).expect("push");
                (answer.push.acks.len(), answer.page.is_some())
            })
        })
        .collect();
    for p in pushers {
        assert_eq!(p.join().expect("pusher"), (3, true), "every change acknowledged, with the first page");
    }
    let text = reqwest::blocking::get(format!("{}/metrics", hub.url)).unwrap().text().unwrap();
    let turns = format!("leadguard_hub_push_phase_duration_seconds_count{{phase=\"turn\"}} {LAPTOPS}");
    for line in ["leadguard_hub_push_admission_limit 1", "leadguard_hub_pushes_waiting 0", turns.as_str()] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }
    let dir = tempfile::tempdir().unwrap();
    let refused = std::process::Command::new(leadguard_tests::bin("leadguard-hub"))
        .arg("--data")
        .arg(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--pushes-in-progress", "0"])
        .env_remove("LEADGUARD_HUB_DATABASE")
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("invalid value '0'") && said.contains("--pushes-in-progress"), "{said}");
}

#[test]
fn two_hub_processes_over_one_database_serve_one_change_feed() {
    let data = tempfile::tempdir().unwrap();
    let first = Hub::spawn(data.path(), "127.0.0.1:0");
    let second = Hub::spawn(data.path(), "127.0.0.1:0");
    reps_syncing_through_two_hubs_make_one_case(&first, &second);
}

#[test]
fn two_hub_processes_over_one_postgres_database_serve_one_change_feed() {
    let url = leadguard_tests::postgres::fresh_database();
    let first = Hub::start_on(Some(url.clone()));
    let second = Hub::start_on(Some(url));
    reps_syncing_through_two_hubs_make_one_case(&first, &second);
}

/// Reps enrolled with tokens from either hub sync through different hubs; the manager,
/// enrolled at the first, syncs through the second and sees one case.
fn reps_syncing_through_two_hubs_make_one_case(first: &Hub, second: &Hub) {
    assert_ne!(first.url, second.url);
    let (a, b, m) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    cli(a.path(), &["init", "--rep", "li.na", "--name", "李娜", "--branch", "sh"]);
    cli(b.path(), &["init", "--rep", "wang.wei", "--name", "王伟", "--branch", "sh"]);
    cli(m.path(), &["init", "--rep", "zhang.wei", "--name", "张伟", "--branch", "sh", "--role", "manager"]);
    // Tokens made by either hub work at either: they share the database.
    cli(a.path(), &["enroll", "--hub", &first.url, "--token", &second.token("li.na", "sh", "rep")]);
    cli(b.path(), &["enroll", "--hub", &second.url, "--token", &first.token("wang.wei", "sh", "rep")]);
    cli(m.path(), &["enroll", "--hub", &first.url, "--token", &first.token("zhang.wei", "sh", "manager")]);

    // The same customer, registered offline on both laptops, synced through different hubs.
    let la = add_lead(a.path(), "上海华强电子有限公司", "13800138000");
    let lb = add_lead(b.path(), "华强电子（上海）", "+86 138-0013-8000");
    cli(a.path(), &["sync"]);
    cli(b.path(), &["sync"]);
    cli(a.path(), &["sync"]);

    // The manager, enrolled at the first hub, syncs through the second.
    leadguard_core::Registry::open(m.path()).unwrap().set_hub_url(Some(&second.url)).unwrap();
    cli(m.path(), &["sync"]);
    let all: BTreeSet<String> = [la.clone(), lb.clone()].into();
    for laptop in [a.path(), b.path(), m.path()] {
        assert_eq!(lead_ids(laptop), all);
    }
    let cases = cli(m.path(), &["collisions", "list"]);
    let cases = cases["cases"].as_array().expect("cases").clone();
    assert_eq!(cases.len(), 1, "one case for the manager: {cases:?}");
    let text = serde_json::to_string(&cases[0]).unwrap();
    assert!(text.contains(&la) && text.contains(&lb), "{text}");
}

#[test]
fn a_manager_invites_lists_and_revokes_devices_of_their_own_branch_only() {
    use leadguard_protocol::{ErrorCode, InviteRequest, Role};
    let hub = Hub::start();
    let (manager, manager_id) = hub.device("zhang.wei", "sh", "manager");
    let (other_manager, other_id) = hub.device("chen.jie", "gz", "manager");
    let (rep, _) = hub.device("wang.wei", "sh", "rep");
    let invite = |role: Role, ttl: Option<u32>| InviteRequest { rep: "li.na".into(), name: "李娜".into(), role, ttl_hours: ttl };
    let code = |r: Result<_, leadguard_protocol::client::ClientError>| match r {
        Err(leadguard_protocol::client::ClientError::Hub { code, .. }) => Some(code),
        _ => None,
    };

    // Only a manager invites, only reps and distributors, with a sane validity.
    assert_eq!(code(rep.invite(&invite(Role::Rep, None)).map(|_| ())), Some(ErrorCode::Forbidden));
    assert_eq!(code(manager.invite(&invite(Role::Manager, None)).map(|_| ())), Some(ErrorCode::Forbidden));
    assert_eq!(code(manager.invite(&invite(Role::Rep, Some(0))).map(|_| ())), Some(ErrorCode::Malformed));
    let invitation = manager.invite(&invite(Role::Rep, Some(24))).expect("invite");
    let joined = hub.anonymous().enroll(&invitation.token).expect("the token enrols a laptop");
    assert_eq!((joined.branch.as_str(), joined.role, joined.rep.as_str()), ("sh", Role::Rep, "li.na"));
    let laptop = hub.anonymous().with_credential(&joined.credential);
    laptop.me().expect("the new laptop is authenticated");

    // Each manager lists their own branch's devices only.
    let listed: BTreeSet<String> = manager.devices().expect("list").into_iter().map(|d| d.rep).collect();
    assert_eq!(listed, ["li.na", "wang.wei", "zhang.wei"].map(String::from).into());
    assert!(other_manager.devices().unwrap().iter().all(|d| d.branch == "gz"));
    assert_eq!(code(rep.devices().map(|_| ())), Some(ErrorCode::Forbidden));

    // Revoking: another branch's device does not exist for this manager; one's own
    // device is refused; a branch device stops working at once.
    assert_eq!(code(manager.revoke_device(&other_id).map(|_| ())), Some(ErrorCode::NotFound));
    assert_eq!(code(manager.revoke_device(&manager_id).map(|_| ())), Some(ErrorCode::Forbidden));
    let revoked = manager.revoke_device(&joined.device_id).expect("revoke");
    assert!(revoked.revoked_at.is_some());
    assert_eq!(code(laptop.me().map(|_| ())), Some(ErrorCode::Unauthorized));
    other_manager.me().expect("the other branch is untouched");
}

#[test]
fn a_manager_enrols_a_reps_laptop_from_the_app_and_revokes_it() {
    let hub = Hub::start();
    let (m, r) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    cli(m.path(), &["init", "--rep", "zhang.wei", "--name", "张伟", "--branch", "sh", "--role", "manager"]);
    cli(m.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("zhang.wei", "sh", "manager")]);
    cli(m.path(), &["rep", "add", "--id", "li.na", "--name", "李娜"]);

    // No shell on the hub: the manager's laptop asks the hub for the token.
    let invitation = cli(m.path(), &["devices", "invite", "--rep", "li.na"]);
    assert_eq!(invitation["name"], "李娜", "the name comes from the branch directory: {invitation}");
    let token = invitation["token"].as_str().unwrap();
    assert!(invitation["enrol_link"].as_str().unwrap().starts_with("leadguard://enroll?hub=http%3A%2F%2F127.0.0.1"), "{invitation}");

    cli(r.path(), &["init", "--rep", "li.na", "--name", "李娜", "--branch", "sh"]);
    cli(r.path(), &["enroll", "--hub", &hub.url, "--token", token]);
    cli(r.path(), &["sync"]);
    // A rep's laptop may not manage devices (refused before the hub is asked).
    let refused = leadguard_tests::leadguard(r.path(), &["devices", "list"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stdout).contains("forbidden"), "{}", String::from_utf8_lossy(&refused.stdout));

    let listed = cli(m.path(), &["devices", "list"]);
    let devices = listed["devices"].as_array().unwrap();
    let li_na = devices.iter().find(|d| d["rep"] == "li.na").expect("li.na's laptop");
    assert_eq!(li_na["state"], "enrolled");
    assert!(li_na["last_sync_at"].is_string());
    assert!(devices.iter().any(|d| d["rep"] == "zhang.wei" && d["this_device"] == true));

    let revoked = cli(m.path(), &["devices", "revoke", li_na["id"].as_str().unwrap()]);
    assert_eq!(revoked["state"], "revoked");
    let after = leadguard_tests::leadguard(r.path(), &["sync"]);
    assert!(!after.status.success(), "a revoked laptop no longer syncs");
}

#[test]
fn concurrent_pushes_through_two_hubs_over_postgres_never_let_a_pull_cursor_skip_a_change() {
    let url = leadguard_tests::postgres::fresh_database();
    let first = Hub::start_on(Some(url.clone()));
    let second = Hub::start_on(Some(url));
    concurrent_pushes_never_let_a_cursor_skip(&first, &second);
}

#[test]
fn concurrent_pushes_through_two_hubs_over_sqlite_never_let_a_pull_cursor_skip_a_change() {
    let data = tempfile::tempdir().unwrap();
    let first = Hub::spawn(data.path(), "127.0.0.1:0");
    let second = Hub::spawn(data.path(), "127.0.0.1:0");
    concurrent_pushes_never_let_a_cursor_skip(&first, &second);
}

/// Two laptops push to one scope at once, each through its own hub, while a third
/// device pulls small pages as fast as it can: every change acknowledged reaches the
/// reader, so its cursor never moved past a change that was still being committed.
fn concurrent_pushes_never_let_a_cursor_skip(first: &Hub, second: &Hub) {
    use crate::hub_support::{automerge_changes, batch};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    const BATCHES: usize = 30;
    const PER_BATCH: usize = 4;
    let (reader, _) = first.device("zhang.wei", "sh", "manager");
    let pushers: Vec<_> = [(first.device("li.na", "sh", "rep").0, "li.na", "a"), (second.device("wang.wei", "sh", "rep").0, "wang.wei", "b")]
        .into_iter()
        .map(|(client, rep, who)| {
            std::thread::spawn(move || {
                let mut acks = Vec::new();
                for i in 0..BATCHES {
                    let changes = automerge_changes(&format!("{who}{i:03}"), rep, PER_BATCH);
                    acks.extend(client.push(&batch(&format!("sh/{who}/{i}"), "branch:sh", &changes)).expect("push").acks);
                }
                acks
            })
        })
        .collect();
    let done = Arc::new(AtomicBool::new(false));
    let puller = {
        let done = done.clone();
        std::thread::spawn(move || {
            let (mut cursor, mut seen, mut pages) = (0u64, Vec::new(), 0usize);
            loop {
                let finished = done.load(Ordering::SeqCst);
                let page = reader.pull(cursor, Some(3)).expect("pull");
                pages += 1;
                for c in &page.changes {
                    assert!(c.hub_seq > cursor, "a page went back behind its cursor");
                    seen.push((c.hub_seq, c.hash, c.received_at));
                }
                cursor = page.next_cursor;
                if finished && !page.more {
                    return (seen, pages);
                }
            }
        })
    };
    let mut acked: Vec<_> = pushers.into_iter().flat_map(|p| p.join().expect("pusher")).collect();
    done.store(true, Ordering::SeqCst);
    let (seen, pages) = puller.join().expect("puller");
    assert!(pages > 10, "the reader pulled while the pushes ran ({pages} pages)");
    acked.sort_by_key(|a| a.hub_seq);
    assert_eq!(acked.len(), 2 * BATCHES * PER_BATCH);
    assert!(acked.windows(2).all(|w| w[0].hub_seq < w[1].hub_seq), "hub_seq is unique across hubs");
    assert!(acked.windows(2).all(|w| w[0].received_at <= w[1].received_at), "receipts never decrease along hub_seq");
    let expected: Vec<_> = acked.iter().map(|a| (a.hub_seq, a.hash, a.received_at)).collect();
    assert_eq!(seen, expected, "the reader got every change, once, in order");
}
