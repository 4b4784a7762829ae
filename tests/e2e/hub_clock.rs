//! No laptop clock decides who owns a customer: through the real `leadguard` CLI and
//! a real hub, reps with clocks set forward or back try to take or keep customers.
//! Every event counts at its effective time — its device time clamped into its
//! hub-time evidence window — so, once synced, every laptop agrees and the hub's
//! clock decides; a claim the hub cannot place after the protection ended takes no
//! effect and becomes a case for the manager.

#[path = "hub_support.rs"]
mod hub_support;

use automerge::transaction::Transactable;
use automerge::ReadDoc;
use chrono::{DateTime, Duration, Utc};
use hub_support::Hub;
use leadguard_core::model::{Event, EventKind};
use leadguard_protocol::client::HubClient;
use leadguard_protocol::{PushChange, PushRequest};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

/// `leadguard --data DATA --json ARGS...`, which must succeed.
fn cli(data: &Path, args: &[&str]) -> Value {
    let out = run(data, args);
    assert!(out.status.success(), "leadguard {args:?} failed: {}", String::from_utf8_lossy(&out.stdout));
    leadguard_tests::json(&out)
}

fn run(data: &Path, args: &[&str]) -> Output {
    leadguard_tests::leadguard(data, args)
}

/// The same with the device clock at `now`.
fn cli_at(data: &Path, now: DateTime<Utc>, args: &[&str]) -> Value {
    let now = now.to_rfc3339();
    let mut all = vec!["--now", now.as_str()];
    all.extend_from_slice(args);
    cli(data, &all)
}

/// A laptop: a registry for `rep` in branch `sh`, enrolled with the hub.
fn laptop(hub: &Hub, rep: &str, name: &str, role: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    cli(dir.path(), &["init", "--rep", rep, "--name", name, "--branch", "sh", "--role", role]);
    cli(dir.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token(rep, "sh", role)]);
    dir
}

fn add_lead(data: &Path, now: Option<DateTime<Utc>>, company: &str, phone: &str) -> String {
    let args = ["lead", "add", "--company", company, "--contact", "陈明", "--phone", phone, "--need", "门禁系统"];
    let added = match now {
        Some(t) => cli_at(data, t, &args),
        None => cli(data, &args),
    };
    added["lead"]["id"].as_str().expect("lead id").to_owned()
}

fn time(v: &Value) -> DateTime<Utc> {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("not a time: {v} ({e})"))
}

/// The lead as `data` sees it at `at`.
fn show(data: &Path, id: &str, at: DateTime<Utc>) -> Value {
    cli(data, &["lead", "show", id, "--at", &at.to_rfc3339()])["lead"].clone()
}

#[test]
fn a_clock_ahead_cannot_take_a_protected_customer() {
    let hub = Hub::start();
    let lina = laptop(&hub, "li.na", "李娜", "rep");
    let wang = laptop(&hub, "wang.qiang", "王强", "rep");
    let boss = laptop(&hub, "zhang.jing", "张经理", "manager");
    let id = add_lead(lina.path(), None, "深圳市腾达科技有限公司", "13912345678");
    cli(lina.path(), &["sync"]);
    let protected_until = time(&show(lina.path(), &id, Utc::now())["protected_until"]);
    assert!(protected_until > Utc::now() + Duration::hours(71), "李娜 is protected for 3 more days by hub time");

    // 王强 syncs, sets his clock 5 days ahead: on his laptop the protection looks over.
    cli(wang.path(), &["sync"]);
    let ahead = Utc::now() + Duration::days(5);
    let claimed = cli_at(wang.path(), ahead, &["lead", "claim", &id]);
    assert_eq!(claimed["owner"], "wang.qiang", "offline, his laptop works on its own clock");
    let out = run(wang.path(), &["--now", &ahead.to_rfc3339(), "sync"]);
    assert!(out.status.success());
    let report = leadguard_tests::json(&out);
    assert_eq!(report["clock_off"], true, "{report}");
    let skew = report["clock_skew_secs"].as_i64().unwrap();
    assert!((skew - 5 * 86_400).abs() < 120, "skew {skew}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("本机时钟比服务器快 5 天") && stderr.contains("5d 0h"), "the rep is told: {stderr}");
    // ... and the app's Sync screen keeps telling them (the session carries the skew).
    let mut ctx = leadguard_core::api::Context::open(wang.path()).unwrap();
    let session = leadguard_core::api::dispatch(&mut ctx, "session", Value::Null).unwrap();
    assert_eq!(session["last_clock_skew_secs"].as_i64(), Some(skew));
    drop(ctx);

    // Once synced, no laptop lets the hub-time claim take the customer.
    cli(lina.path(), &["sync"]);
    cli(boss.path(), &["sync"]);
    let now = Utc::now();
    for dir in [lina.path(), wang.path(), boss.path()] {
        let lead = show(dir, &id, now);
        assert_eq!(lead["owner"], "li.na", "{lead}");
        assert_eq!(lead["state"], "protected");
        assert_eq!(time(&lead["protected_until"]), protected_until, "protection is not stretched");
        assert!(lead["previous_owner"].is_null());
    }
    let history = cli(lina.path(), &["lead", "show", &id])["history"].clone();
    let claim = history.as_array().unwrap().iter().find(|e| e["kind"] == "claim").expect("the claim is kept");
    // It stays in the history and takes no effect, with the typed reason why.
    assert_eq!(claim["ignored"]["reason"], "owned_by_other", "{claim}");
    assert_eq!(claim["ignored"]["params"]["owner"], "李娜", "{claim}");

    // The manager gets a case: claimed during protection, with both sides' windows.
    let listed = cli(boss.path(), &["collisions", "list"]);
    let cases = listed["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1, "{listed:#}");
    assert_eq!(cases[0]["kind"], "claim_during_protection");
    assert_eq!(cases[0]["reps"], serde_json::json!(["li.na", "wang.qiang"]));
    let shown = cli(boss.path(), &["collisions", "show", cases[0]["id"].as_str().unwrap()]);
    let claims = shown["case"]["claims"].as_array().unwrap();
    let theirs = claims.iter().find(|c| c["rep"] == "wang.qiang").expect("王强's claim");
    let hers = claims.iter().find(|c| c["rep"] == "li.na").expect("李娜's registration");
    assert_eq!(theirs["took_effect"], false);
    assert_eq!(theirs["held_by"], "li.na");
    assert_eq!(time(&theirs["held_until"]), protected_until);
    let (device, effective) = (time(&theirs["device_time"]), time(&theirs["effective_time"]));
    assert_eq!(effective, time(&theirs["window"]["to"]), "clamped to the hub's receipt");
    assert!((device - effective - Duration::days(5)).num_seconds().abs() < 120, "the skew is in the evidence");
    assert!(hers["window"]["to"].is_string() && hers["took_effect"] == true);
    for dir in [lina.path(), wang.path()] {
        assert_eq!(cli(dir, &["collisions", "list"])["cases"], listed["cases"], "the reps find the same case");
    }
}

#[test]
fn a_registration_with_the_clock_ahead_is_protected_from_hub_time() {
    let hub = Hub::start();
    let wang = laptop(&hub, "wang.qiang", "王强", "rep");
    let lina = laptop(&hub, "li.na", "李娜", "rep");
    cli(wang.path(), &["sync"]);
    let before = Utc::now();
    let ahead = before + Duration::days(30);
    let id = add_lead(wang.path(), Some(ahead), "广州白云制药有限公司", "13800001111");
    let local = show(wang.path(), &id, ahead);
    assert!(time(&local["protected_until"]) > before + Duration::days(32), "provisional, on his own clock");
    cli_at(wang.path(), ahead, &["sync"]);
    let after = Utc::now();
    cli(lina.path(), &["sync"]);
    for dir in [wang.path(), lina.path()] {
        let lead = show(dir, &id, after);
        let registered = time(&lead["registered_at"]);
        assert!(registered >= before - Duration::seconds(1) && registered <= after, "registered at hub time: {registered}");
        assert_eq!(time(&lead["protected_until"]), registered + Duration::hours(72), "{lead}");
        // Seen 4 days on (hub time), the customer is in the pool, not protected for 33 days.
        assert_eq!(show(dir, &id, after + Duration::days(4))["state"], "pool");
    }
}

/// The hostile client: writes the claim event itself, placed before 陈静's claim in
/// the lead's list, device time before her claim, no event labels in the change
/// message, and pushes it with 王强's own credential.
fn forge_backdated_claim(hub: &Hub, wang: &Path, lead: &str, device_time: DateTime<Utc>) {
    let reg = leadguard_core::Registry::open(wang).unwrap();
    let client = HubClient::new(&hub.url).unwrap().with_credential(&reg.device_token().unwrap().unwrap());
    let pulled = hub_support::pull_all(&client, 1000);
    let doc_id = reg.row(lead).unwrap().doc_id;
    let mut doc = automerge::AutoCommit::new();
    let changes = pulled
        .iter()
        .filter(|c| c.doc_id == doc_id)
        .map(|c| automerge::Change::from_bytes(c.bytes.clone()).unwrap())
        .collect::<Vec<_>>();
    doc.apply_changes(changes).unwrap();
    let (_, list) = doc.get(automerge::ROOT, lead).unwrap().expect("the lead's list");
    let len = doc.length(&list);
    assert!(len >= 3, "register, release, 陈静's claim");
    let event = Event {
        id: "f0f0f0f0f0f0f0f0".into(),
        kind: EventKind::Claim,
        rep: "wang.qiang".into(),
        device: reg.device().into(),
        device_time,
        after: None,
    };
    doc.insert(&list, len - 1, serde_json::to_string(&event).unwrap()).unwrap();
    doc.commit_with(automerge::transaction::CommitOptions::default().with_message("{}".to_owned()));
    let bytes = doc.get_last_local_change().unwrap().raw_bytes().to_vec();
    let scope = pulled.iter().find(|c| c.doc_id == doc_id).unwrap().scope.clone();
    client.push(&PushRequest { changes: vec![PushChange { doc_id, scope, bytes }] }).expect("the hub takes it");
}

#[test]
fn a_clock_behind_cannot_backdate_a_claim() {
    let hub = Hub::start();
    let lina = laptop(&hub, "li.na", "李娜", "rep");
    let chen = laptop(&hub, "chen.jing", "陈静", "rep");
    let wang = laptop(&hub, "wang.qiang", "王强", "rep");
    let boss = laptop(&hub, "zhang.jing", "张经理", "manager");
    let id = add_lead(lina.path(), None, "杭州云帆科技有限公司", "13900001111");
    cli(lina.path(), &["lead", "release", &id]);
    cli(lina.path(), &["sync"]);
    let released = Utc::now();
    cli(chen.path(), &["sync"]);
    assert_eq!(cli(chen.path(), &["lead", "claim", &id])["owner"], "chen.jing");
    cli(chen.path(), &["sync"]);
    cli(wang.path(), &["sync"]);

    // With the clock set back before 陈静's claim, his own laptop refuses the claim...
    let back = released - Duration::hours(1);
    let refused = run(wang.path(), &["--now", &back.to_rfc3339(), "lead", "claim", &id]);
    assert!(!refused.status.success());
    assert_eq!(leadguard_tests::json(&refused)["code"], "forbidden");
    // ... so he forges it: a claim dated before hers, placed before hers in the list.
    forge_backdated_claim(&hub, wang.path(), &id, back);

    for dir in [lina.path(), chen.path(), boss.path()] {
        cli(dir, &["sync"]);
        let lead = show(dir, &id, Utc::now());
        assert_eq!(lead["owner"], "chen.jing", "the forged claim counts at hub time, after hers: {lead}");
    }
    let cases = cli(boss.path(), &["collisions", "list"])["cases"].clone();
    let case = cases.as_array().unwrap().iter().find(|c| c["kind"] == "claim_during_protection").expect("a case");
    assert_eq!(case["reps"], serde_json::json!(["chen.jing", "wang.qiang"]));
    let shown = cli(boss.path(), &["collisions", "show", case["id"].as_str().unwrap()]);
    let forged = shown["case"]["claims"].as_array().unwrap().iter().find(|c| c["rep"] == "wang.qiang").cloned().unwrap();
    assert_eq!(forged["held_by"], "chen.jing");
    assert!(time(&forged["effective_time"]) > released, "not before his last sync: {forged}");
}

#[test]
fn an_offline_laptop_works_on_its_own_clock_until_synced() {
    let hub = Hub::start();
    let lina = laptop(&hub, "li.na", "李娜", "rep");
    let wang_dir = tempfile::tempdir().unwrap();
    let wang = wang_dir.path();
    cli(wang, &["init", "--rep", "wang.qiang", "--name", "王强", "--branch", "sh"]);

    // Never synced: his registration is protected from his own clock, and his clock
    // lets it expire.
    let written = Utc::now();
    let own = add_lead(wang, None, "东莞五金制品有限公司", "13700002222");
    let offline = show(wang, &own, written);
    let registered = time(&offline["registered_at"]);
    assert!(registered >= written - Duration::seconds(5) && registered <= Utc::now());
    assert_eq!(show(wang, &own, written + Duration::days(4))["state"], "pool");

    // 李娜's customer, then his clock runs 5 days ahead while offline: on his laptop
    // her protection is over and he may claim it; provisional.
    let hers = add_lead(lina.path(), None, "佛山陶瓷有限公司", "13600003333");
    cli(lina.path(), &["sync"]);
    cli(wang, &["enroll", "--hub", &hub.url, "--token", &hub.token("wang.qiang", "sh", "rep")]);
    cli(wang, &["sync"]);
    let ahead = Utc::now() + Duration::days(5);
    assert_eq!(show(wang, &hers, ahead)["state"], "pool");
    cli_at(wang, ahead, &["lead", "claim", &hers]);
    let provisional = show(wang, &hers, ahead);
    assert_eq!(provisional["owner"], "wang.qiang");
    assert!(time(&provisional["protected_until"]) > ahead + Duration::hours(71));

    // Synced: the clock-ahead claim falls back to hub time. His registration was made
    // before his laptop joined the hub, which nothing can prove: it counts from the
    // enrolment (the lower end of a first push's window), never earlier.
    cli_at(wang, ahead, &["sync"]);
    let now = Utc::now();
    let counted = time(&show(wang, &own, now)["registered_at"]);
    assert!(counted >= registered && counted <= now, "{counted} within [{registered}, {now}]");
    let back = show(wang, &hers, now);
    assert_eq!(back["owner"], "li.na", "{back}");
    cli(lina.path(), &["sync"]);
    assert_eq!(time(&show(lina.path(), &own, now)["registered_at"]), counted, "every laptop counts it alike");
}

#[test]
fn replicas_agree_on_effective_times() {
    let hub = Hub::start();
    let now = Utc::now();
    let reps = [("li.na", "李娜", Duration::days(2)), ("wang.qiang", "王强", -Duration::days(3)), ("chen.jing", "陈静", Duration::zero())];
    let laptops: Vec<_> = reps.iter().map(|(r, n, _)| laptop(&hub, r, n, "rep")).collect();
    let boss = laptop(&hub, "zhang.jing", "张经理", "manager");
    let clock = |i: usize| Utc::now() + reps[i].2;
    let mut ids = Vec::new();
    for (i, dir) in laptops.iter().enumerate() {
        cli_at(dir.path(), clock(i), &["sync"]);
        ids.push(add_lead(dir.path(), Some(clock(i)), &format!("第{i}号贸易有限公司"), &format!("1350000000{i}")));
        ids.push(add_lead(dir.path(), Some(clock(i)), &format!("第{i}号电子有限公司"), &format!("1360000000{i}")));
    }
    // Some history with skewed clocks: a release, a claim from the pool, a follow-up.
    cli_at(laptops[0].path(), clock(0), &["lead", "release", &ids[0]]);
    cli_at(laptops[0].path(), clock(0), &["followup", "add", &ids[1], "--kind", "visit", "--note", "拜访"]);
    for round in 0..2 {
        for (i, dir) in laptops.iter().enumerate() {
            cli_at(dir.path(), clock(i), &["sync"]);
        }
        if round == 0 {
            cli_at(laptops[1].path(), clock(1), &["lead", "claim", &ids[0]]);
        }
    }
    cli(boss.path(), &["sync"]);
    for (i, dir) in laptops.iter().enumerate() {
        cli_at(dir.path(), clock(i), &["sync"]);
    }
    let at = Utc::now();
    let view = |dir: &Path| -> Vec<Value> {
        ids.iter()
            .map(|id| {
                let l = show(dir, id, at);
                serde_json::json!([l["state"], l["owner"], l["protected_until"], l["registered_at"], l["claimed_at"], l["pool_since"]])
            })
            .collect()
    };
    let reference = view(boss.path());
    for dir in &laptops {
        assert_eq!(view(dir.path()), reference, "every laptop derives the same status");
    }
    // Nobody's registration counts later than the hub received it or before the test.
    for row in &reference {
        let registered = time(&row[3]);
        assert!(registered >= now - Duration::seconds(5) && registered <= at, "{row}");
    }
    // 王强's claim from the pool, clock 3 days behind, counts from his last sync.
    assert_eq!(reference[0][1], "wang.qiang");
    assert!(time(&reference[0][4]) >= now - Duration::seconds(5), "{}", reference[0]);
}

#[test]
fn a_first_push_cannot_predate_the_enrolment() {
    let hub = Hub::start();
    let lina = laptop(&hub, "li.na", "李娜", "rep");
    // 王强 joins the hub, and before his first sync sets his clock 30 days back and
    // registers a customer, hoping to look first.
    let wang = laptop(&hub, "wang.qiang", "王强", "rep");
    let enrolled = Utc::now();
    let back = enrolled - Duration::days(30);
    let his = add_lead(wang.path(), Some(back), "东莞五金制品有限公司", "13700002222");
    assert!(time(&show(wang.path(), &his, back)["registered_at"]) < enrolled - Duration::days(29), "provisional, on his laptop");
    cli(wang.path(), &["sync"]);
    cli(lina.path(), &["sync"]);
    for data in [wang.path(), lina.path()] {
        let counted = time(&show(data, &his, Utc::now())["registered_at"]);
        assert!(counted >= enrolled - Duration::seconds(5), "counted from the enrolment at the earliest, not {counted}");
    }
}
