//! `leadguard visit --company … --phone … [--time-in T] [--time-out T] [--inviter REP]
//! [--first-visit] [--note …]`: the front desk records a walk-in visit (前台接待,
//! docs/RULES.md rule 16; receptionists).

use clap::Args;
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

#[derive(Args, Debug)]
pub struct VisitArgs {
    #[arg(long)]
    pub company: Option<String>,
    #[arg(long)]
    pub contact: Option<String>,
    #[arg(long)]
    pub phone: Option<String>,
    /// Arrival (RFC 3339); default: now.
    #[arg(long, value_parser = crate::fields_args::parse_time)]
    pub time_in: Option<chrono::DateTime<chrono::Utc>>,
    /// Departure (RFC 3339).
    #[arg(long, value_parser = crate::fields_args::parse_time)]
    pub time_out: Option<chrono::DateTime<chrono::Utc>>,
    /// The rep who invited the visitor (邀约人).
    #[arg(long)]
    pub inviter: Option<String>,
    /// 首次到访.
    #[arg(long)]
    pub first_visit: bool,
    #[arg(long)]
    pub note: Option<String>,
    /// What an unmatched visitor came for (their registration's need).
    #[arg(long)]
    pub need: Option<String>,
}

pub fn run(ctx: &mut Context, a: VisitArgs) -> Result<Value, ApiError> {
    let time_in = a.time_in.unwrap_or_else(|| ctx.now());
    api::dispatch(
        ctx,
        "visit_record",
        json!({
            "company": a.company,
            "contact": a.contact,
            "phone": a.phone,
            "time_in": time_in,
            "time_out": a.time_out,
            "inviter": a.inviter,
            "first_visit": a.first_visit,
            "note": a.note,
            "need": a.need,
        }),
    )
}
