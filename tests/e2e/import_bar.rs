//! The bar for import: a messy, real-looking team sheet — an instructions sheet first,
//! a title row, unusual column order and wording, phones stored as numbers, a customer
//! twice, a customer a colleague protects, broken rows — and the same rows as a
//! GB18030 CSV import alike; the colleague is named in the report and keeps the
//! customer; a second import adds nothing. Included by `registry_cli.rs`.

use rust_xlsxwriter::Workbook;
use serde_json::Value;

use super::export_cli::{column, sheet};
use super::import_cli::branch;
use super::import_cli::ok;

const TITLE: &str = "2026 年度华南区重点客户（内部资料）";
const HEADER: [&str; 7] = ["序号", "联系电话", "所在城市", "单位名称", "联系人姓名", "客户需求", "备注"];
/// Rows 4–11 of the sheet (title on row 1, row 2 empty, header on row 3).
const ROWS: [[&str; 7]; 8] = [
    ["1", "13812345678", "广州", "广州腾达电子有限公司", "王芳", "门禁系统", ""],
    ["2", "13700001111", "深圳", "深圳华强物流有限公司", "李强", "仓储软件", ""],
    ["3", "13812345678", "广州", "腾达电子（广州）有限公司", "陈总", "门禁系统", "第二个联系人"],
    ["4", "13600002222", "佛山", "佛山南方家具厂", "陈静", "ERP", "王伟的客户"],
    ["5", "13900003333", "东莞", "", "赵六", "", "没有公司"],
    ["6", "13500004444", "珠海", "珠海海湾游艇有限公司", "周七", "游艇", "响铃\u{0007}字符"],
    ["7", "abc", "东莞", "东莞精密模具有限公司", "钱七", "模具", ""],
    ["8", "13300005555", "中山", "中山明珠灯饰有限公司", "孙八", "灯饰", ""],
];

fn messy_workbook(path: &std::path::Path) {
    let mut book = Workbook::new();
    let help = book.add_worksheet().set_name("填写说明").unwrap();
    help.write(0, 0, "1. 每行填写一个客户；2. 电话请填手机号；3. 不要修改表头。").unwrap();
    let data = book.add_worksheet().set_name("重点客户").unwrap();
    data.write(0, 0, TITLE).unwrap();
    for (j, h) in HEADER.iter().enumerate() {
        data.write(2, j as u16, *h).unwrap();
    }
    for (i, r) in ROWS.iter().enumerate() {
        let row = 3 + i as u32;
        for (j, v) in r.iter().enumerate() {
            match (j, v.parse::<f64>()) {
                (_, _) if v.is_empty() => {}
                // 序号 and phones as Excel stores typed digits: numbers.
                (0 | 1, Ok(n)) => {
                    data.write_number(row, j as u16, n).unwrap();
                }
                _ => {
                    data.write(row, j as u16, *v).unwrap();
                }
            }
        }
    }
    book.save(path).unwrap();
}

fn gb18030_csv(path: &std::path::Path) {
    let mut text = format!("{TITLE},,,,,,\r\n\r\n{}\r\n", HEADER.join(","));
    for r in ROWS {
        text.push_str(&r.join(","));
        text.push_str("\r\n");
    }
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "really GB18030, not UTF-8");
    std::fs::write(path, bytes).unwrap();
}

/// What an import did, in the terms the bar speaks of.
fn outcome(v: &Value) -> (Vec<(String, Value)>, Vec<(String, String)>, Vec<(u64, String)>, Value, u64) {
    let list = |k: &str| v[k].as_array().cloned().unwrap_or_default();
    let mut registered: Vec<(String, Value)> = list("registered").iter().map(|r| (r["company"].as_str().unwrap().to_owned(), r["rows"].clone())).collect();
    registered.sort_by(|a, b| a.0.cmp(&b.0));
    let matches = list("matches").iter().map(|m| (m["company"].as_str().unwrap().to_owned(), m["owner_name"].as_str().unwrap_or("").to_owned())).collect();
    let broken = list("broken").iter().map(|b| (b["row"].as_u64().unwrap(), b["error"]["reason"].as_str().unwrap().to_owned())).collect();
    (registered, matches, broken, v["merged_in_file"].clone(), v["rows_read"].as_u64().unwrap())
}

#[test]
fn the_bar_a_messy_team_sheet_and_the_same_rows_as_gb18030_csv_import_alike() {
    let dir = tempfile::tempdir().unwrap();
    let xlsx = dir.path().join("重点客户.xlsx");
    let csv = dir.path().join("重点客户.csv");
    messy_workbook(&xlsx);
    gb18030_csv(&csv);

    let mut seen = Vec::new();
    for (name, file) in [("xlsx", &xlsx), ("csv", &csv)] {
        let home = dir.path().join(name);
        std::fs::create_dir_all(&home).unwrap();
        let data = branch(&home);
        let report = home.join("report.xlsx");
        let v = ok(&data, &["import", "--input", file.to_str().unwrap(), "--report", report.to_str().unwrap()]);
        let (registered, matches, broken, merged, rows_read) = outcome(&v);
        assert_eq!(rows_read, 8, "{name}: {v}");
        assert_eq!(
            registered,
            [
                ("中山明珠灯饰有限公司".to_owned(), serde_json::json!([11])),
                ("广州腾达电子有限公司".to_owned(), serde_json::json!([4, 6])),
                ("深圳华强物流有限公司".to_owned(), serde_json::json!([5])),
            ],
            "{name}: the phone typed as a number matched, the customer twice became one"
        );
        assert_eq!(merged, serde_json::json!([[4, 6]]), "{name}");
        assert_eq!(matches, [("佛山南方家具厂".to_owned(), "王伟".to_owned())], "{name}");
        assert_eq!(
            broken,
            [(8, "field_required".to_owned()), (9, "import_control_characters".to_owned()), (10, "phone_character".to_owned())],
            "{name}"
        );
        let tengda = v["registered"].as_array().unwrap().iter().find(|r| r["company"] == "广州腾达电子有限公司").unwrap().clone();
        let lead = ok(&data, &["lead", "show", tengda["lead_id"].as_str().unwrap()]);
        assert_eq!(lead["lead"]["fields"]["phone"], "13812345678", "{name}: every digit of the numeric phone");
        assert_eq!(lead["lead"]["fields"]["region"], "广州");

        // The report names the colleague; the colleague keeps the customer.
        assert_eq!(column(&sheet(&report, "他人客户"), "负责人"), ["王伟"], "{name}");
        let colleague = ok(&data, &["lead", "list", "--search", "佛山南方家具厂"]);
        let items = colleague["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{name}: not registered a second time");
        assert_eq!(items[0]["owner"], "wangwei", "{name}");

        // A second import adds nothing.
        let again = ok(&data, &["import", "--input", file.to_str().unwrap()]);
        assert_eq!(again["registered"].as_array().unwrap().len(), 0, "{name}: {again}");
        assert_eq!(again["already_known"].as_array().unwrap().len(), 3, "{name}");
        assert_eq!(ok(&data, &["lead", "list", "--mine"])["items"].as_array().unwrap().len(), 3, "{name}");
        seen.push((registered, matches, broken, merged));
    }
    assert_eq!(seen[0], seen[1], "the workbook and the GB18030 CSV import alike");
}
