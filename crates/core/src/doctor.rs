//! `doctor`: checks the derived tables against the documents and rebuilds what differs.
//!
//! Everything a list, a search or a case page shows comes from tables derived from the
//! Automerge documents (`lead_index` and its search table, duplicate links, cases and
//! their marks, the event → change map). Writes keep them in step inside the same
//! SQLite transaction, so they can only drift by a bug, a bit flip or a hand edit of the
//! file — and then `lead list` would show text `lead show` does not. The doctor
//! re-derives every table from the documents in one transaction, compares row by row
//! with what was there, and commits the rebuild (or rolls it back when only asked to
//! check). The audit log is not derived: it is verified, never rebuilt.
//!
//! It also runs at open after an unclean shutdown (a process that had the registry
//! open was killed or crashed): see [`crate::shutdown_marker`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::derived::{self, Depth};
use crate::error::{Error, Result};
use crate::registry::Registry;

/// Meta key: the report of the doctor's last run at open after an unclean shutdown.
pub const META_LAST_REPORT: &str = "doctor.last_report";

/// How one derived table compared with its rebuild.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TableCheck {
    pub table: String,
    /// Rows after the rebuild.
    pub rows: u64,
    /// Rows whose content differed.
    pub changed: u64,
    /// Rows the rebuild added (they were missing).
    pub missing: u64,
    /// Rows the rebuild dropped (they had no source in the documents).
    pub extra: u64,
    /// Up to 10 keys of rows that differed, for the report.
    pub sample: Vec<String>,
}

/// What the doctor found and did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DoctorReport {
    /// SQLite's `integrity_check` answer ("ok" when the file is sound).
    pub integrity: String,
    /// The audit log's hash chain verified end to end.
    pub audit_ok: bool,
    pub audit_problem: Option<String>,
    pub tables: Vec<TableCheck>,
    /// Rows that differed in all tables.
    pub differences: u64,
    /// The rebuild was committed (false when only checking, or nothing differed).
    pub repaired: bool,
    /// Why it ran: `command` or `unclean_shutdown`.
    pub trigger: String,
}

type Snapshot = BTreeMap<&'static str, BTreeMap<String, String>>;

fn snapshot(reg: &mut Registry, depth: Depth) -> Result<(Vec<&'static str>, Snapshot)> {
    let tables = derived::snapshot(reg, depth, false)?;
    Ok((tables.iter().map(|(t, _)| *t).collect(), tables.into_iter().collect()))
}

fn compare(tables: &[&'static str], before: &Snapshot, after: &Snapshot) -> Vec<TableCheck> {
    tables
        .iter()
        .map(|table| {
            let (b, a) = (&before[table], &after[table]);
            let mut check = TableCheck {
                table: table.to_string(),
                rows: a.len() as u64,
                changed: 0,
                missing: 0,
                extra: 0,
                sample: Vec::new(),
            };
            let note = |k: &str, check: &mut TableCheck| {
                if check.sample.len() < 10 {
                    check.sample.push(k.to_string());
                }
            };
            for (k, v) in a {
                match b.get(k) {
                    None => {
                        check.missing += 1;
                        note(k, &mut check);
                    }
                    Some(old) if old != v => {
                        check.changed += 1;
                        note(k, &mut check);
                    }
                    Some(_) => {}
                }
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                check.extra += 1;
                note(k, &mut check);
            }
            check
        })
        .collect()
}

impl Registry {
    /// Verifies every derived table against the documents; with `repair`, commits
    /// the rebuild when something differed. A file that fails SQLite's own integrity
    /// check is reported and left alone (`corrupt_store`): rebuilding on a damaged
    /// file could spread the damage.
    pub fn doctor(&mut self, repair: bool, trigger: &str) -> Result<DoctorReport> {
        self.check_file("integrity_check")?;
        self.doctor_tables(Depth::All, repair, trigger)
    }

    /// The check at open after an unclean shutdown, bounded for large registries: the
    /// file's quick check and the rows lists and search read; everything (cases
    /// included, which cost most to re-derive) only when those differed.
    pub fn doctor_after_crash(&mut self) -> Result<DoctorReport> {
        self.check_file("quick_check")?;
        let quick = self.doctor_tables(Depth::Leads, false, "unclean_shutdown")?;
        if quick.differences == 0 && quick.audit_ok {
            return Ok(quick);
        }
        self.doctor_tables(Depth::All, true, "unclean_shutdown")
    }

    /// The report of the check that ran at open after an unclean shutdown, if one did.
    pub fn last_crash_report(&self) -> Result<Option<DoctorReport>> {
        let Some(json) = crate::store::meta_get(&self.conn, META_LAST_REPORT)? else { return Ok(None) };
        serde_json::from_str(&json).map(Some).map_err(|e| Error::Corrupt(format!("meta {META_LAST_REPORT}: {e}")))
    }

    fn check_file(&self, pragma: &str) -> Result<()> {
        let answer: String = self.conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))?;
        if answer != "ok" {
            return Err(Error::Corrupt(format!("the registry file is damaged: {answer}")));
        }
        Ok(())
    }

    fn doctor_tables(&mut self, depth: Depth, repair: bool, trigger: &str) -> Result<DoctorReport> {
        let audit = crate::audit::verify(&self.conn)?;
        // Digests the app's sync left for later are not a difference: compute them first.
        self.finish_digest_backlog()?;
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let outcome = self.rebuild_and_compare(depth);
        let keep = matches!(&outcome, Ok(t) if repair && t.iter().any(|t| t.changed + t.missing + t.extra > 0));
        let end = if keep { self.conn.execute_batch("COMMIT") } else { self.conn.execute_batch("ROLLBACK") };
        // The in-memory indexes were rebuilt inside the transaction: keep them only if
        // it committed; drop the document cache after a rollback, as a failed write does.
        if !keep || end.is_err() {
            if end.is_err() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            self.memory.drop_memory();
            self.docs.clear();
        }
        end?;
        if keep {
            self.memory.commit();
        }
        let tables = outcome?;
        let differences = tables.iter().map(|t| t.changed + t.missing + t.extra).sum();
        Ok(DoctorReport {
            integrity: "ok".into(),
            audit_ok: audit.ok,
            audit_problem: audit.problem,
            tables,
            differences,
            repaired: keep,
            trigger: trigger.to_string(),
        })
    }

    /// Inside the open transaction: snapshot the views of `depth`, rebuild them, snapshot
    /// again, compare.
    fn rebuild_and_compare(&mut self, depth: Depth) -> Result<Vec<TableCheck>> {
        let (tables, before) = snapshot(self, depth)?;
        derived::rebuild(self, depth)?;
        let (_, after) = snapshot(self, depth)?;
        Ok(compare(&tables, &before, &after))
    }
}
