//! `leadguard audit verify|show`: the tamper-evident audit log of this device.
//! `verify` exits with status 1 when the chain is broken (the report is still printed).

use clap::Subcommand;
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

#[derive(Subcommand, Debug)]
pub enum AuditCmd {
    /// Check the whole hash chain; names the first entry that was altered, removed or moved.
    Verify,
    /// The audit entries of one lead, oldest first.
    Show {
        /// Lead id.
        lead: String,
    },
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn verify_text(v: &Value) -> String {
    if v["ok"].as_bool() == Some(true) {
        format!("审计日志完好：{} 条记录 (audit log intact: {} entries)", v["entries"], v["entries"])
    } else {
        format!(
            "审计日志被篡改：第 {} 条起不符 (audit log broken at entry {}): {}",
            v["first_bad_seq"], v["first_bad_seq"], s(&v["problem"])
        )
    }
}

fn trail_text(v: &Value) -> String {
    let entries = v["entries"].as_array().cloned().unwrap_or_default();
    if entries.is_empty() {
        return format!("{}: 没有审计记录 (no audit entries)", s(&v["lead_id"]));
    }
    entries
        .iter()
        .map(|e| {
            let hub = e["hub_time"].as_str().map(|t| format!(" hub {t}")).unwrap_or_default();
            format!("#{:<5} {}{}  {:<9} {}  [{}…]", e["seq"], s(&e["at"]), hub, s(&e["kind"]), s(&e["summary_zh"]), &s(&e["hash"])[..12.min(s(&e["hash"]).len())])
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn run(ctx: &mut Context, cmd: AuditCmd, as_json: bool) -> Result<Value, ApiError> {
    match cmd {
        AuditCmd::Verify => {
            let v = api::dispatch(ctx, "audit_verify", Value::Null)?;
            if v["ok"].as_bool() != Some(true) {
                crate::exit_status::fail();
            }
            Ok(if as_json { v } else { Value::String(verify_text(&v)) })
        }
        AuditCmd::Show { lead } => {
            let v = api::dispatch(ctx, "audit_for_lead", json!({ "lead_id": lead }))?;
            Ok(if as_json { v } else { Value::String(trail_text(&v)) })
        }
    }
}
