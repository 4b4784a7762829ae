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
