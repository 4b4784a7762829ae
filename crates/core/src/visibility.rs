//! What a user sees of a lead (docs/RULES.md rule 12): full details of their own
//! customers, of unowned and pool leads, and — for managers — of their branch; a
//! masked summary of everyone else's ("followed by X until T"), without contact
//! details or history. Distributors see only the leads they reported.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::lead_index::LeadRow;
use crate::model::{Event, EventKind, FollowupKind, LeadFields, Outcome, Rep, Role};
use crate::status::{LeadState, Status};

/// A lead as the session's user may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LeadView {
    pub id: String,
    pub state: LeadState,
    pub owner: Option<String>,
    pub owner_name: Option<String>,
    /// The lead's branch, when it is not the viewer's (the company-wide registry):
    /// the warning names owner and branch (该客户正在由【华南·李娜】跟进).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub owner_branch: Option<String>,
    /// End of protection; `null` when unprotected or bound by a deal.
    pub protected_until: Option<DateTime<Utc>>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub previous_owner: Option<String>,
    /// The previous owner's name (the pool shows who followed the customer before).
    pub previous_owner_name: Option<String>,
    pub pool_since: Option<DateTime<Utc>>,
    pub registered_by: Option<String>,
    pub registered_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    /// Contact details are hidden: someone else follows this customer.
    pub masked: bool,
    /// The session's user may edit it and record follow-ups.
    pub editable: bool,
    /// The session's user may claim it from the pool now.
    pub claimable: bool,
    /// One line for lists, e.g. "由 李娜 跟进至 2026-01-02 10:00 UTC".
    pub summary: String,
    pub fields: LeadFields,
}

/// One history entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct EventView {
    pub id: String,
    /// register, update, claim, followup, release, handover, decide, appeal,
    /// duplicate_acknowledged
    pub kind: String,
    pub rep: String,
    pub rep_name: Option<String>,
    pub device: String,
    pub device_time: DateTime<Utc>,
    pub after: Option<DateTime<Utc>>,
    pub followup: Option<FollowupKind>,
    pub note: Option<String>,
    pub fields: Option<LeadFields>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Why the event took no effect (e.g. written offline while someone else
    /// protected the lead), if it did not.
    pub ignored: Option<crate::Reason>,
    /// duplicate_acknowledged: the leads the rep was warned about and registered anyway.
    pub acknowledged: Option<Vec<String>>,
    /// duplicate_acknowledged: those leads as people know them (company, owner), filled
    /// by `lead_get`.
    pub acknowledged_leads: Option<Vec<LeadRef>>,
    /// duplicate_acknowledged: the rep asked to work the customer with its owner.
    pub collaborate: Option<bool>,
    /// handover: the names of `from` and `to` (decide: of the owner it names).
    pub from_name: Option<String>,
    pub to_name: Option<String>,
}

/// A lead named in another lead's history: what a person recognises it by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct LeadRef {
    pub id: String,
    pub company: String,
    pub owner_name: Option<String>,
    pub protected_until: Option<DateTime<Utc>>,
}

/// Who is looking.
pub struct Viewer<'a> {
    pub rep: &'a Rep,
    pub at: DateTime<Utc>,
    pub reclaim_cooldown_hours: u32,
}

impl Viewer<'_> {
    /// Whether the viewer sees this lead unmasked.
    fn sees_full(&self, state: LeadState, owner: Option<&str>, registered_by: Option<&str>, branch: &str, owner_branch: Option<&str>) -> bool {
        match self.rep.role {
            // Its branch's leads, and a customer a case across branches gave to one of
            // its reps (the hub grants that key too, rule 17).
            Role::Manager => branch == self.rep.branch || owner_branch == Some(self.rep.branch.as_str()),
            // The branches assigned to a director are the hub's to know: it grants the
            // keys of their leads and serves their plain documents, and nothing else
            // reaches the laptop readable.
            Role::Director => true,
            // Its own reports while it holds them (or they are incomplete); once
            // a rejection or a lapse passed the customer on, what others record is
            // theirs.
            Role::Distributor => {
                let me = Some(self.rep.id.as_str());
                registered_by == me && (owner == me || (owner.is_none() && state == LeadState::Incomplete))
            }
            // The front desk sees who follows a customer, never its contacts.
            Role::Receptionist => false,
            Role::Rep => match state {
                LeadState::Incomplete | LeadState::Pool => true,
                LeadState::Protected | LeadState::Deal => owner == Some(self.rep.id.as_str()),
                LeadState::Merged => false,
            },
        }
    }

    /// Whether a distributor may see the lead at all.
    pub fn may_see(&self, registered_by: Option<&str>) -> bool {
        self.rep.role != Role::Distributor || registered_by == Some(self.rep.id.as_str())
    }
}

pub fn name_of<'a>(reps: impl Fn(&str) -> Option<&'a Rep>, id: Option<&str>) -> Option<String> {
    id.and_then(reps).map(|r| r.name.clone())
}

fn summary(state: LeadState, owner_name: Option<&str>, branch: Option<&str>, until: Option<DateTime<Utc>>) -> String {
    let who = match branch {
        Some(b) => format!("【{b}·{}】", owner_name.unwrap_or("?")),
        None => owner_name.unwrap_or("?").to_string(),
    };
    match state {
        LeadState::Incomplete => "未完成登记（不构成报备）".into(),
        LeadState::Pool => "公海客户，可认领".into(),
        LeadState::Merged => "重复线索，已合并".into(),
        LeadState::Deal => format!("已成交，归属 {who}"),
        LeadState::Protected => {
            let until = until.map(|u| u.format("%Y-%m-%d %H:%M UTC").to_string()).unwrap_or_default();
            if branch.is_some() {
                format!("该客户正在由{who}跟进，保护期至 {until}")
            } else {
                format!("由 {who} 跟进至 {until}")
            }
        }
    }
}

/// Masks a phone number: keeps the first 3 and last 4 digits (139****3333).
pub fn mask_phone(p: &str) -> String {
    let digits: Vec<char> = p.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() < 7 {
        return "****".into();
    }
    let start: String = digits[..3].iter().collect();
    let end: String = digits[digits.len() - 4..].iter().collect();
    format!("{start}****{end}")
}

fn mask_name(n: &str) -> String {
    match n.chars().next() {
        Some(c) => format!("{c}**"),
        None => String::new(),
    }
}

fn mask_email(e: &str) -> String {
    match e.split_once('@') {
        Some((user, domain)) => format!("{}***@{domain}", user.chars().next().unwrap_or('*')),
        None => "***".into(),
    }
}

/// The fields another rep may see of a customer followed by someone else.
pub fn masked_fields(f: &LeadFields) -> LeadFields {
    LeadFields {
        company: f.company.clone(),
        contact: f.contact.as_deref().map(mask_name),
        phone: f.phone.as_deref().map(mask_phone),
        email: f.email.as_deref().map(mask_email),
        region: f.region.clone(),
        industry: f.industry.clone(),
        size: None,
        need: None,
        notes: None,
        relations: None,
        grade: f.grade.clone(),
        ..LeadFields::default()
    }
}

fn fields_of_row(r: &LeadRow) -> LeadFields {
    let o = |s: &str| (!s.is_empty()).then(|| s.to_string());
    LeadFields {
        company: o(&r.company),
        contact: o(&r.contact),
        phone: o(&r.phone),
        email: o(&r.email),
        region: o(&r.region),
        industry: o(&r.industry),
        need: o(&r.need),
        grade: o(&r.grade),
        ..LeadFields::default()
    }
}

/// Builds a view from an index row (lists: no document is loaded).
pub fn from_row<'a>(v: &Viewer<'_>, row: &LeadRow, reps: impl Fn(&str) -> Option<&'a Rep>) -> LeadView {
    let owner_branch = row.owner.as_deref().and_then(&reps).map(|r| r.branch.as_str());
    let full = v.sees_full(row.state, row.owner.as_deref(), row.registered_by.as_deref(), &row.branch, owner_branch);
    let fields = fields_of_row(row);
    build(
        v,
        Parts {
            id: &row.lead_id,
            branch: &row.branch,
            state: row.state,
            owner: row.owner.as_deref(),
            protected_until: row.protected_until,
            claimed_at: row.claimed_at,
            previous_owner: row.previous_owner.as_deref(),
            pool_since: row.pool_since,
            registered_by: row.registered_by.as_deref(),
            registered_at: row.registered_at,
            updated_at: Some(row.updated_at),
            fields: if full { fields } else { masked_fields(&fields) },
            masked: !full,
        },
        reps,
    )
}

/// Builds a view from a derived status (details: the document was loaded).
pub fn from_status<'a>(
    v: &Viewer<'_>,
    id: &str,
    branch: &str,
    s: &Status,
    reps: impl Fn(&str) -> Option<&'a Rep>,
) -> LeadView {
    let owner_branch = s.owner.as_deref().and_then(&reps).map(|r| r.branch.as_str());
    let full = v.sees_full(s.state, s.owner.as_deref(), s.registered_by.as_deref(), branch, owner_branch);
    build(
        v,
        Parts {
            id,
            branch,
            state: s.state,
            owner: s.owner.as_deref(),
            protected_until: s.protected_until,
            claimed_at: s.claimed_at,
            previous_owner: s.previous_owner.as_deref(),
            pool_since: s.pool_since,
            registered_by: s.registered_by.as_deref(),
            registered_at: s.registered_at,
            updated_at: s.updated_at,
            fields: if full { s.fields.clone() } else { masked_fields(&s.fields) },
            masked: !full,
        },
        reps,
    )
}

struct Parts<'p> {
    id: &'p str,
    branch: &'p str,
    state: LeadState,
    owner: Option<&'p str>,
    protected_until: Option<DateTime<Utc>>,
    claimed_at: Option<DateTime<Utc>>,
    previous_owner: Option<&'p str>,
    pool_since: Option<DateTime<Utc>>,
    registered_by: Option<&'p str>,
    registered_at: Option<DateTime<Utc>>,
    updated_at: Option<DateTime<Utc>>,
    fields: LeadFields,
    masked: bool,
}

fn build<'a>(v: &Viewer<'_>, p: Parts<'_>, reps: impl Fn(&str) -> Option<&'a Rep>) -> LeadView {
    let me = v.rep.id.as_str();
    let owner_name = name_of(&reps, p.owner);
    // Another branch's customer: its branch is named with its owner (the branch id
    // is its display name).
    let owner_branch = (!p.branch.is_empty() && p.branch != v.rep.branch).then(|| p.branch.to_string());
    let in_cooldown = p.previous_owner == Some(me)
        && p.pool_since.is_some_and(|s| v.at < s + crate::status::hours(v.reclaim_cooldown_hours));
    LeadView {
        id: p.id.to_string(),
        state: p.state,
        owner: p.owner.map(str::to_string),
        summary: summary(p.state, owner_name.as_deref(), owner_branch.as_deref(), p.protected_until),
        owner_name,
        owner_branch,
        protected_until: p.protected_until,
        claimed_at: p.claimed_at,
        previous_owner: p.previous_owner.map(str::to_string),
        previous_owner_name: name_of(&reps, p.previous_owner),
        pool_since: p.pool_since,
        registered_by: p.registered_by.map(str::to_string),
        registered_at: p.registered_at,
        updated_at: p.updated_at,
        editable: match p.state {
            LeadState::Incomplete => true,
            LeadState::Pool | LeadState::Merged => false,
            LeadState::Protected | LeadState::Deal => p.owner == Some(me),
        },
        claimable: p.state == LeadState::Pool && !in_cooldown && matches!(v.rep.role, Role::Rep | Role::Manager),
        masked: p.masked,
        fields: p.fields,
    }
}

/// The history of a lead, for viewers who see it in full.
pub fn history<'a>(events: &[Event], s: &Status, reps: impl Fn(&str) -> Option<&'a Rep>) -> Vec<EventView> {
    events
        .iter()
        .map(|e| {
            let ignored = s.ignored.iter().find(|(id, _)| id == &e.id).map(|(_, r)| r.clone().into_error_named(|id| name_of(&reps, Some(id))).reason());
            let mut out = EventView {
                id: e.id.clone(),
                kind: e.kind.name().to_string(),
                rep: e.rep.clone(),
                rep_name: name_of(&reps, Some(&e.rep)),
                device: e.device.clone(),
                device_time: e.device_time,
                after: e.after,
                followup: None,
                note: None,
                fields: None,
                from: None,
                to: None,
                ignored,
                acknowledged: None,
                acknowledged_leads: None,
                collaborate: None,
                from_name: None,
                to_name: None,
            };
            match &e.kind {
                EventKind::Register { fields } | EventKind::Update { fields } => out.fields = Some(fields.clone()),
                EventKind::Followup { followup, note } => {
                    out.followup = Some(*followup);
                    out.note = Some(note.clone());
                }
                EventKind::Handover { from, to } => {
                    out.from = Some(from.clone());
                    out.to = Some(to.clone());
                    out.from_name = name_of(&reps, Some(from));
                    out.to_name = name_of(&reps, Some(to));
                }
                EventKind::Claim | EventKind::Release => {}
                EventKind::Decide { outcome, reason, .. } => {
                    out.note = Some(reason.clone());
                    out.to = match outcome {
                        Outcome::Owner { rep } | Outcome::Merge { owner: rep, .. } => Some(rep.clone()),
                        _ => None,
                    };
                    out.to_name = name_of(&reps, out.to.as_deref());
                }
                EventKind::Appeal { note, .. } | EventKind::Review { reason: note, .. } => out.note = Some(note.clone()),
                EventKind::Assign { to, reason } => {
                    out.note = Some(reason.clone());
                    out.to = Some(to.clone());
                    out.to_name = name_of(&reps, Some(to));
                }
                EventKind::Visit { inviter, note, .. } => {
                    out.note = note.clone();
                    out.to = inviter.clone();
                    out.to_name = name_of(&reps, inviter.as_deref());
                }
                EventKind::DuplicateAcknowledged { leads, reason, collaborate } => {
                    out.acknowledged = Some(leads.clone());
                    out.note = reason.clone();
                    out.collaborate = Some(*collaborate);
                }
            }
            out
        })
        .collect()
}
