//! `leadguard lead add|show|list|update|release|claim`.

use clap::{Args, Subcommand};
use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;
use serde_json::{json, Value};

use crate::fields_args::{parse_time, FieldArgs};

#[derive(Subcommand, Debug)]
pub enum LeadCmd {
    /// Register a lead; prints it, its claim state and any duplicate matches.
    Add(FieldArgs),
    /// Show one lead (masked if someone else follows it) and its history.
    Show {
        id: String,
        /// Status as of this time (RFC 3339).
        #[arg(long, value_parser = parse_time)]
        at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// List leads (default: all).
    List(ListArgs),
    /// Change fields of a lead you own (an empty value clears a field).
    Update {
        id: String,
        #[command(flatten)]
        fields: FieldArgs,
    },
    /// Give a lead back to the public pool (公海).
    Release { id: String },
    /// Claim a lead from the public pool.
    Claim { id: String },
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only leads I own.
    #[arg(long, group = "which")]
    pub mine: bool,
    /// Only leads in the public pool.
    #[arg(long, group = "which")]
    pub pool: bool,
    /// My leads whose protection ends within 24 h.
    #[arg(long, group = "which")]
    pub expiring: bool,
    /// Leads I registered.
    #[arg(long, group = "which")]
    pub reported: bool,
    /// My registrations still missing required fields (not yet a registration).
    #[arg(long, group = "which")]
    pub incomplete: bool,
    /// The branch's customers (managers); narrow with --owner and --state.
    #[arg(long, group = "which")]
    pub team: bool,
    /// With --team or --expiring (managers): only customers this rep owns now.
    #[arg(long)]
    pub owner: Option<String>,
    /// With --team: protected, deal, pool, incomplete or merged (as of now).
    #[arg(long)]
    pub state: Option<String>,
    /// Substring of company, contact, phone or email.
    #[arg(long)]
    pub search: Option<String>,
    /// Only leads in this region or a place inside it (华南 lists 广州 and 深圳).
    #[arg(long)]
    pub region: Option<String>,
    #[arg(long, value_parser = parse_time)]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
}

pub fn run(ctx: &mut Context, cmd: LeadCmd) -> Result<Value, ApiError> {
    match cmd {
        LeadCmd::Add(f) => api::dispatch(ctx, "lead_add", json!({ "fields": f.into_fields() })),
        LeadCmd::Show { id, at } => api::dispatch(ctx, "lead_get", json!({ "id": id, "at": at })),
        LeadCmd::List(a) => {
            let filter = if a.mine {
                "mine"
            } else if a.pool {
                "pool"
            } else if a.expiring {
                "expiring"
            } else if a.reported {
                "reported"
            } else if a.incomplete {
                "incomplete"
            } else if a.team {
                "team"
            } else {
                "all"
            };
            api::dispatch(
                ctx,
                "lead_list",
                json!({
                    "filter": filter, "search": a.search, "at": a.at, "limit": a.limit, "offset": a.offset,
                    "owner": a.owner, "state": a.state, "region": a.region,
                }),
            )
        }
        LeadCmd::Update { id, fields } => {
            api::dispatch(ctx, "lead_update", json!({ "id": id, "fields": fields.into_fields() }))
        }
        LeadCmd::Release { id } => api::dispatch(ctx, "lead_release", json!({ "id": id })),
        LeadCmd::Claim { id } => api::dispatch(ctx, "lead_claim", json!({ "id": id })),
    }
}
