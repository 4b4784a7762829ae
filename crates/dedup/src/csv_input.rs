//! Reading leads from CSV (the batch mode and Excel/CSV import).
//!
//! Real exports are dirty: a BOM, GBK text (Excel on Chinese Windows), Chinese or English
//! headers, extra columns, rows with too few or too many fields, an unterminated quote that
//! would swallow the rest of the file. A file that is valid UTF-8 is read as UTF-8, any
//! other as GB18030 (a superset of GBK and GB2312). A broken row is reported with its line number
//! and a typed reason and skipped; only a file with no usable header is refused.
//! An unterminated quote is caught (a record spanning too many lines) and parsing
//! resumes on the line after it, so one bad cell never hides the rows below it.

use crate::record::LeadRecord;
use std::io::Read;

/// A record spanning more lines than this is taken as an unterminated quote.
const MAX_LINES_PER_RECORD: u64 = 8;
/// Longest accepted field, in bytes.
pub const MAX_FIELD_BYTES: usize = 2048;

/// A lead read from one CSV row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvLead {
    /// 1-based line of the row in the file.
    pub line: u64,
    /// The row's `id` column, or `L<line>` when the file has no id column.
    pub id: String,
    /// The lead.
    pub record: LeadRecord,
}

/// Why a row was skipped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowErrorKind {
    /// The row has a different number of fields than the header.
    #[error("expected {expected} fields, found {found}")]
    FieldCount { expected: usize, found: usize },
    /// The file is neither UTF-8 nor GB18030: the row holds bytes neither can read.
    #[error("neither UTF-8 nor GBK/GB18030 text (save the file as UTF-8)")]
    InvalidEncoding,
    /// A quoted field is never closed.
    #[error("unterminated quoted field")]
    UnterminatedQuote,
    /// A field is longer than [`MAX_FIELD_BYTES`].
    #[error("field `{column}` is too long ({len} bytes)")]
    FieldTooLong { column: String, len: usize },
    /// The id column is empty.
    #[error("empty id")]
    MissingId,
    /// The id was already used by an earlier row.
    #[error("duplicate id `{0}`")]
    DuplicateId(String),
    /// The CSV parser gave up on the rest of the input.
    #[error("malformed CSV: {0}")]
    Malformed(String),
    /// Company, contact, phone and e-mail are all empty.
    #[error("no company, contact, phone or e-mail")]
    NothingToMatch,
}

impl RowErrorKind {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            RowErrorKind::FieldCount { .. } => "field_count",
            RowErrorKind::InvalidEncoding => "invalid_encoding",
            RowErrorKind::UnterminatedQuote => "unterminated_quote",
            RowErrorKind::FieldTooLong { .. } => "field_too_long",
            RowErrorKind::MissingId => "missing_id",
            RowErrorKind::DuplicateId(_) => "duplicate_id",
            RowErrorKind::Malformed(_) => "malformed",
            RowErrorKind::NothingToMatch => "nothing_to_match",
        }
    }
}

/// A skipped row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct RowError {
    /// 1-based line where the row starts.
    pub line: u64,
    /// What is wrong with it.
    pub kind: RowErrorKind,
}

/// A file that cannot be read at all.
#[derive(Debug, thiserror::Error)]
pub enum CsvError {
    /// Reading failed.
    #[error("cannot read CSV: {0}")]
    Io(#[from] std::io::Error),
    /// The file is empty or its header is unreadable.
    #[error("the CSV has no header row")]
    NoHeader,
    /// None of the matchable columns is present.
    #[error("the CSV header has none of the columns company, contact, phone, email (found: {found})")]
    NoLeadColumns { found: String },
}

impl CsvError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            CsvError::Io(_) => "io",
            CsvError::NoHeader => "csv_no_header",
            CsvError::NoLeadColumns { .. } => "csv_no_lead_columns",
        }
    }
}

/// The rows read from a CSV: good leads and the rows skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CsvBatch {
    /// Leads, in file order.
    pub leads: Vec<CsvLead>,
    /// Skipped rows, in file order.
    pub errors: Vec<RowError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Company,
    Contact,
    Phone,
    Email,
    Region,
    Address,
}

fn column_of(header: &str) -> Option<Column> {
    let h = header.trim().trim_start_matches('\u{feff}').to_ascii_lowercase();
    Some(match h.as_str() {
        "id" | "lead_id" | "编号" | "序号" | "id号" => Column::Id,
        "company" | "company_name" | "公司" | "公司名称" | "客户名称" | "企业名称" | "单位名称" => Column::Company,
        "contact" | "contact_name" | "name" | "联系人" | "姓名" | "客户姓名" => Column::Contact,
        "phone" | "mobile" | "tel" | "电话" | "手机" | "手机号" | "联系电话" | "电话号码" => Column::Phone,
        "email" | "e-mail" | "mail" | "邮箱" | "电子邮箱" | "邮件" => Column::Email,
        "region" | "city" | "地区" | "城市" | "区域" | "所在地" => Column::Region,
        "address" | "地址" | "详细地址" | "公司地址" => Column::Address,
        _ => return None,
    })
}

/// Read every row of a CSV with a header. Unknown columns are ignored.
pub fn read_leads_csv<R: Read>(mut input: R) -> Result<CsvBatch, CsvError> {
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes)?;
    let (text, malformed) = decode(&bytes);
    let data = text.as_bytes();

    let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data);
    let mut header = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut header).map_err(|_| CsvError::NoHeader)? {
        return Err(CsvError::NoHeader);
    }
    let names: Vec<String> = header.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect();
    let columns: Vec<Option<Column>> = names.iter().map(|n| column_of(n)).collect();
    let has = |c: Column| columns.contains(&Some(c));
    if ![Column::Company, Column::Contact, Column::Phone, Column::Email].iter().any(|c| has(*c)) {
        return Err(CsvError::NoLeadColumns { found: names.join(",") });
    }
    let header_end = rdr.position().byte() as usize;
    let mut state = Parse { columns, names, malformed, batch: CsvBatch::default(), seen_ids: Default::default() };
    state.parse_from(data, header_end, 2);
    Ok(state.batch)
}

/// The file's text: UTF-8 when the bytes are valid UTF-8 (a BOM dropped), else GB18030.
/// `true` when GB18030 met bytes it cannot read (they became U+FFFD).
fn decode(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, bool) {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf".as_slice()).unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.into(), false),
        Err(_) => encoding_rs::GB18030.decode_without_bom_handling(bytes),
    }
}

struct Parse {
    columns: Vec<Option<Column>>,
    names: Vec<String>,
    /// The decoded text holds U+FFFD for unreadable bytes: rows with one are refused.
    malformed: bool,
    batch: CsvBatch,
    seen_ids: rustc_hash::FxHashSet<String>,
}

/// Line numbers of byte offsets, counted incrementally (offsets only grow).
struct LineCounter<'a> {
    data: &'a [u8],
    byte: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_at(&mut self, byte: usize) -> u64 {
        let byte = byte.min(self.data.len());
        if byte > self.byte {
            self.line += self.data[self.byte..byte].iter().filter(|b| **b == b'\n').count() as u64;
            self.byte = byte;
        }
        self.line
    }
}

impl Parse {
    /// Parse rows starting at byte `start`, which is line `first_line` of the file.
    fn parse_from(&mut self, data: &[u8], mut start: usize, mut first_line: u64) {
        'restart: loop {
            let mut rdr = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(&data[start..]);
            let mut rec = csv::ByteRecord::new();
            let mut lines = LineCounter { data, byte: start, line: first_line };
            loop {
                match rdr.read_byte_record(&mut rec) {
                    Ok(false) => return,
                    Ok(true) => {}
                    Err(e) => {
                        let line = first_line + rdr.position().line() - 1;
                        self.error(line, RowErrorKind::Malformed(e.to_string()));
                        return;
                    }
                }
                // Lines are counted from byte offsets: the parser's own line counter
                // skips blank lines.
                let mut rec_start = start + rec.position().map_or(0, |p| p.byte() as usize);
                while matches!(data.get(rec_start), Some(b'\n' | b'\r')) {
                    rec_start += 1; // blank lines the parser skipped
                }
                let rec_end = start + rdr.position().byte() as usize;
                let line = lines.line_at(rec_start);
                let end_line = lines.line_at(rec_end.saturating_sub(1).max(rec_start));
                if end_line - line > MAX_LINES_PER_RECORD {
                    // An unterminated quote swallowed the following lines: report the
                    // row and resume right after its first line.
                    self.error(line, RowErrorKind::UnterminatedQuote);
                    let next = data[rec_start..].iter().position(|b| *b == b'\n').map(|p| rec_start + p + 1);
                    match next {
                        Some(n) => {
                            start = n;
                            first_line = line + 1;
                            continue 'restart;
                        }
                        None => return,
                    }
                }
                if rec.len() == 1 && rec.get(0).is_some_and(|f| f.iter().all(u8::is_ascii_whitespace)) {
                    continue; // blank line
                }
                self.row(line, &rec);
            }
        }
    }

    fn error(&mut self, line: u64, kind: RowErrorKind) {
        self.batch.errors.push(RowError { line, kind });
    }

    fn row(&mut self, line: u64, rec: &csv::ByteRecord) {
        if rec.len() != self.columns.len() {
            return self.error(line, RowErrorKind::FieldCount { expected: self.columns.len(), found: rec.len() });
        }
        let mut record = LeadRecord::default();
        let mut id = None;
        for (i, field) in rec.iter().enumerate() {
            let Some(col) = self.columns[i] else { continue };
            // Fields are slices of the decoded text, split at ASCII delimiters.
            let text = String::from_utf8_lossy(field);
            if self.malformed && text.contains(char::REPLACEMENT_CHARACTER) {
                return self.error(line, RowErrorKind::InvalidEncoding);
            }
            if text.len() > MAX_FIELD_BYTES {
                let column = self.names[i].clone();
                return self.error(line, RowErrorKind::FieldTooLong { column, len: text.len() });
            }
            let text = text.to_string();
            match col {
                Column::Id => id = Some(text.trim().to_string()),
                Column::Company => record.company = text,
                Column::Contact => record.contact = text,
                Column::Phone => record.phone = text,
                Column::Email => record.email = text,
                Column::Region => record.region = text,
                Column::Address => record.address = Some(text).filter(|a| !a.trim().is_empty()),
            }
        }
        let id = match id {
            Some(id) if id.is_empty() => return self.error(line, RowErrorKind::MissingId),
            Some(id) => id,
            None => format!("L{line}"),
        };
        if [&record.company, &record.contact, &record.phone, &record.email].iter().all(|f| f.trim().is_empty()) {
            return self.error(line, RowErrorKind::NothingToMatch);
        }
        if !self.seen_ids.insert(id.clone()) {
            return self.error(line, RowErrorKind::DuplicateId(id));
        }
        self.batch.leads.push(CsvLead { line, id, record });
    }
}
