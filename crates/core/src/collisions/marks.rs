//! Case marks: the decide and appeal events of every lead, kept in a derived table so
//! where a case stands ([`super::resolution`]) is read without loading documents.
//!
//! A decision or appeal is written to every lead of its case, so one case's marks sit
//! in several shard documents; loading those per case made the review queue cost a
//! document load per lead (≈70 s for 3,000 cases at 100k leads). Marks are recorded by
//! the derived-state pipeline (`derived`'s `CaseMarks` view) with every lead it
//! re-derives (a local write, a merge, a reindex), in the same transaction, and never
//! change afterwards: events are immutable and merges only add.
//! Registries from before the table (schema 7) fill it once, on first use.

use std::collections::BTreeMap;

use rusqlite::{params, Connection};

use crate::collisions::model::CollisionCase;
use crate::error::{Error, Result};
use crate::model::{Event, EventKind};
use crate::registry::Registry;
use crate::{layout, store};

/// Meta key set by migration 7 when a registry with leads still has to fill the table.
pub const META_MARKS_PENDING: &str = "case_marks.pending";

fn case_of(e: &Event) -> Option<&str> {
    match &e.kind {
        EventKind::Decide { case_id, .. } | EventKind::Appeal { case_id, .. } => Some(case_id),
        _ => None,
    }
}

/// Records the decide and appeal events among `events` of `lead_id` (idempotent).
pub(crate) fn record<'a>(conn: &Connection, lead_id: &str, events: impl IntoIterator<Item = &'a Event>) -> Result<()> {
    for e in events {
        let Some(case_id) = case_of(e) else { continue };
        let json = serde_json::to_string(e).map_err(|err| Error::Decode(format!("event {}: {err}", e.id)))?;
        conn.prepare_cached("INSERT OR IGNORE INTO case_marks(event_id, case_id, lead_id, event) VALUES (?1, ?2, ?3, ?4)")?
            .execute(params![e.id, case_id, lead_id, json])?;
    }
    Ok(())
}

impl Registry {
    /// The decide and appeal events naming `case`, by lead, as [`super::resolution::resolve`]
    /// reads them; and whether a lead of the case is bound by a deal.
    pub(crate) fn case_marks(&mut self, case: &CollisionCase) -> Result<(BTreeMap<String, Vec<Event>>, bool)> {
        self.ensure_case_marks()?;
        let mut histories: BTreeMap<String, Vec<Event>> = BTreeMap::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached("SELECT lead_id, event FROM case_marks WHERE case_id = ?1 ORDER BY lead_id, rowid")?;
            let rows = stmt.query_map([&case.id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (lead, json) = row?;
                let e: Event =
                    serde_json::from_str(&json).map_err(|err| Error::Corrupt(format!("case mark of {lead}: {err}")))?;
                histories.entry(lead).or_default().push(e);
            }
        }
        let mut deal = false;
        let mut stmt = self.conn.prepare_cached("SELECT state = 'deal' FROM lead_index WHERE lead_id = ?1")?;
        for lead in &case.lead_ids {
            let is_deal: Option<bool> = rusqlite::OptionalExtension::optional(stmt.query_row([lead], |r| r.get(0)))?;
            deal |= is_deal.unwrap_or(false);
        }
        Ok((histories, deal))
    }

    /// Fills the table once for a registry that predates it: the leads of current cases
    /// are the only ones whose marks a case can name.
    pub(crate) fn ensure_case_marks(&mut self) -> Result<()> {
        if store::meta_get(&self.conn, META_MARKS_PENDING)?.is_none() {
            return Ok(());
        }
        self.transact(|reg| {
            let by_doc: Vec<(String, String)> = {
                let mut stmt = reg.conn.prepare(
                    "SELECT DISTINCT l.doc_id, l.lead_id FROM case_leads c JOIN lead_index l ON l.lead_id = c.lead_id
                     ORDER BY l.doc_id",
                )?;
                let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()?
            };
            for (doc_id, lead) in &by_doc {
                let loaded = reg.docs.get(&reg.conn, doc_id)?;
                let events = layout::read_events(&loaded.doc, lead)?.unwrap_or_default();
                record(&reg.conn, lead, &events)?;
            }
            store::meta_set(&reg.conn, META_MARKS_PENDING, None)
        })
    }
}
