//! Reading a team's existing customer lists: `.xlsx`/`.xls` workbooks (calamine) and
//! CSV exports in UTF-8 (with or without BOM) or GBK/GB18030 (encoding_rs), the way
//! Chinese sales teams keep them — a title row or two above the header, an
//! instructions sheet before the data, phones Excel stored as numbers, merged cells,
//! Chinese or English column names.
//!
//! The result is an [`ImportTable`]: which sheet and row held the header, which
//! columns became which lead field (and which were ignored), every data row with its
//! spreadsheet row number, and the rows that cannot become a lead with a typed
//! reason ([`BrokenReason`]). Nothing here registers anything: the core decides what
//! a row becomes (duplicates, protected customers, owners).
//!
//! The way out is here too ([`to_xlsx`], [`to_csv`]): the core's import report and
//! exports as workbooks or CSV that Excel opens as written.

mod customers;
mod error;
mod header;
mod rows;
mod table;
mod write;

pub use customers::FileCustomer;
pub use error::ImportError;
pub use header::{field_for_header, Field};
pub use rows::{BrokenReason, BrokenRow, ColumnMapping, ImportRow, ImportTable};
pub use table::{RawSheet, SourceFormat};
pub use write::{to_csv, to_xlsx, Cell, Table, WriteError};

use std::path::Path;

/// Reads `path` (format from its content, not only its name) and extracts the lead
/// rows of `sheet`, or of the first sheet that has a recognisable header.
pub fn read(path: &Path, sheet: Option<&str>) -> Result<ImportTable, ImportError> {
    let sheets = table::read_sheets(path)?;
    rows::extract(sheets, sheet, &[])
}

/// [`read`] for a file already in memory (an upload), named `name` in errors.
pub fn read_bytes(name: &str, bytes: &[u8], sheet: Option<&str>) -> Result<ImportTable, ImportError> {
    read_bytes_mapped(name, bytes, sheet, &[])
}

/// [`read_bytes`] with the user's column choices winning over the recognised names
/// (the import wizard's mapping step).
pub fn read_bytes_mapped(name: &str, bytes: &[u8], sheet: Option<&str>, mapping: &ColumnMapping) -> Result<ImportTable, ImportError> {
    rows::extract(table::sheets_from_bytes(name, bytes)?, sheet, mapping)
}

/// [`read`] for CSV bytes already in memory (an upload, a test).
pub fn read_csv_bytes(bytes: &[u8]) -> Result<ImportTable, ImportError> {
    rows::extract(vec![table::csv_sheet(bytes)?], None, &[])
}
