//! Rule 16 over the real hub: a receptionist's enrolled laptop records visits, and what
//! it writes reaches the owners' laptops through the hub — a known customer's visit
//! extends its owner's protection, a walk-in becomes the duty rep's customer, sealed
//! with a key the hub grants the duty rep (the front desk never follows customers).

#[path = "hub_support.rs"]
mod hub_support;

use hub_support::{files_holding, li_na_registers_shentong, Hub};
use serde_json::json;
use std::path::Path;
use leadguard_tests::leadguard_ok as cli;
use hub_support::call;

fn protected_until(data: &Path, lead: &str) -> String {
    let got = call(data, "lead_get", json!({ "id": lead }));
    got["lead"]["protected_until"].as_str().unwrap_or_else(|| panic!("protected: {got:#}")).to_owned()
}

#[test]
fn rule_16_a_receptionists_laptop_syncs_visits_to_the_owner_and_walk_ins_to_the_duty_rep() {
    let hub = Hub::start();
    let m = tempfile::tempdir().unwrap();
    let r = tempfile::tempdir().unwrap();
    let desk = tempfile::tempdir().unwrap();
    call(m.path(), "init", json!({ "rep_id": "zhang.jing", "name": "张经理", "branch": "sh", "role": "manager" }));
    cli(m.path(), &["rep", "add", "--id", "li.na", "--name", "李娜"]);
    cli(m.path(), &["rep", "add", "--id", "zhou.qt", "--name", "周前台", "--role", "receptionist"]);
    // 李娜 is on duty every day, so the walk-in's weekday does not matter.
    cli(m.path(), &["policy", "set", "--duty", "li.na,li.na,li.na,li.na,li.na,li.na,li.na"]);
    cli(m.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("zhang.jing", "sh", "manager")]);
    cli(m.path(), &["sync"]);

    let lead = li_na_registers_shentong(&hub, r.path());
    let before = protected_until(r.path(), &lead);

    call(desk.path(), "init", json!({ "rep_id": "zhou.qt", "name": "周前台", "branch": "sh", "role": "receptionist" }));
    cli(desk.path(), &["enroll", "--hub", &hub.url, "--token", &hub.token("zhou.qt", "sh", "receptionist")]);
    cli(desk.path(), &["sync"]);
    // The front desk holds the customer masked: it never had the key.
    assert!(files_holding(desk.path(), "王敏".as_bytes()).is_empty(), "the desk's files hold no contact of 李娜's customer");

    std::thread::sleep(std::time::Duration::from_millis(1100));
    let seen = cli(desk.path(), &["visit", "--company", "上海申通物流有限公司", "--phone", "13700001111", "--inviter", "li.na", "--first-visit"]);
    assert_eq!(seen["matched"], true, "{seen:#}");
    assert_eq!(seen["lead_id"], lead.as_str());
    let walk_in = cli(desk.path(), &["visit", "--company", "上海浦江纺织有限公司", "--contact", "赵先生", "--phone", "13911112222", "--need", "样品"]);
    assert_eq!(walk_in["matched"], false, "{walk_in:#}");
    assert_eq!(walk_in["owner"], "li.na");
    let walk_in_id = walk_in["lead_id"].as_str().unwrap().to_owned();
    let pushed = cli(desk.path(), &["sync"]);
    assert!(pushed["pushed"].as_u64().unwrap() >= 2, "{pushed:#}");

    // The owner's laptop: protection runs again from the visit, and the walk-in is hers, in full.
    cli(r.path(), &["sync"]);
    let after = protected_until(r.path(), &lead);
    assert!(after > before, "a visit extends protection: {before} → {after}");
    let got = call(r.path(), "lead_get", json!({ "id": walk_in_id }));
    assert_eq!(got["lead"]["owner"], "li.na", "{got:#}");
    assert_eq!(got["lead"]["masked"], false, "the duty rep holds the key of her new customer: {got:#}");
    assert_eq!(got["lead"]["fields"]["contact"], "赵先生");
    // The manager sees the visit in the customer's history, written by the front desk.
    cli(m.path(), &["sync"]);
    let history = call(m.path(), "lead_get", json!({ "id": lead }));
    let events = history["history"].as_array().expect("history");
    assert!(events.iter().any(|e| e["rep"] == "zhou.qt" && e["kind"] == "visit"), "{history:#}");
}
