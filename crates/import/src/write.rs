//! Tables out: the same rows as an `.xlsx` workbook (rust_xlsxwriter) or as CSV in
//! UTF-8 with a BOM (without it Excel on a Chinese Windows reads UTF-8 as GBK).
//! The core decides what the rows are (import reports, exports, as the viewer sees
//! them); this writes them, text as text so phones keep their digits.

/// A cell: text is written as text (a phone or an id never becomes a number).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Cell {
        s.map_or(Cell::Empty, Cell::Text)
    }
}

impl From<u32> for Cell {
    fn from(n: u32) -> Cell {
        Cell::Number(f64::from(n))
    }
}

impl From<f64> for Cell {
    fn from(n: f64) -> Cell {
        Cell::Number(n)
    }
}

/// One sheet: a name (at most 31 characters, as Excel allows), a header row, rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(name: &str, headers: &[&str]) -> Table {
        Table { name: name.to_owned(), headers: headers.iter().map(|h| (*h).to_owned()).collect(), rows: Vec::new() }
    }

    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }
}

/// Why a workbook could not be written (a sheet name Excel refuses, too many rows).
#[derive(Debug, thiserror::Error)]
#[error("cannot write the workbook: {0}")]
pub struct WriteError(String);

/// Excel's widths are in characters; a CJK character takes two.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// The tables as one workbook, one sheet each, header bold and frozen, columns sized
/// to their content.
pub fn to_xlsx(tables: &[Table]) -> Result<Vec<u8>, WriteError> {
    use rust_xlsxwriter::{Format, Workbook};
    let err = |e: rust_xlsxwriter::XlsxError| WriteError(e.to_string());
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(&t.name).map_err(err)?;
        let mut widths: Vec<usize> = t.headers.iter().map(|h| display_width(h)).collect();
        for (j, h) in t.headers.iter().enumerate() {
            sheet.write_string_with_format(0, j as u16, h, &bold).map_err(err)?;
        }
        for (i, row) in t.rows.iter().enumerate() {
            let r = u32::try_from(i + 1).map_err(|_| WriteError("too many rows".into()))?;
            for (j, cell) in row.iter().enumerate() {
                let c = j as u16;
                let width = match cell {
                    Cell::Text(s) => {
                        sheet.write_string(r, c, s).map_err(err)?;
                        display_width(s)
                    }
                    Cell::Number(n) => {
                        sheet.write_number(r, c, *n).map_err(err)?;
                        n.to_string().len()
                    }
                    Cell::Empty => 0,
                };
                if widths.len() <= j {
                    widths.resize(j + 1, 0);
                }
                widths[j] = widths[j].max(width);
            }
        }
        for (j, w) in widths.iter().enumerate() {
            sheet.set_column_width(j as u16, (*w as f64 + 2.0).min(60.0)).map_err(err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(err)?;
    }
    book.save_to_buffer().map_err(err)
}

/// A value Excel would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`
/// so an exported name cannot execute; a phone like `+86 138…` stays as it is.
fn csv_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let phone_like = |s: &str| s.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ' | '(' | ')'));
    match s.chars().next() {
        Some('=' | '@') => format!("'{s}").into(),
        Some('+' | '-') if !phone_like(s) => format!("'{s}").into(),
        _ => s.into(),
    }
}

/// The table as CSV: UTF-8 with a BOM, a header row, CRLF line ends (what Excel writes).
pub fn to_csv(table: &Table) -> Vec<u8> {
    fn field(out: &mut String, s: &str) {
        if s.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&s.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(s);
        }
    }
    let mut out = String::from("\u{FEFF}");
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = String>| {
        for (j, c) in cells.enumerate() {
            if j > 0 {
                out.push(',');
            }
            field(out, &csv_safe(&c));
        }
        out.push_str("\r\n");
    };
    line(&mut out, &mut table.headers.iter().cloned());
    for row in &table.rows {
        line(
            &mut out,
            &mut row.iter().map(|c| match c {
                Cell::Text(s) => s.clone(),
                Cell::Number(n) => n.to_string(),
                Cell::Empty => String::new(),
            }),
        );
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new("客户", &["公司名称", "电话", "数量"]);
        t.push(vec!["广州腾达, 有限公司".into(), "13812345678".into(), 3u32.into()]);
        t.push(vec!["=HYPERLINK(\"x\")".into(), "+86 138 1234 5678".into(), Cell::Empty]);
        t
    }

    #[test]
    fn csv_is_utf8_with_bom_quoted_and_formula_safe() {
        let text = String::from_utf8(to_csv(&sample())).unwrap();
        assert!(text.starts_with('\u{FEFF}'));
        assert_eq!(
            text.trim_start_matches('\u{FEFF}'),
            "公司名称,电话,数量\r\n\"广州腾达, 有限公司\",13812345678,3\r\n\"'=HYPERLINK(\"\"x\"\")\",+86 138 1234 5678,\r\n"
        );
    }

    #[test]
    fn xlsx_reads_back_with_phones_as_text() {
        let bytes = to_xlsx(&[sample(), Table::new("汇总", &["项目"])]).unwrap();
        let table = crate::read_bytes("out.xlsx", &bytes, Some("客户")).unwrap();
        assert_eq!(table.rows[0].get(crate::Field::Phone), Some("13812345678"));
        assert_eq!(table.rows[0].get(crate::Field::Company), Some("广州腾达, 有限公司"));
    }

    #[test]
    fn a_sheet_name_excel_refuses_is_an_error_not_a_panic() {
        assert!(to_xlsx(&[Table::new("a/b", &["x"])]).is_err());
    }
}
