//! `leadguard followup add LEAD --kind K --note TEXT`.

use clap::Subcommand;
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

#[derive(Subcommand, Debug)]
pub enum FollowupCmd {
    /// Record a follow-up on a lead you own.
    Add {
        lead: String,
        /// call | visit | sample | quote | store_visit | deal | deposit_refund (定金退订: re-opens a signed customer)
        #[arg(long)]
        kind: String,
        #[arg(long, default_value = "")]
        note: String,
    },
}

pub fn run(ctx: &mut Context, cmd: FollowupCmd) -> Result<Value, ApiError> {
    match cmd {
        FollowupCmd::Add { lead, kind, note } => {
            api::dispatch(ctx, "followup_add", json!({ "id": lead, "kind": kind.replace('-', "_"), "note": note }))
        }
    }
}
