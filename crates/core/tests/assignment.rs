//! Rule 11 (docs/RULES.md): a manager assigns pool customers by the branch's rules
//! (region, industry, size → team), the least loaded rep first, skipping reps at their
//! holding limit or suspended; each assignment explains itself.

mod support;

use leadguard_core::model::{AssignRule, EventKind, LeadFields, Rep, Role};
use leadguard_core::registry::Target;
use leadguard_core::status::LeadState;
use leadguard_core::{ErrorCode, Registry};
use support::*;

fn pooled(reg: &mut Registry, company: &str, region: &str, industry: &str) -> String {
    let f = LeadFields { region: Some(region.into()), industry: Some(industry.into()), ..complete(company) };
    let id = write(reg, "m1", Target::New, EventKind::Register { fields: f }, h(0)).lead_id;
    try_write(reg, "m1", &id, EventKind::Release, h(0)).unwrap();
    id
}

#[test]
fn rule_11_assignment_by_rules_rotates_by_load_and_explains_itself() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    reg.put_rep(Rep { id: "r3".into(), name: "陈静".into(), branch: "sz".into(), region: None, role: Role::Rep, active: true }, h(0)).unwrap();
    // 李娜 already holds one customer; 王强 none.
    register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    let mut p = reg.policy("sz");
    p.assignment = vec![
        AssignRule { region: Some("华南".into()), team: vec!["r1".into(), "r2".into()], ..Default::default() },
        AssignRule { industry: Some("医疗".into()), team: vec!["r3".into()], ..Default::default() },
    ];
    reg.set_policy(p, h(0)).unwrap();
    let south = [pooled(&mut reg, "广州白云制药有限公司", "广州", "制药"), pooled(&mut reg, "佛山陶瓷有限公司", "佛山", "建材"), pooled(&mut reg, "东莞五金厂", "东莞", "五金")];
    let medical = pooled(&mut reg, "成都华西医疗器械公司", "成都", "医疗器械");
    let other = pooled(&mut reg, "哈尔滨冰雪旅游公司", "哈尔滨", "旅游");

    // A dry run says what would happen and writes nothing.
    let preview = reg.assign_pool(None, 50, true, h(1)).unwrap();
    assert_eq!(preview.len(), 5);
    assert_eq!(reg.row(&south[0]).unwrap().at(h(1)).state, LeadState::Pool);

    // In this order (the pool's own order is by lead id, random here).
    let order = vec![south[0].clone(), south[1].clone(), south[2].clone(), medical.clone(), other.clone()];
    let done = reg.assign_pool(Some(order), 50, false, h(1)).unwrap();
    let to = |id: &str| done.iter().find(|a| a.lead_id == id).and_then(|a| a.to.clone());
    let got: Vec<Option<String>> = south.iter().map(|id| to(id)).collect();
    // 王强 (0 held) first, then both at 1: 李娜 by team order, then 王强 again.
    let r1 = got.iter().filter(|t| t.as_deref() == Some("r1")).count();
    let r2 = got.iter().filter(|t| t.as_deref() == Some("r2")).count();
    assert_eq!((r1, r2), (1, 2), "{done:?}");
    assert_eq!(to(&medical).as_deref(), Some("r3"));
    // No rule matched: every rep in rotation, the fewest held wins (陈静).
    assert_eq!(to(&other).as_deref(), Some("r3"));
    assert_eq!(done.iter().find(|a| a.lead_id == other).unwrap().rule, None);
    let explained = done.iter().find(|a| a.lead_id == medical).unwrap();
    assert_eq!(explained.rule, Some(2));
    assert!(explained.explanation_zh.contains("规则 2（医疗）") && explained.explanation_zh.contains("陈静"), "{}", explained.explanation_zh);
    // The assignment is an event with its explanation; the rep now protects the customer.
    let (events, status) = reg.status(&medical, h(2)).unwrap();
    assert_eq!((status.state, status.owner.as_deref()), (LeadState::Protected, Some("r3")));
    assert!(matches!(&events.last().unwrap().kind, EventKind::Assign { to, reason } if to == "r3" && reason.contains("陈静（持有 0 个客户")));
    assert!(reg.verify_derived().unwrap().iter().all(|c| c.drift.is_empty()));
}

#[test]
fn rule_11_assignment_skips_reps_at_their_holding_limit_and_needs_a_manager() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    register(&mut reg, "r1", "深圳市腾达科技有限公司", h(0));
    let mut p = reg.policy("sz");
    p.max_held = 1;
    p.assignment = vec![AssignRule { region: Some("华南".into()), team: vec!["r1".into(), "r2".into()], ..Default::default() }];
    reg.set_policy(p, h(0)).unwrap();
    let a = pooled(&mut reg, "广州白云制药有限公司", "广州", "制药");
    let b = pooled(&mut reg, "佛山陶瓷有限公司", "佛山", "建材");
    let done = reg.assign_pool(Some(vec![a.clone(), b.clone()]), 50, false, h(1)).unwrap();
    assert_eq!(done[0].to.as_deref(), Some("r2"));
    assert!(done[0].explanation_zh.contains("跳过：李娜已达保有量上限"), "{}", done[0].explanation_zh);
    assert_eq!(done[1].to, None, "both at the limit: {:?}", done[1]);
    assert!(done[1].explanation_zh.contains("没有可接的销售"));
    assert_eq!(reg.row(&b).unwrap().at(h(1)).state, LeadState::Pool);
    // A rep cannot assign.
    reg.set_session_rep("r1").unwrap();
    assert_eq!(reg.assign_pool(None, 50, true, h(1)).unwrap_err().code(), ErrorCode::Forbidden);
}

#[test]
fn rule_11_a_managers_import_without_owners_is_assigned_by_the_rules_and_the_report_says_who_got_what() {
    use base64::Engine;
    use leadguard_core::api::{self, Context};
    use serde_json::json;
    let dir = tempfile::tempdir().unwrap();
    let mut reg = branch(dir.path(), "m1");
    let mut p = reg.policy("sz");
    p.assignment = vec![
        AssignRule { region: Some("广州".into()), team: vec!["r1".into()], ..Default::default() },
        AssignRule { team: vec!["r2".into()], ..Default::default() },
    ];
    reg.set_policy(p, h(0)).unwrap();
    drop(reg);
    let csv = "客户名称,联系人,手机,所在城市,客户需求\n广州白云制药有限公司,刘洋,13800001111,广州,仓储\n佛山陶瓷有限公司,陈总,13800002222,佛山,ERP\n东莞五金厂,钱七,13800003333,东莞,\n";
    let mut ctx = Context::open(&dir.path().join("manager-bootstrap")).unwrap();
    ctx.set_now(Some(h(1)));
    let args = |dry: bool| json!({ "file_name": "list.csv", "content_base64": base64::engine::general_purpose::STANDARD.encode(csv), "dry_run": dry });
    // A dry run says who would get what and writes nothing.
    let preview = api::dispatch(&mut ctx, "import_file", args(true)).unwrap();
    assert_eq!(preview["registered"][0]["owner"], json!("r1"), "{preview}");
    let s = api::dispatch(&mut ctx, "import_file", args(false)).unwrap();
    let reg_rows = s["registered"].as_array().unwrap();
    let by_company = |c: &str| reg_rows.iter().find(|r| r["company"] == json!(c)).unwrap().clone();
    let gz = by_company("广州白云制药有限公司");
    assert_eq!(gz["owner"], json!("r1"));
    assert!(gz["explanation_zh"].as_str().unwrap().contains("规则 1（广州） → 李娜"), "{gz}");
    let fs = by_company("佛山陶瓷有限公司");
    assert_eq!(fs["owner"], json!("r2"));
    assert!(fs["explanation_en"].as_str().unwrap().contains("rule 2 (any customer)"), "{fs}");
    // Incomplete (no need): nobody can own it yet, so no rule applies.
    let dg = by_company("东莞五金厂");
    assert_eq!((dg["owner"].clone(), dg["explanation_zh"].clone()), (json!("m1"), serde_json::Value::Null));
    drop(ctx);
    // The assignment is in the customer's history, explained; the rep protects it.
    let mut reg = Registry::open(&dir.path().join("manager-bootstrap")).unwrap();
    let (events, status) = reg.status(gz["lead_id"].as_str().unwrap(), h(2)).unwrap();
    assert_eq!((status.state, status.owner.as_deref()), (LeadState::Protected, Some("r1")));
    assert!(matches!(&events.last().unwrap().kind, EventKind::Assign { to, reason } if to == "r1" && reason.contains("规则 1")));
    // The workbook report has a 分配说明 column.
    drop(reg);
    let mut ctx = Context::open(&dir.path().join("manager-bootstrap")).unwrap();
    let file = api::dispatch(&mut ctx, "import_report", s).unwrap();
    assert!(file["file_name"].as_str().unwrap().ends_with(".xlsx"));
}
