//! Lead keys in PostgreSQL: the SQLite backend's rules (`store/lead_keys.rs`, which
//! also holds the shared entitlement step, `grants`). Keys are stored by the hub's
//! writer, so the first key of a lead wins whichever hub received it.

use leadguard_protocol::{KeyGrants, LeadKeyEntry};

use super::pool::Pool;
use super::writer::Writer;
use crate::error::HubError;
use crate::scope::{Device, Scope};
use crate::store::lead_keys::{grants as grants_from, DocChanges, Keyed};

/// Migration 2 of the PostgreSQL schema (`schema.rs`).
pub(super) const MIGRATION: &str = r#"
CREATE TABLE lead_keys (
    lead_id    TEXT PRIMARY KEY REFERENCES leads (lead_id),
    key        TEXT NOT NULL,            -- 64 hex digits
    device_id  TEXT NOT NULL REFERENCES devices (id),
    stored_at  BIGINT NOT NULL
);
"#;

fn is_key(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// See `Backend::store_lead_keys`.
pub(super) fn store(writer: &Writer, device: &Device, keys: Vec<LeadKeyEntry>, now_ms: i64) -> Result<Vec<String>, HubError> {
    let device = device.clone();
    writer.write(move |tx, st| {
        let scope_of = st.get(tx, "SELECT d.scope FROM leads l JOIN docs d ON d.doc_id = l.doc_id WHERE l.lead_id = $1")?;
        let wrote = st.get(
            tx,
            "SELECT EXISTS (SELECT 1 FROM changes c JOIN leads l ON l.doc_id = c.doc_id WHERE l.lead_id = $1 AND c.device_id = $2)",
        )?;
        let insert = st.get(
            tx,
            "INSERT INTO lead_keys (lead_id, key, device_id, stored_at) VALUES ($1, $2, $3, $4) ON CONFLICT (lead_id) DO NOTHING",
        )?;
        let kept = st.get(tx, "SELECT key FROM lead_keys WHERE lead_id = $1")?;
        let mut stored = Vec::new();
        for k in keys {
            if !is_key(&k.key) {
                return Err(HubError::Malformed(format!("the key of lead {:?} is not 64 hex digits", k.lead_id)));
            }
            let Some(row) = tx.query_opt(&scope_of, &[&k.lead_id])? else { continue };
            let scope: String = row.get(0);
            if !Scope::parse(&scope).is_some_and(|s| device.may_write(&s)) {
                continue;
            }
            // Only a device that wrote into the lead's document (its registrant does)
            // may give its key.
            if !tx.query_one(&wrote, &[&k.lead_id, &device.id])?.get::<_, bool>(0) {
                continue;
            }
            tx.execute(&insert, &[&k.lead_id, &k.key.to_ascii_lowercase(), &device.id, &now_ms])?;
            let key: String = tx.query_one(&kept, &[&k.lead_id])?.get(0);
            if key.eq_ignore_ascii_case(&k.key) {
                stored.push(k.lead_id);
            }
        }
        Ok(stored)
    })
}

/// See `Backend::key_grants`: one read-only snapshot for the keys and the documents.
pub(super) fn grants(pool: &Pool, device: &Device, now: chrono::DateTime<chrono::Utc>) -> Result<KeyGrants, HubError> {
    let mut client = pool.get()?;
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let rows = tx.query(
        "SELECT k.lead_id, k.key, l.doc_id, d.scope, d.plain FROM lead_keys k
           JOIN leads l ON l.lead_id = k.lead_id JOIN docs d ON d.doc_id = l.doc_id ORDER BY k.lead_id",
        &[],
    )?;
    let keyed: Vec<Keyed> = rows
        .iter()
        .filter(|r| Scope::parse(&r.get::<_, String>(3)).is_some_and(|s| device.may_hold_keys_of(&s, r.get::<_, bool>(4))))
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let doc_changes = |doc_id: &str| -> Result<DocChanges, HubError> {
        let rows = tx.query("SELECT bytes, received_at, device_prev_sync FROM changes WHERE doc_id = $1 ORDER BY hub_seq", &[&doc_id])?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
    };
    let out = grants_from(device, keyed, doc_changes, now)?;
    tx.commit()?;
    Ok(out)
}
