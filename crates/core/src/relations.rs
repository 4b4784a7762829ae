//! Relations between leads (docs/RULES.md rule 10), as a derived table.
//!
//! A relation lives in a lead's fields (`relations`, set by `register` or `update`
//! events), so it replicates, merges and is checked like every other field. This
//! module keeps `lead_relations` — one row per relation a lead's current fields hold
//! — so the duplicate warning, the claim check and the collision cases read them
//! without loading documents. A relation is undirected for its rules: whichever
//! lead holds it, family (直系亲属) and one purchasing unit (同一购买单位) make both
//! leads one customer; a referral (转介绍) credits its referrer and nothing more.

use std::collections::BTreeSet;

use rusqlite::{params, Connection};

use crate::error::Result;
use crate::model::{LeadFields, RelationKind};

/// One relation as the table holds it: `holder` lists it in its fields.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RelationRow {
    pub holder: String,
    pub other: String,
    pub kind: RelationKind,
    /// The credited referrer of a referral.
    pub rep: Option<String>,
    pub note: Option<String>,
}

impl RelationRow {
    /// The lead of the two that is not `lead` ('' for a referral naming no lead).
    pub fn other_than(&self, lead: &str) -> &str {
        if self.holder == lead {
            &self.other
        } else {
            &self.holder
        }
    }
}

/// Writes the relations `fields` hold for `lead_id`, replacing the ones it held. A
/// relation to itself is kept in the fields but not here; one naming no lead (a
/// referral by a rep) has `b` = ''.
pub(crate) fn record(conn: &Connection, lead_id: &str, fields: &LeadFields) -> Result<()> {
    conn.prepare_cached("DELETE FROM lead_relations WHERE a = ?1")?.execute([lead_id])?;
    for r in fields.relations.iter().flatten() {
        let other = r.lead_id.as_deref().unwrap_or_default();
        if other == lead_id || (other.is_empty() && r.kind.same_customer()) {
            continue;
        }
        conn.prepare_cached("INSERT OR REPLACE INTO lead_relations(a, b, kind, rep, note) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![lead_id, other, r.kind.as_str(), r.rep.as_deref().unwrap_or_default(), r.note])?;
    }
    Ok(())
}

/// Every relation naming `lead`, whichever side holds it, in a stable order.
pub(crate) fn of_lead(conn: &Connection, lead: &str) -> Result<Vec<RelationRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT a, b, kind, rep, note FROM lead_relations WHERE a = ?1
         UNION SELECT a, b, kind, rep, note FROM lead_relations WHERE b = ?1 ORDER BY 1, 2, 3",
    )?;
    let rows = stmt.query_map([lead], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?, r.get(4)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (holder, other, kind, rep, note) = row?;
        let rep = (!rep.is_empty()).then_some(rep);
        // A kind this version does not know counts as nothing.
        let Some(kind) = RelationKind::parse(&kind) else { continue };
        out.push(RelationRow { holder, other, kind, rep, note });
    }
    Ok(out)
}

/// The leads one relation of family or one purchasing unit away from `lead`.
pub(crate) fn same_customer_neighbours(conn: &Connection, lead: &str) -> Result<Vec<String>> {
    Ok(of_lead(conn, lead)?
        .into_iter()
        .filter(|r| r.kind.same_customer())
        .map(|r| r.other_than(lead).to_string())
        .collect())
}

/// Every lead that is one customer with `lead` through family or purchasing-unit
/// relations (transitively), `lead` included, sorted.
pub(crate) fn one_customer(conn: &Connection, lead: &str) -> Result<BTreeSet<String>> {
    let mut seen = BTreeSet::from([lead.to_string()]);
    let mut todo = vec![lead.to_string()];
    while let Some(next) = todo.pop() {
        for other in same_customer_neighbours(conn, &next)? {
            if seen.insert(other.clone()) {
                todo.push(other);
            }
        }
    }
    Ok(seen)
}

/// Every row, for the derived-view comparison: key → content.
pub(crate) fn snapshot(conn: &Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare("SELECT json_array(a, b, kind, rep), note FROM lead_relations")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, Option<String>>(1)?.unwrap_or_default())))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
