//! Registry commands: session, leads, follow-ups, pool, handover, reps, policy.
//!
//! Handlers are thin: parse arguments, call [`crate::Registry`], shape the answer
//! through [`crate::visibility`] so every caller (desktop, browser, CLI) sees the same
//! masking.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::Context;
use crate::error::{ApiError, Error};
use crate::model::{EventKind, FollowupKind, LeadFields, Rep, Role};
use crate::policy::Policy;
use crate::status::LeadState;
use crate::registry::{InitOptions, Registry, Written, DEFAULT_SHARD_SIZE};
use crate::visibility::{self, EventView, LeadView, Viewer};

type R<T> = Result<T, ApiError>;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct InitArgs {
    pub rep_id: String,
    pub name: String,
    pub branch: String,
    #[serde(default)]
    pub role: Option<Role>,
    #[serde(default)]
    pub region: Option<String>,
}

/// Who is using this device.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SessionInfo {
    pub rep: Rep,
    pub branch: String,
    pub device: String,
    pub policy: Policy,
    pub data_dir: String,
    /// Local changes not yet acknowledged by the hub.
    pub pending_changes: u64,
    pub hub_url: Option<String>,
    pub last_sync_at: Option<DateTime<Utc>>,
    /// This device's clock minus the hub's at the last sync, in seconds (the Sync
    /// screen warns past `sync::CLOCK_TOLERANCE_SECS`).
    #[ts(type = "number | null")]
    pub last_clock_skew_secs: Option<i64>,
    /// A demo registry (`leadguard demo`): the app offers to switch the user.
    pub demo: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LeadAddArgs {
    pub fields: LeadFields,
    /// Known leads the duplicate warning named when the rep chose "register anyway":
    /// recorded with the registration as evidence for a later collision review.
    #[serde(default)]
    pub acknowledged_duplicates: Option<Vec<String>>,
    /// Why the rep registers anyway (recorded with the acknowledgement).
    #[serde(default)]
    pub acknowledgement_reason: Option<String>,
    /// The rep asks to work the customer with its owner (申请协作) rather than take it.
    #[serde(default)]
    pub collaborate: Option<bool>,
}

/// A registered lead with its claim state and any likely duplicates.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LeadAdded {
    pub lead: LeadView,
    /// Required-field groups still missing (the lead is not claimed until complete).
    pub missing: Vec<Vec<crate::model::Field>>,
    /// Known leads that look like the same customer (checked before registering).
    pub duplicates: Vec<super::DuplicateMatch>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct LeadGetArgs {
    pub id: String,
    /// Status as of this time (default: now).
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LeadDetail {
    pub lead: LeadView,
    /// Empty when the lead is masked.
    pub history: Vec<EventView>,
    /// Required-field groups an incomplete lead still lacks (empty otherwise).
    pub missing: Vec<Vec<crate::model::Field>>,
    /// Collision cases of this lead the viewer may open (a manager: all; a rep: those
    /// naming them), with where each stands.
    pub cases: Vec<LeadCase>,
    /// Relations to other leads and referral credit (rule 10); empty when masked.
    #[serde(default)]
    pub relations: Vec<super::RelatedLead>,
}

/// A collision case as a lead's page mentions it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LeadCase {
    pub id: String,
    pub state: crate::collisions::CaseState,
    /// The reps the case names, by name.
    pub rep_names: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
pub enum ListFilter {
    /// Leads I own (protected or deal).
    Mine,
    /// The public pool.
    Pool,
    /// My protected leads whose protection ends within 24 h (a manager: the branch's).
    Expiring,
    /// Leads I registered.
    Reported,
    /// My registrations still missing required fields (not yet a registration).
    Incomplete,
    /// The branch's customers (managers), narrowed by `owner` and `state`.
    Team,
    #[default]
    All,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct LeadListArgs {
    #[serde(default)]
    pub filter: Option<ListFilter>,
    /// Substring of company, contact, phone or email, or an exact lead id.
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// Page size (default 50, at most 1000).
    #[serde(default)]
    pub limit: Option<u32>,
    #[serde(default)]
    pub offset: Option<u64>,
    /// `team` and `expiring` (managers): only customers this rep owns now.
    #[serde(default)]
    pub owner: Option<String>,
    /// `team`: only leads in this state now.
    #[serde(default)]
    pub state: Option<LeadState>,
    /// Only leads in this region or a place inside it (华南 lists 广州 and 深圳).
    #[serde(default)]
    pub region: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LeadPage {
    pub items: Vec<LeadView>,
    /// Matching leads, counted up to 10,000.
    pub total: u64,
    /// More than `total` match.
    pub total_capped: bool,
    pub offset: u64,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LeadUpdateArgs {
    pub id: String,
    pub fields: LeadFields,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct FollowupAddArgs {
    pub id: String,
    pub kind: FollowupKind,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LeadIdArgs {
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct HandoverArgs {
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct HandoverResult {
    /// Leads moved to `to`.
    pub moved: Vec<String>,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RepList {
    pub reps: Vec<Rep>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct RepPutArgs {
    pub id: String,
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
}

fn session_info(reg: &Registry) -> R<SessionInfo> {
    let rep = reg.session()?.clone();
    Ok(SessionInfo {
        policy: reg.policy(&rep.branch),
        branch: rep.branch.clone(),
        rep,
        device: reg.device().to_string(),
        data_dir: reg.data_dir().display().to_string(),
        pending_changes: reg.pending_count()?,
        hub_url: reg.hub_url()?,
        last_sync_at: reg.last_sync_at()?,
        last_clock_skew_secs: crate::sync::last_clock_skew(reg)?,
        demo: crate::demo::is_demo(reg)?,
    })
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct DemoSwitchArgs {
    /// zhangwei (the manager), lina, wangqiang or chenjing.
    pub rep: String,
}

/// A demo registry only: signs in as another of the demo's people.
pub(super) fn demo_switch_user(ctx: &mut Context, a: DemoSwitchArgs) -> R<SessionInfo> {
    let reg = ctx.registry()?;
    crate::demo::switch_user(reg, a.rep.trim())?;
    session_info(reg)
}

pub(super) fn init(ctx: &mut Context, a: InitArgs) -> R<SessionInfo> {
    if ctx.has_registry() {
        return Err(Error::from(crate::Reason::RegistryExists { path: ctx.data_dir.display().to_string() }).into());
    }
    let rep = Rep {
        id: a.rep_id.trim().to_string(),
        name: a.name.trim().to_string(),
        branch: a.branch.trim().to_string(),
        region: a.region.filter(|r| !r.trim().is_empty()),
        role: a.role.unwrap_or(Role::Rep),
        active: true,
    };
    let now = ctx.now();
    let reg = Registry::init(&ctx.data_dir, InitOptions { rep, shard_size: DEFAULT_SHARD_SIZE }, now)?;
    let info = session_info(&reg)?;
    ctx.set_registry(reg);
    Ok(info)
}

pub(super) fn session(ctx: &mut Context, _: ()) -> R<SessionInfo> {
    session_info(ctx.registry()?)
}

/// Builds the view of a lead after a write.
pub(super) fn written_view(reg: &Registry, w: &Written, at: DateTime<Utc>) -> R<LeadView> {
    let me = reg.session()?;
    let row = reg.row(&w.lead_id)?;
    let mut s = w.status.clone();
    s.settle(at);
    // As written the contacts may be sealed: shown opened (or masked).
    s.fields = reg.opened(&w.lead_id, &s.fields)?;
    let viewer = Viewer { rep: me, at, reclaim_cooldown_hours: reg.policy(&row.branch).reclaim_cooldown_hours };
    Ok(visibility::from_status(&viewer, &w.lead_id, &row.branch, &s, |id| reg.rep(id)))
}

pub(super) fn lead_add(ctx: &mut Context, a: LeadAddArgs) -> R<LeadAdded> {
    crate::contact_input::check(&a.fields)?;
    let now = ctx.now();
    let reg = ctx.registry()?;
    if reg.session()?.role == Role::Receptionist {
        // The front desk registers visitors for the duty rep (`visit_record`), never for itself.
        return Err(Error::from(crate::Reason::RoleRequired { roles: vec![Role::Rep, Role::Manager, Role::Distributor] }).into());
    }
    let duplicates = super::dedup::find(reg, &a.fields, None, 5, now)?;
    let ack = crate::writes::Acknowledgement {
        leads: a.acknowledged_duplicates.unwrap_or_default(),
        reason: a.acknowledgement_reason,
        collaborate: a.collaborate.unwrap_or(false),
    };
    let w = reg.add_lead_with_acknowledgement(a.fields, ack, now)?;
    let missing = reg.policy(reg.branch()).missing(&w.status.fields);
    Ok(LeadAdded { lead: written_view(reg, &w, now)?, missing, duplicates })
}

/// The viewer (session rep) of a registry at `at`.
fn viewer(reg: &Registry, at: DateTime<Utc>) -> R<Viewer<'_>> {
    let me = reg.session()?;
    Ok(Viewer { rep: me, at, reclaim_cooldown_hours: reg.policy(&me.branch).reclaim_cooldown_hours })
}

pub(super) fn lead_get(ctx: &mut Context, a: LeadGetArgs) -> R<LeadDetail> {
    let at = a.at.unwrap_or_else(|| ctx.now());
    let reg = ctx.registry()?;
    let row = reg.row(&a.id)?;
    if !viewer(reg, at)?.may_see(row.registered_by.as_deref()) {
        return Err(Error::from(crate::Reason::LeadNotYours { lead: a.id.clone() }).into());
    }
    let (events, status) = reg.status_shown(&a.id, at)?;
    let v = viewer(reg, at)?;
    let lead = visibility::from_status(&v, &a.id, &row.branch, &status, |id| reg.rep(id));
    let mut history = if lead.masked { Vec::new() } else { visibility::history(&events, &status, |id| reg.rep(id)) };
    for e in &mut history {
        if let Some(ids) = &e.acknowledged {
            e.acknowledged_leads = Some(ids.iter().filter_map(|id| lead_ref(reg, id, at)).collect());
        }
    }
    let missing = if lead.state == LeadState::Incomplete { reg.policy(&row.branch).missing(&status.fields) } else { Vec::new() };
    let cases = lead_cases(reg, &a.id, at)?;
    let relations = if lead.masked {
        Vec::new()
    } else {
        super::relations::related(reg, &a.id, at, false)?
    };
    Ok(LeadDetail { lead, history, missing, cases, relations })
}

/// A lead named in a history, as people know it (company, owner and protection end,
/// which every rep may see); `None` when this device does not hold it.
fn lead_ref(reg: &Registry, id: &str, at: DateTime<Utc>) -> Option<visibility::LeadRef> {
    let row = reg.row(id).ok()?.at(at);
    let owned = matches!(row.state, LeadState::Protected | LeadState::Deal);
    Some(visibility::LeadRef {
        id: id.to_string(),
        company: row.company.clone(),
        owner_name: if owned { visibility::name_of(|r| reg.rep(r), row.owner.as_deref()) } else { None },
        protected_until: if row.state == LeadState::Protected { row.protected_until } else { None },
    })
}

/// The cases of a lead the session may open, with their state.
fn lead_cases(reg: &mut Registry, lead: &str, at: DateTime<Utc>) -> R<Vec<LeadCase>> {
    let me = reg.session()?.clone();
    let mut out = Vec::new();
    for id in reg.cases_for_lead(lead)? {
        let Some(case) = reg.collision_case(&id)? else { continue };
        if !me.role.decides_cases() && !case.reps.contains(&me.id) {
            continue;
        }
        let state = reg.case_resolution(&case, at)?.state;
        let rep_names = case.reps.iter().map(|r| reg.rep(r).map_or_else(|| r.clone(), |x| x.name.clone())).collect();
        out.push(LeadCase { id, state, rep_names });
    }
    Ok(out)
}

/// The lead list and the search box: through the registry's lead reader
/// ([`super::reader`]), as the host answers it without the registry.
pub(super) fn lead_list(ctx: &mut Context, a: LeadListArgs) -> R<LeadPage> {
    ctx.lead_reader()?.list(a)
}

fn act(ctx: &mut Context, id: &str, kind: EventKind) -> R<LeadView> {
    let now = ctx.now();
    let reg = ctx.registry()?;
    let w = reg.act(id, kind, now)?;
    written_view(reg, &w, now)
}

pub(super) fn lead_update(ctx: &mut Context, mut a: LeadUpdateArgs) -> R<LeadView> {
    if a.fields == LeadFields::default() {
        return Err(Error::from(crate::Reason::NothingToUpdate {}).into());
    }
    if let Some(g) = &a.fields.grade {
        a.fields.grade = Some(g.trim().to_uppercase());
        let now = ctx.now();
        check_grader(ctx.registry()?, &a.id, now)?;
    }
    crate::contact_input::check(&a.fields)?;
    act(ctx, &a.id, EventKind::Update { fields: a.fields })
}

/// Only the customer's owner or a manager grades it (客户等级).
fn check_grader(reg: &mut Registry, id: &str, now: DateTime<Utc>) -> R<()> {
    let me = reg.session()?.clone();
    let (_, status) = reg.status(id, now)?;
    if me.role == Role::Manager || status.owner.as_deref() == Some(me.id.as_str()) {
        Ok(())
    } else {
        Err(Error::from(crate::Reason::GradeNotYours {}).into())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct LeadGradeArgs {
    pub id: String,
    /// `A`, `B` or `C`; `null` or "" clears it.
    #[serde(default)]
    pub grade: Option<String>,
}

/// Sets a customer's grade (客户等级): its owner or a manager.
pub(super) fn lead_grade(ctx: &mut Context, a: LeadGradeArgs) -> R<LeadView> {
    let grade = a.grade.map(|g| g.trim().to_uppercase()).unwrap_or_default();
    lead_update(ctx, LeadUpdateArgs { id: a.id, fields: LeadFields { grade: Some(grade), ..LeadFields::default() } })
}

pub(super) fn followup_add(ctx: &mut Context, a: FollowupAddArgs) -> R<LeadView> {
    act(ctx, &a.id, EventKind::Followup { followup: a.kind, note: a.note.trim().to_string() })
}

pub(super) fn lead_release(ctx: &mut Context, a: LeadIdArgs) -> R<LeadView> {
    act(ctx, &a.id, EventKind::Release)
}

pub(super) fn visit_record(ctx: &mut Context, a: crate::front_desk::VisitInput) -> R<crate::front_desk::VisitRecorded> {
    let now = ctx.now();
    Ok(ctx.registry()?.record_visit(a, now)?)
}

pub(super) fn lead_claim(ctx: &mut Context, a: LeadIdArgs) -> R<LeadView> {
    match ctx.registry()?.session()?.role {
        Role::Distributor => return Err(Error::from(crate::Reason::DistributorCannotClaim {}).into()),
        // The front desk holds no customers (rule 16).
        // The front desk and the director hold no customers (rules 16, 17).
        Role::Receptionist | Role::Director => {
            return Err(Error::from(crate::Reason::RoleRequired { roles: vec![Role::Rep, Role::Manager] }).into())
        }
        Role::Rep | Role::Manager => {}
    }
    // Rule 10: a relative or the same purchasing unit held by another rep.
    let now = ctx.now();
    let reg = ctx.registry()?;
    let me = reg.session()?.id.clone();
    reg.check_related_claim(&a.id, &me, now)?;
    reg.check_claim_limits(&me, now)?;
    act(ctx, &a.id, EventKind::Claim)
}

pub(super) fn handover(ctx: &mut Context, a: HandoverArgs) -> R<HandoverResult> {
    let now = ctx.now();
    let moved = ctx.registry()?.handover(&a.from, &a.to, now)?;
    Ok(HandoverResult { moved, from: a.from, to: a.to })
}

pub(super) fn rep_list(ctx: &mut Context, _: ()) -> R<RepList> {
    // The session's branch: other branches' directories are here for names only.
    let reg = ctx.registry()?;
    let branch = reg.branch().to_string();
    Ok(RepList { reps: reg.reps().filter(|r| r.branch == branch).cloned().collect() })
}

pub(super) fn rep_put(ctx: &mut Context, a: RepPutArgs) -> R<Rep> {
    let now = ctx.now();
    let reg = ctx.registry()?;
    let rep = Rep {
        id: a.id.trim().to_string(),
        name: a.name.trim().to_string(),
        branch: reg.branch().to_string(),
        region: a.region.filter(|r| !r.trim().is_empty()),
        role: a.role,
        active: a.active.unwrap_or(true),
    };
    reg.put_rep(rep.clone(), now)?;
    Ok(rep)
}

pub(super) fn policy_get(ctx: &mut Context, _: ()) -> R<Policy> {
    let reg = ctx.registry()?;
    Ok(reg.policy(reg.branch()))
}

pub(super) fn policy_set(ctx: &mut Context, p: Policy) -> R<Policy> {
    let now = ctx.now();
    let reg = ctx.registry()?;
    reg.set_policy(p, now)?;
    Ok(reg.policy(reg.branch()))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct AssignArgs {
    /// These leads (default: the pool, oldest first).
    #[serde(default)]
    pub leads: Option<Vec<String>>,
    /// At most this many pool customers (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Only say what would happen.
    #[serde(default)]
    pub dry_run: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AssignResult {
    pub items: Vec<crate::assignment::Assignment>,
    /// Customers that went to a rep.
    pub assigned: u32,
}

/// A manager assigns pool customers by the branch's rules (分配, rule 11).
pub(super) fn assign_pool(ctx: &mut Context, a: AssignArgs) -> R<AssignResult> {
    let now = ctx.now();
    let reg = ctx.registry()?;
    let items = reg.assign_pool(a.leads, a.limit.unwrap_or(50), a.dry_run.unwrap_or(false), now)?;
    let assigned = items.iter().filter(|i| i.to.is_some()).count() as u32;
    Ok(AssignResult { items, assigned })
}
