//! `leadguard export --what mine|pool|team|cases|metrics|monthly --output FILE.xlsx|.csv`: the
//! core's `export_file` (the format from the file's extension), written where asked.

use base64::Engine;
use clap::{Args, ValueEnum};
use leadguard_core::api::{self, Context};
use leadguard_core::{ApiError, Reason};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum What {
    Mine,
    Pool,
    Team,
    Cases,
    Metrics,
    Monthly,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// What to export.
    #[arg(long, value_enum)]
    pub what: What,
    /// Where to write: FILE.xlsx or FILE.csv (UTF-8 with BOM, opens in Excel).
    #[arg(long, value_name = "FILE.xlsx|FILE.csv")]
    pub output: std::path::PathBuf,
}

/// Writes a `FileDownload` answer's bytes to `path`.
pub fn save(file: &Value, path: &std::path::Path) -> Result<(), ApiError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file["content_base64"].as_str().unwrap_or_default())
        .map_err(|e| ApiError::from(Reason::Storage { detail: e.to_string() }))?;
    std::fs::write(path, bytes).map_err(|e| ApiError::from(Reason::Storage { detail: format!("{}: {e}", path.display()) }))
}

pub fn run(ctx: &mut Context, a: ExportArgs, as_json: bool) -> Result<Value, ApiError> {
    let ext = a.output.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    let format = match ext.as_deref() {
        Some("xlsx") => "xlsx",
        Some("csv") => "csv",
        _ => {
            return Err(Reason::BadArguments { detail: format!("--output {}: name a .xlsx or .csv file", a.output.display()) }.into())
        }
    };
    let what = format!("{:?}", a.what).to_lowercase();
    let file = api::dispatch(ctx, "export_file", json!({ "what": what, "format": format }))?;
    save(&file, &a.output)?;
    let rows = file["rows"].as_u64().unwrap_or(0);
    if as_json {
        return Ok(json!({ "what": what, "output": a.output.display().to_string(), "format": format, "rows": rows }));
    }
    Ok(Value::String(format!("已导出 {rows} 行到 {} / exported {rows} rows", a.output.display())))
}
