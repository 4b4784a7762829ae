//! `leadguard relate LEAD --family OTHER | --same-unit OTHER | --referral [OTHER] [--referrer REP]`
//! (docs/RULES.md rule 10).

use clap::Args;
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

#[derive(Args, Debug)]
pub struct RelateArgs {
    /// The lead that gets the relation (one you may edit).
    pub lead: String,
    /// family (直系亲属) | same_unit (同一购买单位) | referral (转介绍)
    #[arg(long)]
    pub kind: String,
    /// The related lead (required for family and same_unit).
    #[arg(long)]
    pub other: Option<String>,
    /// A referral's referrer (rep id); by default the owner of --other.
    #[arg(long)]
    pub referrer: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    /// Remove the relation instead.
    #[arg(long)]
    pub remove: bool,
}

pub fn run(ctx: &mut Context, a: RelateArgs) -> Result<Value, ApiError> {
    api::dispatch(
        ctx,
        "lead_relate",
        json!({
            "id": a.lead,
            "kind": a.kind.replace('-', "_"),
            "other": a.other,
            "referrer": a.referrer,
            "note": a.note,
            "remove": a.remove,
        }),
    )
}
