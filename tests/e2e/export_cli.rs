//! `leadguard import --report` and `leadguard export`: the files a user hands on,
//! read back with calamine as Excel would open them. Included by `registry_cli.rs`.

use calamine::{Reader, Xlsx};
use leadguard_tests::{json, leadguard};

use super::import_cli::{branch, ok, team_list};

pub(crate) fn sheet(path: &std::path::Path, name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = calamine::open_workbook(path).unwrap();
    let range = book.worksheet_range(name).unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
}

pub(crate) fn column(rows: &[Vec<String>], header: &str) -> Vec<String> {
    let j = rows[0].iter().position(|h| h == header).unwrap_or_else(|| panic!("no column {header} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r.get(j).cloned().unwrap_or_default()).collect()
}


#[test]
fn the_import_report_names_the_colleague_and_says_why_rows_were_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let data = branch(dir.path());
    let file = dir.path().join("客户名单.xlsx");
    team_list(&file);
    let report = dir.path().join("report.xlsx");
    ok(&data, &["import", "--input", file.to_str().unwrap(), "--report", report.to_str().unwrap()]);

    let summary = sheet(&report, "汇总");
    let count = |label: &str| summary.iter().find(|r| r[0] == label).map(|r| r[1].clone()).unwrap_or_else(|| panic!("{label}"));
    assert_eq!((count("读取行数"), count("已登记"), count("他人客户（匹配）"), count("无法读取的行")), ("6".into(), "2".into(), "1".into(), "2".into()));

    let registered = sheet(&report, "已登记");
    assert_eq!(column(&registered, "公司名称"), ["广州腾达电子有限公司", "深圳华强物流有限公司"]);
    assert_eq!(column(&registered, "负责人"), ["李娜（lina）", "李娜（lina）"]);

    let others = sheet(&report, "他人客户");
    assert_eq!(column(&others, "负责人"), ["王伟"], "the colleague is named");
    assert_eq!(column(&others, "是否仍然登记"), ["未登记"], "and keeps the customer");
    assert!(!column(&others, "保护截止")[0].is_empty());

    assert_eq!(column(&sheet(&report, "文件内合并"), "行号"), ["3、5"]);
    let broken = sheet(&report, "无法读取");
    assert_eq!(column(&broken, "行号"), ["7", "8"]);
    let reasons = column(&broken, "原因");
    assert_eq!(reasons[0], "请填写公司名称", "reasons in Chinese words");
    assert!(reasons[1].starts_with("电话“abc”"), "{}", reasons[1]);

    // The same file again: the report says nothing new was registered.
    ok(&data, &["import", "--input", file.to_str().unwrap(), "--report", report.to_str().unwrap()]);
    assert_eq!(sheet(&report, "已登记").len(), 1, "header only");
    assert_eq!(sheet(&report, "已有客户").len(), 3);
}

#[test]
fn exports_show_each_user_what_their_screens_show() {
    let dir = tempfile::tempdir().unwrap();
    let data = branch(dir.path());
    let file = dir.path().join("客户名单.xlsx");
    team_list(&file);
    ok(&data, &["import", "--input", file.to_str().unwrap()]);
    let mine_file = dir.path().join("mine.xlsx");
    let out = ok(&data, &["export", "--what", "mine", "--output", mine_file.to_str().unwrap()]);
    assert_eq!(out["rows"], 2);
    let mine = sheet(&mine_file, "我的客户");
    assert_eq!(mine[0][..4], ["客户编号", "公司名称", "联系人", "电话"], "Chinese headers");
    assert!(column(&mine, "电话").contains(&"13812345678".to_owned()), "phones as text, every digit");
    assert_eq!(column(&mine, "状态"), ["保护中", "保护中"]);
    let until = column(&mine, "保护截止");
    assert!(until[0].len() == 16 && until[0].chars().nth(4) == Some('/'), "a zh-CN date: {}", until[0]);

    // A rep cannot export the team; the pool as CSV in UTF-8 with a BOM.
    let team = leadguard(&data, &["export", "--what", "team", "--output", dir.path().join("t.xlsx").to_str().unwrap()]);
    assert!(!team.status.success());
    assert_eq!(json(&team)["reason"], "role_required");
    let companies = column(&mine, "公司名称");
    let row = companies.iter().position(|c| c == "深圳华强物流有限公司").expect("华强 in my list");
    let huaqiang = column(&mine, "客户编号")[row].clone();
    ok(&data, &["lead", "release", &huaqiang]);
    let pool_csv = dir.path().join("pool.csv");
    ok(&data, &["export", "--what", "pool", "--output", pool_csv.to_str().unwrap()]);
    let text = String::from_utf8(std::fs::read(&pool_csv).unwrap()).unwrap();
    assert!(text.starts_with("\u{FEFF}客户编号,公司名称"), "{text}");
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("深圳华强物流有限公司") && text.contains("13700001111"));

    // The manager sees the branch, 王伟's customer included; a distributor exporting the
    // pool gets only what they registered (nothing), never the pool's contacts.
    leadguard_core::Registry::open(&data).unwrap().set_session_rep("zhang").unwrap();
    let team_file = dir.path().join("team.xlsx");
    ok(&data, &["export", "--what", "team", "--output", team_file.to_str().unwrap()]);
    let team = sheet(&team_file, "团队客户");
    assert!(column(&team, "负责人").contains(&"王伟".to_owned()));
    assert!(column(&team, "电话").contains(&"13600002222".to_owned()));
    let metrics = dir.path().join("metrics.xlsx");
    ok(&data, &["export", "--what", "metrics", "--output", metrics.to_str().unwrap()]);
    assert!(sheet(&metrics, "汇总").iter().any(|r| r[0] == "认领的客户"));
    ok(&data, &["export", "--what", "cases", "--output", dir.path().join("cases.csv").to_str().unwrap()]);
    leadguard_core::Registry::open(&data).unwrap().set_session_rep("chen").unwrap();
    let d = ok(&data, &["export", "--what", "pool", "--output", pool_csv.to_str().unwrap()]);
    assert_eq!(d["rows"], 0);
    let bad = leadguard(&data, &["export", "--what", "pool", "--output", dir.path().join("x.pdf").to_str().unwrap()]);
    assert_eq!(json(&bad)["reason"], "bad_arguments");
}
