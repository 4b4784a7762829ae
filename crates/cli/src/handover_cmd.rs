//! `leadguard handover --from REP --to REP` (managers).

use clap::Args;
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

#[derive(Args, Debug)]
pub struct HandoverArgs {
    /// The departing rep.
    #[arg(long)]
    pub from: String,
    /// The rep who takes over.
    #[arg(long)]
    pub to: String,
}

pub fn run(ctx: &mut Context, a: HandoverArgs) -> Result<Value, ApiError> {
    api::dispatch(ctx, "handover", json!({ "from": a.from, "to": a.to }))
}
