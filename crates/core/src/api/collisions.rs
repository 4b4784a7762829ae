//! Collision case commands (撞单): the cases a device can see, and one case with its
//! leads as the viewer may see them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Context;
use crate::collisions::CollisionCase;
use crate::error::{ApiError, Error};
use crate::model::Role;
use crate::view::{self, LeadView, Viewer};

type R<T> = Result<T, ApiError>;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct CollisionListArgs {
    /// Only cases naming the session's rep (a manager sees every case by default).
    #[serde(default)]
    pub mine: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CollisionList {
    pub cases: Vec<CollisionCase>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CollisionIdArgs {
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct CollisionDetail {
    pub case: CollisionCase,
    /// The case's leads, masked where the viewer may not see contacts.
    pub leads: Vec<LeadView>,
}

/// Managers see every case of their branch; reps and distributors the cases that name
/// them.
pub(super) fn collisions_list(ctx: &mut Context, a: CollisionListArgs) -> R<CollisionList> {
    let reg = ctx.registry()?;
    let me = reg.session()?.clone();
    let only_mine = me.role != Role::Manager || a.mine.unwrap_or(false);
    let cases = reg.collision_cases(only_mine.then_some(me.id.as_str()))?;
    Ok(CollisionList { cases })
}

pub(super) fn collision_get(ctx: &mut Context, a: CollisionIdArgs) -> R<CollisionDetail> {
    let at = ctx.now();
    let reg = ctx.registry()?;
    let me = reg.session()?.clone();
    let case = reg.collision_case(&a.id)?.ok_or_else(|| Error::NotFound(format!("collision case {}", a.id)))?;
    if me.role != Role::Manager && !case.reps.contains(&me.id) {
        return Err(Error::Forbidden(format!("collision case {} does not name you", a.id)).into());
    }
    let mut leads = Vec::new();
    for id in &case.lead_ids {
        let row = reg.row(id)?;
        let (_, status) = reg.status(id, at)?;
        let v = Viewer { rep: &me, at, reclaim_cooldown_hours: reg.policy(&me.branch).reclaim_cooldown_hours };
        if v.may_see(row.registered_by.as_deref()) {
            leads.push(view::from_status(&v, id, &row.branch, &status, |r| reg.rep(r)));
        }
    }
    Ok(CollisionDetail { case, leads })
}
