//! `leadguard history export --output FILE`: every change this laptop wrote, as a
//! history file a new hub adopts (`leadguard-hub adopt`). For a branch that worked on
//! one standalone laptop before it had a hub, and for the demo (`make run`).

use clap::Subcommand;
use leadguard_core::api::Context;
use leadguard_core::{ApiError, Reason};
use leadguard_protocol::history::encode_history;
use leadguard_protocol::PushChange;
use serde_json::{json, Value};

#[derive(Subcommand, Debug)]
pub enum HistoryCmd {
    /// Write every change of this laptop (not its `local:` documents) to FILE.
    Export {
        #[arg(long)]
        output: std::path::PathBuf,
    },
}

pub fn run(ctx: &mut Context, cmd: HistoryCmd) -> Result<Value, ApiError> {
    let HistoryCmd::Export { output } = cmd;
    let changes = ctx.registry()?.history_changes().map_err(ApiError::from)?;
    let push: Vec<PushChange> =
        changes.into_iter().map(|c| PushChange { doc_id: c.doc_id, scope: c.scope, bytes: c.bytes }).collect();
    let bytes = encode_history(&push);
    // Written aside and renamed, so a crash never leaves half a history under FILE.
    let part = output.with_extension("part");
    std::fs::write(&part, &bytes)
        .and_then(|()| std::fs::rename(&part, &output))
        .map_err(|e| ApiError::from(Reason::Storage { detail: format!("{}: {e}", output.display()) }))?;
    Ok(json!({ "changes": push.len(), "bytes": bytes.len(), "output": output.display().to_string() }))
}
