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

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct MonthlyReportArgs {
    /// `YYYY-MM` (UTC); default: the current month.
    #[serde(default)]
    pub month: Option<String>,
}

/// The monthly clean-up report (月度清查): a manager's covers the branch's reps, a
/// rep's their own line.
pub(super) fn monthly_report(ctx: &mut Context, a: MonthlyReportArgs) -> Result<crate::monthly_report::MonthlyReport, ApiError> {
    let at = ctx.now();
    let reg = ctx.registry()?;
    let me = reg.session()?.clone();
    if me.role == Role::Distributor {
        return Err(Error::from(crate::Reason::RoleRequired { roles: vec![Role::Manager, Role::Rep] }).into());
    }
    let month = a.month.map(|m| m.trim().to_string()).filter(|m| !m.is_empty()).unwrap_or_else(|| at.format("%Y-%m").to_string());
    let only = (me.role != Role::Manager).then_some(me.id.as_str());
    Ok(reg.monthly_report(&month, at, only)?)
}
