//! Two laptops and a real hub: reps register the same customer offline with
//! different spellings, both sync, and each ends up with both leads; nothing is
//! lost and a second sync moves nothing.

#[path = "hub_support.rs"]
mod hub_support;

use hub_support::{files_holding, li_na_registers_shentong, Hub};
use leadguard_core::api::{self, Context};
use leadguard_core::sync::{self, SyncPhase, SyncProgress};
use serde_json::{json, Value};
use std::path::Path;
use hub_support::call;
use leadguard_tests::leadguard_ok as cli;

fn registry(data: &Path) -> leadguard_core::Registry {
    leadguard_core::Registry::open(data).expect("registry")
}

fn all_leads(data: &Path) -> Vec<Value> {
    let page = call(data, "lead_list", json!({ "limit": 1000 }));
    page["items"].as_array().expect("items").clone()
}

#[test]
fn two_reps_register_the_same_customer_offline_and_both_leads_survive_sync() {
    let hub = Hub::start();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    call(a.path(), "init", json!({ "rep_id": "li.na", "name": "李娜", "branch": "sh" }));
    call(b.path(), "init", json!({ "rep_id": "wang.wei", "name": "王伟", "branch": "sh" }));

    // Offline, each registers the same customer, spelled differently.
    let lead_a = call(
        a.path(),
        "lead_add",
        json!({ "fields": { "company": "上海华强电子有限公司", "contact": "张伟", "phone": "13800138000", "need": "年度采购" } }),
    )["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let lead_b = call(
        b.path(),
        "lead_add",
        json!({ "fields": { "company": "华强电子(上海)", "contact": "张 伟", "phone": "+86 138-0013-8000", "need": "采购" } }),
    )["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pending_a = registry(a.path()).pending_count().unwrap();
    let pending_b = registry(b.path()).pending_count().unwrap();
    assert!(pending_a > 0 && pending_b > 0);

    // Both join the hub through the CLI, then sync: A, B, then A again.
    let ea = cli(a.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("li.na", "sh", "rep")]);
    assert_eq!(ea["branch"], "sh");
    cli(b.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("wang.wei", "sh", "rep")]);
    let first = cli(a.path(), &["sync"]);
    assert_eq!(first["pushed"].as_u64(), Some(pending_a));
    let second = cli(b.path(), &["sync"]);
    assert_eq!(second["pushed"].as_u64(), Some(pending_b));
    assert_eq!(second["pulled"].as_u64(), Some(pending_a), "B receives everything A pushed");
    let mut phases = Vec::new();
    let third = sync::sync(&mut registry(a.path()), &mut |p: &SyncProgress| phases.push(p.phase.clone())).unwrap();
    assert_eq!((third.pushed, third.pulled), (0, pending_b));
    assert!(third.touched_leads.contains(&lead_b));
    assert_eq!(phases.first(), Some(&SyncPhase::Pushing));
    assert_eq!(phases.last(), Some(&SyncPhase::Done));

    // Each laptop now holds both leads; nothing pending, nothing lost.
    for dir in [a.path(), b.path()] {
        let ids: std::collections::BTreeSet<String> =
            all_leads(dir).iter().map(|l| l["id"].as_str().unwrap().to_owned()).collect();
        assert!(ids.contains(&lead_a) && ids.contains(&lead_b), "{ids:?}");
        let reg = registry(dir);
        assert_eq!(reg.pending_count().unwrap(), 0);
        assert!(reg.last_sync_at().unwrap().is_some());
    }

    // A second round moves nothing.
    let again = cli(b.path(), &["sync"]);
    assert_eq!((again["pushed"].as_u64(), again["pulled"].as_u64()), (Some(0), Some(0)));
    // The app's command (Tauri / browser) does the same.
    let via_api = call(a.path(), "sync_run", Value::Null);
    assert_eq!((via_api["pushed"].as_u64(), via_api["pulled"].as_u64()), (Some(0), Some(0)));
    assert!(via_api["synced_at"].is_string());

    // Their branch manager joins and syncs: exactly one collision case, naming both
    // reps and both leads, the same one each rep's laptop found on its own.
    let m = tempfile::tempdir().unwrap();
    call(m.path(), "init", json!({ "rep_id": "zhang.jing", "name": "张经理", "branch": "sh", "role": "manager" }));
    cli(m.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("zhang.jing", "sh", "manager")]);
    cli(m.path(), &["sync"]);
    let listed = cli(m.path(), &["collisions", "list"]);
    let cases = listed["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 1, "the manager sees exactly one case: {listed:#}");
    let case = &cases[0];
    assert_eq!(case["kind"], "duplicate_leads");
    assert_eq!(case["reps"], json!(["li.na", "wang.wei"]));
    let mut leads = vec![lead_a.clone(), lead_b.clone()];
    leads.sort();
    assert_eq!(case["lead_ids"], json!(leads));
    assert!(case["surfaced_at"].is_string(), "both claims are at the hub: the case has a hub time");
    for rep in [a.path(), b.path()] {
        assert_eq!(cli(rep, &["collisions", "list"])["cases"], listed["cases"], "each rep's laptop finds the same case");
    }
    let shown = cli(m.path(), &["collisions", "show", case["id"].as_str().unwrap()]);
    assert_eq!(shown["leads"].as_array().map(Vec::len), Some(2));
    // Nothing lost on the manager's laptop either.
    let ids: Vec<String> = all_leads(m.path()).iter().map(|l| l["id"].as_str().unwrap().to_owned()).collect();
    assert!(ids.contains(&lead_a) && ids.contains(&lead_b));
}

#[test]
fn enrolment_refuses_a_token_of_another_branch_and_sync_needs_enrolment() {
    let hub = Hub::start();
    let a = tempfile::tempdir().unwrap();
    call(a.path(), "init", json!({ "rep_id": "li.na", "name": "李娜", "branch": "sh" }));
    let mut reg = registry(a.path());
    assert!(matches!(sync::sync(&mut reg, &mut |_| {}), Err(sync::SyncError::NotEnrolled)));
    let err = sync::enroll(&mut reg, &hub.url, &hub.token("li.na", "bj", "rep")).unwrap_err();
    assert!(matches!(err, sync::SyncError::BranchMismatch { .. }), "{err}");
    assert!(matches!(sync::sync(&mut reg, &mut |_| {}), Err(sync::SyncError::NotEnrolled)));
    let bad_url = sync::enroll(&mut reg, "http://hub.example.com", "lge_x").unwrap_err();
    assert!(matches!(bad_url, sync::SyncError::Hub(_)), "plain http off loopback is refused");
}

/// docs/RULES.md, time and trust: "A laptop's clock is not evidence". A claim made offline with the
/// clock set back is bounded by hub times: the device's last sync before it (carried
/// on the event as `after` and stamped by the hub as `device_prev_sync`) and the
/// hub's first receipt.
#[test]
fn a_laptop_clock_is_not_evidence_the_window_is_in_hub_time() {
    let hub = Hub::start();
    let a = tempfile::tempdir().unwrap();
    call(a.path(), "init", json!({ "rep_id": "li.na", "name": "李娜", "branch": "sh" }));
    let mut reg = registry(a.path());
    sync::enroll(&mut reg, &hub.url, &hub.token("li.na", "sh", "rep")).unwrap();
    let t1 = sync::sync(&mut reg, &mut |_| {}).unwrap().synced_at.unwrap();
    drop(reg);

    // Offline, with the laptop clock set back to 2020.
    let set_back = leadguard_protocol::HubTime(1_577_869_200_000).to_datetime().unwrap(); // 2020-01-01T09:00Z
    let mut ctx = Context::open(a.path()).unwrap();
    ctx.set_now(Some(set_back));
    let added = api::dispatch(
        &mut ctx,
        "lead_add",
        json!({ "fields": { "company": "杭州云帆科技有限公司", "contact": "陈静", "phone": "13900001111", "need": "CRM" } }),
    )
    .unwrap();
    let lead = added["lead"]["id"].as_str().unwrap().to_owned();
    let detail = api::dispatch(&mut ctx, "lead_get", json!({ "id": lead })).unwrap();
    drop(ctx);
    let claim = detail["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(claim["device_time"].as_str().map(|s| s.starts_with("2020-01-01")), Some(true), "{claim}");
    assert!(claim["after"].is_string(), "after is recorded: {claim}");
    let mut after = set_back; // (same type as t1; overwritten below)
    after = serde_json::from_value(claim["after"].clone()).unwrap_or(after);
    assert_eq!(t1, after, "the event carries the last hub sync, not the device clock");

    sync::sync(&mut registry(a.path()), &mut |_| {}).unwrap();
    let (colleague, _) = hub.device("wang.wei", "sh", "rep");
    let pulled = hub_support::pull_all(&colleague, 1000);
    // Every change carries the lower end of its window: the pusher's previous sync
    // (its enrolment for what the first sync pushed).
    assert!(pulled.iter().all(|c| c.device_prev_sync.is_some()));
    let late: Vec<_> = pulled.iter().filter(|c| c.device_prev_sync.unwrap().to_datetime().unwrap() >= t1).collect();
    assert!(!late.is_empty(), "the offline changes carry the pusher's previous sync");
    for c in late {
        let prev = c.device_prev_sync.unwrap().to_datetime().unwrap();
        let received = c.received_at.to_datetime().unwrap();
        assert_eq!(prev, t1);
        assert!(received >= t1 && received > set_back, "the window [{prev}, {received}] is hub time");
    }
}

#[test]
fn a_sync_started_while_the_hub_is_down_retries_and_completes_after_its_restart() {
    let mut hub = Hub::start();
    let a = tempfile::tempdir().unwrap();
    call(a.path(), "init", json!({ "rep_id": "li.na", "name": "李娜", "branch": "sh" }));
    sync::enroll(&mut registry(a.path()), &hub.url, &hub.token("li.na", "sh", "rep")).unwrap();
    for i in 0..20 {
        call(
            a.path(),
            "lead_add",
            json!({ "fields": { "company": format!("广州第{i}贸易有限公司"), "contact": "林峰", "phone": format!("1370000{i:04}"), "need": "样品" } }),
        );
    }
    let pending = registry(a.path()).pending_count().unwrap();
    hub.kill9();
    let data = a.path().to_owned();
    let syncing = std::thread::spawn(move || sync::sync(&mut registry(&data), &mut |_| {}));
    std::thread::sleep(std::time::Duration::from_millis(400));
    hub.restart();
    let report = syncing.join().unwrap().expect("the sync completes once the hub is back");
    assert_eq!(report.pushed, pending);
    assert_eq!(registry(a.path()).pending_count().unwrap(), 0);
    let (colleague, _) = hub.device("wang.wei", "sh", "rep");
    assert_eq!(hub_support::pull_all(&colleague, 1000).len() as u64, pending);
}

#[test]
fn a_rep_whose_clock_is_30_days_back_cannot_win_against_a_claim_the_hub_had_before_their_last_sync() {
    let hub = Hub::start();
    let (a, b, m) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, id, name, role) in
        [(&a, "li.na", "李娜", "rep"), (&b, "wang.wei", "王伟", "rep"), (&m, "zhang.jing", "张经理", "manager")]
    {
        call(dir.path(), "init", json!({ "rep_id": id, "name": name, "branch": "sh", "role": role, "region": "上海" }));
        cli(dir.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token(id, "sh", role)]);
    }
    // Li Na registers the customer and syncs: the hub has her claim.
    let lead_a = cli(
        a.path(),
        &["lead", "add", "--company", "上海华强电子有限公司", "--contact", "张伟", "--phone", "13800138000", "--region", "上海", "--need", "年度采购"],
    )["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    cli(a.path(), &["sync"]);
    // Wang Wei syncs (now his laptop knows the hub has her claim), sets his clock 30
    // days back and registers the same customer, spelled differently.
    cli(b.path(), &["sync"]);
    let back = (chrono::Utc::now() - chrono::Duration::days(30)).to_rfc3339();
    let lead_b = cli(
        b.path(),
        &["--now", &back, "lead", "add", "--company", "华强电子(上海)", "--contact", "张伟", "--phone", "+86 138-0013-8000", "--region", "上海", "--need", "采购"],
    )["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    cli(b.path(), &["sync"]);
    cli(m.path(), &["sync"]);
    let cases = cli(m.path(), &["collisions", "list"])["cases"].as_array().unwrap().clone();
    assert_eq!(cases.len(), 1, "{cases:#?}");
    let shown = cli(m.path(), &["collisions", "show", cases[0]["id"].as_str().unwrap()]);
    let claim = |lead: &str| {
        shown["case"]["claims"].as_array().unwrap().iter().find(|c| c["lead_id"] == lead).unwrap().clone()
    };
    assert!(
        claim(&lead_b)["device_time"].as_str().unwrap() < claim(&lead_a)["device_time"].as_str().unwrap(),
        "by the laptop clocks Wang Wei registered first"
    );
    let proposal = &shown["proposal"];
    assert_eq!(proposal["outcome"], json!({ "kind": "owner", "rep": "li.na" }), "{proposal:#}");
    assert_eq!(proposal["decided_by"], "earlier_window", "{proposal:#}");
    assert!(proposal["explanation_zh"].as_str().unwrap().contains("李娜"));
    assert!(!proposal["explanation_en"].as_str().unwrap().is_empty());
}

/// Distributors (分销报备) through the real hub: a distributor's laptop syncs its
/// reports and receives nothing of the branch; the branch sees the report, a rep is
/// warned about it, the manager rejects it with a reason and the distributor reads
/// the verdict on its next sync.
#[test]
fn a_distributor_syncs_its_reports_and_reads_the_branch_review() {
    let hub = Hub::start();
    let m = tempfile::tempdir().unwrap();
    let r = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    call(m.path(), "init", json!({ "rep_id": "zhang.jing", "name": "张经理", "branch": "sh", "role": "manager" }));
    cli(m.path(), &["rep", "add", "--id", "agent-7", "--name", "远航分销", "--role", "distributor"]);
    cli(m.path(), &["rep", "add", "--id", "li.na", "--name", "李娜"]);
    cli(m.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("zhang.jing", "sh", "manager")]);
    cli(m.path(), &["sync"]);
    let branch_lead = li_na_registers_shentong(&hub, r.path());

    // The distributor reports offline, the way seed rules write it: a masked phone.
    call(d.path(), "init", json!({ "rep_id": "agent-7", "name": "远航分销", "branch": "sh", "role": "distributor" }));
    let report = cli(
        d.path(),
        &["lead", "add", "--company", "上海澄海玩具有限公司", "--contact", "陈先生", "--phone", "139****3333", "--need", "展厅样品"],
    )["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    cli(d.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("agent-7", "sh", "distributor")]);
    let synced = cli(d.path(), &["sync"]);
    assert!(synced["pushed"].as_u64().unwrap() > 0, "{synced:#}");
    assert_eq!(synced["pulled"], 0, "a distributor receives nothing of the branch");
    assert!(registry(d.path()).row(&branch_lead).is_err(), "the rep's customer never reaches the distributor's laptop");
    assert_eq!(registry(d.path()).pending_count().unwrap(), 0);

    // The branch: the manager's review queue, the rep's duplicate warning.
    cli(m.path(), &["sync"]);
    let queue = cli(m.path(), &["reports", "list", "--pending"]);
    assert_eq!(queue["pending"], 1, "{queue:#}");
    assert_eq!(queue["items"][0]["lead"]["id"], report.as_str());
    assert_eq!(queue["items"][0]["reporter_name"], "远航分销");
    cli(r.path(), &["sync"]);
    let warned = cli(r.path(), &["check", "--company", "澄海玩具(上海)", "--phone", "13912343333"]);
    let hit = warned["matches"].as_array().and_then(|m| m.iter().find(|x| x["lead"]["id"] == report.as_str())).cloned();
    let hit = hit.unwrap_or_else(|| panic!("the rep is warned about the report: {warned:#}"));
    assert_eq!(hit["lead"]["owner_name"], "远航分销");
    assert_eq!(hit["lead"]["masked"], true);

    // The manager rejects it; the distributor reads why.
    let refused = leadguard_tests::leadguard(m.path(), &["reports", "review", &report, "--reject"]);
    assert!(!refused.status.success(), "a rejection needs a reason");
    let reviewed = cli(m.path(), &["reports", "review", &report, "--reject", "--reason", "客户已由本店接待"]);
    assert_eq!(reviewed["review"], "rejected");
    cli(m.path(), &["sync"]);
    let again = cli(d.path(), &["sync"]);
    assert!(again["pulled"].as_u64().unwrap() >= 1, "the review comes back to the distributor: {again:#}");
    let mine = cli(d.path(), &["reports", "list"]);
    assert_eq!(mine["items"][0]["review"], "rejected", "{mine:#}");
    assert_eq!(mine["items"][0]["review_reason"], "客户已由本店接待");
    assert!(registry(d.path()).row(&branch_lead).is_err());

    // No file of the distributor's data directory (database, WAL, logs, anything)
    // holds the rep's customer: not the phone, not the contact, not the company.
    for needle in ["13700001111", "王敏", "申通物流"] {
        let found = files_holding(d.path(), needle.as_bytes());
        assert!(found.is_empty(), "{needle} found in {found:?}");
    }
    // (The scan finds what is there: the distributor's own report is.)
    assert!(!files_holding(d.path(), "澄海玩具".as_bytes()).is_empty());

    // Enrolment gave each laptop the company keys, in a file beside the registry
    // readable by its user only: the same digest key everywhere, the staff key to
    // employees and never to the distributor; the registry file holds neither.
    let keys = |dir: &Path| std::fs::read_to_string(dir.join("company.keys")).expect("company.keys after enrolment");
    let line = |text: &str, name: &str| text.lines().find(|l| l.starts_with(name)).map(str::to_owned);
    let (mk, rk, dk) = (keys(m.path()), keys(r.path()), keys(d.path()));
    assert_eq!(line(&mk, "digest="), line(&dk, "digest="));
    assert_eq!(mk, rk, "employees hold the same keys");
    let staff = line(&mk, "staff=").expect("employees get the staff key");
    assert_eq!(line(&dk, "staff="), None, "a distributor never gets the staff key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.path().join("company.keys")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let digest_hex = line(&mk, "digest=").unwrap().trim_start_matches("digest=").to_owned();
    for secret in [digest_hex, staff.trim_start_matches("staff=").to_owned()] {
        let holders = files_holding(m.path(), secret.as_bytes());
        assert_eq!(holders, vec![m.path().join("company.keys")], "the keys live in their file only");
    }
}

/// Rule 12 on disk: a rep's laptop holds no colleague's customer contact in readable
/// form in any file of its data directory, before and after a handover; what its user
/// may see in full (its own customers, a customer handed to it) it holds and shows.
#[test]
fn rule_12_a_reps_laptop_holds_no_colleagues_customer_contacts_before_or_after_a_handover() {
    let hub = Hub::start();
    let (m, a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    call(m.path(), "init", json!({ "rep_id": "zhang.jing", "name": "张经理", "branch": "sh", "role": "manager" }));
    cli(m.path(), &["rep", "add", "--id", "li.na", "--name", "李娜"]);
    cli(m.path(), &["rep", "add", "--id", "wang.wei", "--name", "王伟"]);
    cli(m.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("zhang.jing", "sh", "manager")]);
    cli(m.path(), &["sync"]);
    for (dir, id, name) in [(a.path(), "li.na", "李娜"), (b.path(), "wang.wei", "王伟")] {
        call(dir, "init", json!({ "rep_id": id, "name": name, "branch": "sh" }));
        cli(dir, &["enroll", "--hub", &hub.url, "--token", &hub.token(id, "sh", "rep")]);
    }
    // Rep A's customer, with contacts nobody else in the team uses.
    let (phone, contact, email) = ("13611112222", "欧阳娜娜", "ouyang.nana@haiyun-keji.cn");
    let secret = [phone, contact, email, "136-1111-2222", "ouyang.nana"];
    let added = call(
        a.path(),
        "lead_add",
        json!({ "fields": { "company": "上海海韵科技有限公司", "contact": contact, "phone": "136-1111-2222", "email": email, "need": "门禁系统" } }),
    );
    assert_eq!(added["lead"]["fields"]["contact"], contact, "the registrant sees what it typed: {added:#}");
    let theirs = added["lead"]["id"].as_str().unwrap().to_owned();
    // Rep B's own customer (the positive control of the scan).
    let own = call(
        b.path(),
        "lead_add",
        json!({ "fields": { "company": "上海澄明包装有限公司", "contact": "司马光明", "phone": "13833334444", "need": "包装材料" } }),
    )["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for dir in [a.path(), b.path(), m.path(), a.path(), b.path()] {
        cli(dir, &["sync"]);
    }
    let scan = |dir: &Path| -> Vec<(String, Vec<std::path::PathBuf>)> {
        secret.iter().map(|n| (n.to_string(), files_holding(dir, n.as_bytes()))).filter(|(_, f)| !f.is_empty()).collect()
    };

    // Before: B's laptop holds A's customer (for duplicate checks) but none of its
    // contacts, in any file; B's own customer is there in full.
    assert!(registry(b.path()).row(&theirs).is_ok(), "B holds A's lead");
    assert_eq!(scan(b.path()), vec![], "no contact of A's customer in B's files");
    assert!(!files_holding(b.path(), "司马光明".as_bytes()).is_empty() && !files_holding(b.path(), b"13833334444").is_empty());
    let seen = call(b.path(), "lead_get", json!({ "id": theirs }));
    assert_eq!(seen["lead"]["masked"], true);
    assert_eq!(seen["lead"]["fields"]["company"], "上海海韵科技有限公司", "the company stays visible");
    let mine = call(b.path(), "lead_get", json!({ "id": own }));
    assert_eq!(mine["lead"]["fields"]["contact"], "司马光明");
    // The registrant and the manager read A's customer in full.
    for dir in [a.path(), m.path()] {
        let full = call(dir, "lead_get", json!({ "id": theirs }));
        assert_eq!(full["lead"]["fields"]["contact"], contact, "{full:#}");
        assert_eq!(full["lead"]["fields"]["phone"], "136-1111-2222");
    }
    // B's duplicate warning still names A's customer (company and masked phone).
    let warned = cli(b.path(), &["check", "--company", "海韵科技(上海)", "--phone", "13611112222"]);
    assert!(
        warned["matches"].as_array().is_some_and(|m| m.iter().any(|x| x["lead"]["id"] == theirs.as_str())),
        "B is warned about A's customer: {warned:#}"
    );

    // A leaves; the manager hands A's customers to B: B now sees it in full.
    cli(m.path(), &["handover", "--from", "li.na", "--to", "wang.wei"]);
    cli(m.path(), &["sync"]);
    cli(b.path(), &["sync"]);
    let handed = call(b.path(), "lead_get", json!({ "id": theirs }));
    assert_eq!(handed["lead"]["fields"]["contact"], contact, "{handed:#}");
    assert!(!files_holding(b.path(), contact.as_bytes()).is_empty(), "the scan finds what B may see");
    // A's laptop forgets the customer it no longer owns.
    cli(a.path(), &["sync"]);
    assert_eq!(scan(a.path()), vec![], "A no longer holds the contacts of the customer it handed over");

    // A comes back; B's customers go to A: B's files no longer hold the contacts.
    cli(m.path(), &["rep", "add", "--id", "li.na", "--name", "李娜"]);
    cli(m.path(), &["handover", "--from", "wang.wei", "--to", "li.na"]);
    cli(m.path(), &["sync"]);
    cli(b.path(), &["sync"]);
    assert_eq!(scan(b.path()), vec![], "after the handover away, B's files hold none of the contacts");
    assert_eq!(call(b.path(), "lead_get", json!({ "id": theirs }))["lead"]["masked"], true);
    cli(a.path(), &["sync"]);
    assert_eq!(call(a.path(), "lead_get", json!({ "id": theirs }))["lead"]["fields"]["contact"], contact);
}

/// Devices are not trusted: a rep whose laptop claims a colleague's protected
/// customer with its clock set forward (so the customer looks lapsed to it) does not
/// become its owner by the hub's receipts, and so never receives its contacts.
#[test]
fn rule_12_a_forged_claim_on_a_protected_lead_earns_no_key() {
    let hub = Hub::start();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    for (dir, id, name) in [(a.path(), "li.na", "李娜"), (b.path(), "wang.wei", "王伟")] {
        call(dir, "init", json!({ "rep_id": id, "name": name, "branch": "sh" }));
        cli(dir, &["enroll", "--hub", &hub.url, "--token", &hub.token(id, "sh", "rep")]);
    }
    let lead = cli(a.path(), &["lead", "add", "--company", "上海海韵科技有限公司", "--contact", "欧阳娜娜", "--phone", "13611112222", "--need", "门禁"])
        ["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    cli(a.path(), &["sync"]);
    cli(b.path(), &["sync"]);
    // Thirty days ahead on B's clock the protection has run out: B claims "from the pool".
    let ahead = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let claimed = leadguard_tests::leadguard(b.path(), &["--now", &ahead, "lead", "claim", &lead]);
    assert!(claimed.status.success(), "the laptop accepts the claim on its own clock: {}", String::from_utf8_lossy(&claimed.stdout));
    cli(b.path(), &["sync"]);
    let seen = call(b.path(), "lead_get", json!({ "id": lead }));
    assert_eq!(seen["lead"]["owner"], "li.na", "by the hub's receipt the claim came while Li Na protected it: {seen:#}");
    assert_eq!(seen["lead"]["fields"]["contact"], Value::Null);
    for needle in ["欧阳娜娜", "13611112222"] {
        assert!(files_holding(b.path(), needle.as_bytes()).is_empty(), "{needle} reached the forger's laptop");
    }
}
