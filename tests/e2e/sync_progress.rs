//! A running sync holds the core's context for its whole run; the app's progress bar
//! reads `sync_progress` without that lock (`api::answer_lock_free`), against a real
//! hub: readings move while the sync runs, and say "none running" once it is done.

#[path = "hub_support.rs"]
mod hub_support;

use chrono::Utc;
use hub_support::Hub;
use leadguard_core::api::{self, Context};
use leadguard_core::model::LeadFields;
use serde_json::json;

#[test]
fn sync_progress_is_readable_while_a_sync_holds_the_context() {
    let hub = Hub::start();
    let dir = tempfile::tempdir().unwrap();
    let mut ctx = Context::open(dir.path()).unwrap();
    api::dispatch(&mut ctx, "init", json!({ "rep_id": "li.na", "name": "李娜", "branch": "sh" })).unwrap();
    let token = hub.token("li.na", "sh", "rep");
    api::dispatch(&mut ctx, "sync_enroll", json!({ "hub_url": hub.url, "token": token })).unwrap();
    let leads = (0..2_000)
        .map(|i| LeadFields {
            company: Some(format!("上海第{i}号贸易有限公司")),
            contact: Some("王伟".into()),
            phone: Some(format!("139{:08}", i)),
            ..LeadFields::default()
        })
        .collect();
    ctx.registry().unwrap().add_leads(leads, Utc::now()).unwrap();

    let board = ctx.progress_board();
    assert_eq!(api::answer_lock_free(&board, "sync_progress"), Some(json!({ "progress": null })));
    assert_eq!(api::answer_lock_free(&board, "session"), None, "only sync_progress bypasses the lock");
    let ctx = std::sync::Arc::new(std::sync::Mutex::new(ctx));
    let runner = {
        let ctx = ctx.clone();
        std::thread::spawn(move || api::dispatch(&mut ctx.lock().unwrap(), "sync_run", json!(null)))
    };
    let mut phases = Vec::new();
    while !runner.is_finished() {
        let reading = api::answer_lock_free(&board, "sync_progress").unwrap();
        if let Some(phase) = reading["progress"]["phase"].as_str() {
            if phases.last().map(String::as_str) != Some(phase) {
                phases.push(phase.to_string());
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let report = runner.join().unwrap().unwrap();
    assert!(report["pushed"].as_u64().unwrap() >= 2_000, "{report}");
    assert!(phases.iter().any(|p| p == "pushing"), "readings while the sync ran: {phases:?}");
    assert_eq!(api::answer_lock_free(&board, "sync_progress"), Some(json!({ "progress": null })), "cleared when done");
    // The same answer through the context, for hosts that hold no lock.
    let direct = api::dispatch(&mut ctx.lock().unwrap(), "sync_progress", json!(null)).unwrap();
    assert_eq!(direct, json!({ "progress": null }));
}

/// The app's host applies a first sync's pulled plain leads without their keyed
/// digests and digests them after the pull (phase `digesting`), outside its apply
/// slices; when the sync returns, a plain lead written before enrolment and a sealed
/// one with the same phone are one collision, and the views equal a rebuild.
#[test]
fn the_host_digests_pulled_plain_leads_after_the_pull_and_their_collision_surfaces() {
    use leadguard_core::api::Host;
    let hub = Hub::start();
    let dir = tempfile::tempdir().unwrap();
    let customer = |company: &str| LeadFields {
        company: Some(company.into()),
        contact: Some("陈明".into()),
        phone: Some("13912345678".into()),
        region: Some("上海".into()),
        need: Some("年度采购".into()),
        ..LeadFields::default()
    };
    // 王强 registered his customer before his laptop was enrolled: plain.
    let mut wang = Context::open(&dir.path().join("wang")).unwrap();
    api::dispatch(&mut wang, "init", json!({ "rep_id": "wang.qiang", "name": "王强", "branch": "sh" })).unwrap();
    wang.registry().unwrap().add_leads(vec![customer("腾达电子")], Utc::now()).unwrap();
    api::dispatch(&mut wang, "sync_enroll", json!({ "hub_url": hub.url, "token": hub.token("wang.qiang", "sh", "rep") })).unwrap();
    api::dispatch(&mut wang, "sync_run", json!(null)).unwrap();
    // 李娜's laptop was enrolled first: her registration is sealed, with its digests.
    let mut li = Context::open(&dir.path().join("li")).unwrap();
    api::dispatch(&mut li, "init", json!({ "rep_id": "li.na", "name": "李娜", "branch": "sh" })).unwrap();
    api::dispatch(&mut li, "sync_enroll", json!({ "hub_url": hub.url, "token": hub.token("li.na", "sh", "rep") })).unwrap();
    li.registry().unwrap().add_leads(vec![customer("深圳市腾达科技有限公司")], Utc::now()).unwrap();
    api::dispatch(&mut li, "sync_run", json!(null)).unwrap();

    let host = Host::new(dir.path().join("zhao"));
    host.call("init", json!({ "rep_id": "zhao.min", "name": "赵敏", "branch": "sh" })).unwrap();
    host.call("sync_enroll", json!({ "hub_url": hub.url, "token": hub.token("zhao.min", "sh", "rep") })).unwrap();
    let mut phases = Vec::new();
    std::thread::scope(|s| {
        let runner = s.spawn(|| host.call("sync_run", json!(null)));
        while !runner.is_finished() {
            let reading = host.call("sync_progress", json!(null)).unwrap();
            if let Some(phase) = reading["progress"]["phase"].as_str() {
                if phases.last().map(String::as_str) != Some(phase) {
                    phases.push(phase.to_string());
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        runner.join().unwrap().unwrap();
    });
    assert!(phases.iter().any(|p| p == "digesting"), "the plain lead was digested after the pull: {phases:?}");
    host.with_context(|ctx| {
        let reg = ctx.registry()?;
        assert_eq!(reg.digest_backlog_len(), 0, "nothing waits when the sync returns");
        let cases = reg.collision_cases(None)?;
        let reasons: Vec<&String> = cases.iter().flat_map(|c| &c.duplicates).flat_map(|d| &d.reasons_zh).collect();
        assert!(reasons.iter().any(|r| r.contains("电话相同")), "a plain and a sealed lead, one phone: {cases:#?}");
        for c in reg.verify_derived()? {
            assert!(c.drift.is_empty(), "view {} differs from its rebuild: {:?}", c.view, c.drift);
        }
        Ok(())
    })
    .unwrap();
}
