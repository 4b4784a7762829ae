//! Lead keys (docs/VISIBILITY.md "Keys and entitlement"): the table `lead_keys` holds
//! the key the registering device pushed for each lead (the first one wins); grants and
//! revocations are computed from it at every call ([`crate::entitlement`]). Every
//! SQLite query of the table is in this file, PostgreSQL's in `pg/lead_keys.rs`;
//! [`grants`] is shared.

use leadguard_protocol::{KeyGrants, LeadKeyEntry};
use rusqlite::{params, Connection, OptionalExtension};

use super::SqliteStore;
use crate::entitlement;
use crate::error::HubError;
use crate::scope::{Device, Scope};

/// Migration 4 (SQLite; PostgreSQL's is `pg/lead_keys.rs`).
pub(super) const MIGRATION: &str = r#"
CREATE TABLE lead_keys (
    lead_id    TEXT PRIMARY KEY REFERENCES leads (lead_id),
    key        TEXT NOT NULL,            -- 64 hex digits
    device_id  TEXT NOT NULL REFERENCES devices (id),
    stored_at  INTEGER NOT NULL
);
"#;

fn is_key(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The scope of the document that holds `lead`, if the hub has accepted it.
fn lead_scope(conn: &Connection, lead: &str) -> Result<Option<(String, String)>, HubError> {
    Ok(conn
        .query_row(
            "SELECT l.doc_id, d.scope FROM leads l JOIN docs d ON d.doc_id = l.doc_id WHERE l.lead_id = ?1",
            params![lead],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub(crate) fn doc_changes(conn: &Connection, doc_id: &str) -> Result<DocChanges, HubError> {
    let mut stmt = conn.prepare_cached("SELECT bytes, received_at, device_prev_sync FROM changes WHERE doc_id = ?1 ORDER BY hub_seq")?;
    let rows = stmt.query_map(params![doc_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl SqliteStore {
    /// Keeps the keys `device` pushed for leads the hub holds in a scope it writes
    /// (the first key of a lead wins). Returns the leads whose stored key is the
    /// pushed one.
    pub fn store_lead_keys(&self, device: &Device, keys: Vec<LeadKeyEntry>, now_ms: i64) -> Result<Vec<String>, HubError> {
        let device = device.clone();
        self.write(move |conn| {
            let mut stored = Vec::new();
            for k in keys {
                if !is_key(&k.key) {
                    return Err(HubError::Malformed(format!("the key of lead {:?} is not 64 hex digits", k.lead_id)));
                }
                let Some((_, scope)) = lead_scope(conn, &k.lead_id)? else { continue };
                if !Scope::parse(&scope).is_some_and(|s| device.may_write(&s)) {
                    continue;
                }
                // Only a device that wrote into the lead's document (its registrant
                // does) may give its key.
                let wrote: bool = conn.query_row(
                    "SELECT EXISTS (SELECT 1 FROM changes c JOIN leads l ON l.doc_id = c.doc_id WHERE l.lead_id = ?1 AND c.device_id = ?2)",
                    params![k.lead_id, device.id],
                    |r| r.get(0),
                )?;
                if !wrote {
                    continue;
                }
                conn.execute(
                    "INSERT OR IGNORE INTO lead_keys(lead_id, key, device_id, stored_at) VALUES (?1, ?2, ?3, ?4)",
                    params![k.lead_id, k.key.to_ascii_lowercase(), device.id, now_ms],
                )?;
                let kept: String = conn.query_row("SELECT key FROM lead_keys WHERE lead_id = ?1", params![k.lead_id], |r| r.get(0))?;
                if kept.eq_ignore_ascii_case(&k.key) {
                    stored.push(k.lead_id);
                }
            }
            Ok(stored)
        })
    }

    /// The keys of the leads `device`'s user may see in full now, and the leads it
    /// reads but may not see in full.
    pub fn key_grants(&self, device: &Device, now: chrono::DateTime<chrono::Utc>) -> Result<KeyGrants, HubError> {
        let conn = self.reader();
        let tx = conn.unchecked_transaction()?;
        let mut keyed: Vec<(String, String, String)> = Vec::new();
        {
            let mut stmt = tx.prepare(
                "SELECT k.lead_id, k.key, l.doc_id, d.scope, d.plain FROM lead_keys k
                   JOIN leads l ON l.lead_id = k.lead_id JOIN docs d ON d.doc_id = l.doc_id ORDER BY k.lead_id",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                let scope: String = r.get(3)?;
                let plain: bool = r.get(4)?;
                if Scope::parse(&scope).is_some_and(|s| device.may_hold_keys_of(&s, plain)) {
                    keyed.push((r.get(0)?, r.get(1)?, r.get(2)?));
                }
            }
        }
        grants(device, keyed, |doc_id| doc_changes(&tx, doc_id), now)
    }
}

/// One keyed lead the device reads: `(lead_id, key, doc_id)`.
pub(crate) type Keyed = (String, String, String);
/// A document's changes as the entitlement rules read them: bytes, hub receipt,
/// the pusher's previous sync.
pub(crate) type DocChanges = Vec<(Vec<u8>, i64, Option<i64>)>;

/// Grants and revocations for `device` over the `keyed` leads it reads, from their
/// documents' changes (`doc_changes`, read from either backend).
pub(crate) fn grants(
    device: &Device,
    keyed: Vec<Keyed>,
    mut doc_changes: impl FnMut(&str) -> Result<DocChanges, HubError>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<KeyGrants, HubError> {
        let keys: std::collections::HashMap<String, String> = keyed.iter().map(|(l, k, _)| (l.clone(), k.clone())).collect();
        let pairs: Vec<(String, String)> = keyed.into_iter().map(|(l, _, d)| (l, d)).collect();
        let mut policies = std::collections::HashMap::new();
        let mut out = KeyGrants::default();
        // A manager or director also opens what a rep of its branches won in another
        // branch's document.
        let mut own_people = std::collections::HashSet::new();
        if matches!(device.role, leadguard_protocol::Role::Manager | leadguard_protocol::Role::Director) {
            for b in device.branches() {
                own_people.extend(entitlement::people_of(&doc_changes(&format!("directory/{b}"))?));
            }
        }
        for (doc_id, leads) in entitlement::by_doc(&pairs) {
            let branch = match leadguard_schema::DocName::parse(&doc_id) {
                Ok(leadguard_schema::DocName::Shard { branch, .. } | leadguard_schema::DocName::Dist { branch, .. }) => branch,
                _ => continue,
            };
            if !policies.contains_key(&branch) {
                let directory = doc_changes(&format!("directory/{branch}"))?;
                policies.insert(branch.clone(), entitlement::policy_of(&directory));
            }
            let facts = entitlement::facts_of_doc(&doc_id, &doc_changes(&doc_id)?, &leads, &policies[&branch], now);
            for lead in leads {
                match facts.get(&lead) {
                    Some(f) if entitlement::entitled(device, f) || entitlement::entitled_as_owners_manager(device, f, &own_people) => {
                        out.grants.push(LeadKeyEntry { lead_id: lead.clone(), key: keys[&lead].clone() })
                    }
                    _ => out.revocations.push(lead),
                }
            }
        }
        out.grants.sort_by(|a, b| a.lead_id.cmp(&b.lead_id));
        out.revocations.sort();
        Ok(out)
}
