//! The distributors' online check (docs/VISIBILITY.md, rule 15), with the real CLI, a
//! real hub over loopback and real SQLite: a distributor's laptop holds nothing of the
//! branch's customers, so `leadguard check` asks the hub, which answers only
//! "protected until …" or "free" — no owner, contact or lead id; employees are
//! refused (their laptops hold the registry), a malformed request is a typed 400,
//! each device is rate-limited (typed 429), and offline the laptop says it could not
//! check.

#[path = "hub_support.rs"]
mod hub_support;

use hub_support::Hub;
use leadguard_protocol::client::ClientError;
use leadguard_protocol::{CheckAnswer, CheckRequest, ErrorCode};
use serde_json::{json, Value};
use std::path::Path;
use hub_support::call;
use leadguard_tests::leadguard_ok as cli;

/// A branch (manager, rep 李娜 with a registered customer) and a distributor's laptop
/// enrolled and synced.
fn branch_and_distributor(hub: &Hub, m: &Path, r: &Path, d: &Path) -> String {
    call(m, "init", json!({ "rep_id": "zhang.jing", "name": "张经理", "branch": "sh", "role": "manager" }));
    cli(m, &["rep", "add", "--id", "agent-7", "--name", "远航分销", "--role", "distributor"]);
    cli(m, &["rep", "add", "--id", "li.na", "--name", "李娜"]);
    cli(m, &["enroll", "--hub", &hub.url, "--token", &hub.token("zhang.jing", "sh", "manager")]);
    cli(m, &["sync"]);
    call(r, "init", json!({ "rep_id": "li.na", "name": "李娜", "branch": "sh" }));
    cli(r, &["enroll", "--hub", &hub.url, "--token", &hub.token("li.na", "sh", "rep")]);
    let lead = cli(
        r,
        &["lead", "add", "--company", "上海申通物流有限公司", "--contact", "王敏", "--phone", "13700001111", "--email", "wangmin@stwl.cn", "--need", "仓储"],
    )["lead"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    cli(r, &["sync"]);
    call(d, "init", json!({ "rep_id": "agent-7", "name": "远航分销", "branch": "sh", "role": "distributor" }));
    cli(d, &["enroll", "--hub", &hub.url, "--token", &hub.token("agent-7", "sh", "distributor")]);
    cli(d, &["sync"]);
    lead
}

#[test]
fn rule_15_a_distributor_is_warned_online_about_a_reps_protected_customer_and_learns_nothing_else() {
    let hub = Hub::start();
    let (m, r, d) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let lead = branch_and_distributor(&hub, m.path(), r.path(), d.path());

    // The same customer written differently, by company, by phone, by e-mail, by a
    // masked phone: protected, until a time in the protection period.
    for args in [
        vec!["--company", "申通物流（上海）"],
        vec!["--company", "某某公司", "--phone", "137-0000-1111"],
        vec!["--company", "某某公司", "--email", "WangMin@stwl.cn"],
        vec!["--company", "某某公司", "--phone", "137****1111"],
    ] {
        let mut all = vec!["check"];
        all.extend(&args);
        let answer = cli(d.path(), &all);
        assert_eq!(answer["online"]["status"], "protected", "{args:?}: {answer:#}");
        let until = answer["online"]["until"].as_str().expect("until");
        let until = chrono::DateTime::parse_from_rfc3339(until).expect("a time");
        assert!(until > chrono::Utc::now() + chrono::Duration::hours(70), "the rep's 72-hour protection: {until}");
        // Nothing else: no owner, no contact, no lead.
        let text = answer.to_string();
        for secret in ["李娜", "li.na", "王敏", "wangmin", "13700001111", lead.as_str(), "申通物流有限公司"] {
            assert!(!text.contains(secret), "{secret} in {answer:#}");
        }
        assert_eq!(answer["matches"], json!([]), "the distributor's laptop holds no branch customer");
    }
    let human = std::process::Command::new(leadguard_tests::bin("leadguard"))
        .arg("--data")
        .arg(d.path())
        .args(["check", "--company", "申通物流"])
        .output()
        .expect("run leadguard");
    let human = String::from_utf8_lossy(&human.stdout).to_string();
    assert!(human.contains("该客户已在保护期内（至 "), "{human}");

    // Another customer is free; the same visible digits with another full number too.
    let other = cli(d.path(), &["check", "--company", "杭州云栖茶业有限公司", "--phone", "13711111111"]);
    assert_eq!(other["online"]["status"], "free", "{other:#}");
    let lookalike = cli(d.path(), &["check", "--company", "某某公司", "--phone", "13799991111"]);
    assert_eq!(lookalike["online"]["status"], "free", "same visible digits, another number: {lookalike:#}");

    // The distributor's own report: its laptop warns about it; the hub leaves it out.
    cli(d.path(), &["lead", "add", "--company", "上海澄海玩具有限公司", "--contact", "陈先生", "--phone", "139****3333", "--need", "样品"]);
    cli(d.path(), &["sync"]);
    let own = cli(d.path(), &["check", "--company", "澄海玩具"]);
    assert_eq!(own["matches"].as_array().map(Vec::len), Some(1), "{own:#}");
    assert_eq!(own["online"]["status"], "free", "{own:#}");

    // An employee's laptop does not ask: it holds the registry.
    let rep_check = cli(r.path(), &["check", "--company", "申通物流"]);
    assert!(rep_check["online"].is_null(), "{rep_check:#}");

    // Offline, the distributor's laptop says it could not check.
    drop(hub);
    let offline = cli(d.path(), &["check", "--company", "申通物流"]);
    assert_eq!(offline["online"]["status"], "offline", "{offline:#}");
}

#[test]
fn rule_15_the_online_check_is_for_distributors_rate_limited_and_refuses_malformed_requests() {
    let hub = Hub::start();
    let (rep, _) = hub.device("li.na", "sh", "rep");
    let (dist, _) = hub.device("agent-7", "sh", "distributor");
    let req = CheckRequest { company_key: Some("申通物流".into()), ..CheckRequest::default() };

    // A rep is refused: typed 403.
    match rep.check(&req) {
        Err(ClientError::Hub { status: 403, code: ErrorCode::Forbidden, .. }) => {}
        other => panic!("a rep's check is refused: {other:?}"),
    }

    // Malformed: not JSON, a digest that is none, nothing to compare — typed 400.
    let (_, credential) = {
        let token = hub.token("agent-8", "sh", "distributor");
        let e = hub.anonymous().enroll(&token).expect("enroll");
        (e.device_id, e.credential)
    };
    let http = reqwest::blocking::Client::new();
    for body in ["not json", r#"{"phone_digest":"xyz"}"#, "{}", r#"{"company_key":5}"#] {
        let resp = http
            .post(format!("{}/v1/check", hub.url))
            .bearer_auth(&credential)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .expect("send");
        assert_eq!(resp.status().as_u16(), 400, "{body}");
        let err: Value = resp.json().expect("an error body");
        assert_eq!(err["code"], "malformed", "{body}: {err}");
    }

    // 30 checks a minute per device, then a typed 429 with Retry-After.
    for i in 0..30 {
        assert_eq!(dist.check(&req).unwrap_or_else(|e| panic!("check {i}: {e}")), CheckAnswer::Free);
    }
    match dist.check(&req) {
        Err(ClientError::Hub { status: 429, code: ErrorCode::RateLimited, .. }) => {}
        other => panic!("the 31st check in a minute is refused: {other:?}"),
    }
    let resp = http
        .post(format!("{}/v1/check", hub.url))
        .bearer_auth(&credential)
        .json(&req)
        .send()
        .expect("send");
    assert_eq!(resp.status().as_u16(), 200, "another device has its own allowance");
}
