//! `leadguard import --input FILE`: a team's spreadsheet into the registry, with a
//! report of what became of every row.

use base64::Engine;
use clap::Args;
use leadguard_core::api::{self, Context};
use leadguard_core::{ApiError, Reason};
use serde_json::Value;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The spreadsheet: .xlsx, .xls, or CSV in UTF-8 or GBK.
    #[arg(long)]
    pub input: std::path::PathBuf,
    /// The sheet to read (default: the first with a header row).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Register for this rep (managers; a 负责人 column names an owner per row).
    #[arg(long)]
    pub owner: Option<String>,
    /// Report what would happen; register nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also register customers someone else works (recorded as seen despite the warning).
    #[arg(long)]
    pub include_matches: bool,
    /// Also write the report as a workbook (汇总, 已登记, 已有客户, 他人客户, 文件内合并, 无法读取).
    #[arg(long, value_name = "REPORT.xlsx")]
    pub report: Option<std::path::PathBuf>,
    /// A column the header names do not map, or map wrongly: `HEADER=FIELD` (company,
    /// contact, phone, email, region, industry, size, need, notes, address, owner), or
    /// `HEADER=` to leave it out. Repeatable.
    #[arg(long = "column", value_name = "HEADER=FIELD")]
    pub columns: Vec<String>,
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

fn rows(v: &Value) -> String {
    v.as_array().map(|a| a.iter().map(s).collect::<Vec<_>>().join(",")).unwrap_or_default()
}

fn report(v: &Value) -> String {
    let n = |k: &str| v[k].as_array().map_or(0, Vec::len);
    let mut out = format!(
        "{}{} [{}]: 读取 {} 行，{} 个客户 / read {} rows, {} customers\n  登记 registered: {}  已有 already known: {}  他人客户 others' customers: {}  文件内合并 merged in file: {}  无法导入 broken: {}",
        if v["dry_run"] == true { "(试运行 dry run) " } else { "" },
        s(&v["file_name"]),
        s(&v["sheet"]),
        s(&v["rows_read"]),
        s(&v["customers"]),
        s(&v["rows_read"]),
        s(&v["customers"]),
        n("registered"),
        n("already_known"),
        n("matches"),
        n("merged_in_file"),
        n("broken"),
    );
    if let Some(ignored) = v["ignored_columns"].as_array().filter(|a| !a.is_empty()) {
        out.push_str(&format!("\n  忽略的列 ignored columns: {}", ignored.iter().map(s).collect::<Vec<_>>().join(", ")));
    }
    for m in v["matches"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            "\n  行 row {}: {} — 已由 {} 跟进至 {} (score {:.2}){}",
            rows(&m["rows"]),
            s(&m["company"]),
            s(&m["owner_name"]),
            s(&m["protected_until"]),
            m["score"].as_f64().unwrap_or(0.0),
            if m["registered"] == true { "；仍然登记 registered anyway" } else { "；未登记 not registered" }
        ));
    }
    for b in v["broken"].as_array().into_iter().flatten() {
        out.push_str(&format!("\n  行 row {}: {}", s(&b["row"]), s(&b["error"]["message"])));
    }
    out
}

/// A bar on stderr for people watching; none for scripts (`--json`) or when stderr is
/// not a terminal (a log file, a pipe).
fn progress_bar(as_json: bool) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if as_json || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("导入 importing {bar:40} {pos}/{len} 客户 customers ({elapsed})") {
        bar.set_style(style);
    }
    bar
}

pub fn run(ctx: &mut Context, a: ImportArgs, as_json: bool) -> Result<Value, ApiError> {
    let bytes = std::fs::read(&a.input)
        .map_err(|e| ApiError::from(Reason::ImportUnreadable { detail: format!("{}: {e}", a.input.display()) }))?;
    let name = a.input.file_name().and_then(|n| n.to_str()).unwrap_or("import").to_owned();
    let args = api::import::ImportArgs {
        file_name: name,
        content_base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
        sheet: a.sheet.clone(),
        owner: a.owner.clone(),
        dry_run: a.dry_run,
        include_matches: a.include_matches,
        columns: a
            .columns
            .iter()
            .map(|c| {
                let (header, field) = c.split_once('=').unwrap_or((c.as_str(), ""));
                api::import::ImportColumn { header: header.to_owned(), field: (!field.is_empty()).then(|| field.to_owned()) }
            })
            .collect(),
    };
    let bar = progress_bar(as_json);
    let summary = api::import::import_file_with_progress(ctx, args, &mut |p| {
        bar.set_length(u64::from(p.total));
        bar.set_position(u64::from(p.done));
    });
    bar.finish_and_clear();
    let v = serde_json::to_value(summary?).map_err(|e| ApiError::from(Reason::Storage { detail: e.to_string() }))?;
    let mut text = report(&v);
    if let Some(path) = &a.report {
        let file = api::dispatch(ctx, "import_report", v.clone())?;
        crate::export_cmd::save(&file, path)?;
        text.push_str(&format!("\n  报告 report: {}", path.display()));
    }
    if as_json {
        return Ok(v);
    }
    Ok(Value::String(text))
}
