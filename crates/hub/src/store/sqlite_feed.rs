//! The SQLite change feed as the tail reads it (`tail.rs`): each read in one read
//! transaction, so the head, the epoch and the changes come from one snapshot (WAL);
//! one writer numbers `hub_seq`, so that snapshot holds every change up to its head.

use std::collections::HashSet;

use rusqlite::{params, Connection};

use super::tail::{Read, Row, Source};
use super::SqliteStore;
use crate::error::HubError;
use leadguard_protocol::ChangeHash;

const COLUMNS: &str = "hub_seq, hash, doc_id, scope, device_id, received_at, device_prev_sync, bytes, company_wide";

impl Source for SqliteStore {
    fn after(&self, after: u64, chunk: usize) -> Result<Read, HubError> {
        read(&self.reader(), |tx, head| {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM changes WHERE hub_seq > ?1 AND hub_seq <= ?2 ORDER BY hub_seq LIMIT ?3"
            ))?;
            let rows = stmt.query_map(params![i64::try_from(after).unwrap_or(i64::MAX), head, chunk as i64], row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn newest(&self, n: usize) -> Result<Read, HubError> {
        read(&self.reader(), |tx, head| {
            let mut stmt =
                tx.prepare_cached(&format!("SELECT {COLUMNS} FROM changes WHERE hub_seq <= ?1 ORDER BY hub_seq DESC LIMIT ?2"))?;
            let rows = stmt.query_map(params![head, n as i64], row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    fn still_company_wide(&self, seqs: &[u64]) -> Result<HashSet<u64>, HubError> {
        let conn = self.reader();
        let tx = conn.unchecked_transaction()?;
        let mut stmt = tx.prepare_cached("SELECT 1 FROM changes WHERE hub_seq = ?1 AND company_wide = 1")?;
        let mut still = HashSet::new();
        for &seq in seqs {
            if stmt.exists(params![seq as i64])? {
                still.insert(seq);
            }
        }
        Ok(still)
    }
}

/// The epoch, the head and the rows `changes` reads, in one transaction.
fn read(conn: &Connection, changes: impl FnOnce(&Connection, i64) -> Result<Vec<Row>, HubError>) -> Result<Read, HubError> {
    let tx = conn.unchecked_transaction()?;
    let head: i64 = tx.prepare_cached("SELECT coalesce(max(hub_seq), 0) FROM changes")?.query_row([], |r| r.get(0))?;
    let epoch: String = tx
        .prepare_cached("SELECT value FROM hub_meta WHERE key = 'epoch'")?
        .query_row([], |r| r.get(0))
        .map_err(|_| HubError::ForeignDatabase("hub_meta has no epoch".into()))?;
    let rows = changes(&tx, head)?;
    Ok(Read { epoch, head: head.max(0) as u64, rows })
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let hash: Vec<u8> = r.get(1)?;
    let hash: [u8; 32] = hash
        .try_into()
        .map_err(|_| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Blob, "stored hash is not 32 bytes".into()))?;
    Ok(Row {
        seq: r.get::<_, i64>(0)? as u64,
        hash: ChangeHash(hash),
        doc_id: r.get(2)?,
        scope: r.get(3)?,
        device: r.get(4)?,
        received_at: r.get(5)?,
        device_prev_sync: r.get(6)?,
        bytes: r.get(7)?,
        company_wide: r.get::<_, i64>(8)? != 0,
    })
}
