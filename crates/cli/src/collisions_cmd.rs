//! `leadguard collisions list|show|resolve|appeal`: the collision cases (撞单) this
//! device can see, managers' decisions and reps' appeals.

use clap::{Args, Subcommand};
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

#[derive(Subcommand, Debug)]
pub enum CollisionsCmd {
    /// Cases this device can see (a manager: the whole branch; a rep: the cases naming them).
    List {
        /// Only cases naming me (managers).
        #[arg(long)]
        mine: bool,
    },
    /// One case: its claims, evidence windows, duplicate matches, leads, decisions and appeals.
    Show {
        /// Case id (16 hex digits).
        id: String,
    },
    /// Decide a case (managers): exactly one of --owner, --split, --to-pool, --merge, --undo.
    Resolve(ResolveArgs),
    /// Appeal the decision of a case that names you (申诉), within the appeal window.
    Appeal {
        id: String,
        /// Why the decision is wrong: the evidence the manager should look at.
        #[arg(long)]
        note: String,
    },
}

#[derive(Args, Debug)]
pub struct ResolveArgs {
    /// Case id.
    pub id: String,
    /// One owner (with --merge: the owner of the merged lead).
    #[arg(long)]
    pub owner: Option<String>,
    /// A commission split, e.g. `li.na=70,wang.wei=30` (totals 100).
    #[arg(long)]
    pub split: Option<String>,
    /// The customer goes to the company pool (归公).
    #[arg(long)]
    pub to_pool: bool,
    /// Merge the duplicate lead documents into one (with --owner; --into picks the survivor).
    #[arg(long)]
    pub merge: bool,
    /// The lead that survives a merge (default: the one the owner holds, else the first).
    #[arg(long)]
    pub into: Option<String>,
    /// Withdraw this earlier decision (undo).
    #[arg(long)]
    pub undo: Option<String>,
    /// Replace this earlier decision (answering an appeal, settling a conflict).
    #[arg(long)]
    pub supersedes: Option<String>,
    /// Why (shown to the reps and kept in the audit trail).
    #[arg(long)]
    pub reason: String,
    /// A rep found at fault, `REP=grab|unreported|flying` (抢单, 未报备, 飞单); repeatable.
    #[arg(long = "fault")]
    pub faults: Vec<String>,
}

fn parse_faults(list: &[String]) -> Result<Value, ApiError> {
    let mut out = Vec::new();
    for f in list {
        let (rep, kind) = f.split_once('=').ok_or_else(|| invalid(format!("--fault {f:?}: expected REP=grab|unreported|flying")))?;
        out.push(json!({ "rep": rep.trim(), "kind": kind.trim() }));
    }
    Ok(Value::Array(out))
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::from(leadguard_core::Reason::BadArguments { detail: msg.into() })
}

fn parse_split(s: &str) -> Result<Value, ApiError> {
    let mut shares = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (rep, pct) = part.split_once('=').ok_or_else(|| invalid(format!("split share `{part}` is not REP=PCT")))?;
        let pct: u8 = pct.trim().trim_end_matches('%').parse().map_err(|_| invalid(format!("`{pct}` is not a percentage")))?;
        shares.push(json!({ "rep": rep.trim(), "pct": pct }));
    }
    Ok(json!({ "kind": "split", "shares": shares }))
}

fn outcome(ctx: &mut Context, a: &ResolveArgs) -> Result<Value, ApiError> {
    let chosen = [a.owner.is_some() && !a.merge, a.split.is_some(), a.to_pool, a.merge, a.undo.is_some()];
    if chosen.iter().filter(|c| **c).count() != 1 {
        return Err(invalid("choose exactly one of --owner, --split, --to-pool, --merge, --undo"));
    }
    if let Some(split) = &a.split {
        return parse_split(split);
    }
    if a.to_pool {
        return Ok(json!({ "kind": "pool" }));
    }
    if a.undo.is_some() {
        return Ok(json!({ "kind": "undo" }));
    }
    let owner = a.owner.clone().ok_or_else(|| invalid("--merge needs --owner"))?;
    if !a.merge {
        return Ok(json!({ "kind": "owner", "rep": owner }));
    }
    let into = match &a.into {
        Some(i) => i.clone(),
        None => {
            let case = api::dispatch(ctx, "collision_get", json!({ "id": a.id }))?;
            let claims = case["case"]["claims"].as_array().cloned().unwrap_or_default();
            claims
                .iter()
                .rev()
                .find(|c| c["rep"] == owner.as_str() && c["took_effect"] == true)
                .or(claims.first())
                .and_then(|c| c["lead_id"].as_str())
                .ok_or_else(|| invalid("the case has no lead to merge into"))?
                .to_string()
        }
    };
    Ok(json!({ "kind": "merge", "into": into, "owner": owner }))
}

pub fn run(ctx: &mut Context, cmd: CollisionsCmd) -> Result<Value, ApiError> {
    match cmd {
        CollisionsCmd::List { mine } => api::dispatch(ctx, "collisions_list", json!({ "mine": mine })),
        CollisionsCmd::Show { id } => api::dispatch(ctx, "collision_get", json!({ "id": id })),
        CollisionsCmd::Resolve(a) => {
            let outcome = outcome(ctx, &a)?;
            let supersedes = a.undo.clone().or(a.supersedes.clone());
            api::dispatch(
                ctx,
                "collision_resolve",
                json!({ "id": a.id, "outcome": outcome, "reason": a.reason, "supersedes": supersedes, "faults": parse_faults(&a.faults)? }),
            )
        }
        CollisionsCmd::Appeal { id, note } => api::dispatch(ctx, "collision_appeal", json!({ "id": id, "note": note })),
    }
}
