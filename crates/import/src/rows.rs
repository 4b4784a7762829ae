//! Sheets to lead rows: find the header, map the columns, check each row.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::ImportError;
use crate::header::{field_for_header, Field};
use crate::table::{RawSheet, SourceFormat};

/// Rows searched for the header (title rows and notes above it are common).
const HEADER_SEARCH_ROWS: usize = 30;

/// A data row that can become a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRow {
    /// The spreadsheet's row number (1-based, as shown to the user).
    pub row: usize,
    pub fields: BTreeMap<Field, String>,
}

impl ImportRow {
    pub fn get(&self, f: Field) -> Option<&str> {
        self.fields.get(&f).map(String::as_str)
    }
}

/// Why a row cannot become a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum BrokenReason {
    /// No company name: a lead is a company.
    NoCompany,
    /// A value longer than the registry keeps.
    TooLong { field: Field, chars: usize, max: usize },
    /// Control characters (or a line break in a single-line field).
    ControlCharacters { field: Field },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenRow {
    pub row: usize,
    #[serde(flatten)]
    pub reason: BrokenReason,
}

/// What a file holds, ready for the registry to decide on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportTable {
    pub sheet: String,
    pub format: SourceFormat,
    /// Row number of the header.
    pub header_row: usize,
    /// Column header → field, in column order.
    pub columns: Vec<(String, Field)>,
    /// Headers no field takes (listed so the user knows what was left out), and
    /// repeated columns of a field already taken.
    pub ignored_columns: Vec<String>,
    pub rows: Vec<ImportRow>,
    pub broken: Vec<BrokenRow>,
    /// Non-empty data rows read (rows + broken).
    pub rows_read: usize,
}

struct Header {
    row: usize,
    by_column: Vec<Option<Field>>,
    fields: usize,
}

/// The user's column choices: a header (as written in the file) → the field it fills,
/// or `None` to leave the column out. They win over the names recognised by default.
pub type ColumnMapping = [(String, Option<Field>)];

fn field_for(mapping: &ColumnMapping, name: &str) -> Option<Field> {
    match mapping.iter().find(|(h, _)| h.trim() == name.trim()) {
        Some((_, chosen)) => *chosen,
        None => field_for_header(name),
    }
}

fn find_header(sheet: &RawSheet, mapping: &ColumnMapping) -> Option<Header> {
    let mut best: Option<Header> = None;
    for (i, cells) in sheet.rows.iter().take(HEADER_SEARCH_ROWS).enumerate() {
        let mut seen = std::collections::BTreeSet::new();
        // A field the user chose for a column is not also taken by a recognised name.
        let chosen: std::collections::BTreeSet<Field> =
            cells.iter().filter_map(|c| mapping.iter().find(|(h, _)| h.trim() == c.trim()).and_then(|(_, f)| *f)).collect();
        let by_column: Vec<Option<Field>> = cells
            .iter()
            .map(|c| {
                let explicit = mapping.iter().any(|(h, _)| h.trim() == c.trim());
                field_for(mapping, c).filter(|f| (explicit || !chosen.contains(f)) && seen.insert(*f))
            })
            .collect();
        let fields = seen.len();
        if seen.contains(&Field::Company) && fields >= 2 && best.as_ref().is_none_or(|b| fields > b.fields) {
            best = Some(Header { row: i, by_column, fields });
        }
    }
    best
}

fn check(field: Field, value: &str) -> Option<BrokenReason> {
    let bad_control = |c: char| c.is_control() && !(field.multiline() && (c == '\n' || c == '\t' || c == '\r'));
    if value.chars().any(bad_control) || value.chars().any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')) {
        return Some(BrokenReason::ControlCharacters { field });
    }
    let chars = value.chars().count();
    (chars > field.max_chars()).then_some(BrokenReason::TooLong { field, chars, max: field.max_chars() })
}

fn table_from(sheet: RawSheet, header: Header) -> ImportTable {
    let names = &sheet.rows[header.row];
    let mut columns = Vec::new();
    let mut ignored_columns = Vec::new();
    for (j, name) in names.iter().enumerate() {
        match header.by_column.get(j).copied().flatten() {
            Some(f) => columns.push((name.clone(), f)),
            None if !name.trim().is_empty() => ignored_columns.push(name.clone()),
            None => {}
        }
    }
    let (mut rows, mut broken, mut rows_read) = (Vec::new(), Vec::new(), 0);
    for (i, cells) in sheet.rows.iter().enumerate().skip(header.row + 1) {
        let row = i + 1;
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows_read += 1;
        let mut fields = BTreeMap::new();
        let mut problem = None;
        for (j, cell) in cells.iter().enumerate() {
            let (Some(Some(field)), value) = (header.by_column.get(j), cell.trim()) else { continue };
            if value.is_empty() {
                continue;
            }
            problem = problem.or_else(|| check(*field, value));
            fields.insert(*field, value.to_owned());
        }
        let problem = problem.or_else(|| (!fields.contains_key(&Field::Company)).then_some(BrokenReason::NoCompany));
        match problem {
            Some(reason) => broken.push(BrokenRow { row, reason }),
            None => rows.push(ImportRow { row, fields }),
        }
    }
    ImportTable {
        sheet: sheet.name,
        format: sheet.format,
        header_row: header.row + 1,
        columns,
        ignored_columns,
        rows,
        broken,
        rows_read,
    }
}

/// The lead rows of the named sheet, or of the first sheet with a header (an
/// instructions sheet before the data is skipped).
pub(crate) fn extract(sheets: Vec<RawSheet>, wanted: Option<&str>, mapping: &ColumnMapping) -> Result<ImportTable, ImportError> {
    if let Some(name) = wanted {
        let available = sheets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", ");
        let sheet = sheets.into_iter().find(|s| s.name == name).ok_or_else(|| ImportError::NoSuchSheet { name: name.into(), available })?;
        let header = find_header(&sheet, mapping).ok_or_else(|| ImportError::NoHeader { sheets: name.into(), rows: HEADER_SEARCH_ROWS })?;
        return Ok(table_from(sheet, header));
    }
    let names = sheets.iter().map(|s| s.name.clone()).collect::<Vec<_>>().join(", ");
    for sheet in sheets {
        if let Some(header) = find_header(&sheet, mapping) {
            return Ok(table_from(sheet, header));
        }
    }
    Err(ImportError::NoHeader { sheets: names, rows: HEADER_SEARCH_ROWS })
}
