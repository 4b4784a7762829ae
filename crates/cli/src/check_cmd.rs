//! `leadguard check`: is this customer already known? Matches with score, reasons,
//! owner and protection end; nothing is registered.

use clap::Args;
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

use crate::fields_args::FieldArgs;

#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub fields: FieldArgs,
    /// At most this many matches.
    #[arg(long, default_value_t = 5)]
    pub limit: u32,
}

pub fn run(ctx: &mut Context, a: CheckArgs) -> Result<Value, ApiError> {
    api::dispatch(ctx, "dedup_check", json!({ "fields": a.fields.into_fields(), "limit": a.limit }))
}
