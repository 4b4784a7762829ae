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
//! open was killed or crashed): see [`crate::session`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

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

/// Each derived table: a name, and a query giving (key, content) of every row.
/// Keys name the row without the rowid (which a rebuild reassigns).
const TABLES: &[(&str, &str)] = &[
    (
        "lead_index",
        "SELECT lead_id, json_array(doc_id, branch, company, contact, phone, email, region, industry, need,
                state, owner, protected_until, claimed_at, previous_owner, pool_since, registered_by,
                registered_at, updated_at, ignored_events) FROM lead_index",
    ),
    (
        "lead_fts",
        "SELECT coalesce(l.lead_id, 'orphan:' || f.rowid), f.text
           FROM lead_fts f LEFT JOIN lead_index l ON l.rowid = f.rowid
         UNION ALL
         SELECT 'unsearchable:' || l.lead_id, '' FROM lead_index l
          WHERE NOT EXISTS (SELECT 1 FROM lead_fts f WHERE f.rowid = l.rowid)",
    ),
    ("event_changes", "SELECT event_id, json_array(lead_id, hex(hash)) FROM event_changes"),
    ("dup_links", "SELECT a || ' ' || b, printf('%.6f', score) FROM dup_links"),
    ("cases", "SELECT case_id, json_array(branch, kind, surfaced_at, body) FROM cases"),
    ("case_leads", "SELECT case_id || ' ' || lead_id, '' FROM case_leads"),
    ("case_reps", "SELECT case_id || ' ' || rep, '' FROM case_reps"),
    ("case_marks", "SELECT event_id, json_array(case_id, lead_id, event) FROM case_marks"),
];

type Snapshot = BTreeMap<&'static str, BTreeMap<String, String>>;

/// The tables a list or search reads; checked first after a crash (cheap: no cases).
const INDEX_TABLES: usize = 2;

fn snapshot(conn: &rusqlite::Connection, tables: &[(&'static str, &str)]) -> Result<Snapshot> {
    let mut out = Snapshot::new();
    for (table, sql) in tables {
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?.unwrap_or_default())))?;
        let mut map = BTreeMap::new();
        for row in rows {
            let (k, v) = row?;
            map.insert(k, v);
        }
        out.insert(table, map);
    }
    Ok(out)
}

fn compare(tables: &[(&'static str, &str)], before: &Snapshot, after: &Snapshot) -> Vec<TableCheck> {
    tables
        .iter()
        .map(|(table, _)| {
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
        self.doctor_tables(TABLES, repair, trigger)
    }

    /// The check at open after an unclean shutdown, bounded for large registries: the
    /// file's quick check and the rows lists and search read; everything (cases
    /// included, which cost most to re-derive) only when those differed.
    pub fn doctor_after_crash(&mut self) -> Result<DoctorReport> {
        self.check_file("quick_check")?;
        let quick = self.doctor_tables(&TABLES[..INDEX_TABLES], false, "unclean_shutdown")?;
        if quick.differences == 0 && quick.audit_ok {
            return Ok(quick);
        }
        self.doctor_tables(TABLES, true, "unclean_shutdown")
    }

    fn check_file(&self, pragma: &str) -> Result<()> {
        let answer: String = self.conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))?;
        if answer != "ok" {
            return Err(Error::Corrupt(format!("the registry file is damaged: {answer}")));
        }
        Ok(())
    }

    fn doctor_tables(&mut self, tables: &[(&'static str, &str)], repair: bool, trigger: &str) -> Result<DoctorReport> {
        let audit = crate::audit::verify(&self.conn)?;
        let full = tables.len() == TABLES.len();
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let outcome = self.rebuild_derived(tables, full);
        let keep = matches!(&outcome, Ok(t) if repair && t.iter().any(|t| t.changed + t.missing + t.extra > 0));
        let end = if keep { self.conn.execute_batch("COMMIT") } else { self.conn.execute_batch("ROLLBACK") };
        // The in-memory indexes were rebuilt inside the transaction: keep them only if
        // it committed; drop the document cache after a rollback, as a failed write does.
        if !keep || end.is_err() {
            if end.is_err() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            self.hooks.drop_memory();
            self.docs.clear();
        }
        end?;
        if keep {
            self.hooks.commit();
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

    /// Inside the open transaction: snapshot `tables`, rebuild (the index rows, and
    /// with `full` everything derived from them), snapshot again, compare.
    fn rebuild_derived(&mut self, tables: &[(&'static str, &str)], full: bool) -> Result<Vec<TableCheck>> {
        let before = snapshot(&self.conn, tables)?;
        // The in-memory duplicate index and search text may derive from bad rows.
        self.hooks.drop_memory();
        self.conn.execute_batch("DELETE FROM lead_index; DELETE FROM lead_fts; DELETE FROM case_marks;")?;
        let doc_ids: Vec<String> = {
            let mut stmt = self.conn.prepare("SELECT doc_id FROM docs WHERE doc_id NOT LIKE 'directory/%' ORDER BY doc_id")?;
            let rows = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<_>>>()?;
            rows
        };
        for doc_id in &doc_ids {
            self.reindex_doc(doc_id, None)?;
        }
        if full {
            // Reads the rebuilt rows of this transaction.
            self.warm_dedup()?;
            self.rebuild_collisions_within()?;
        }
        let after = snapshot(&self.conn, tables)?;
        Ok(compare(tables, &before, &after))
    }
}
