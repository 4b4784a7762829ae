//! The monthly clean-up report (月度清查) per rep: held and expiring now; registered,
//! claimed, released and expired (掉公海) in the month — exportable.

mod support;

use leadguard_core::api::{self, Context};
use leadguard_core::model::{EventKind, FollowupKind};
use leadguard_core::Reason;
use serde_json::json;
use support::*;

#[test]
fn monthly_report_counts_held_expiring_claimed_released_and_expired_per_rep() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let a = register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    let b = register(&mut reg, "r1", "广州白云制药有限公司", h(0));
    try_write(&mut reg, "r1", &b, EventKind::Release, h(1)).unwrap();
    try_write(&mut reg, "r2", &b, EventKind::Claim, h(30)).unwrap();
    // A visit keeps 李娜's customer until h(120); 王强's claim runs out at h(102).
    try_write(&mut reg, "r1", &a, EventKind::Followup { followup: FollowupKind::Visit, note: "拜访".into() }, h(48)).unwrap();
    let r = reg.monthly_report("2026-03", h(110), None).unwrap();
    let line = |rep: &str| r.reps.iter().find(|x| x.rep == rep).cloned().unwrap();
    let li = line("r1");
    assert_eq!((li.held, li.expiring, li.registered, li.claimed, li.released, li.expired), (1, 1, 2, 0, 1, 0), "{li:?}");
    let wang = line("r2");
    assert_eq!((wang.held, wang.expiring, wang.registered, wang.claimed, wang.released, wang.expired), (0, 0, 0, 1, 0, 1), "{wang:?}");
    // Another month counts none of it.
    let feb = reg.monthly_report("2026-02", h(110), None).unwrap();
    assert!(feb.reps.iter().all(|x| x.claimed + x.released + x.expired + x.registered == 0));
    drop(reg);

    // Through the API: a rep sees their own line; a bad month is a typed error; export.
    let mut ctx = Context::open(&dir.path().join("manager-bootstrap")).unwrap();
    ctx.set_now(Some(h(110)));
    let all = api::dispatch(&mut ctx, "monthly_report", json!({ "month": "2026-03" })).unwrap();
    assert_eq!(all["reps"].as_array().unwrap().len(), 3);
    let err = api::dispatch(&mut ctx, "monthly_report", json!({ "month": "2026-13" })).unwrap_err();
    assert_eq!(err.reason, Reason::MonthMalformed { month: "2026-13".into() });
    let file = api::dispatch(&mut ctx, "export_file", json!({ "what": "monthly", "format": "csv" })).unwrap();
    assert_eq!(file["rows"], 3);
    assert!(file["file_name"].as_str().unwrap().starts_with("月度清查-"));
    drop(ctx);
    let mut reg = leadguard_core::Registry::open(&dir.path().join("manager-bootstrap")).unwrap();
    reg.set_session_rep("r2").unwrap();
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("manager-bootstrap")).unwrap();
    ctx.set_now(Some(h(110)));
    let mine = api::dispatch(&mut ctx, "monthly_report", json!({ "month": "2026-03" })).unwrap();
    assert_eq!(mine["reps"].as_array().unwrap().len(), 1);
    assert_eq!(mine["reps"][0]["rep"], "r2");
    assert_eq!(mine["reps"][0]["expired"], 1);
}
