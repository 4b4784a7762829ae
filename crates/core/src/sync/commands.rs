//! The sync commands of the API (`sync_enroll`, `sync_run`), for the desktop app and
//! the browser build; the CLI calls [`super::enroll`] and [`super::sync`] directly to
//! show progress as it goes.

use super::{Enrolled, SyncReport};
use crate::api::Context;
use crate::ApiError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Joins this device to a hub with a one-time enrolment token.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncEnrollArgs {
    /// `https://…`, or `http://` on loopback.
    pub hub_url: String,
    pub token: String,
}

pub fn sync_enroll(ctx: &mut Context, args: SyncEnrollArgs) -> Result<Enrolled, ApiError> {
    Ok(super::enroll(ctx.registry()?, &args.hub_url, &args.token)?)
}

pub fn sync_run(ctx: &mut Context, _args: ()) -> Result<SyncReport, ApiError> {
    Ok(super::sync(ctx.registry()?, &mut |_| {})?)
}
