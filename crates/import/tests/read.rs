//! Real files as teams keep them: workbooks written with rust_xlsxwriter (an
//! instructions sheet, a title row, phones stored as numbers, merged cells) and CSV
//! exports in UTF-8 with BOM and in GBK.

use leadguard_import::{read, read_csv_bytes, BrokenReason, Field, ImportError, SourceFormat};
use rust_xlsxwriter::{Format, Workbook};

fn team_workbook(path: &std::path::Path) {
    let mut book = Workbook::new();
    let help = book.add_worksheet().set_name("填写说明").unwrap();
    help.write(0, 0, "请在“客户名单”中填写，每行一个客户。电话请填写手机号。").unwrap();
    help.write(1, 0, "负责人填写销售的账号。").unwrap();
    let data = book.add_worksheet().set_name("客户名单").unwrap();
    // A title merged across the top, then the header on row 3.
    data.merge_range(0, 0, 0, 6, "2026年华南区客户名单", &Format::new()).unwrap();
    for (j, h) in ["序号", "客户名称（必填）", "联系人", "手机号码", "所属行业", "负责人", "创建时间"].iter().enumerate() {
        data.write(2, j as u16, *h).unwrap();
    }
    // Row 4: phone typed as a number, as Excel keeps it.
    data.write(3, 0, 1).unwrap();
    data.write(3, 1, "广州腾达电子有限公司").unwrap();
    data.write(3, 2, "王芳").unwrap();
    data.write_number(3, 3, 13812345678.0).unwrap();
    data.write(3, 5, "lina").unwrap();
    // Rows 5 and 6 share one industry, merged vertically.
    data.write(4, 1, "深圳华强物流有限公司").unwrap();
    data.write(4, 2, "李强").unwrap();
    data.write(4, 3, "0755-88886666").unwrap();
    data.write(5, 1, "佛山南方家具厂").unwrap();
    data.write(5, 2, "陈静").unwrap();
    data.merge_range(3, 4, 5, 4, "制造业", &Format::new()).unwrap();
    // Row 7 empty; row 8 has no company; row 9 a control character.
    data.write(7, 2, "赵六").unwrap();
    data.write(7, 3, "13900001111").unwrap();
    data.write(8, 1, "东莞\u{0007}精密").unwrap();
    book.save(path).unwrap();
}

#[test]
fn a_team_workbook_reads_past_its_instructions_and_title_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("客户名单.xlsx");
    team_workbook(&path);
    let t = read(&path, None).expect("read");
    assert_eq!(t.sheet, "客户名单", "the instructions sheet has no header and is skipped");
    assert_eq!(t.format, SourceFormat::Workbook);
    assert_eq!(t.header_row, 3);
    let mapped: Vec<Field> = t.columns.iter().map(|(_, f)| *f).collect();
    assert_eq!(mapped, [Field::Company, Field::Contact, Field::Phone, Field::Industry, Field::Owner]);
    assert_eq!(t.ignored_columns, ["序号", "创建时间"]);
    assert_eq!(t.rows.len(), 3);
    let first = &t.rows[0];
    assert_eq!(first.row, 4);
    assert_eq!(first.get(Field::Phone), Some("13812345678"), "a phone stored as a number keeps its digits");
    assert_eq!(first.get(Field::Owner), Some("lina"));
    assert_eq!(t.rows[1].get(Field::Phone), Some("0755-88886666"));
    for r in &t.rows {
        assert_eq!(r.get(Field::Industry), Some("制造业"), "row {}: merged cells fill every row they cover", r.row);
    }
    assert_eq!(t.broken.len(), 2);
    assert_eq!((t.broken[0].row, &t.broken[0].reason), (8, &BrokenReason::NoCompany));
    assert_eq!((t.broken[1].row, &t.broken[1].reason), (9, &BrokenReason::ControlCharacters { field: Field::Company }));
    assert_eq!(t.rows_read, 5);
}

#[test]
fn a_named_sheet_is_read_and_a_missing_one_is_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    team_workbook(&path);
    assert_eq!(read(&path, Some("客户名单")).unwrap().rows.len(), 3);
    match read(&path, Some("Sheet9")) {
        Err(ImportError::NoSuchSheet { name, available }) => {
            assert_eq!(name, "Sheet9");
            assert!(available.contains("填写说明") && available.contains("客户名单"), "{available}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(read(&path, Some("填写说明")), Err(ImportError::NoHeader { .. })));
}

#[test]
fn csv_in_utf8_with_bom_and_in_gbk_read_alike() {
    let text = "客户名单导出\n\n公司名称,联系人,电话,邮箱,地区,客户需求,备注\n\
                上海华强电子有限公司,张伟,138-0013-8000,zw@huaqiang.cn,上海,年度采购,\"老客户,\n二次合作\"\n";
    let mut utf8 = b"\xEF\xBB\xBF".to_vec();
    utf8.extend_from_slice(text.as_bytes());
    let (gbk, _, lossy) = encoding_rs::GBK.encode(text);
    assert!(!lossy);
    let a = read_csv_bytes(&utf8).unwrap();
    let b = read_csv_bytes(&gbk).unwrap();
    assert_eq!(a.format, SourceFormat::CsvUtf8);
    assert_eq!(b.format, SourceFormat::CsvGb18030);
    assert_eq!(a.rows, b.rows);
    assert_eq!(a.header_row, 3);
    let r = &a.rows[0];
    assert_eq!((r.row, r.get(Field::Company), r.get(Field::Region)), (4, Some("上海华强电子有限公司"), Some("上海")));
    assert_eq!(r.get(Field::Notes), Some("老客户,\n二次合作"), "line breaks belong in notes");
}

#[test]
fn english_headers_and_overlong_values() {
    let long = "很".repeat(201);
    let csv = format!("Company Name,Contact,Mobile,E-mail,Notes\nAcme Trading Co.,John Smith,+86 139 0000 1111,john@acme.com,ok\n{long},x,1,,\n");
    let t = read_csv_bytes(csv.as_bytes()).unwrap();
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].get(Field::Email), Some("john@acme.com"));
    assert_eq!(t.broken[0].row, 3);
    assert_eq!(t.broken[0].reason, BrokenReason::TooLong { field: Field::Company, chars: 201, max: 200 });
}

#[test]
fn files_that_are_not_customer_lists_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("photo.jpg");
    std::fs::write(&binary, [0xFF, 0xD8, 0xFF, 0x00, 0x10, 0x4A]).unwrap();
    assert!(matches!(read(&binary, None), Err(ImportError::NotASpreadsheet { .. })));
    let broken_zip = dir.path().join("broken.xlsx");
    std::fs::write(&broken_zip, b"PK\x03\x04 truncated").unwrap();
    assert!(matches!(read(&broken_zip, None), Err(ImportError::NotASpreadsheet { .. })));
    assert!(matches!(read(&dir.path().join("missing.csv"), None), Err(ImportError::Unreadable { .. })));
    assert!(matches!(read_csv_bytes("序号,创建时间\n1,2026-01-01\n".as_bytes()), Err(ImportError::NoHeader { .. })));
}

mod never_panics {
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn any_bytes_give_a_table_or_a_typed_error(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut with_header = "公司名称,电话\n".as_bytes().to_vec();
            with_header.extend_from_slice(&bytes);
            let _ = leadguard_import::read_csv_bytes(&bytes);
            let _ = leadguard_import::read_csv_bytes(&with_header);
        }
    }
}

#[test]
fn rows_of_one_customer_in_a_file_become_one_whatever_their_order() {
    let rows = [
        "广州腾达电子有限公司,王芳,13812345678,,广州",
        "深圳华强物流有限公司,李强,13700001111,,深圳",
        "腾达电子（广州）,陈总,020-88886666,chen@tengda.cn,广州",
        "广州腾达电子有限公司,王芳,138 1234 5678,wangfang@tengda.cn,广州",
    ];
    let csv = |order: &[usize]| {
        let mut s = String::from("公司名称,联系人,电话,邮箱,城市\n");
        for &i in order {
            s.push_str(rows[i]);
            s.push('\n');
        }
        read_csv_bytes(s.as_bytes()).unwrap()
    };
    let t = csv(&[0, 1, 2, 3]);
    let customers = t.customers(0.85);
    assert_eq!(customers.len(), 2, "{customers:#?}");
    let tengda = &customers[0];
    assert_eq!(tengda.rows, [2, 4, 5]);
    assert_eq!(tengda.merged_rows(), [4, 5]);
    assert_eq!(tengda.get(Field::Contact), Some("王芳"), "the first row wins");
    assert_eq!(tengda.get(Field::Email), Some("chen@tengda.cn"), "later rows fill what it left empty");
    // The same groups in any order of rows.
    let reversed = csv(&[3, 2, 1, 0]).customers(0.85);
    let companies = |cs: &[leadguard_import::FileCustomer]| {
        let mut v: Vec<usize> = cs.iter().map(|c| c.rows.len()).collect();
        v.sort();
        v
    };
    assert_eq!(companies(&customers), companies(&reversed));
}

#[test]
fn the_users_column_choices_win_over_the_recognised_names() {
    let csv = "客户全称,对接手机,备注,说明\n广州腾达电子有限公司,13812345678,老客户,展会认识\n".as_bytes();
    let mapped = |mapping: &[(String, Option<Field>)]| leadguard_import::read_bytes_mapped("x.csv", csv, None, mapping);
    // Nothing recognisable names the company: no header without the user's choice.
    assert!(matches!(mapped(&[]), Err(ImportError::NoHeader { .. })));
    let t = mapped(&[("客户全称".into(), Some(Field::Company)), ("对接手机".into(), Some(Field::Phone)), ("说明".into(), Some(Field::Notes))]).unwrap();
    assert_eq!(t.rows[0].get(Field::Company), Some("广州腾达电子有限公司"));
    assert_eq!(t.rows[0].get(Field::Phone), Some("13812345678"));
    assert_eq!(t.rows[0].get(Field::Notes), Some("展会认识"), "说明 was chosen for the notes");
    assert_eq!(t.ignored_columns, ["备注"], "the recognised 备注 gives way");
    let t = mapped(&[("客户全称".into(), Some(Field::Company)), ("对接手机".into(), None)]).unwrap();
    assert_eq!(t.rows[0].get(Field::Phone), None, "a column the user left out");
    assert_eq!(t.rows[0].get(Field::Notes), Some("老客户"));
}
