//! Regression corpus of malformed CSV files (`tests/corpus/csv/`): every broken row is
//! reported with its line and a typed reason, the good rows around it are kept, and
//! only a file without a usable header is refused.

use leadguard_dedup::{read_leads_csv, CsvBatch, CsvError};
use std::path::PathBuf;

fn read(name: &str) -> Result<CsvBatch, CsvError> {
    let path = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string())).join("tests/corpus/csv").join(name);
    read_leads_csv(std::fs::File::open(path).expect("corpus file"))
}

fn errors(b: &CsvBatch) -> Vec<(u64, &'static str)> {
    b.errors.iter().map(|e| (e.line, e.kind.code())).collect()
}

fn ids(b: &CsvBatch) -> Vec<&str> {
    b.leads.iter().map(|l| l.id.as_str()).collect()
}

#[test]
fn rows_with_wrong_field_counts_are_skipped_and_reported() {
    let b = read("field_count.csv").unwrap();
    assert_eq!(ids(&b), ["r1", "r4"]);
    assert_eq!(errors(&b), [(3, "field_count"), (4, "field_count")]);
    assert_eq!(b.errors[0].to_string(), "line 3: expected 6 fields, found 2");
}

#[test]
fn an_unterminated_quote_does_not_swallow_the_rest_of_the_file() {
    let b = read("unterminated_quote.csv").unwrap();
    assert_eq!(errors(&b), [(2, "unterminated_quote")]);
    assert_eq!(b.leads.len(), 10);
    assert_eq!(b.leads[0].id, "r2");
    assert_eq!(b.leads[0].line, 3);
}

#[test]
fn a_gbk_encoded_export_is_decoded_not_rejected() {
    let b = read("gbk.csv").unwrap();
    assert_eq!(errors(&b), []);
    assert_eq!(ids(&b), ["r1", "r2"]);
    assert_eq!(b.leads[0].record.company, "北京市");
    assert_eq!(b.leads[1].record.company, "上海安光医疗器械有限公司");
    assert_eq!(b.leads[1].record.contact, "孟然");
}

#[test]
fn gbk_headers_are_recognised() {
    // 公司名称,联系人,电话 then one row, all in GBK: 深圳腾达,陈明,13912345678
    let mut bytes = b"\xb9\xab\xcb\xbe\xc3\xfb\xb3\xc6,\xc1\xaa\xcf\xb5\xc8\xcb,\xb5\xe7\xbb\xb0\n".to_vec();
    bytes.extend_from_slice(b"\xc9\xee\xdb\xda\xcc\xda\xb4\xef,\xb3\xc2\xc3\xf7,13912345678\n");
    let b = read_leads_csv(bytes.as_slice()).unwrap();
    assert_eq!(errors(&b), []);
    assert_eq!(b.leads[0].record.company, "深圳腾达");
    assert_eq!(b.leads[0].record.contact, "陈明");
}

#[test]
fn a_row_neither_utf8_nor_gb18030_can_read_is_reported() {
    let b = read("unreadable_bytes.csv").unwrap();
    assert_eq!(errors(&b), [(4, "invalid_encoding")]);
    assert_eq!(ids(&b), ["r1", "r2"]);
}

#[test]
fn bom_chinese_headers_unknown_columns_and_multiline_cells() {
    let b = read("bom_chinese_header.csv").unwrap();
    assert_eq!(ids(&b), ["L2", "L5"]);
    assert_eq!(b.leads[0].record.company, "北京市锦信环保科技有限公司");
    assert_eq!(b.leads[1].record.phone, "159 6904 8265");
    assert_eq!(errors(&b), [(3, "nothing_to_match")]);
}

#[test]
fn empty_and_duplicate_ids_are_reported() {
    let b = read("ids.csv").unwrap();
    assert_eq!(ids(&b), ["r1", "r4"]);
    assert_eq!(errors(&b), [(3, "missing_id"), (4, "duplicate_id")]);
}

#[test]
fn overlong_fields_are_reported() {
    let b = read("field_too_long.csv").unwrap();
    assert_eq!(errors(&b), [(2, "field_too_long")]);
    assert_eq!(ids(&b), ["r2"]);
}

#[test]
fn files_without_a_usable_header_are_refused_with_a_code() {
    assert_eq!(read("empty.csv").unwrap_err().code(), "csv_no_header");
    assert_eq!(read("no_lead_columns.csv").unwrap_err().code(), "csv_no_lead_columns");
}
