//! Health metrics (docs/RULES.md rule 14) and the collision heat map: `metrics`.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Context;
use crate::error::{ApiError, Error};
use crate::metrics::Metrics;
use crate::model::Role;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct MetricsArgs {
    /// Period in days, ending now (default 90: the seed's quarterly check).
    #[serde(default)]
    pub days: Option<u32>,
    /// Days covered by the heat map (default 14).
    #[serde(default)]
    pub heat_days: Option<u32>,
}

/// Managers see the branch's metrics; reps and distributors are refused (the figures
/// name other reps).
pub(super) fn metrics(ctx: &mut Context, a: MetricsArgs) -> Result<Metrics, ApiError> {
    let at = ctx.now();
    let reg = ctx.registry()?;
    if reg.session()?.role != Role::Manager {
        return Err(Error::from(crate::Reason::RoleRequired { roles: vec![crate::model::Role::Manager] }).into());
    }
    let days = a.days.unwrap_or(90).clamp(1, 3660);
    let heat_days = a.heat_days.unwrap_or(14).clamp(1, 92);
    Ok(reg.metrics(at, days, heat_days)?)
}
