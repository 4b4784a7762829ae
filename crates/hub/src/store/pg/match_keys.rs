//! The online check's match data in PostgreSQL: the SQLite backend's table and rules
//! (`store/match_keys.rs`, which holds the shared fold and candidates' query).

use leadguard_protocol::{CheckAnswer, CheckRequest};
use leadguard_schema::event::MatchData;
use postgres::Transaction;

use super::pool::{Pool, Statements};
use crate::check::{Candidate, MatchRow, Query};
use crate::error::HubError;
use crate::scope::Device;
use crate::store::lead_keys::DocChanges;
use crate::store::match_keys::{fold_stored, CANDIDATES};

/// Migration 5 of the PostgreSQL schema (`schema.rs`); [`backfill`] runs after it.
pub(super) const MIGRATION: &str = r#"
CREATE TABLE lead_match (
    lead_id        TEXT PRIMARY KEY REFERENCES leads (lead_id),
    company        TEXT NOT NULL,
    region         TEXT NOT NULL,
    company_key    TEXT NOT NULL,
    phone_visible  TEXT NOT NULL,
    phone_digest   TEXT NOT NULL,
    email_digest   TEXT NOT NULL
);
CREATE INDEX lead_match_company ON lead_match (company_key) WHERE company_key <> '';
CREATE INDEX lead_match_phone ON lead_match (phone_digest) WHERE phone_digest <> '';
CREATE INDEX lead_match_email ON lead_match (email_digest) WHERE email_digest <> '';
CREATE INDEX lead_match_visible ON lead_match (phone_visible) WHERE phone_visible <> '';
"#;

const READ: &str = "SELECT company, region, company_key, phone_visible, phone_digest, email_digest FROM lead_match WHERE lead_id = $1";
const WRITE: &str = "INSERT INTO lead_match (lead_id, company, region, company_key, phone_visible, phone_digest, email_digest)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (lead_id) DO UPDATE SET company = excluded.company, region = excluded.region,
       company_key = excluded.company_key, phone_visible = excluded.phone_visible,
       phone_digest = excluded.phone_digest, email_digest = excluded.email_digest";

fn row_of(r: &postgres::Row, from: usize) -> MatchRow {
    MatchRow {
        company: r.get(from),
        region: r.get(from + 1),
        company_key: r.get(from + 2),
        phone_visible: r.get(from + 3),
        phone_digest: r.get(from + 4),
        email_digest: r.get(from + 5),
    }
}

fn write(tx: &mut Transaction<'_>, st: Option<&mut Statements>, lead: &str, m: &MatchRow) -> Result<(), postgres::Error> {
    let args: [&(dyn postgres::types::ToSql + Sync); 7] =
        [&lead, &m.company, &m.region, &m.company_key, &m.phone_visible, &m.phone_digest, &m.email_digest];
    match st {
        Some(st) => {
            let s = st.get(tx, WRITE)?;
            tx.execute(&s, &args)?
        }
        None => tx.execute(WRITE, &args)?,
    };
    Ok(())
}

/// Folds the match data of a push's registrations and updates, in order, into
/// `lead_match` (after its new leads are written: the rows reference them).
pub(super) fn record(tx: &mut Transaction<'_>, st: &mut Statements, matching: &[(String, MatchData)]) -> Result<(), HubError> {
    for (lead, m) in matching {
        let read = st.get(tx, READ)?;
        let mut row = tx.query_opt(&read, &[lead])?.map(|r| row_of(&r, 0)).unwrap_or_default();
        row.apply(m);
        write(tx, Some(st), lead, &row)?;
    }
    Ok(())
}

/// Fills `lead_match` from the changes stored before the table existed (in the
/// migration's transaction).
pub(super) fn backfill(tx: &mut Transaction<'_>) -> Result<(), HubError> {
    let docs: Vec<String> = tx.query("SELECT DISTINCT doc_id FROM leads ORDER BY doc_id", &[])?.iter().map(|r| r.get(0)).collect();
    for doc in docs {
        let leads: Vec<String> = tx.query("SELECT lead_id FROM leads WHERE doc_id = $1", &[&doc])?.iter().map(|r| r.get(0)).collect();
        let changes: Vec<Vec<u8>> =
            tx.query("SELECT bytes FROM changes WHERE doc_id = $1 ORDER BY hub_seq", &[&doc])?.iter().map(|r| r.get(0)).collect();
        for (lead, row) in fold_stored(&changes, &leads) {
            write(tx, None, &lead, &row)?;
        }
    }
    Ok(())
}

/// See `Backend::check`: one read-only snapshot for the match rows and the documents.
pub(super) fn check(pool: &Pool, device: &Device, req: &CheckRequest, now: chrono::DateTime<chrono::Utc>) -> Result<CheckAnswer, HubError> {
    crate::check::may_check(device)?;
    let q = Query::of(req)?;
    let mut client = pool.get()?;
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    let rows = tx.query(CANDIDATES, &[&q.company_key, &q.phone_visible, &q.phone_digest, &q.email_digest])?;
    let candidates: Vec<Candidate> =
        rows.iter().filter(|r| q.matches(&row_of(r, 3))).map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    let doc_changes = |doc_id: &str| -> Result<DocChanges, HubError> {
        let rows = tx.query("SELECT bytes, received_at, device_prev_sync FROM changes WHERE doc_id = $1 ORDER BY hub_seq", &[&doc_id])?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
    };
    let out = crate::check::answer(device, candidates, doc_changes, now)?;
    tx.commit()?;
    Ok(out)
}
