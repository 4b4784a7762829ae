//! Each lead's match data for the distributors' online check ([`crate::check`]): the
//! table `lead_match`, folded from every registration and update the hub accepts
//! (in the push transaction) and filled from the stored changes by the migration that
//! creates it. Every SQLite query of the table is here, PostgreSQL's in
//! `pg/match_keys.rs`; [`fold_stored`] is shared.

use leadguard_protocol::{CheckAnswer, CheckRequest};
use leadguard_schema::Effects;
use rusqlite::{params, Connection, OptionalExtension};

use super::SqliteStore;
use crate::check::{Candidate, MatchRow, Query};
use crate::error::HubError;
use crate::scope::Device;

/// Migration 7 (SQLite; PostgreSQL's is `pg/match_keys.rs`). Empty values are ''.
pub(super) const MIGRATION: &str = r#"
CREATE TABLE lead_match (
    lead_id        TEXT PRIMARY KEY REFERENCES leads (lead_id),
    company        TEXT NOT NULL,
    region         TEXT NOT NULL,
    company_key    TEXT NOT NULL,       -- leadguard_dedup::normalize_company(...).core
    phone_visible  TEXT NOT NULL,       -- 139****3333 of a (masked) mobile
    phone_digest   TEXT NOT NULL,       -- keyed digests as the laptops wrote them
    email_digest   TEXT NOT NULL
);
CREATE INDEX lead_match_company ON lead_match (company_key) WHERE company_key <> '';
CREATE INDEX lead_match_phone ON lead_match (phone_digest) WHERE phone_digest <> '';
CREATE INDEX lead_match_email ON lead_match (email_digest) WHERE email_digest <> '';
CREATE INDEX lead_match_visible ON lead_match (phone_visible) WHERE phone_visible <> '';
"#;

fn read_row(conn: &Connection, lead: &str) -> rusqlite::Result<Option<MatchRow>> {
    conn.prepare_cached(
        "SELECT company, region, company_key, phone_visible, phone_digest, email_digest FROM lead_match WHERE lead_id = ?1",
    )?
    .query_row(params![lead], |r| {
        Ok(MatchRow {
            company: r.get(0)?,
            region: r.get(1)?,
            company_key: r.get(2)?,
            phone_visible: r.get(3)?,
            phone_digest: r.get(4)?,
            email_digest: r.get(5)?,
        })
    })
    .optional()
}

fn write_row(conn: &Connection, lead: &str, m: &MatchRow) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO lead_match (lead_id, company, region, company_key, phone_visible, phone_digest, email_digest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (lead_id) DO UPDATE SET company = excluded.company, region = excluded.region,
           company_key = excluded.company_key, phone_visible = excluded.phone_visible,
           phone_digest = excluded.phone_digest, email_digest = excluded.email_digest",
    )?
    .execute(params![lead, m.company, m.region, m.company_key, m.phone_visible, m.phone_digest, m.email_digest])?;
    Ok(())
}

/// Folds the registrations and updates of an accepted change into `lead_match`.
pub(crate) fn record(conn: &Connection, fx: &Effects) -> rusqlite::Result<()> {
    for (lead, ev) in &fx.events {
        let Some(m) = &ev.matching else { continue };
        let mut row = read_row(conn, lead)?.unwrap_or_default();
        row.apply(m);
        write_row(conn, lead, &row)?;
    }
    Ok(())
}

/// The match rows of a document's leads, from its stored changes in hub order (the
/// events' list order, which is what the replicas fold too).
pub(crate) fn fold_stored(changes: &[Vec<u8>], leads: &[String]) -> Vec<(String, MatchRow)> {
    let mut doc = automerge::AutoCommit::new();
    for bytes in changes {
        let _ = doc.load_incremental(bytes);
    }
    let mut out = Vec::new();
    for lead in leads {
        use automerge::ReadDoc;
        let Ok(Some((automerge::Value::Object(automerge::ObjType::List), list))) = doc.get(automerge::ROOT, lead.as_str()) else {
            continue;
        };
        let mut row = MatchRow::default();
        for item in doc.list_range(&list, ..) {
            if let automerge::ValueRef::Scalar(automerge::ScalarValueRef::Str(s)) = &item.value {
                if let Ok(leadguard_schema::EventInfo { matching: Some(m), .. }) = leadguard_schema::event::parse(s) {
                    row.apply(&m);
                }
            }
        }
        out.push((lead.clone(), row));
    }
    out
}

/// Fills `lead_match` from the changes stored before the table existed.
pub(super) fn backfill(conn: &Connection) -> rusqlite::Result<()> {
    let docs: Vec<String> =
        conn.prepare("SELECT DISTINCT doc_id FROM leads ORDER BY doc_id")?.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
    for doc in docs {
        let leads: Vec<String> =
            conn.prepare_cached("SELECT lead_id FROM leads WHERE doc_id = ?1")?.query_map(params![doc], |r| r.get(0))?.collect::<rusqlite::Result<_>>()?;
        let changes: Vec<Vec<u8>> = conn
            .prepare_cached("SELECT bytes FROM changes WHERE doc_id = ?1 ORDER BY hub_seq")?
            .query_map(params![doc], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for (lead, row) in fold_stored(&changes, &leads) {
            write_row(conn, &lead, &row)?;
        }
    }
    Ok(())
}

/// The candidates' query: any equal key; [`Query::matches`] then decides.
pub(crate) const CANDIDATES: &str = "SELECT m.lead_id, l.doc_id, d.scope, m.company, m.region, m.company_key, m.phone_visible, m.phone_digest, m.email_digest
   FROM lead_match m JOIN leads l ON l.lead_id = m.lead_id JOIN docs d ON d.doc_id = l.doc_id
  WHERE (m.company_key = $1 AND $1 <> '') OR (m.phone_visible = $2 AND $2 <> '')
     OR (m.phone_digest = $3 AND $3 <> '') OR (m.email_digest = $4 AND $4 <> '')
  LIMIT 200";

impl SqliteStore {
    /// See `Backend::check`.
    pub fn check(&self, device: &Device, req: &CheckRequest, now: chrono::DateTime<chrono::Utc>) -> Result<CheckAnswer, HubError> {
        crate::check::may_check(device)?;
        let q = Query::of(req)?;
        let conn = self.reader();
        let tx = conn.unchecked_transaction()?;
        let mut candidates: Vec<Candidate> = Vec::new();
        {
            let mut stmt = tx.prepare_cached(&CANDIDATES.replace('$', "?"))?;
            let mut rows = stmt.query(params![q.company_key, q.phone_visible, q.phone_digest, q.email_digest])?;
            while let Some(r) = rows.next()? {
                let row = MatchRow {
                    company: r.get(3)?,
                    region: r.get(4)?,
                    company_key: r.get(5)?,
                    phone_visible: r.get(6)?,
                    phone_digest: r.get(7)?,
                    email_digest: r.get(8)?,
                };
                if q.matches(&row) {
                    candidates.push((r.get(0)?, r.get(1)?, r.get(2)?));
                }
            }
        }
        crate::check::answer(device, candidates, |doc_id| super::lead_keys::doc_changes(&tx, doc_id), now)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::{Database, Store, ValidChange};
    use automerge::transaction::Transactable;
    use leadguard_protocol::{ChangeHash, CheckAnswer, CheckRequest, Role};

    fn register(lead: &str, rep: &str) -> ValidChange {
        let mut doc = automerge::AutoCommit::new().with_actor(automerge::ActorId::from(&b"aa"[..]));
        let list = doc.put_object(automerge::ROOT, lead, automerge::ObjType::List).unwrap();
        let event = serde_json::json!({"id": "e1", "kind": "register", "rep": rep, "device": "d", "device_time": chrono::Utc::now().to_rfc3339(),
            "fields": {"company": "上海申通物流有限公司", "contact": "王敏", "phone": "13700001111", "need": "仓储"}});
        doc.insert(&list, 0, event.to_string()).unwrap();
        doc.commit();
        let mut change = doc.get_last_local_change().unwrap().clone();
        ValidChange { hash: ChangeHash(change.hash().0), doc_id: "sh/aa/0".into(), scope: "branch:sh".into(), bytes: change.bytes().to_vec() }
    }

    fn masked() -> CheckRequest {
        CheckRequest { phone_masked: Some("137****1111".into()), ..CheckRequest::default() }
    }

    #[test]
    fn rule_15_a_hub_upgraded_to_the_online_check_learns_the_leads_it_stored_before() {
        let pg = leadguard_tests::postgres::fresh_database();
        for url in [None, Some(pg)] {
            let dir = tempfile::tempdir().unwrap();
            let (backend, store) = match &url {
                None => ("sqlite", Store::open(dir.path()).unwrap()),
                Some(u) => ("postgres", Store::connect(&Database::Postgres(u.clone())).unwrap()),
            };
            let rep = store.create_enrolment("li.na", "李娜", "sh", Role::Rep, 60_000).unwrap();
            let rep = store.enroll(&rep.token).unwrap().0;
            let dist = store.create_enrolment("agent-7", "远航", "sh", Role::Distributor, 60_000).unwrap();
            let dist = store.enroll(&dist.token).unwrap().0;
            store.push_checked(&rep, &[register("0123456789abcdef", "li.na")]).unwrap();
            let now = chrono::Utc::now();
            assert!(matches!(store.check(&dist, &masked(), now).unwrap(), CheckAnswer::Protected { until: Some(_) }), "{backend}: kept on push");
            drop(store);
            // As a hub before the table: drop it and step the schema version back.
            let store = match url {
                None => {
                    let conn = rusqlite::Connection::open(dir.path().join("hub.sqlite")).unwrap();
                    conn.execute_batch(
                        "DROP TABLE lead_match; ALTER TABLE devices DROP COLUMN branches; DROP INDEX changes_company_wide;
                         DROP INDEX changes_company_wide_doc; ALTER TABLE changes DROP COLUMN company_wide; PRAGMA user_version = 6;",
                    )
                    .unwrap();
                    drop(conn);
                    Store::open(dir.path()).unwrap()
                }
                Some(url) => {
                    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                    client
                        .batch_execute(
                            "DROP TABLE lead_match; ALTER TABLE devices DROP COLUMN branches; DROP INDEX changes_company_wide;
                             DROP INDEX changes_company_wide_doc; DROP INDEX changes_scope_plain; ALTER TABLE changes DROP COLUMN company_wide;
                             UPDATE hub_schema SET version = 4;",
                        )
                        .unwrap();
                    drop(client);
                    Store::connect(&Database::Postgres(url)).unwrap()
                }
            };
            assert!(
                matches!(store.check(&dist, &masked(), now).unwrap(), CheckAnswer::Protected { until: Some(_) }),
                "{backend}: filled by the migration"
            );
            let other = CheckRequest { phone_masked: Some("137****2222".into()), ..CheckRequest::default() };
            assert_eq!(store.check(&dist, &other, now).unwrap(), CheckAnswer::Free, "{backend}");
        }
    }
}
