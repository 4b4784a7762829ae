//! `leadguard reports list|review`: distributors' reports (分销报备). A distributor
//! follows its own (validity, review state, the manager's reason); a branch manager
//! works the review queue (报备审核).

use clap::Subcommand;
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

#[derive(Subcommand, Debug)]
pub enum ReportsCmd {
    /// Reports: the branch's (managers) or your own (distributors).
    List {
        /// Only those waiting for review.
        #[arg(long)]
        pending: bool,
    },
    /// Accept or reject a report (managers).
    Review {
        /// The report's lead id.
        id: String,
        /// The report is genuine: the distributor keeps the customer for a fresh validity period.
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        accept: bool,
        /// The report is refused: the customer goes to the pool (give --reason).
        #[arg(long)]
        reject: bool,
        /// Why (required to reject; the distributor reads it).
        #[arg(long)]
        reason: Option<String>,
    },
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("-")
}

fn review_zh(v: &Value) -> &'static str {
    match v.as_str() {
        Some("accepted") => "已通过",
        Some("rejected") => "已驳回",
        _ => "待审核",
    }
}

fn line(i: &Value) -> String {
    let mut out = format!(
        "{}  {:<24} {} ({})  报备于 {}  {}",
        s(&i["lead"]["id"]),
        s(&i["lead"]["fields"]["company"]),
        i["reporter_name"].as_str().unwrap_or(s(&i["reporter"])),
        s(&i["reporter"]),
        s(&i["reported_at"]),
        review_zh(&i["review"]),
    );
    if let Some(until) = i["valid_until"].as_str() {
        out.push_str(&format!("  有效至 {until}"));
    }
    if let Some(reason) = i["review_reason"].as_str() {
        out.push_str(&format!("  理由：{reason}"));
    }
    out
}

pub fn run(ctx: &mut Context, cmd: ReportsCmd, as_json: bool) -> Result<Value, ApiError> {
    let v = match cmd {
        ReportsCmd::List { pending } => {
            let v = api::dispatch(ctx, "report_list", json!({ "pending_only": pending }))?;
            if as_json {
                return Ok(v);
            }
            let items = v["items"].as_array().cloned().unwrap_or_default();
            let mut out = format!("{} 条报备，{} 条待审核 ({} reports, {} pending)", items.len(), v["pending"], items.len(), v["pending"]);
            for i in &items {
                out.push('\n');
                out.push_str(&line(i));
            }
            return Ok(Value::String(out));
        }
        ReportsCmd::Review { id, accept, reject: _, reason } => {
            let verdict = if accept { "accept" } else { "reject" };
            api::dispatch(ctx, "report_review", json!({ "id": id, "verdict": verdict, "reason": reason }))?
        }
    };
    Ok(if as_json { v } else { Value::String(line(&v)) })
}
