/// Why a file could not be read at all (a row-level problem is a [`crate::BrokenRow`]).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImportError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {message}")]
    Unreadable { path: String, message: String },
    /// Neither a workbook (.xlsx, .xls, .xlsb, .ods) nor CSV text.
    #[error("{path} is neither a spreadsheet nor a CSV file: {message}")]
    NotASpreadsheet { path: String, message: String },
    /// `--sheet` names a sheet the workbook does not have.
    #[error("no sheet named {name:?}; the workbook has: {available}")]
    NoSuchSheet { name: String, available: String },
    /// No sheet has a header row naming at least the company and one other field
    /// within its first rows.
    #[error("no header row found (looked for columns such as 公司名称/客户名称 and 联系人/电话 in the first {rows} rows of {sheets})")]
    NoHeader { sheets: String, rows: usize },
    /// CSV text that is neither UTF-8 nor GB18030.
    #[error("the CSV file is neither UTF-8 nor GBK/GB18030 text")]
    Encoding,
}
