//! `leadguard doctor [--check]`: checks the tables that lists, search and cases are
//! read from against the documents and rebuilds what differs. Exits with status 1
//! when something differed (after repairing it, unless `--check`).

use clap::Args;
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// Only report; change nothing.
    #[arg(long)]
    pub check: bool,
}

fn text(v: &Value) -> String {
    let mut out = format!(
        "数据库完整性 (integrity): {}\n审计日志 (audit log): {}",
        v["integrity"].as_str().unwrap_or(""),
        if v["audit_ok"].as_bool() == Some(true) { "完好 (intact)".to_string() } else { format!("被篡改 (broken): {}", v["audit_problem"].as_str().unwrap_or("")) }
    );
    for t in v["tables"].as_array().into_iter().flatten() {
        let bad = ["changed", "missing", "extra"].iter().map(|k| t[k].as_u64().unwrap_or(0)).sum::<u64>();
        out.push_str(&format!("\n  {:<14} {:>8} rows  ", t["table"].as_str().unwrap_or(""), t["rows"]));
        if bad == 0 {
            out.push_str("一致 (consistent)");
        } else {
            out.push_str(&format!(
                "不一致 (differs): {} changed, {} missing, {} extra — e.g. {}",
                t["changed"], t["missing"], t["extra"],
                t["sample"].as_array().into_iter().flatten().filter_map(|s| s.as_str()).take(3).collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let n = v["differences"].as_u64().unwrap_or(0);
    out.push_str(&match (n, v["repaired"].as_bool() == Some(true)) {
        (0, _) => "\n派生数据与文档一致 (derived tables match the documents)".to_string(),
        (n, true) => format!("\n已重建 {n} 处不一致 (rebuilt {n} differing rows)"),
        (n, false) => format!("\n发现 {n} 处不一致，未修改 (found {n} differing rows; nothing changed — run without --check to rebuild)"),
    });
    out
}

pub fn run(ctx: &mut Context, args: DoctorArgs, as_json: bool) -> Result<Value, ApiError> {
    let v = api::dispatch(ctx, "doctor", json!({ "check_only": args.check }))?;
    if v["differences"].as_u64() != Some(0) || v["audit_ok"].as_bool() != Some(true) {
        crate::exit_status::fail();
    }
    Ok(if as_json { v } else { Value::String(text(&v)) })
}
