//! `leadguard collisions list|show`: the collision cases (撞单) this device can see.

use clap::Subcommand;
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
    /// One case: its claims, evidence windows, duplicate matches and leads.
    Show {
        /// Case id (16 hex digits).
        id: String,
    },
}

pub fn run(ctx: &mut Context, cmd: CollisionsCmd) -> Result<Value, ApiError> {
    match cmd {
        CollisionsCmd::List { mine } => api::dispatch(ctx, "collisions_list", json!({ "mine": mine })),
        CollisionsCmd::Show { id } => api::dispatch(ctx, "collision_get", json!({ "id": id })),
    }
}
