//! Local writes meet the same schema as pulled changes: an event or directory entry a
//! command is about to write is checked with `leadguard_schema` first, so a value that
//! every other replica would quarantine is refused here (`invalid_argument`) instead.

use crate::error::{Error, Result};
use crate::model::{Event, Rep};

/// Checks `event` as every replica will.
pub fn check_event(event: &Event) -> Result<()> {
    let json = serde_json::to_string(event).map_err(|e| Error::Decode(e.to_string()))?;
    leadguard_schema::event::parse(&json).map(|_| ()).map_err(schema_violation)
}

/// Checks a directory entry of `branch` as every replica will.
pub fn check_rep(rep: &Rep) -> Result<()> {
    let json = serde_json::to_string(rep).map_err(|e| Error::Decode(e.to_string()))?;
    leadguard_schema::directory::entry(&json, &rep.id, &rep.branch).map(|_| ()).map_err(schema_violation)
}

fn schema_violation(v: leadguard_schema::Violation) -> Error {
    crate::Reason::SchemaViolation { rule: v.reason.code().to_string(), detail: v.message }.into()
}
