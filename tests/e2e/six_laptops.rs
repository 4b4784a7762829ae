//! The company registry end to end (docs/RULES.md rules 12, 15 and 17; issue 13's
//! bar) with six laptops — branch south (manager 周敏, rep 李娜), branch east (manager
//! 陈刚, rep 王伟), the director 宗建 assigned to both, the distributor 远航分销 that
//! reports to south — each a real registry in its own data directory, synced with
//! the real CLI through a real hub over loopback:
//!
//! - a cross-branch registration is warned, naming owner and branch, without contacts;
//! - an offline cross-branch collision is one case, with the same id on every laptop
//!   that shows it, awaiting the director (待总监裁决); east's manager may not decide
//!   it; the director does, and every laptop converges on the decision;
//! - the distributor syncs and its report reaches south's manager's review queue;
//! - no file of a rep's or the distributor's data directory holds a colleague's
//!   customer's phone (both digit forms) or contact name, before and after a
//!   handover, while each finds what its user may see.

#[path = "hub_support.rs"]
mod hub_support;

use hub_support::{files_holding, Hub};
use leadguard_core::api::{self, Context};
use serde_json::{json, Value};
use std::path::Path;
use hub_support::call;
use leadguard_tests::leadguard_ok as cli;

fn add(data: &Path, company: &str, contact: &str, phone: &str) -> String {
    cli(data, &["lead", "add", "--company", company, "--contact", contact, "--phone", phone, "--need", "采购"])["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn laptop(hub: &Hub, dir: &Path, id: &str, name: &str, branch: &str, role: &str, reps: &[(&str, &str, &str)]) {
    call(dir, "init", json!({ "rep_id": id, "name": name, "branch": branch, "role": role }));
    for (rid, rname, rrole) in reps {
        cli(dir, &["rep", "add", "--id", rid, "--name", rname, "--role", rrole]);
    }
    cli(dir, &["enroll", "--hub", &hub.url, "--token", &hub.token(id, branch, role)]);
}

fn director_token(hub: &Hub, id: &str, branches: &str) -> String {
    let out = hub.admin(&["enroll", "--rep", id, "--name", id, "--branches", branches, "--role", "director"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["token"].as_str().unwrap().to_owned()
}

/// The listed case over `leads`, if this laptop shows it.
fn case_of(dir: &Path, leads: &[String]) -> Option<Value> {
    let listed = call(dir, "collisions_list", json!({}));
    listed["cases"].as_array().and_then(|c| c.iter().find(|c| c["lead_ids"] == json!(leads)).cloned())
}

/// The needles found in any file of `dir`.
fn found(dir: &Path, needles: &[&str]) -> Vec<String> {
    needles.iter().filter(|n| !files_holding(dir, n.as_bytes()).is_empty()).map(|n| n.to_string()).collect()
}

#[test]
fn rule_12_15_17_six_laptops_one_registry_cross_branch_cases_for_the_director_and_no_colleagues_contacts_on_disk() {
    let hub = Hub::start();
    let dirs: Vec<tempfile::TempDir> = (0..6).map(|_| tempfile::tempdir().unwrap()).collect();
    let (south_m, lina, east_m, wang, director, agent) =
        (dirs[0].path(), dirs[1].path(), dirs[2].path(), dirs[3].path(), dirs[4].path(), dirs[5].path());
    laptop(&hub, south_m, "zhou.min", "周敏", "south", "manager", &[("li.na", "李娜", "rep"), ("zhao.lei", "赵磊", "rep"), ("agent-7", "远航分销", "distributor")]);
    laptop(&hub, east_m, "chen.gang", "陈刚", "east", "manager", &[("wang.wei", "王伟", "rep")]);
    laptop(&hub, lina, "li.na", "李娜", "south", "rep", &[]);
    laptop(&hub, wang, "wang.wei", "王伟", "east", "rep", &[]);
    call(director, "init", json!({ "rep_id": "zong.jian", "name": "宗建", "branch": "south", "role": "director" }));
    cli(director, &["enroll", "--hub", &hub.url, "--token", &director_token(&hub, "zong.jian", "south,east")]);
    for dir in [south_m, east_m, director] {
        cli(dir, &["sync"]);
    }

    // South's customer (李娜) and east's own (王伟).
    let (contact, phone) = ("欧阳娜娜", "136-1111-2222");
    let tengda = add(lina, "深圳市腾达科技有限公司", contact, phone);
    let suzhou = add(wang, "苏州园林建筑有限公司", "顾园林", "139-1212-0000");
    cli(lina, &["sync"]);
    cli(wang, &["sync"]);

    // 1. East's rep typing south's customer is warned, by owner and branch, no contacts.
    let warned = cli(wang, &["check", "--company", "深圳腾达", "--phone", "13611112222"]);
    let m = warned["matches"].as_array().and_then(|m| m.iter().find(|x| x["lead"]["id"] == tengda.as_str())).cloned();
    let m = m.unwrap_or_else(|| panic!("east's rep is warned about south's customer: {warned:#}"));
    assert_eq!((m["lead"]["owner_name"].as_str(), m["lead"]["owner_branch"].as_str()), (Some("李娜"), Some("south")));
    assert!(m["lead"]["summary"].as_str().unwrap_or_default().starts_with("该客户正在由【south·李娜】跟进，保护期至 "), "{m:#}");
    for s in [contact, "1111-2222", "11112222"] {
        assert!(!warned.to_string().contains(s), "the warning shows no contact ({s}): {warned:#}");
    }

    // 2. Offline, both branches register one customer, written differently.
    let xihu_south = add(lina, "杭州西湖茶业有限公司", "龙井王", "137-9999-0000");
    let xihu_east = add(wang, "西湖茶业（杭州）", "钱塘客", "+86 137 9999 0000");
    for dir in [lina, wang, south_m, east_m, director, lina] {
        cli(dir, &["sync"]);
    }
    let mut pair = vec![xihu_south.clone(), xihu_east.clone()];
    pair.sort();
    let shown: Vec<Value> = [("south's manager", south_m), ("east's manager", east_m), ("the director", director), ("李娜", lina), ("王伟", wang)]
        .iter()
        .map(|(who, d)| {
            case_of(d, &pair).unwrap_or_else(|| panic!("{who} shows the cross-branch case {pair:?}: {:#}", call(d, "collisions_list", json!({}))))
        })
        .collect();
    for c in &shown {
        assert_eq!(c["id"], shown[0]["id"], "one case id on every laptop");
        assert_eq!(c["reps"], json!(["li.na", "wang.wei"]));
        assert_eq!(c["branches"], json!(["east", "south"]));
        assert_eq!(c["decider"], "director", "待总监裁决: {c:#}");
        assert_eq!(c["state"], "open");
    }
    let case_id = shown[0]["id"].as_str().unwrap().to_owned();

    // East's manager may not decide it (the policy keeps it for the director) ...
    let mut ctx = Context::open(east_m).unwrap();
    let err = api::dispatch(&mut ctx, "collision_resolve", json!({ "id": case_id, "outcome": { "kind": "owner", "rep": "wang.wei" }, "reason": "王伟先到" }))
        .expect_err("east's manager may not decide a cross-branch case");
    assert_eq!(serde_json::to_value(&err).unwrap()["reason"], "not_the_decider", "{err:?}");
    drop(ctx);
    // ... the director does, offline, and every laptop converges on the decision.
    let decided = call(director, "collision_resolve", json!({ "id": case_id, "outcome": { "kind": "owner", "rep": "li.na" }, "reason": "李娜先登记并已拜访" }));
    let decision = decided["resolution"]["decisions"][0]["decision"].as_str().unwrap_or_else(|| panic!("{decided:#}")).to_owned();
    for dir in [director, south_m, east_m, lina, wang] {
        cli(dir, &["sync"]);
    }
    for dir in [director, south_m, east_m, lina, wang] {
        let got = call(dir, "collision_get", json!({ "id": case_id }));
        assert_eq!(got["resolution"]["state"], "decided", "{}: {got:#}", dir.display());
        assert_eq!(got["resolution"]["decisions"][0]["decision"], decision.as_str(), "{}", dir.display());
        assert_eq!(got["resolution"]["decisions"][0]["by"], "zong.jian");
    }
    let (_, s) = leadguard_core::Registry::open(wang).unwrap().status(&xihu_east, chrono::Utc::now()).unwrap();
    assert_eq!(s.owner.as_deref(), Some("li.na"), "the decision took effect on east's lead, on east's rep's laptop");
    // The customer stays in east's document: its new owner follows it up from there,
    // and the hub takes her change although she writes into another branch's scope.
    cli(lina, &["followup", "add", &xihu_east, "--kind", "visit", "--note", "上门拜访"]);
    let pushed = cli(lina, &["sync"]);
    assert!(pushed["pushed"].as_u64().unwrap() > 0, "{pushed:#}");
    // She holds its key now (the owner's, whichever branch's document holds it); east's
    // rep, who lost it, holds it masked.
    assert_eq!(call(lina, "lead_get", json!({ "id": xihu_east }))["lead"]["fields"]["contact"], "钱塘客");
    cli(wang, &["sync"]);
    assert_eq!(call(wang, "lead_get", json!({ "id": xihu_east }))["lead"]["masked"], true);
    // Her manager opens it too (a rep of his branch owns it); east's manager still
    // does (it lives in east's document).
    for manager in [south_m, east_m] {
        cli(manager, &["sync"]);
        assert_eq!(call(manager, "lead_get", json!({ "id": xihu_east }))["lead"]["fields"]["contact"], "钱塘客", "{}", manager.display());
    }

    // 3. The distributor reports offline (a masked phone), syncs, and its report
    // reaches south's manager's review queue.
    laptop(&hub, agent, "agent-7", "远航分销", "south", "distributor", &[]);
    let report = add(agent, "佛山市南海陶瓷有限公司", "何先生", "139****3333");
    let synced = cli(agent, &["sync"]);
    assert!(synced["pushed"].as_u64().unwrap() > 0, "{synced:#}");
    // The distributor types south's customer: its laptop asks the hub (the online
    // check) and is told only "already protected until …" — no owner, no contacts.
    let warned = cli(agent, &["check", "--company", "深圳腾达", "--phone", "136-1111-2222"]);
    assert_eq!(warned["online"]["status"], "protected", "{warned:#}");
    assert!(warned["online"]["until"].as_str().is_some(), "{warned:#}");
    assert_eq!(warned["matches"], json!([]), "the distributor's laptop holds no branch customer");
    let text = warned.to_string();
    for secret in [contact, "13611112222", phone, "李娜", "li.na", tengda.as_str(), "深圳市腾达科技有限公司"] {
        assert!(!text.contains(secret), "{secret} in {warned:#}");
    }
    cli(south_m, &["sync"]);
    let queue = cli(south_m, &["reports", "list", "--pending"]);
    assert!(queue["items"].as_array().unwrap().iter().any(|i| i["lead"]["id"] == report.as_str()), "{queue:#}");

    // 4. Who holds what, in every file of their data directories.
    let south_customer = [contact, "13611112222", phone, "龙井王", "13799990000", "137-9999-0000"];
    let east_customer = ["顾园林", "13912120000", "139-1212-0000"];
    let scan = |when: &str| {
        assert_eq!(found(wang, &[contact, "13611112222", phone, "龙井王"]), Vec::<String>::new(), "east's rep holds no south contact ({when})");
        assert_eq!(found(wang, &["顾园林"]), vec!["顾园林".to_owned()], "east's rep holds its own customer ({when})");
        assert_eq!(found(lina, &east_customer), Vec::<String>::new(), "south's rep holds no east contact ({when})");
        let everyone: Vec<&str> = south_customer.iter().chain(&east_customer).copied().collect();
        assert_eq!(found(agent, &everyone), Vec::<String>::new(), "the distributor holds nobody's contacts ({when})");
        assert_eq!(found(agent, &["何先生"]), vec!["何先生".to_owned()], "the distributor holds its report ({when})");
    };
    scan("before the handover");
    assert_eq!(found(lina, &[contact]), vec![contact.to_owned()], "south's rep holds her own customer");
    // The director reads both branches' customers in full; each manager its own.
    for (lead, who) in [(&tengda, contact), (&suzhou, "顾园林")] {
        assert_eq!(call(director, "lead_get", json!({ "id": lead }))["lead"]["fields"]["contact"], who);
    }
    assert_eq!(call(east_m, "lead_get", json!({ "id": tengda }))["lead"]["masked"], true);

    // 李娜 leaves (离职): her customers go to 赵磊; her laptop forgets them at its next sync.
    cli(south_m, &["handover", "--from", "li.na", "--to", "zhao.lei"]);
    for dir in [south_m, lina, wang, agent] {
        cli(dir, &["sync"]);
    }
    scan("after the handover");
    assert_eq!(found(lina, &south_customer), Vec::<String>::new(), "handed away, 李娜's laptop holds none of her former customers' contacts");
    assert_eq!(call(south_m, "lead_get", json!({ "id": tengda }))["lead"]["fields"]["contact"], contact, "the branch keeps them");
}
