//! The API context: `Send` (the Tauri shell and the web server keep it in a mutex),
//! the `session` command, `--now` overrides, and distributor visibility (rule 12).

mod support;

use leadguard_core::api::{self, Context};
use leadguard_core::model::Role;
use leadguard_core::ErrorCode;
use serde_json::json;
use support::*;

#[test]
fn context_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Context>();
}

#[test]
fn session_reports_who_and_where() {
    let dir = tempfile::tempdir().unwrap();
    let mut ctx = Context::open(dir.path()).unwrap();
    assert_eq!(api::dispatch(&mut ctx, "session", json!(null)).unwrap_err().code, ErrorCode::NotInitialized);
    ctx.set_now(Some(t0()));
    api::dispatch(&mut ctx, "init", json!({ "rep_id": "lina", "name": "李娜", "branch": "sz" })).unwrap();
    let s = api::dispatch(&mut ctx, "session", json!(null)).unwrap();
    assert_eq!(s["rep"]["id"], "lina");
    assert_eq!(s["rep"]["role"], "rep");
    assert_eq!(s["branch"], "sz");
    assert_eq!(s["device"].as_str().unwrap().len(), 16);
    assert_eq!(s["policy"]["protection_hours"], 72);
    assert_eq!(s["pending_changes"], 1);
    let bad = api::dispatch(&mut ctx, "lead_add", json!({ "fields": { "company": 5 } })).unwrap_err();
    assert_eq!(bad.code, ErrorCode::InvalidArgument);
    assert_eq!(api::dispatch(&mut ctx, "no_such", json!(null)).unwrap_err().code, ErrorCode::UnknownCommand);
}

#[test]
fn distributors_see_only_what_they_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut mgr = branch(dir.path(), "m1");
    mgr.put_rep(rep("d1", "渠道商甲", Role::Distributor), h(0)).unwrap();
    let mut dist = leadguard_core::Registry::init(
        &dir.path().join("d1"),
        leadguard_core::registry::InitOptions { rep: rep("d1", "渠道商甲", Role::Distributor), shard_size: 100 },
        h(0),
    )
    .unwrap();
    copy_all(&mgr, &mut dist);
    let theirs = register(&mut dist, "r1", "别人的客户", h(0));
    let mine = register(&mut dist, "d1", "我报备的客户", h(0));
    drop(dist);
    let mut ctx = Context::open(&dir.path().join("d1")).unwrap();
    ctx.set_now(Some(h(1)));
    let page = api::dispatch(&mut ctx, "lead_list", json!({ "filter": "all" })).unwrap();
    let ids: Vec<&str> = page["items"].as_array().unwrap().iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![mine.as_str()]);
    assert_eq!(api::dispatch(&mut ctx, "lead_get", json!({ "id": theirs })).unwrap_err().code, ErrorCode::Forbidden);
    assert_eq!(api::dispatch(&mut ctx, "lead_get", json!({ "id": mine })).unwrap()["lead"]["masked"], false);
    assert_eq!(api::dispatch(&mut ctx, "lead_claim", json!({ "id": theirs })).unwrap_err().code, ErrorCode::Forbidden);
}

/// An import holds the context like a sync; the wizard's bar reads `import_progress`
/// without that lock, and the readings move batch by batch.
#[test]
fn import_progress_is_readable_while_an_import_holds_the_context() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    let mut ctx = Context::open(dir.path()).unwrap();
    api::dispatch(&mut ctx, "init", json!({ "rep_id": "li.na", "name": "李娜", "branch": "sh" })).unwrap();
    let mut csv = String::from("客户名称,联系人,手机\n");
    for i in 0..1_600u64 {
        csv.push_str(&format!("上海{}号{}贸易有限公司,联系人{i},1{:010}\n", i * 37, ["东", "南", "西", "北"][(i % 4) as usize], 3_000_000_000 + i * 7_919));
    }
    let args = json!({ "file_name": "list.csv", "content_base64": base64::engine::general_purpose::STANDARD.encode(csv) });
    let board = ctx.progress_board();
    assert_eq!(api::answer_lock_free(&board, "import_progress"), Some(json!({ "progress": null })));
    let ctx = std::sync::Arc::new(std::sync::Mutex::new(ctx));
    let runner = {
        let ctx = ctx.clone();
        std::thread::spawn(move || api::dispatch(&mut ctx.lock().unwrap(), "import_file", args))
    };
    let mut readings: Vec<(u64, u64)> = Vec::new();
    while !runner.is_finished() {
        let r = api::answer_lock_free(&board, "import_progress").unwrap();
        if let (Some(done), Some(total)) = (r["progress"]["done"].as_u64(), r["progress"]["total"].as_u64()) {
            if readings.last() != Some(&(done, total)) {
                readings.push((done, total));
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let summary = runner.join().unwrap().unwrap();
    let customers = summary["customers"].as_u64().unwrap();
    assert_eq!(summary["registered"].as_array().unwrap().len() as u64, customers);
    assert!(readings.iter().any(|&(d, t)| t == customers && d > 0 && d < t), "a reading between batches: {readings:?}");
    assert!(readings.windows(2).all(|w| w[0].0 <= w[1].0), "never backwards: {readings:?}");
    assert_eq!(api::answer_lock_free(&board, "import_progress"), Some(json!({ "progress": null })), "cleared when done");
}
