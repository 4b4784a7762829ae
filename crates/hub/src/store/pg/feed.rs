//! The change feed as the tail reads it (`store/tail.rs`): one statement per read, so
//! the feed's head, the epoch and the changes come from one snapshot.

use std::collections::HashSet;

use super::pool::Pool;
use crate::error::HubError;
use crate::store::tail::{Read, Row, Source};
use leadguard_protocol::ChangeHash;

impl Source for Pool {
    fn after(&self, after: u64, chunk: usize) -> Result<Read, HubError> {
        read(self, AFTER, &[&(after as i64), &(chunk as i64)])
    }

    fn newest(&self, n: usize) -> Result<Read, HubError> {
        read(self, NEWEST, &[&(n as i64)])
    }

    fn still_company_wide(&self, seqs: &[u64]) -> Result<HashSet<u64>, HubError> {
        let mut pooled = self.get()?;
        let (client, st) = pooled.split();
        let statement = st.get(
            client,
            "SELECT c.hub_seq FROM unnest($1::bigint[]) AS k (seq) JOIN changes c ON c.hub_seq = k.seq WHERE c.company_wide",
        )?;
        let seqs: Vec<i64> = seqs.iter().map(|&s| s as i64).collect();
        Ok(client.query(&statement, &[&seqs])?.iter().map(|r| r.get::<_, i64>(0) as u64).collect())
    }
}

fn read(pool: &Pool, sql: &'static str, params: &[&(dyn postgres::types::ToSql + Sync)]) -> Result<Read, HubError> {
    let mut pooled = pool.get()?;
    let (client, st) = pooled.split();
    let statement = st.get(client, sql)?;
    let rows = client.query(&statement, params)?;
    let first = rows.first().ok_or_else(|| HubError::ForeignDatabase("hub_feed has no head row".into()))?;
    let (head, epoch): (i64, String) = (first.get(0), first.get(1));
    // Without changes the statement's one row is the head with NULLs beside it.
    let rows = rows.iter().filter(|r| r.get::<_, Option<i64>>(2).is_some()).map(|r| row(r, 2)).collect::<Result<_, _>>()?;
    Ok(Read { epoch, head: head.max(0) as u64, rows })
}

fn row(r: &postgres::Row, at: usize) -> Result<Row, HubError> {
    let hash: Vec<u8> = r.get(at + 1);
    Ok(Row {
        seq: r.get::<_, i64>(at) as u64,
        hash: ChangeHash(hash.try_into().map_err(|_| HubError::Task("stored hash is not 32 bytes".into()))?),
        doc_id: r.get(at + 2),
        scope: r.get(at + 3),
        device: r.get(at + 4),
        received_at: r.get(at + 5),
        device_prev_sync: r.get(at + 6),
        bytes: r.get(at + 7),
        company_wide: r.get(at + 8),
    })
}

/// The feed's head and epoch, and the changes after `$1` up to the head (at most `$2`).
const AFTER: &str = "SELECT f.last_seq, m.value, c.hub_seq, c.hash, c.doc_id, c.scope, c.device_id, c.received_at, c.device_prev_sync, c.bytes, c.company_wide
     FROM hub_feed f JOIN hub_meta m ON m.key = 'epoch'
     LEFT JOIN LATERAL (SELECT * FROM changes WHERE hub_seq > $1 AND hub_seq <= f.last_seq ORDER BY hub_seq LIMIT $2) c ON true
     WHERE f.id = 1 ORDER BY c.hub_seq";

/// The feed's head and epoch and the newest `$1` changes up to the head.
const NEWEST: &str = "SELECT f.last_seq, m.value, c.hub_seq, c.hash, c.doc_id, c.scope, c.device_id, c.received_at, c.device_prev_sync, c.bytes, c.company_wide
     FROM hub_feed f JOIN hub_meta m ON m.key = 'epoch'
     LEFT JOIN LATERAL (SELECT * FROM changes WHERE hub_seq <= f.last_seq ORDER BY hub_seq DESC LIMIT $1) c ON true
     WHERE f.id = 1";
