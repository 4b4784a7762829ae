//! One registry for the whole company (docs/VISIBILITY.md stage 4, rule 12), with the
//! real CLI, a real hub over loopback and real SQLite: a rep of branch east holds
//! branch south's sealed-era customers masked — warned about them by owner and
//! branch, none of their contacts in any file of its data directory — while a
//! document written before its laptop was enrolled (plain contacts) stays in its
//! branch; an offline cross-branch registration of one customer becomes one case that
//! both branches' managers see.

#[path = "hub_support.rs"]
mod hub_support;

use hub_support::{files_holding, Hub};
use serde_json::{json, Value};
use std::path::Path;
use hub_support::call;
use leadguard_tests::leadguard_ok as cli;

fn has_row(data: &Path, lead: &str) -> bool {
    leadguard_core::Registry::open(data).expect("registry").row(lead).is_ok()
}

fn add(data: &Path, company: &str, contact: &str, phone: &str) -> String {
    cli(data, &["lead", "add", "--company", company, "--contact", contact, "--phone", phone, "--need", "采购"])["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A manager's laptop with its reps in the directory, enrolled and synced.
fn manager(hub: &Hub, dir: &Path, id: &str, name: &str, branch: &str, reps: &[(&str, &str)]) {
    call(dir, "init", json!({ "rep_id": id, "name": name, "branch": branch, "role": "manager" }));
    for (rid, rname) in reps {
        cli(dir, &["rep", "add", "--id", rid, "--name", rname]);
    }
    cli(dir, &["enroll", "--hub", &hub.url, "--token", &hub.token(id, branch, "manager")]);
    cli(dir, &["sync"]);
}

fn rep(hub: &Hub, dir: &Path, id: &str, name: &str, branch: &str, enrol: bool) {
    call(dir, "init", json!({ "rep_id": id, "name": name, "branch": branch }));
    if enrol {
        cli(dir, &["enroll", "--hub", &hub.url, "--token", &hub.token(id, branch, "rep")]);
    }
}

#[test]
fn rule_12_another_branchs_customers_reach_a_rep_sealed_and_warn_by_owner_and_branch() {
    let hub = Hub::start();
    let dirs: Vec<tempfile::TempDir> = (0..5).map(|_| tempfile::tempdir().unwrap()).collect();
    let (south_m, lina, zhao, east_m, wang) = (dirs[0].path(), dirs[1].path(), dirs[2].path(), dirs[3].path(), dirs[4].path());
    manager(&hub, south_m, "zhou.min", "周敏", "south", &[("li.na", "李娜"), ("zhao.lei", "赵磊")]);
    manager(&hub, east_m, "chen.gang", "陈刚", "east", &[("wang.wei", "王伟")]);
    rep(&hub, lina, "li.na", "李娜", "south", true);
    rep(&hub, wang, "wang.wei", "王伟", "east", true);
    // 赵磊 registers one customer before his laptop joins the hub: written in plain.
    rep(&hub, zhao, "zhao.lei", "赵磊", "south", false);
    let legacy = add(zhao, "广州市恒通物流有限公司", "上官婉儿", "13722223333");
    cli(zhao, &["enroll", "--hub", &hub.url, "--token", &hub.token("zhao.lei", "south", "rep")]);
    let sealed_after = add(zhao, "佛山市顺德美居家具有限公司", "诸葛明亮", "13544445555");

    // 李娜 (south) registers a customer; 王伟 (east), offline, registers the same one
    // spelled differently.
    let (contact, phone, email) = ("欧阳娜娜", "13611112222", "ouyang.nana@tengda-keji.cn");
    let theirs = cli(
        lina,
        &["lead", "add", "--company", "深圳市腾达科技有限公司", "--contact", contact, "--phone", "136-1111-2222", "--email", email, "--need", "门禁"],
    )["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let his = add(wang, "腾达科技（深圳）", "王经理", "+86 136 1111 2222");
    for dir in [zhao, lina, wang, south_m, east_m, lina, wang] {
        cli(dir, &["sync"]);
    }

    // East's rep holds south's sealed-era leads, masked; the legacy document stays in
    // its branch.
    assert!(has_row(wang, &theirs), "east's rep holds south's customer");
    assert!(has_row(wang, &sealed_after), "a registration after enrolment goes to a fresh, company-wide shard");
    assert!(!has_row(wang, &legacy), "a document holding plain contacts stays in its branch");
    assert!(has_row(south_m, &legacy), "... where its branch still holds it");
    let seen = call(wang, "lead_get", json!({ "id": theirs }));
    assert_eq!(seen["lead"]["masked"], true, "{seen:#}");
    assert_eq!(seen["lead"]["fields"]["company"], "深圳市腾达科技有限公司");
    assert_eq!(seen["lead"]["owner_branch"], "south");
    let secrets = [contact, phone, email, "136-1111-2222", "ouyang.nana", "上官婉儿", "13722223333", "诸葛明亮", "13544445555"];
    let scan = |dir: &Path| -> Vec<(String, Vec<std::path::PathBuf>)> {
        secrets.iter().map(|n| (n.to_string(), files_holding(dir, n.as_bytes()))).filter(|(_, f)| !f.is_empty()).collect()
    };
    assert_eq!(scan(wang), vec![], "no contact of another branch's customer in any file of east's rep");
    assert!(!files_holding(wang, "王经理".as_bytes()).is_empty(), "the scan finds the rep's own customer");
    assert_eq!(scan(east_m), vec![], "nor in any file of east's manager");

    // East's rep typing the customer again is warned, by owner and branch, without
    // contacts; the phone matches on its keyed digest (电话相同), not just its mask.
    let warned = cli(wang, &["check", "--company", "深圳腾达", "--phone", "13611112222"]);
    let m = warned["matches"].as_array().and_then(|m| m.iter().find(|x| x["lead"]["id"] == theirs.as_str())).cloned();
    let m = m.unwrap_or_else(|| panic!("east's rep is warned about south's customer: {warned:#}"));
    assert_eq!(m["lead"]["owner_name"], "李娜");
    assert_eq!(m["lead"]["owner_branch"], "south");
    let summary = m["lead"]["summary"].as_str().unwrap_or_default();
    assert!(summary.starts_with("该客户正在由【south·李娜】跟进，保护期至 "), "{summary}");
    assert!(m["reasons"].as_array().unwrap().iter().any(|r| r["zh"] == "电话相同"), "{m:#}");
    let text = warned.to_string();
    for s in [contact, email, "1111-2222"] {
        assert!(!text.contains(s), "the warning shows no contact ({s}): {warned:#}");
    }

    // The offline cross-branch registration is one case, on both managers' laptops.
    let mut pair = vec![theirs.clone(), his.clone()];
    pair.sort();
    let case_of = |dir: &Path| -> Option<Value> {
        let listed = cli(dir, &["collisions", "list"]);
        listed["cases"].as_array().and_then(|c| c.iter().find(|c| c["lead_ids"] == json!(pair)).cloned())
    };
    let south_case = case_of(south_m).expect("south's manager sees the cross-branch case");
    let east_case = case_of(east_m).expect("east's manager sees the cross-branch case");
    assert_eq!(south_case, east_case, "one case, the same on both laptops");
    assert_eq!(south_case["reps"], json!(["li.na", "wang.wei"]));
    // South's manager reads its own branch's customer in full, east's masked.
    assert_eq!(call(south_m, "lead_get", json!({ "id": theirs }))["lead"]["fields"]["contact"], contact);
    assert_eq!(call(south_m, "lead_get", json!({ "id": his }))["lead"]["masked"], true);
}
