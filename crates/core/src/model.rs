//! The domain model: reps, lead fields and the events that happen to a lead (the
//! branch's protection policy is `crate::policy`).
//!
//! A lead is *its history*: an append-only list of [`Event`]s (registration, edits,
//! claims, follow-ups, releases, handovers). Everything else — current fields, owner,
//! protection end, pool membership — is derived from that list by [`crate::status`].
//! Events are immutable once written, so they are stored as opaque JSON strings in the
//! Automerge list (see `docs/ARCHITECTURE.md`): concurrent appends merge, and there is
//! nothing inside an event that two replicas could edit concurrently.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Roles are defined once, in the schema the hub and every replica check against.
pub use leadguard_schema::Role;

/// A person known to the branch directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Rep {
    pub id: String,
    pub name: String,
    pub branch: String,
    #[serde(default)]
    pub region: Option<String>,
    pub role: Role,
    /// False once the rep has left (after a handover); kept so history stays readable.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A field of a lead, used to configure which fields a registration needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Company,
    Contact,
    Phone,
    Email,
    Region,
    Industry,
    Size,
    Need,
    Notes,
}

impl Field {
    /// Every field, in form order.
    pub const ALL: [Field; 9] = [
        Field::Company,
        Field::Contact,
        Field::Phone,
        Field::Email,
        Field::Region,
        Field::Industry,
        Field::Size,
        Field::Need,
        Field::Notes,
    ];
}

/// How two leads are related (docs/RULES.md rule 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RelationKind {
    /// Immediate family (直系亲属): counts as the same customer.
    Family,
    /// The same purchasing unit: counts as the same customer.
    SameUnit,
    /// A referral (转介绍) by another rep or department: the referrer keeps credit.
    Referral,
}

impl RelationKind {
    /// Family and one purchasing unit make the linked leads one customer (rule 10).
    pub fn same_customer(self) -> bool {
        matches!(self, RelationKind::Family | RelationKind::SameUnit)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RelationKind::Family => "family",
            RelationKind::SameUnit => "same_unit",
            RelationKind::Referral => "referral",
        }
    }

    pub fn parse(s: &str) -> Option<RelationKind> {
        Some(match s {
            "family" => RelationKind::Family,
            "same_unit" | "same-unit" => RelationKind::SameUnit,
            "referral" => RelationKind::Referral,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Relation {
    pub kind: RelationKind,
    /// The related lead, if it is in the registry.
    #[serde(default)]
    pub lead_id: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// For a referral: the rep credited with it (the referrer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rep: Option<String>,
}

/// The descriptive fields of a lead. In a registration every present field is set;
/// in an update only present fields change (an empty string clears a field).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct LeadFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relations: Option<Vec<Relation>>,
    /// Customer grade (客户等级): `A`, `B` or `C`, set by the owner or a manager; feeds
    /// assignment rules. Not contact class: shown in masked views and lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Open match data written beside sealed contacts (docs/VISIBILITY.md; the core
    /// computes them, the UI never sends them): the masked phone (`139****3333`) …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(skip)]
    pub phone_masked: Option<String>,
    /// … and keyed digests of the normalised phone, e-mail and contact name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(skip)]
    pub phone_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(skip)]
    pub email_digest: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(skip)]
    pub contact_digest: Option<String>,
}

impl LeadFields {
    /// The value of one field, `None` when absent or blank.
    pub fn get(&self, f: Field) -> Option<&str> {
        let v = match f {
            Field::Company => &self.company,
            Field::Contact => &self.contact,
            Field::Phone => &self.phone,
            Field::Email => &self.email,
            Field::Region => &self.region,
            Field::Industry => &self.industry,
            Field::Size => &self.size,
            Field::Need => &self.need,
            Field::Notes => &self.notes,
        };
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    /// Applies an update: present fields replace, empty strings clear.
    pub fn apply(&mut self, patch: &LeadFields) {
        fn set(dst: &mut Option<String>, src: &Option<String>) {
            if let Some(v) = src {
                let v = v.trim();
                *dst = if v.is_empty() { None } else { Some(v.to_string()) };
            }
        }
        set(&mut self.company, &patch.company);
        set(&mut self.contact, &patch.contact);
        set(&mut self.phone, &patch.phone);
        set(&mut self.email, &patch.email);
        set(&mut self.region, &patch.region);
        set(&mut self.industry, &patch.industry);
        set(&mut self.size, &patch.size);
        set(&mut self.need, &patch.need);
        set(&mut self.notes, &patch.notes);
        set(&mut self.grade, &patch.grade);
        set(&mut self.phone_masked, &patch.phone_masked);
        set(&mut self.phone_digest, &patch.phone_digest);
        set(&mut self.email_digest, &patch.email_digest);
        set(&mut self.contact_digest, &patch.contact_digest);
        if let Some(r) = &patch.relations {
            self.relations = if r.is_empty() { None } else { Some(r.clone()) };
        }
    }

    /// True when no field carries a value.
    pub fn is_empty(&self) -> bool {
        Field::ALL.iter().all(|f| self.get(*f).is_none()) && self.relations.is_none() && self.grade.is_none()
    }

    /// An update that sets only the grade: the owner or a manager may write it on any
    /// customer, also one in the pool (docs/RULES.md rule 11).
    pub fn only_grade(&self) -> bool {
        self.grade.is_some() && LeadFields { grade: None, ..self.clone() } == LeadFields::default()
    }
}

/// Kinds of follow-up record (跟进记录).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FollowupKind {
    Call,
    Visit,
    Sample,
    Quote,
    StoreVisit,
    /// A signed deal: binds the customer to its owner permanently.
    Deal,
    /// 定金退订: the customer took back the deposit of a deal; the deal no longer binds
    /// and the owner holds the customer for a fresh protection period.
    DepositRefund,
}

impl FollowupKind {
    pub fn parse(s: &str) -> Option<FollowupKind> {
        Some(match s {
            "call" => FollowupKind::Call,
            "visit" => FollowupKind::Visit,
            "sample" => FollowupKind::Sample,
            "quote" => FollowupKind::Quote,
            "store_visit" | "store-visit" => FollowupKind::StoreVisit,
            "deal" => FollowupKind::Deal,
            "deposit_refund" | "deposit-refund" | "refund" => FollowupKind::DepositRefund,
            _ => return None,
        })
    }
}

/// One thing that happened to a lead. Immutable once written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Unique id (random), so an event can be referred to as evidence.
    pub id: String,
    #[serde(flatten)]
    pub kind: EventKind,
    /// The rep on whose behalf the change was made.
    pub rep: String,
    /// The device that wrote it.
    pub device: String,
    /// The device clock when it was written. Shown, never trusted alone.
    pub device_time: DateTime<Utc>,
    /// The device's last successful hub sync before this event (hub clock), if any:
    /// the lower end of the event's evidence window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// The lead entered the registry with these fields.
    Register { fields: LeadFields },
    /// Some fields changed.
    Update { fields: LeadFields },
    /// Claimed from the public pool.
    Claim,
    /// A follow-up record; qualifying kinds extend protection, `deal` binds.
    Followup { followup: FollowupKind, note: String },
    /// The owner gave the lead back to the pool.
    Release,
    /// A manager moved the lead from one rep to another.
    Handover { from: String, to: String },
    /// A manager's decision on a collision case (裁决). The same decision is written
    /// to every lead of the case; `decision` is its id, shared by those events.
    Decide {
        case_id: String,
        decision: String,
        outcome: Outcome,
        #[serde(default)]
        reason: String,
        /// The claims the manager saw (event ids): later claims reopen the case.
        #[serde(default)]
        covers: Vec<String>,
        /// An earlier decision of the case this one replaces (undo, appeal answered).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        supersedes: Option<String>,
        /// For a merge: this lead is the duplicate merged into `into`.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        merged_away: bool,
        /// Reps the manager found at fault (抢单, 未报备, 飞单): counted per rep while
        /// the decision stands, and may suspend their pool claims (停接).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        faults: Vec<Fault>,
        /// The case's leads (their hash is `case_id`): lets the hub see which
        /// branches the case involves and so who may decide it (rule 17).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        leads: Vec<String>,
    },
    /// A rep named in a case appeals its decision (申诉).
    Appeal {
        case_id: String,
        appeal: String,
        decision: String,
        note: String,
        /// The case's leads, as a decision names them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        leads: Vec<String>,
    },
    /// The rep registered the lead although the duplicate check named these known
    /// leads ("register anyway"): written with the registration, kept as evidence,
    /// with the rep's reason and whether they asked to work the customer together
    /// with its owner (申请协作) rather than to take it.
    DuplicateAcknowledged {
        leads: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        collaborate: bool,
    },
    /// A manager reviewed a distributor's report (报备审核).
    Review {
        verdict: Verdict,
        #[serde(default)]
        reason: String,
    },
    /// A manager assigned a pool customer to a rep (分配), by the branch's assignment
    /// rules; `reason` explains the choice.
    Assign {
        to: String,
        #[serde(default)]
        reason: String,
    },
    /// 前台接待: the front desk recorded a walk-in visit of the customer (written by a
    /// receptionist). Evidence for the owner's protection like a store visit, timed
    /// by the hub's receipt of the receptionist's change as every event.
    Visit {
        /// When the visitor arrived and left (as the receptionist typed them).
        time_in: DateTime<Utc>,
        #[serde(default)]
        time_out: Option<DateTime<Utc>>,
        /// The rep who invited the visitor (邀约人), if any.
        #[serde(default)]
        inviter: Option<String>,
        /// 首次到访.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        first_visit: bool,
        /// Left out on an enrolled device: a note is contact class and the front desk
        /// holds no lead key (docs/VISIBILITY.md).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

/// What a rep was found at fault for in a decision (违规).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// 抢单: took a customer another rep protected.
    Grab,
    /// 未报备: worked a customer without registering it.
    Unreported,
    /// 飞单: took a deal outside the company.
    Flying,
}

/// A rep found at fault in a decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct Fault {
    pub rep: String,
    pub kind: FaultKind,
}

/// One assignment rule: a customer matching every given condition goes to one of
/// `team`, the least loaded (docs/RULES.md rule 11).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(optional_fields)]
pub struct AssignRule {
    /// The customer's region lies in this one (华南 covers 广州).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// The customer's industry contains this text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub industry: Option<String>,
    /// The customer's size equals this text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// The customer's grade (客户等级) is this one (A, B or C).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Rep ids, in rotation order.
    pub team: Vec<String>,
}

/// A manager's verdict on a distributor's report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The report is genuine: the distributor keeps the customer for a fresh
    /// validity period.
    Accept,
    /// The report is refused: the customer leaves the distributor (to the pool).
    Reject,
}

/// A commission share in a split decision.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
pub struct Share {
    pub rep: String,
    /// Percent, 1–99; the shares of a split total 100.
    pub pct: u8,
}

/// What a manager decided on a collision case (docs/RULES.md rule 8).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// One owner.
    Owner { rep: String },
    /// A commission split; the largest share follows the customer.
    Split { shares: Vec<Share> },
    /// The customer goes to the company pool (归公).
    Pool,
    /// The duplicate lead documents become one: `into` survives, owned by `owner`.
    Merge { into: String, owner: String },
    /// Withdraws the superseded decision.
    Undo,
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Register { .. } => "register",
            EventKind::Update { .. } => "update",
            EventKind::Claim => "claim",
            EventKind::Followup { .. } => "followup",
            EventKind::Release => "release",
            EventKind::Handover { .. } => "handover",
            EventKind::Decide { .. } => "decide",
            EventKind::Appeal { .. } => "appeal",
            EventKind::DuplicateAcknowledged { .. } => "duplicate_acknowledged",
            EventKind::Review { .. } => "review",
            EventKind::Assign { .. } => "assign",
            EventKind::Visit { .. } => "visit",
        }
    }
}

impl From<Field> for crate::reason::FormField {
    fn from(f: Field) -> crate::reason::FormField {
        match f {
            Field::Company => crate::reason::FormField::Company,
            Field::Contact => crate::reason::FormField::Contact,
            Field::Phone => crate::reason::FormField::Phone,
            Field::Email => crate::reason::FormField::Email,
            Field::Region => crate::reason::FormField::Region,
            Field::Industry => crate::reason::FormField::Industry,
            Field::Size => crate::reason::FormField::Size,
            Field::Need => crate::reason::FormField::Need,
            Field::Notes => crate::reason::FormField::Notes,
        }
    }
}
