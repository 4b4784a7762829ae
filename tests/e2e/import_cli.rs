//! `leadguard import`: a team's workbook into the registry — dry run, import, the
//! same file again, a colleague's customer, broken rows — through the real CLI.
//! Included by `registry_cli.rs` (one test binary).

use leadguard_core::model::{EventKind, LeadFields};
use leadguard_core::registry::Target;
use leadguard_tests::{json, leadguard};
use rust_xlsxwriter::Workbook;
use serde_json::Value;

pub(crate) fn ok(data: &std::path::Path, args: &[&str]) -> Value {
    let out = leadguard(data, args);
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stdout));
    json(&out)
}

pub(crate) fn team_list(path: &std::path::Path) {
    let mut book = Workbook::new();
    let help = book.add_worksheet().set_name("说明").unwrap();
    help.write(0, 0, "每行一个客户").unwrap();
    let sheet = book.add_worksheet().set_name("客户").unwrap();
    sheet.write(0, 0, "华南区客户名单").unwrap();
    for (j, h) in ["客户名称", "联系人", "手机号码", "所在城市", "客户需求", "备注"].iter().enumerate() {
        sheet.write(1, j as u16, *h).unwrap();
    }
    let rows: [[&str; 6]; 6] = [
        ["广州腾达电子有限公司", "王芳", "", "广州", "门禁系统", ""],
        ["深圳华强物流有限公司", "李强", "13700001111", "深圳", "仓储软件", ""],
        ["腾达电子（广州）", "陈总", "13812345678", "广州", "门禁系统", "第二个联系人"],
        ["佛山南方家具厂", "陈静", "13600002222", "佛山", "ERP", ""],
        ["", "赵六", "13900003333", "东莞", "", "没有公司"],
        ["东莞精密模具有限公司", "钱七", "abc", "东莞", "模具", ""],
    ];
    for (i, r) in rows.iter().enumerate() {
        for (j, v) in r.iter().enumerate() {
            if !v.is_empty() {
                sheet.write(2 + i as u32, j as u16, *v).unwrap();
            }
        }
    }
    // Row 3's phone as Excel stores a typed number.
    sheet.write_number(2, 2, 13812345678.0).unwrap();
    book.save(path).unwrap();
}

/// 张伟 (manager) set up 李娜 and 王伟; 王伟 works 佛山南方家具厂. The laptop is then 李娜's.
pub(crate) fn branch(dir: &std::path::Path) -> std::path::PathBuf {
    let data = dir.join("lina");
    ok(&data, &["init", "--rep", "zhang", "--name", "张伟", "--branch", "gz", "--role", "manager"]);
    ok(&data, &["rep", "add", "--id", "lina", "--name", "李娜"]);
    ok(&data, &["rep", "add", "--id", "wangwei", "--name", "王伟"]);
    ok(&data, &["rep", "add", "--id", "chen", "--name", "陈代理", "--role", "distributor"]);
    let mut reg = leadguard_core::Registry::open(&data).unwrap();
    let fields = LeadFields {
        company: Some("佛山南方家具厂".into()),
        contact: Some("陈静".into()),
        phone: Some("13600002222".into()),
        need: Some("ERP".into()),
        ..Default::default()
    };
    reg.write_events(vec![(Target::New, "wangwei".into(), EventKind::Register { fields })], chrono::Utc::now()).unwrap();
    reg.set_session_rep("lina").unwrap();
    data
}

#[test]
fn importing_a_team_list_registers_each_customer_once_and_reports_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let data = branch(dir.path());
    let file = dir.path().join("客户名单.xlsx");
    team_list(&file);
    let input = file.to_str().unwrap();

    let dry = ok(&data, &["import", "--input", input, "--dry-run"]);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(dry["sheet"], "客户");
    assert_eq!(dry["rows_read"], 6);
    assert_eq!(dry["registered"].as_array().unwrap().len(), 2, "{dry}");
    assert!(dry["registered"].as_array().unwrap().iter().all(|r| r["lead_id"].is_null()));
    assert_eq!(ok(&data, &["lead", "list", "--mine"])["items"].as_array().unwrap().len(), 0, "a dry run writes nothing");

    let first = ok(&data, &["import", "--input", input]);
    let registered = first["registered"].as_array().unwrap();
    assert_eq!(registered.len(), 2, "{first}");
    assert_eq!(first["merged_in_file"], serde_json::json!([[3, 5]]), "腾达 twice in the file is one customer");
    let tengda = registered.iter().find(|r| r["company"] == "广州腾达电子有限公司").expect("腾达");
    assert_eq!(tengda["rows"], serde_json::json!([3, 5]));
    let matches = first["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 1);
    assert_eq!((matches[0]["company"].as_str(), matches[0]["owner_name"].as_str(), matches[0]["registered"].as_bool()), (Some("佛山南方家具厂"), Some("王伟"), Some(false)));
    let broken: Vec<(u64, String)> = first["broken"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["row"].as_u64().unwrap(), b["error"]["reason"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(broken, [(7, "field_required".to_owned()), (8, "phone_character".to_owned())], "{first}");
    let mine = ok(&data, &["lead", "list", "--mine"]);
    assert_eq!(mine["items"].as_array().unwrap().len(), 2);
    let tengda_lead = ok(&data, &["lead", "show", tengda["lead_id"].as_str().unwrap()]);
    assert_eq!(tengda_lead["lead"]["fields"]["phone"], "13812345678", "the later row filled the phone the first left empty");

    // The same file again (or after an import cut off half-way): nothing new.
    let again = ok(&data, &["import", "--input", input]);
    assert_eq!(again["registered"].as_array().unwrap().len(), 0, "{again}");
    assert_eq!(again["already_known"].as_array().unwrap().len(), 2);
    assert_eq!(ok(&data, &["lead", "list", "--mine"])["items"].as_array().unwrap().len(), 2);

    // A rep cannot import for someone else.
    let out = leadguard(&data, &["import", "--input", input, "--owner", "wangwei"]);
    assert!(!out.status.success());
    assert_eq!(json(&out)["reason"], "import_owner_not_allowed");

    // Registering the colleague's customer anyway is recorded as seen despite the warning.
    let anyway = ok(&data, &["import", "--input", input, "--include-matches"]);
    assert_eq!(anyway["registered"].as_array().unwrap().len(), 1, "{anyway}");
    assert_eq!(anyway["matches"][0]["registered"], true);
}

#[test]
fn a_file_that_is_not_a_customer_list_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("d");
    ok(&data, &["init", "--rep", "lina", "--name", "李娜", "--branch", "gz"]);
    let file = dir.path().join("photo.xlsx");
    std::fs::write(&file, b"PK\x03\x04 not really a workbook").unwrap();
    let out = leadguard(&data, &["import", "--input", file.to_str().unwrap()]);
    assert!(!out.status.success());
    assert_eq!(json(&out)["reason"], "import_unreadable");
    let missing = leadguard(&data, &["import", "--input", dir.path().join("none.csv").to_str().unwrap()]);
    assert_eq!(json(&missing)["reason"], "import_unreadable");
}
