//! Pool limits of a branch (its policy): 保有量上限 — how many customers a rep may hold
//! —, 领取上限 — how many pool claims a rep may make in 24 hours — and 停接 — no pool
//! claims for a rep found at fault too often ([`crate::faults`]).
//!
//! Both are checked when a rep claims from the pool on their device, like every
//! refusal of a command; a claim written offline on another laptop is not refused
//! anywhere (nothing on this device knows it yet) and counts once merged.
//! Held customers are read from the lead index (protected or signed at `at`); claims
//! from this device's audit log, which records every claim it wrote or merged, each at
//! the hub's receipt when known (a merged claim), else its device time.

use chrono::{DateTime, Duration, Utc};

use crate::error::Result;
use crate::registry::Registry;
use crate::Reason;

impl Registry {
    /// How many customers `rep` holds at `at` (protected or signed).
    pub fn held_by(&self, rep: &str, at: DateTime<Utc>) -> Result<u32> {
        Ok(crate::lead_index::owned_by(&self.conn, rep, at)?.len() as u32)
    }

    /// The times of `rep`'s pool claims in `(since, until]`, oldest first.
    pub(crate) fn claims_between(&self, rep: &str, since: DateTime<Utc>, until: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>> {
        let mut stmt = self.conn.prepare_cached("SELECT coalesce(hub_time, at) FROM audit_log WHERE rep = ?1 AND kind = 'claim'")?;
        let rows = stmt.query_map([rep], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for t in rows {
            let Ok(t) = DateTime::parse_from_rfc3339(&t?) else { continue };
            let t = t.with_timezone(&Utc);
            if t > since && t <= until {
                out.push(t);
            }
        }
        out.sort();
        Ok(out)
    }

    /// Refuses `rep`'s pool claim at `at` past the branch's holding or daily limit, or
    /// while their claims are suspended for faults (停接).
    pub fn check_claim_limits(&mut self, rep: &str, at: DateTime<Utc>) -> Result<()> {
        let policy = self.policy(self.branch());
        if policy.suspend_after_faults > 0 {
            let faults = self.standing_faults()?.get(rep).map_or(0, |f| f.total);
            if faults >= policy.suspend_after_faults {
                return Err(Reason::ClaimsSuspended { faults, limit: policy.suspend_after_faults }.into());
            }
        }
        if policy.max_held > 0 {
            let held = self.held_by(rep, at)?;
            if held >= policy.max_held {
                return Err(Reason::HoldingLimit { held, limit: policy.max_held }.into());
            }
        }
        if policy.max_claims_per_day > 0 {
            let day = Duration::hours(24);
            let recent = self.claims_between(rep, at - day, at)?;
            if recent.len() as u32 >= policy.max_claims_per_day {
                // The oldest claim that keeps the count at the limit leaves the window first.
                let oldest = recent[recent.len() - policy.max_claims_per_day as usize];
                return Err(Reason::DailyClaimLimit { limit: policy.max_claims_per_day, until: oldest + day }.into());
            }
        }
        Ok(())
    }
}
