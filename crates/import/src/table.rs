//! Files to sheets of text cells, addressed as the spreadsheet shows them.

use std::io::Read;
use std::path::Path;

use calamine::{Data, Range, Reader};
use serde::Serialize;

use crate::error::ImportError;

/// What kind of file the rows came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    Workbook,
    CsvUtf8,
    CsvGb18030,
}

/// One sheet as text. `rows[i]` is spreadsheet row `i + 1`, column `j` is column
/// `j + 1` (A = 1), so row numbers in reports match what the user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSheet {
    pub name: String,
    pub format: SourceFormat,
    pub rows: Vec<Vec<String>>,
}

/// Reads every sheet of a workbook, or the one sheet of a CSV file.
pub(crate) fn read_sheets(path: &Path) -> Result<Vec<RawSheet>, ImportError> {
    let shown = path.display().to_string();
    let mut head = [0u8; 8];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| ImportError::Unreadable { path: shown.clone(), message: e.to_string() })?;
    // Workbooks are zip (xlsx, xlsb, ods) or OLE compound files (xls): decide by content.
    let is_zip = head[..n].starts_with(b"PK\x03\x04");
    let is_ole = head[..n].starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    if is_zip || is_ole {
        return read_workbook(path);
    }
    let bytes = std::fs::read(path).map_err(|e| ImportError::Unreadable { path: shown.clone(), message: e.to_string() })?;
    if bytes.contains(&0) {
        return Err(ImportError::NotASpreadsheet { path: shown, message: "binary content".into() });
    }
    Ok(vec![csv_sheet(&bytes)?])
}

fn read_workbook(path: &Path) -> Result<Vec<RawSheet>, ImportError> {
    let shown = path.display().to_string();
    let book = calamine::open_workbook_auto(path)
        .map_err(|e| ImportError::NotASpreadsheet { path: shown.clone(), message: e.to_string() })?;
    Ok(workbook_sheets(book))
}

/// Sheets of a file already in memory (an upload), by content like [`read_sheets`].
pub(crate) fn sheets_from_bytes(name: &str, bytes: &[u8]) -> Result<Vec<RawSheet>, ImportError> {
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    if is_zip || is_ole {
        let book = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes))
            .map_err(|e| ImportError::NotASpreadsheet { path: name.into(), message: e.to_string() })?;
        return Ok(workbook_sheets(book));
    }
    if bytes.contains(&0) {
        return Err(ImportError::NotASpreadsheet { path: name.into(), message: "binary content".into() });
    }
    Ok(vec![csv_sheet(bytes)?])
}

fn workbook_sheets<RS: std::io::Read + std::io::Seek>(mut book: calamine::Sheets<RS>) -> Vec<RawSheet> {
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let range = match book.worksheet_range(&name) {
            Ok(r) => r,
            // A chart sheet or an unreadable sheet is not a list of customers.
            Err(_) => continue,
        };
        let merged = merged_regions(&mut book, &name);
        out.push(RawSheet { name, format: SourceFormat::Workbook, rows: grid(&range, &merged) });
    }
    out
}

fn merged_regions<RS: std::io::Read + std::io::Seek>(book: &mut calamine::Sheets<RS>, name: &str) -> Vec<calamine::Dimensions> {
    match book {
        calamine::Sheets::Xlsx(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        calamine::Sheets::Xls(x) => x.merge_cells_by_sheet_name(name).unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The cells of `range` at their absolute positions; a merged region's value fills
/// every cell of the region (a 行业 merged over a block of rows belongs to each row).
fn grid(range: &Range<Data>, merged: &[calamine::Dimensions]) -> Vec<Vec<String>> {
    let Some((top, left)) = range.start() else { return Vec::new() };
    let (top, left) = (top as usize, left as usize);
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); top];
    for row in range.rows() {
        let mut cells = vec![String::new(); left];
        cells.extend(row.iter().map(cell_text));
        rows.push(cells);
    }
    for m in merged {
        let (r0, c0) = (m.start.0 as usize, m.start.1 as usize);
        let value = rows.get(r0).and_then(|r| r.get(c0)).cloned().unwrap_or_default();
        if value.is_empty() {
            continue;
        }
        for r in r0..=(m.end.0 as usize).min(rows.len().saturating_sub(1)) {
            for c in c0..=m.end.1 as usize {
                let row = &mut rows[r];
                if row.len() <= c {
                    row.resize(c + 1, String::new());
                }
                if row[c].is_empty() {
                    row[c] = value.clone();
                }
            }
        }
    }
    rows
}

/// A cell as the user reads it: a phone Excel stored as a number keeps all its digits
/// (13812345678, not 1.38E+10 or 13812345678.0).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_owned(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
    }
}

/// CSV bytes as one sheet: UTF-8 with or without BOM, else GB18030 (which covers GBK).
pub(crate) fn csv_sheet(bytes: &[u8]) -> Result<RawSheet, ImportError> {
    let (text, format) = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut rows: Vec<Vec<String>> = Vec::new();
    // Row numbers as a spreadsheet shows the file: blank lines are rows (the csv
    // reader skips them), a quoted value's line breaks are not.
    let mut embedded_breaks = 0u64;
    for record in reader.records() {
        // A malformed quote ends the file's usable part; what came before stays.
        let Ok(record) = record else { break };
        // The position is where the reader started, before the blank lines it skipped.
        let line = record.position().map_or(rows.len() as u64 + 1, |p| {
            let rest = text.as_bytes().get(usize::try_from(p.byte()).unwrap_or(usize::MAX)..).unwrap_or_default();
            let blank = rest.iter().take_while(|b| matches!(b, b'\n' | b'\r')).filter(|b| **b == b'\n').count();
            p.line() + blank as u64
        });
        let row = usize::try_from(line.saturating_sub(embedded_breaks)).unwrap_or(usize::MAX).max(rows.len() + 1);
        embedded_breaks += record.iter().map(|c| c.matches('\n').count() as u64).sum::<u64>();
        rows.resize(row - 1, Vec::new());
        rows.push(record.iter().map(|c| c.trim().to_owned()).collect());
    }
    Ok(RawSheet { name: "CSV".into(), format, rows })
}

fn decode(bytes: &[u8]) -> Result<(String, SourceFormat), ImportError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(body) {
        return Ok((s.to_owned(), SourceFormat::CsvUtf8));
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(body);
    if had_errors {
        return Err(ImportError::Encoding);
    }
    Ok((text.into_owned(), SourceFormat::CsvGb18030))
}
