//! What a collision case is: the claims that collide, their evidence windows, and the
//! duplicate matches that tie several lead documents to one customer.
//!
//! Every field is derived from replicated data (events, hub receipts, lead fields), so
//! two replicas holding the same data derive byte-identical cases.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::timing::Window;

/// How a claim was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    /// A complete registration (报备).
    Register,
    /// An edit that completed an incomplete registration.
    Complete,
    /// A claim from the public pool (认领).
    Claim,
}

/// One claim taking part in a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseClaim {
    pub event_id: String,
    pub lead_id: String,
    pub rep: String,
    pub device: String,
    /// The writing device's clock: shown, never decisive.
    pub device_time: DateTime<Utc>,
    /// What the claim was judged at: its device time clamped into its window (hub
    /// time). Far from `device_time` = the device's clock was off.
    #[serde(default)]
    pub effective_time: Option<DateTime<Utc>>,
    pub kind: ClaimKind,
    pub window: Window,
    /// Whether the claim took effect when the lead's events were replayed (a merged
    /// claim on a lead someone else already held takes no effect).
    pub took_effect: bool,
    /// For a pool claim made while another rep held the lead (by hub time): that rep
    /// and the end of their protection (`None` with a holder: bound by a deal).
    #[serde(default)]
    pub held_by: Option<String>,
    #[serde(default)]
    pub held_until: Option<DateTime<Utc>>,
}

/// Why the leads of a case are one customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DuplicateLink {
    /// The lower lead id.
    pub a: String,
    pub b: String,
    /// Duplicate-engine score in [0, 1], at least the threshold.
    pub score: f32,
    /// Agreeing fields, strongest first (zh-CN and en).
    pub reasons_zh: Vec<String>,
    pub reasons_en: Vec<String>,
}

/// What collided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    /// Reps claimed one lead document with overlapping evidence windows.
    ConcurrentClaims,
    /// Several lead documents are one customer (a duplicate match, or a family or
    /// purchasing-unit relation) and different reps claimed them.
    DuplicateLeads,
    /// A pool claim that hub time places inside another rep's protection (保护期内认领):
    /// it took no effect; typically a device clock set forward.
    ClaimDuringProtection,
}

/// A collision (撞单) case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CollisionCase {
    /// Stable id: the first 16 hex digits of SHA-256(`"lg-case-v1\n"` + the sorted lead
    /// ids, one per line). Replicas that find the case independently agree on it.
    pub id: String,
    pub kind: CaseKind,
    pub branch: String,
    /// The lead documents of the customer, sorted.
    pub lead_ids: Vec<String>,
    /// The reps whose claims collide, sorted.
    pub reps: Vec<String>,
    /// Every claim on the case's leads, ordered by lead id then effective time.
    pub claims: Vec<CaseClaim>,
    /// Duplicate matches between the leads (empty for one lead), sorted by (a, b).
    pub duplicates: Vec<DuplicateLink>,
    /// The latest hub receipt among the colliding claims: when the hub first held all
    /// of them (`None` while one of them has not reached the hub). The case's clock
    /// for turnaround targets.
    pub surfaced_at: Option<DateTime<Utc>>,
    /// Relations between its leads and to others (rule 10): family or one purchasing
    /// unit made the leads one customer; a referral keeps its referrer's credit.
    /// Sorted by (holder, other, kind).
    #[serde(default)]
    pub relations: Vec<CaseRelation>,
}

/// A relation the case shows (docs/RULES.md rule 10).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CaseRelation {
    /// The lead whose fields hold the relation.
    pub holder: String,
    pub other: String,
    pub kind: crate::model::RelationKind,
    /// A referral's credited referrer.
    pub rep: Option<String>,
    pub note: Option<String>,
}
