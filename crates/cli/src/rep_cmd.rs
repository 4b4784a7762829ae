//! `leadguard rep list|add` and `leadguard policy show|set` (managers change them).

use clap::Subcommand;
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

#[derive(Subcommand, Debug)]
pub enum RepCmd {
    /// Reps of the branch.
    List,
    /// Add or update a rep of the branch (managers).
    Add {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
        /// rep | manager | distributor | receptionist
        #[arg(long, default_value = "rep")]
        role: String,
        #[arg(long)]
        region: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum PolicyCmd {
    /// The branch's protection policy.
    Show,
    /// Change it (managers); unspecified values keep their current setting.
    Set {
        #[arg(long)]
        protection_hours: Option<u32>,
        #[arg(long)]
        extension_hours: Option<u32>,
        #[arg(long)]
        reclaim_cooldown_hours: Option<u32>,
        /// How long after a decision a rep may appeal.
        #[arg(long)]
        appeal_window_hours: Option<u32>,
        /// Turnaround target for cases and appeals.
        #[arg(long)]
        appeal_sla_hours: Option<u32>,
        /// Arbitration criteria, highest priority first, comma-separated: past_deal,
        /// recent_followup, region_match, completeness, earlier_window, effort.
        #[arg(long, value_delimiter = ',')]
        arbitration: Option<Vec<String>>,
        /// Duplicate-warning threshold: a score in (0.5, 1) such as 0.85, or a percent.
        #[arg(long)]
        dup_threshold: Option<f32>,
        /// How long a distributor's report protects the customer (报备有效期), in days.
        #[arg(long)]
        report_validity_days: Option<u32>,
        /// 保有量上限: customers a rep may hold before claiming from the pool (0 = none).
        #[arg(long)]
        max_held: Option<u32>,
        /// 领取上限: pool claims a rep may make in 24 hours (0 = none).
        #[arg(long)]
        max_claims_per_day: Option<u32>,
        /// 停接: suspend a rep's pool claims from this many standing faults (0 = never).
        #[arg(long)]
        suspend_after_faults: Option<u32>,
        /// Assignment rules (分配规则), replacing the current ones, first match wins:
        /// `region=华南;industry=医疗;size=大型;grade=A;team=li.na,wang.qiang` (conditions optional).
        /// `--assign none` clears them.
        #[arg(long = "assign")]
        assign: Vec<String>,
        /// 值班人员: the duty rep of each weekday, Monday first, comma-separated rep ids
        /// (empty for no one: `r2,r1,,r2`); `none` clears the rota.
        #[arg(long)]
        duty: Option<String>,
        /// Who decides a case across branches (rule 17): `director` (default) or
        /// `managers` (every involved branch's policy must say so).
        #[arg(long, value_parser = ["director", "managers"])]
        cross_branch_decider: Option<String>,
    },
}

pub fn run_rep(ctx: &mut Context, cmd: RepCmd) -> Result<Value, ApiError> {
    match cmd {
        RepCmd::List => api::dispatch(ctx, "rep_list", Value::Null),
        RepCmd::Add { id, name, role, region } => {
            api::dispatch(ctx, "rep_put", json!({ "id": id, "name": name, "role": role, "region": region }))
        }
    }
}

pub fn run_policy(ctx: &mut Context, cmd: PolicyCmd) -> Result<Value, ApiError> {
    match cmd {
        PolicyCmd::Show => api::dispatch(ctx, "policy_get", Value::Null),
        PolicyCmd::Set {
            protection_hours,
            extension_hours,
            reclaim_cooldown_hours,
            appeal_window_hours,
            appeal_sla_hours,
            arbitration,
            dup_threshold,
            report_validity_days,
            max_held,
            max_claims_per_day,
            suspend_after_faults,
            assign,
            duty,
            cross_branch_decider,
        } => {
            let mut p = api::dispatch(ctx, "policy_get", Value::Null)?;
            if let Some(t) = dup_threshold {
                // 0.85 and 85 both mean 85%; the core validates the range.
                let percent = if t <= 1.0 { t * 100.0 } else { t };
                p["dup_threshold_percent"] = json!(percent.round() as i64);
            }
            if let Some(list) = arbitration {
                p["arbitration"] = json!(list.iter().map(|c| c.trim().replace('-', "_")).collect::<Vec<_>>());
            }
            for (k, v) in [
                ("protection_hours", protection_hours),
                ("extension_hours", extension_hours),
                ("reclaim_cooldown_hours", reclaim_cooldown_hours),
                ("appeal_window_hours", appeal_window_hours),
                ("report_validity_days", report_validity_days),
                ("appeal_sla_hours", appeal_sla_hours),
                ("max_held", max_held),
                ("max_claims_per_day", max_claims_per_day),
                ("suspend_after_faults", suspend_after_faults),
            ] {
                if let Some(v) = v {
                    p[k] = json!(v);
                }
            }
            if !assign.is_empty() {
                p["assignment"] = assign_rules(&assign)?;
            }
            if let Some(d) = duty {
                let rota: Vec<String> = if d.trim() == "none" { Vec::new() } else { d.split(',').map(|r| r.trim().to_string()).collect() };
                p["duty_rota"] = json!(rota);
            }
            if let Some(d) = cross_branch_decider {
                p["cross_branch_decider"] = json!(d);
            }
            api::dispatch(ctx, "policy_set", p)
        }
    }
}

/// `region=华南;team=a,b` → an assignment rule; `none` → no rules.
fn assign_rules(list: &[String]) -> Result<Value, ApiError> {
    let bad = |detail: String| ApiError::from(leadguard_core::Reason::BadArguments { detail });
    if list.iter().any(|r| r.trim() == "none") {
        return Ok(json!([]));
    }
    let mut rules = Vec::new();
    for rule in list {
        let mut r = serde_json::Map::new();
        for part in rule.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part.split_once('=').ok_or_else(|| bad(format!("--assign {rule:?}: expected key=value;…")))?;
            match k.trim() {
                "region" | "industry" | "size" => {
                    r.insert(k.trim().into(), json!(v.trim()));
                }
                "grade" => {
                    r.insert("grade".into(), json!(v.trim().to_uppercase()));
                }
                "team" => {
                    r.insert("team".into(), json!(v.split(',').map(str::trim).filter(|x| !x.is_empty()).collect::<Vec<_>>()));
                }
                other => return Err(bad(format!("--assign: unknown key {other:?} (region, industry, size, grade, team)"))),
            }
        }
        if !r.contains_key("team") {
            return Err(bad(format!("--assign {rule:?}: a rule needs team=…")));
        }
        rules.push(Value::Object(r));
    }
    Ok(Value::Array(rules))
}
