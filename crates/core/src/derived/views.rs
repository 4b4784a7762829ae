//! The derived views, each kept current by the pipeline ([`super`]) and nowhere else.

use chrono::{DateTime, Utc};

use super::{Batch, DerivedView, LeadChange, Reach, Rows};
use crate::error::Result;
use crate::registry::Registry;
use crate::{lead_index, status};

/// (key, content) of every row a query returns.
fn rows(reg: &Registry, sql: &str) -> Result<Rows> {
    let mut stmt = reg.conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?.unwrap_or_default())))?;
    let mut out = Rows::new();
    for row in rows {
        let (k, v) = row?;
        out.insert(k, v);
    }
    Ok(out)
}

/// `event_changes`: which change carries each event ([`super::event_map`]).
pub(crate) struct EventMap;

impl DerivedView for EventMap {
    fn name(&self) -> &'static str {
        "event_changes"
    }
    fn reach(&self) -> Reach {
        Reach::Across
    }
    fn writers(&self) -> &'static [&'static str] {
        &["note_event_change"]
    }
    fn clear(&self, reg: &mut Registry) -> Result<()> {
        reg.conn.execute_batch("DELETE FROM event_changes;")?;
        Ok(())
    }
    /// From every stored change, in hub order, so a copied event id maps to the hub's
    /// first change.
    fn seed(&self, reg: &mut Registry) -> Result<()> {
        reg.note_all_event_changes()
    }
    fn lead_changed(&self, reg: &mut Registry, lead: &mut LeadChange<'_>) -> Result<()> {
        for (event, hash) in lead.carried {
            reg.note_event_change(event, lead.lead_id, hash)?;
        }
        Ok(())
    }
    fn snapshot(&self, reg: &mut Registry) -> Result<Vec<(&'static str, Rows)>> {
        Ok(vec![("event_changes", rows(reg, "SELECT event_id, json_array(lead_id, hex(hash)) FROM event_changes")?)])
    }
}

/// `lead_index` (and its full-text table `lead_fts`, brought up to the rows before
/// each commit, [`lead_index::sync_fts`]): one row per lead, its status as of its last
/// event ([`crate::lead_index`]).
pub(crate) struct LeadRows;

impl DerivedView for LeadRows {
    fn name(&self) -> &'static str {
        "lead_index"
    }
    fn reach(&self) -> Reach {
        Reach::Lead
    }
    fn writers(&self) -> &'static [&'static str] {
        &["lead_index::upsert"]
    }
    fn clear(&self, reg: &mut Registry) -> Result<()> {
        reg.conn.execute_batch("DELETE FROM lead_index; DELETE FROM lead_fts; DELETE FROM lead_fts_pending;")?;
        Ok(())
    }
    fn lead_changed(&self, reg: &mut Registry, lead: &mut LeadChange<'_>) -> Result<()> {
        let policy = reg.lead_policy(lead.branch, lead.doc_id);
        let timing = reg.timing(lead.events)?;
        // Store the status as of the last event; queries apply later expiry.
        let stored = status::derive(lead.events, &policy, DateTime::<Utc>::MIN_UTC, &timing);
        let before = lead_index::get(&reg.conn, lead.lead_id)?;
        lead.previous = before.as_ref().map(crate::link_blocks::identity);
        let identity = reg.identity_for_row(lead.lead_id, &stored.fields, lead.previous.as_ref())?;
        lead.identity_changed = lead.previous.as_ref().is_none_or(|p| *p != identity);
        // Shown: sealed contacts opened with the lead's key, or masked without it.
        let shown = reg.opened(lead.lead_id, &stored.fields)?;
        lead_index::upsert(&reg.conn, lead.lead_id, lead.doc_id, lead.branch, &stored, &shown, &identity)?;
        lead.stored = Some(stored);
        lead.identity = Some(identity);
        Ok(())
    }
    fn snapshot(&self, reg: &mut Registry) -> Result<Vec<(&'static str, Rows)>> {
        lead_index::sync_fts(&reg.conn)?;
        Ok(vec![
            (
                "lead_index",
                rows(
                    reg,
                    "SELECT lead_id, json_array(doc_id, branch, company, contact, phone, email, region, industry, need,
                            state, owner, protected_until, claimed_at, previous_owner, pool_since, registered_by,
                            registered_at, updated_at, ignored_events) FROM lead_index",
                )?,
            ),
            (
                "lead_fts",
                rows(
                    reg,
                    "SELECT coalesce(l.lead_id, 'orphan:' || f.rowid), f.text
                       FROM lead_fts f LEFT JOIN lead_index l ON l.rowid = f.rowid
                     UNION ALL
                     SELECT 'unsearchable:' || l.lead_id, '' FROM lead_index l
                      WHERE NOT EXISTS (SELECT 1 FROM lead_fts f WHERE f.rowid = l.rowid)",
                )?,
            ),
        ])
    }
}

/// `lead_relations`: the relations each lead's fields hold ([`crate::relations`]),
/// read by the duplicate warning, the claim check and the cases after it.
pub(crate) struct LeadRelations;

impl DerivedView for LeadRelations {
    fn name(&self) -> &'static str {
        "lead_relations"
    }
    fn reach(&self) -> Reach {
        Reach::Lead
    }
    fn writers(&self) -> &'static [&'static str] {
        &["relations::record"]
    }
    fn clear(&self, reg: &mut Registry) -> Result<()> {
        reg.conn.execute_batch("DELETE FROM lead_relations;")?;
        Ok(())
    }
    fn lead_changed(&self, reg: &mut Registry, lead: &mut LeadChange<'_>) -> Result<()> {
        match &lead.stored {
            Some(s) => crate::relations::record(&reg.conn, lead.lead_id, &s.fields),
            None => Ok(()),
        }
    }
    fn snapshot(&self, reg: &mut Registry) -> Result<Vec<(&'static str, Rows)>> {
        Ok(vec![("lead_relations", crate::relations::snapshot(&reg.conn)?.into_iter().collect())])
    }
}

/// `case_marks`: the decide and appeal events of every lead
/// ([`crate::collisions::marks`]).
pub(crate) struct CaseMarks;

impl DerivedView for CaseMarks {
    fn name(&self) -> &'static str {
        "case_marks"
    }
    fn reach(&self) -> Reach {
        Reach::Lead
    }
    fn writers(&self) -> &'static [&'static str] {
        &["marks::record"]
    }
    fn clear(&self, reg: &mut Registry) -> Result<()> {
        reg.conn.execute_batch("DELETE FROM case_marks;")?;
        Ok(())
    }
    fn lead_changed(&self, reg: &mut Registry, lead: &mut LeadChange<'_>) -> Result<()> {
        crate::collisions::marks::record(&reg.conn, lead.lead_id, lead.events)
    }
    fn snapshot(&self, reg: &mut Registry) -> Result<Vec<(&'static str, Rows)>> {
        Ok(vec![("case_marks", rows(reg, "SELECT event_id, json_array(case_id, lead_id, event) FROM case_marks")?)])
    }
}

/// The in-memory duplicate index and short-search text
/// ([`crate::memory_views`]): updates wait for the commit.
pub(crate) struct InMemory;

impl DerivedView for InMemory {
    fn name(&self) -> &'static str {
        "memory"
    }
    fn reach(&self) -> Reach {
        Reach::Lead
    }
    fn persistent(&self) -> bool {
        false
    }
    fn writers(&self) -> &'static [&'static str] {
        &["lead_written"]
    }
    fn clear(&self, reg: &mut Registry) -> Result<()> {
        // Rebuilt from the lead rows on next use.
        reg.memory.drop_memory();
        Ok(())
    }
    fn lead_changed(&self, reg: &mut Registry, lead: &mut LeadChange<'_>) -> Result<()> {
        if let (Some(s), Some(identity)) = (&lead.stored, &lead.identity) {
            let shown = reg.opened(lead.lead_id, &s.fields)?;
            reg.memory.lead_written(lead.lead_id, identity, &shown, s.updated_at.map_or(0, |t| t.timestamp_millis()));
        }
        Ok(())
    }
    /// Builds what is not built yet; pending updates are not in it until the commit.
    fn snapshot(&self, reg: &mut Registry) -> Result<Vec<(&'static str, Rows)>> {
        reg.warm_dedup()?;
        if !reg.memory.search.is_built() {
            reg.memory.search.set(crate::short_search::ShortSearch::build(&reg.conn)?);
        }
        let ids: Vec<String> = rows(reg, "SELECT lead_id, NULL FROM lead_index")?.into_keys().collect();
        let mut dedup = Rows::new();
        let mut search = Rows::new();
        if let Some(d) = &reg.memory.dedup {
            for id in &ids {
                dedup.insert(id.clone(), format!("{:?}", d.keys(id)));
            }
            dedup.insert("(entries)".into(), d.len().to_string());
        }
        reg.memory.search.with(&reg.conn, |s| {
            for (id, updated_at, text) in s.entries() {
                search.insert(id.to_string(), format!("{updated_at} {text}"));
            }
        })?;
        Ok(vec![("memory:duplicate_index", dedup), ("memory:short_search", search)])
    }
}

/// Duplicate links (`dup_links`) and collision cases (`cases`, `case_leads`,
/// `case_reps`): they relate leads to each other, so they catch up once the
/// transaction's leads are in ([`crate::collisions::detect`]).
pub(crate) struct Cases;

impl DerivedView for Cases {
    fn name(&self) -> &'static str {
        "cases"
    }
    fn reach(&self) -> Reach {
        Reach::Across
    }
    fn writers(&self) -> &'static [&'static str] {
        &["refresh_collisions"]
    }
    fn clear(&self, reg: &mut Registry) -> Result<()> {
        reg.conn.execute_batch("DELETE FROM dup_links; DELETE FROM cases; DELETE FROM case_leads; DELETE FROM case_reps;")?;
        Ok(())
    }
    fn batch_done(&self, reg: &mut Registry, batch: &Batch) -> Result<()> {
        reg.refresh_collisions(&batch.fields, &batch.claims, &batch.previous, &batch.events)
    }
    fn snapshot(&self, reg: &mut Registry) -> Result<Vec<(&'static str, Rows)>> {
        Ok(vec![
            ("dup_links", rows(reg, "SELECT a || ' ' || b, printf('%.6f', score) FROM dup_links")?),
            ("cases", rows(reg, "SELECT case_id, json_array(branch, kind, surfaced_at, body) FROM cases")?),
            ("case_leads", rows(reg, "SELECT case_id || ' ' || lead_id, '' FROM case_leads")?),
            ("case_reps", rows(reg, "SELECT case_id || ' ' || rep, '' FROM case_reps")?),
        ])
    }
}
