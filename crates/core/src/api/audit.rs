//! The audit log (`crate::audit`): verify the chain, show one lead's entries.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Context;
use crate::audit::{self, AuditEntry, VerifyReport};
use crate::error::{ApiError, Error};
use crate::visibility::Viewer;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AuditLeadArgs {
    pub lead_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AuditTrail {
    pub lead_id: String,
    /// Oldest first.
    pub entries: Vec<AuditEntry>,
}

/// Checks the whole hash chain of this device's audit log.
pub(super) fn audit_verify(ctx: &mut Context, _args: ()) -> Result<VerifyReport, ApiError> {
    let reg = ctx.registry()?;
    Ok(audit::verify(reg.connection())?)
}

/// The audit entries of one lead, for whoever may see the lead (a distributor: only
/// the leads they reported).
pub(super) fn audit_for_lead(ctx: &mut Context, a: AuditLeadArgs) -> Result<AuditTrail, ApiError> {
    let at = ctx.now();
    let reg = ctx.registry()?;
    let me = reg.session()?.clone();
    let row = reg.row(&a.lead_id)?;
    let v = Viewer { rep: &me, at, reclaim_cooldown_hours: reg.policy(&me.branch).reclaim_cooldown_hours };
    if !v.may_see(row.registered_by.as_deref()) {
        return Err(Error::from(crate::Reason::LeadNotYours { lead: a.lead_id.clone() }).into());
    }
    Ok(AuditTrail { entries: audit::for_lead(reg.connection(), &a.lead_id)?, lead_id: a.lead_id })
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct DoctorArgs {
    /// Only check: report what differs and roll the rebuild back.
    #[serde(default)]
    pub check_only: bool,
}

/// Verifies the derived tables against the documents and rebuilds what differs.
pub(super) fn doctor(ctx: &mut Context, a: DoctorArgs) -> Result<crate::doctor::DoctorReport, ApiError> {
    let reg = ctx.registry()?;
    Ok(reg.doctor(!a.check_only, "command")?)
}
