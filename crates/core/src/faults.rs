//! Reps found at fault in decisions (违规: 抢单, 未报备, 飞单), per rep.
//!
//! A decision lists its faults (`Decide.faults`); it is written to every lead of its
//! case, and the `case_marks` table holds those events, so counting reads no
//! documents. A fault counts while its decision stands: a later decision that
//! supersedes it (an undo, an appeal answered, a conflict settled) withdraws it. The
//! branch policy may suspend a rep's pool claims (停接) from a number of faults on.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::model::{Event, EventKind, Fault, FaultKind};
use crate::registry::Registry;

/// One rep's standing faults by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RepFaults {
    pub rep: String,
    /// 抢单
    pub grab: u32,
    /// 未报备
    pub unreported: u32,
    /// 飞单
    pub flying: u32,
    pub total: u32,
}

impl Registry {
    /// Every rep with a standing fault, by rep id.
    pub fn standing_faults(&mut self) -> Result<BTreeMap<String, RepFaults>> {
        self.ensure_case_marks()?;
        let mut decisions: BTreeMap<String, Vec<Fault>> = BTreeMap::new();
        let mut superseded: BTreeSet<String> = BTreeSet::new();
        {
            let mut stmt = self.conn.prepare_cached("SELECT event FROM case_marks")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for json in rows {
                let e: Event = serde_json::from_str(&json?).map_err(|err| Error::Corrupt(format!("case mark: {err}")))?;
                if let EventKind::Decide { decision, supersedes, faults, .. } = e.kind {
                    superseded.extend(supersedes);
                    // One decision is written to every lead of its case: count it once.
                    decisions.entry(decision).or_insert(faults);
                }
            }
        }
        let mut out: BTreeMap<String, RepFaults> = BTreeMap::new();
        for (decision, faults) in decisions {
            if superseded.contains(&decision) {
                continue;
            }
            for f in faults {
                let r = out.entry(f.rep.clone()).or_insert_with(|| RepFaults { rep: f.rep.clone(), ..Default::default() });
                match f.kind {
                    FaultKind::Grab => r.grab += 1,
                    FaultKind::Unreported => r.unreported += 1,
                    FaultKind::Flying => r.flying += 1,
                }
                r.total += 1;
            }
        }
        Ok(out)
    }
}
