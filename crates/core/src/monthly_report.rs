//! The monthly clean-up report (月度清查) per rep: customers held and expiring now,
//! and in the month — pool claims, registrations that claimed, releases, and
//! protections that ran out (掉公海).
//!
//! Month counts replay every lead of the branch by effective (hub-clamped) times, as
//! the status does; a protection that ran out counts at its end. Months are UTC
//! calendar months, like the metrics' per-month figures.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::model::EventKind;
use crate::registry::Registry;
use crate::status::{self, LeadState};

/// One rep's line of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RepMonthReport {
    pub rep: String,
    pub name: String,
    /// Customers held at the time of the report (protected or signed).
    pub held: u32,
    /// Of those, protected ones whose protection ends within 24 hours.
    pub expiring: u32,
    /// Complete registrations in the month (each claims the customer).
    pub registered: u32,
    /// Pool claims in the month.
    pub claimed: u32,
    /// Customers released to the pool in the month.
    pub released: u32,
    /// Protections that ran out in the month (the customer went to the pool).
    pub expired: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct MonthlyReport {
    /// `YYYY-MM`.
    pub month: String,
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// When `held` and `expiring` were read.
    pub at: DateTime<Utc>,
    pub reps: Vec<RepMonthReport>,
}

/// The UTC month `YYYY-MM` as `[start, end)`; `None` when it is not a month.
pub fn month_bounds(month: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let start = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    let next = if start.month() == 12 { NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)? } else { NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)? };
    Some((Utc.from_utc_datetime(&start.and_hms_opt(0, 0, 0)?), Utc.from_utc_datetime(&next.and_hms_opt(0, 0, 0)?)))
}

impl Registry {
    /// The report of `month` (`YYYY-MM`) for the branch's reps (only `only` if given), read at `at`.
    pub fn monthly_report(&mut self, month: &str, at: DateTime<Utc>, only: Option<&str>) -> Result<MonthlyReport> {
        let (since, until) = month_bounds(month).ok_or_else(|| crate::Error::from(crate::Reason::MonthMalformed { month: month.to_string() }))?;
        let mut rows: BTreeMap<String, RepMonthReport> = BTreeMap::new();
        for rep in self.reps().filter(|r| !matches!(r.role, crate::model::Role::Distributor | crate::model::Role::Receptionist) && (r.active || only.is_some())) {
            rows.insert(rep.id.clone(), RepMonthReport { rep: rep.id.clone(), name: rep.name.clone(), ..Default::default() });
        }
        let in_month = |t: DateTime<Utc>| t >= since && t < until && t <= at;
        let leads: Vec<(String, String)> = {
            let mut stmt = self.conn.prepare("SELECT lead_id, branch FROM lead_index WHERE updated_at >= ?1 OR state = 'protected' ORDER BY lead_id")?;
            let rows = stmt.query_map([since.timestamp_millis()], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        for (lead, branch) in &leads {
            let policy = self.policy(branch);
            let events = self.events(lead)?;
            let timing = self.timing(&events)?;
            // The protection running before each step: (owner, end).
            let mut running: Option<(String, DateTime<Utc>)> = None;
            let bump = |rows: &mut BTreeMap<String, RepMonthReport>, rep: &str, f: fn(&mut RepMonthReport)| {
                if let Some(r) = rows.get_mut(rep) {
                    f(r);
                }
            };
            let last = status::replay(&events, &policy, &timing, |st| {
                if let Some((owner, end)) = running.take() {
                    if end <= st.at && in_month(end) {
                        bump(&mut rows, &owner, |r| r.expired += 1);
                    }
                }
                if st.result.is_ok() {
                    match &st.event.kind {
                        EventKind::Claim if in_month(st.at) => bump(&mut rows, &st.event.rep, |r| r.claimed += 1),
                        EventKind::Release if in_month(st.at) => bump(&mut rows, &st.event.rep, |r| r.released += 1),
                        EventKind::Register { .. } | EventKind::Update { .. }
                            if st.state_before == LeadState::Incomplete && st.status.state == LeadState::Protected && in_month(st.at) =>
                        {
                            bump(&mut rows, &st.event.rep, |r| r.registered += 1)
                        }
                        _ => {}
                    }
                }
                if st.status.state == LeadState::Protected {
                    if let (Some(owner), Some(end)) = (&st.status.owner, st.status.protected_until) {
                        running = Some((owner.clone(), end));
                    }
                }
            });
            if let (Some((owner, end)), LeadState::Protected) = (running, last.state) {
                if end <= at && in_month(end) {
                    bump(&mut rows, &owner, |r| r.expired += 1);
                }
            }
        }
        for r in rows.values_mut() {
            let owned = crate::lead_index::owned_by(&self.conn, &r.rep, at)?;
            r.held = owned.len() as u32;
            for (id, _) in owned {
                let row = self.row(&id)?.at(at);
                if row.state == LeadState::Protected && row.protected_until.is_some_and(|u| u <= at + Duration::hours(24)) {
                    r.expiring += 1;
                }
            }
        }
        let reps = rows.into_values().filter(|r| only.is_none_or(|o| o == r.rep)).collect();
        Ok(MonthlyReport { month: month.to_string(), since, until, at, reps })
    }
}
