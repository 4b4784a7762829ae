//! `leadguard init`: create this device's registry for its user.

use clap::Args;
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Rep id (letters, digits, '-', '_', '.').
    #[arg(long)]
    pub rep: String,
    /// Display name, e.g. 李娜.
    #[arg(long)]
    pub name: String,
    /// Branch id, e.g. shenzhen.
    #[arg(long)]
    pub branch: String,
    /// rep | manager | distributor | receptionist
    #[arg(long, default_value = "rep")]
    pub role: String,
    #[arg(long)]
    pub region: Option<String>,
}

pub fn run(ctx: &mut Context, a: InitArgs) -> Result<Value, ApiError> {
    api::dispatch(
        ctx,
        "init",
        json!({ "rep_id": a.rep, "name": a.name, "branch": a.branch, "role": a.role, "region": a.region }),
    )
}
