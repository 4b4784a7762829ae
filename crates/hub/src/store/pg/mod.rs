//! The PostgreSQL backend: one database that any number of hub processes share.
//!
//! Same tables and rules as the SQLite backend, in PostgreSQL's types (`BIGINT` hub
//! times, `BYTEA` hashes and bytes) and its own migrations (`schema.rs`, version kept
//! in `hub_schema`, applied under an advisory lock so hubs starting together do not
//! race). Each hub keeps a small pool of connections (`pool.rs`); every operation is
//! one transaction, committed before it returns (PostgreSQL's `synchronous_commit`
//! default: on disk). No TLS here: run the hub beside its database, or through a TLS
//! proxy / `sslmode` tunnel in production (docs/OPERATIONS.md).

mod changes;
mod completions;
mod devices;
#[cfg(test)]
#[path = "explain_tests.rs"]
mod explain;
mod feed;
mod group;
mod lead_keys;
mod match_keys;
mod pool;
mod schema;
mod writer;

pub use writer::{GroupFailed, GroupStage};

/// Pushes this process's PostgreSQL writer stored one by one after their group's write
/// failed (a race with another hub, a refused statement): `/metrics` shows it.
pub(crate) fn pushes_redone() -> u64 {
    writer::REDONE.load(std::sync::atomic::Ordering::Relaxed)
}

use leadguard_protocol::{Ack, HubTime, KeyGrants, LeadKeyEntry, PullResponse, PushRequest, Role, SyncCompleted};
use leadguard_seal::CompanyKeys;

use super::tail::Tail;
use super::{Adopted, Backend, Census, DeviceRow, Enrolment, Epoch, ValidChange};
use crate::error::HubError;
use crate::scope::Device;

/// Connections per hub process: enough to keep the database busy on a few cores;
/// several hubs together stay under PostgreSQL's default `max_connections` (100).
const POOL_SIZE: usize = 16;

/// A hub database in PostgreSQL.
pub struct PgStore {
    url: String,
    pool: pool::Pool,
    writer: writer::Writer,
    /// Sync completions, recorded in batches (`completions.rs`).
    completions: completions::Completions,
    /// The newest changes, from which routine pulls are served (`store/tail.rs`, read
    /// through `feed.rs`).
    tail: Tail,
}

impl PgStore {
    /// Connects to `url`, creating or migrating the hub's schema if needed. A database
    /// that holds other tables and no hub schema is refused untouched.
    pub fn connect(url: &str) -> Result<Self, HubError> {
        let pool = pool::Pool::new(url, POOL_SIZE);
        schema::migrate(&mut *pool.get()?)?;
        Ok(PgStore {
            url: url.to_owned(),
            writer: writer::Writer::start(url)?,
            completions: completions::Completions::start(url)?,
            pool,
            tail: Tail::new(),
        })
    }

    /// The feed as the tail reads it.
    #[cfg(test)]
    pub(crate) fn feed(&self) -> &impl super::tail::Source {
        &self.pool
    }

    /// The page read from the database, not from the tail.
    #[cfg(test)]
    pub(crate) fn pull_from_log(&self, device: &Device, since: u64, limit: usize, only_scope: Option<&str>) -> Result<PullResponse, HubError> {
        changes::pull(&self.pool, device, since, limit, only_scope)
    }

    /// Starts a new epoch at the last change the database holds: run after restoring
    /// the database with `pg_restore` (devices then re-send what the hub lost, as after
    /// a SQLite restore, `store::ops`).
    pub fn start_new_epoch(&self) -> Result<Epoch, HubError> {
        let mut client = self.pool.get()?;
        let mut tx = client.transaction()?;
        let start: i64 = tx.query_one("SELECT last_seq FROM hub_feed WHERE id = 1 FOR UPDATE", &[])?.get(0);
        tx.execute(
            "UPDATE hub_meta SET value = CASE key WHEN 'epoch' THEN $1 ELSE $2 END
             WHERE key IN ('epoch', 'epoch_start_seq')",
            &[&schema::random_hex()?, &start.to_string()],
        )?;
        let epoch = read_epoch(&mut tx)?;
        tx.commit()?;
        Ok(epoch)
    }

    /// Total changes and devices (what `backup` summaries print for SQLite).
    pub fn counts(&self) -> Result<(i64, i64, i64), HubError> {
        let row = self.pool.get()?.query_one(
            "SELECT (SELECT count(*) FROM changes), (SELECT last_seq FROM hub_feed WHERE id = 1), (SELECT count(*) FROM devices)",
            &[],
        )?;
        Ok((row.get(0), row.get(1), row.get(2)))
    }
}

fn read_epoch(conn: &mut impl postgres::GenericClient) -> Result<Epoch, HubError> {
    let mut get = |key: &str| -> Result<Option<String>, HubError> {
        Ok(conn.query_opt("SELECT value FROM hub_meta WHERE key = $1", &[&key])?.map(|r| r.get(0)))
    };
    let id = get("epoch")?.ok_or_else(|| HubError::ForeignDatabase("hub_meta has no epoch".into()))?;
    let start_seq = get("epoch_start_seq")?.and_then(|v| v.parse().ok()).unwrap_or(0);
    Ok(Epoch { id, start_seq })
}

/// `url` with its password, if any, replaced by `***` (for logs and errors).
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

impl Backend for PgStore {
    fn describe(&self) -> String {
        redact(&self.url)
    }
    fn push(&self, device: &Device, changes: &[ValidChange]) -> Result<Vec<Ack>, HubError> {
        changes::push(&self.writer, device, changes, changes::Checks::None)
    }
    fn push_checked(&self, device: &Device, changes: &[ValidChange]) -> Result<Vec<Ack>, HubError> {
        changes::push(&self.writer, device, changes, changes::Checks::Device)
    }
    fn pull(&self, device: &Device, since: u64, limit: usize, only_scope: Option<&str>) -> Result<PullResponse, HubError> {
        Ok(self.pull_page(device, since, limit, only_scope)?.into_response())
    }
    fn pull_page(&self, device: &Device, since: u64, limit: usize, only_scope: Option<&str>) -> Result<crate::store::Page, HubError> {
        let ranges = super::ranges::pull_ranges(device, only_scope);
        match self.tail.pull(&self.pool, device, since, limit, &ranges)? {
            Some(page) => Ok(page),
            // A cursor from before the tail (a laptop catching up).
            None => Ok(changes::pull(&self.pool, device, since, limit, only_scope)?.into()),
        }
    }
    fn change_count(&self) -> Result<u64, HubError> {
        let n: i64 = self.pool.get()?.query_one("SELECT count(*) FROM changes", &[])?.get(0);
        Ok(n as u64)
    }
    fn create_enrolment(&self, rep: &str, name: &str, branch: &str, role: Role, ttl_ms: i64) -> Result<Enrolment, HubError> {
        devices::create_enrolment(&self.pool, rep, name, branch, role, ttl_ms)
    }
    fn enroll(&self, token: &str) -> Result<(Device, String), HubError> {
        devices::enroll(&self.pool, token)
    }
    fn authenticate(&self, credential: &str) -> Result<Option<Device>, HubError> {
        devices::authenticate(&self.pool, credential)
    }
    fn revoke(&self, device_id: &str) -> Result<(), HubError> {
        devices::revoke(&self.pool, device_id)
    }
    fn list_devices(&self) -> Result<Vec<DeviceRow>, HubError> {
        devices::list(&self.pool)
    }
    fn last_sync(&self, device_id: &str) -> Result<Option<HubTime>, HubError> {
        devices::last_sync(&self.pool, device_id)
    }
    fn complete_sync(&self, device: &Device, cursor: u64) -> Result<SyncCompleted, HubError> {
        self.completions.complete(&device.id, cursor)
    }
    fn company_keys_for(&self, role: Role) -> Result<CompanyKeys, HubError> {
        let text: Option<String> = self
            .pool
            .get()?
            .query_opt("SELECT value FROM hub_meta WHERE key = $1", &[&schema::COMPANY_KEYS])?
            .map(|r| r.get(0));
        let keys = CompanyKeys::parse(&text.ok_or_else(|| HubError::ForeignDatabase("hub_meta has no company keys".into()))?)?;
        Ok(match role {
            Role::Distributor => keys.for_distributor(),
            Role::Rep | Role::Manager | Role::Receptionist | Role::Director => keys,
        })
    }
    fn census(&self) -> Result<Census, HubError> {
        let row = self.pool.get()?.query_one(
            "SELECT count(*) FILTER (WHERE revoked_at IS NULL AND enrolled_at IS NOT NULL),
                    count(*) FILTER (WHERE revoked_at IS NULL AND enrolled_at IS NULL),
                    count(*) FILTER (WHERE revoked_at IS NOT NULL),
                    (SELECT last_seq FROM hub_feed WHERE id = 1)
             FROM devices",
            &[],
        )?;
        Ok(Census { enrolled: row.get(0), pending: row.get(1), revoked: row.get(2), high_seq: row.get(3) })
    }
    fn epoch(&self) -> Result<Epoch, HubError> {
        read_epoch(&mut *self.pool.get()?)
    }
    fn ping(&self) -> Result<(), HubError> {
        self.pool.get()?.query_one("SELECT 1", &[])?;
        Ok(())
    }
    fn warm_up(&self) -> Result<(), HubError> {
        self.pool.fill()?;
        // The tail's first read (up to `KEEP_CHANGES` changes) before the first pull.
        self.tail.warm(&self.pool)
    }
    fn store_lead_keys(&self, device: &Device, keys: Vec<LeadKeyEntry>, now_ms: i64) -> Result<Vec<String>, HubError> {
        lead_keys::store(&self.writer, device, keys, now_ms)
    }
    fn key_grants(&self, device: &Device, now: chrono::DateTime<chrono::Utc>) -> Result<KeyGrants, HubError> {
        lead_keys::grants(&self.pool, device, now)
    }
    fn check(&self, device: &Device, req: &leadguard_protocol::CheckRequest, now: chrono::DateTime<chrono::Utc>) -> Result<leadguard_protocol::CheckAnswer, HubError> {
        match_keys::check(&self.pool, device, req, now)
    }
    fn adopt(&self, branch: &str, frames: Vec<PushRequest>) -> Result<Adopted, HubError> {
        let device = super::adopt::pseudo_device(branch)?;
        devices::add_adopted(&self.pool, &device)?;
        let high_before = self.counts()?.1 as u64;
        super::adopt::store_frames(device, frames, high_before, |device, valid| {
            changes::push(&self.writer, device, valid, changes::Checks::Adopted)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnecting_keeps_the_schema_and_keys_and_a_foreign_database_is_refused_untouched() {
        let url = leadguard_tests::postgres::fresh_database();
        let keys = PgStore::connect(&url).unwrap().company_keys_for(Role::Rep).unwrap();
        let again = PgStore::connect(&url).unwrap();
        assert_eq!(again.company_keys_for(Role::Manager).unwrap(), keys, "reconnecting keeps the keys");
        assert_eq!(again.company_keys_for(Role::Distributor).unwrap().staff, None);
        let before = again.epoch().unwrap();
        let after = again.start_new_epoch().unwrap();
        assert_ne!(after.id, before.id, "a restore starts a new epoch");

        let foreign = leadguard_tests::postgres::fresh_database();
        let mut client = postgres::Client::connect(&foreign, postgres::NoTls).unwrap();
        client.batch_execute("CREATE TABLE mine (x INTEGER); INSERT INTO mine VALUES (42);").unwrap();
        assert!(matches!(PgStore::connect(&foreign), Err(HubError::ForeignDatabase(_))));
        let x: i32 = client.query_one("SELECT x FROM mine", &[]).unwrap().get(0);
        let tables: i64 = client.query_one("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", &[]).unwrap().get(0);
        assert_eq!((x, tables), (42, 1), "the foreign database is untouched");
    }

    #[test]
    fn a_serving_hub_opens_its_whole_pool_before_the_first_request() {
        let store = PgStore::connect(&leadguard_tests::postgres::fresh_database()).unwrap();
        assert!(store.pool.open_count() < POOL_SIZE, "connecting alone opens what migrating needs");
        store.warm_up().unwrap();
        assert_eq!(store.pool.open_count(), POOL_SIZE);
        store.warm_up().unwrap();
        assert_eq!(store.pool.open_count(), POOL_SIZE, "warming twice opens no more");
        store.ping().unwrap();
    }

    #[test]
    fn a_password_never_reaches_the_logs() {
        assert_eq!(redact("postgres://hub:s3cret@db:5432/leadguard"), "postgres://hub:***@db:5432/leadguard");
        assert_eq!(redact("postgres://hub@db/leadguard"), "postgres://hub@db/leadguard");
    }
}
