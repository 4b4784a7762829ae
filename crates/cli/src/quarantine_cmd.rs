//! `leadguard quarantine list`: pulled changes this device refused and set aside
//! (managers). Each line: hub sequence, reason code, document, claimed rep, message.

use clap::Subcommand;
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::Value;

#[derive(Subcommand, Debug)]
pub enum QuarantineCmd {
    /// Changes refused by the schema check, newest first.
    List,
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("-")
}

fn list_text(v: &Value) -> String {
    let items = v["items"].as_array().cloned().unwrap_or_default();
    if items.is_empty() {
        return "没有被隔离的变更 (no quarantined changes)".into();
    }
    let mut out = format!("{} 条被隔离的变更 ({} quarantined changes)", items.len(), items.len());
    for q in &items {
        out.push_str(&format!(
            "\n#{:<6} {:<22} {}  rep {}  actor {}…\n        {}",
            q["hub_seq"].as_i64().map_or("-".to_string(), |n| n.to_string()),
            s(&q["reason"]),
            s(&q["doc_id"]),
            s(&q["rep"]),
            &s(&q["actor"])[..12.min(s(&q["actor"]).len())],
            s(&q["message"])
        ));
    }
    out
}

pub fn run(ctx: &mut Context, cmd: QuarantineCmd, as_json: bool) -> Result<Value, ApiError> {
    match cmd {
        QuarantineCmd::List => {
            let v = api::dispatch(ctx, "quarantine_list", Value::Null)?;
            if as_json {
                return Ok(v);
            }
            Ok(Value::String(list_text(&v)))
        }
    }
}
