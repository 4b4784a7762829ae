//! Devices: enrolment, credentials, revocation, sync completion.
//!
//! An administrator creates a device record with `enroll` and hands its holder a
//! one-time token; the laptop exchanges the token for a long-lived credential.
//! Tokens expire, work once, and die with their device on revocation.

use super::{now_ms, SqliteStore};
use crate::error::HubError;
use crate::scope::Device;
use crate::secret;
use leadguard_protocol::{HubTime, Role, SyncCompleted};
use rusqlite::{params, OptionalExtension};

/// A device record as listed by `devices list` — the same record a manager's laptop
/// receives from `GET /v1/devices`.
pub use leadguard_protocol::DeviceInfo as DeviceRow;

/// A freshly created device and its one-time enrolment token.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Enrolment {
    pub device_id: String,
    pub token: String,
    pub expires_at: HubTime,
}

fn parse_role(s: String) -> rusqlite::Result<Role> {
    s.parse().map_err(|e| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

/// A new device's id and token, once its fields are checked (both backends).
pub(super) struct NewEnrolment {
    pub device_id: String,
    pub token: String,
    pub now: i64,
    pub expires_at: i64,
}

/// A director's branches from the `branch` of its enrolment (`south,east`): its home
/// branch (the first) and the whole list to store; other roles have one branch.
pub(super) fn assigned_branches(branch: &str, role: Role) -> Result<(String, Option<String>), HubError> {
    if role != Role::Director {
        return Ok((branch.to_owned(), None));
    }
    let list: Vec<&str> = branch.split(',').map(str::trim).filter(|b| !b.is_empty()).collect();
    if list.is_empty() || list.iter().any(|b| !leadguard_schema::names::is_id(b)) {
        return Err(HubError::Malformed("a director's branches are a comma-separated list of branch ids (south,east)".into()));
    }
    Ok((list[0].to_owned(), Some(list.join(","))))
}

/// The branches column as a list (empty: not a director).
pub(super) fn branch_list(column: Option<String>) -> Vec<String> {
    column.map(|c| c.split(',').map(str::to_owned).collect()).unwrap_or_default()
}

impl NewEnrolment {
    pub(super) fn make(rep: &str, name: &str, branch: &str, ttl_ms: i64) -> Result<Self, HubError> {
        for (what, v) in [("rep", rep), ("name", name), ("branch", branch)] {
            if v.trim().is_empty() || v.len() > 128 || v.chars().any(char::is_control) {
                return Err(HubError::Malformed(format!("{what} must be 1 to 128 printable characters")));
            }
        }
        let now = now_ms();
        Ok(NewEnrolment {
            device_id: format!("d{}", secret::short_id()?),
            token: secret::generate(secret::TOKEN_PREFIX)?,
            now,
            expires_at: now.saturating_add(ttl_ms),
        })
    }
}

impl SqliteStore {
    /// Creates a device record and a one-time token valid for `ttl_ms`.
    pub fn create_enrolment(
        &self,
        rep: &str,
        name: &str,
        branch: &str,
        role: Role,
        ttl_ms: i64,
    ) -> Result<Enrolment, HubError> {
        let NewEnrolment { device_id, token, now, expires_at } = NewEnrolment::make(rep, name, branch, ttl_ms)?;
        let (branch, branches) = assigned_branches(branch, role)?;
        let (rep, name) = (rep.to_owned(), name.to_owned());
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO devices (id, rep, name, branch, role, created_at, branches) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![device_id, rep, name, branch, role.as_str(), now, branches],
            )?;
            tx.execute(
                "INSERT INTO enrol_tokens (token_hash, device_id, expires_at) VALUES (?1, ?2, ?3)",
                params![secret::digest(&token), device_id, expires_at],
            )?;
            Ok(Enrolment { device_id, token, expires_at: HubTime(expires_at) })
        })
    }

    /// Exchanges a one-time token for a credential. The token is spent in the same
    /// transaction that stores the credential's hash.
    pub fn enroll(&self, token: &str) -> Result<(Device, String), HubError> {
        let now = now_ms();
        let token = token.to_owned();
        self.write(move |tx| {
        let device_id: Option<String> = tx
            .query_row(
                "SELECT t.device_id FROM enrol_tokens t JOIN devices d ON d.id = t.device_id
                 WHERE t.token_hash = ?1 AND t.used_at IS NULL AND t.expires_at > ?2 AND d.revoked_at IS NULL",
                params![secret::digest(&token), now],
                |r| r.get(0),
            )
            .optional()?;
        let device_id = device_id.ok_or(HubError::InvalidToken)?;
        let credential = secret::generate(secret::CREDENTIAL_PREFIX)?;
        tx.execute("UPDATE enrol_tokens SET used_at = ?2 WHERE token_hash = ?1", params![secret::digest(&token), now])?;
        tx.execute(
            "UPDATE devices SET credential = ?2, enrolled_at = ?3 WHERE id = ?1",
            params![device_id, secret::digest(&credential), now],
        )?;
        let device = tx.query_row(
            "SELECT id, rep, name, branch, role, branches FROM devices WHERE id = ?1",
            params![device_id],
            device_from_row,
        )?;
        Ok((device, credential))
        })
    }

    /// The device holding `credential`, unless unknown or revoked.
    pub fn authenticate(&self, credential: &str) -> Result<Option<Device>, HubError> {
        let conn = self.reader();
        // Every request asks: the statement is compiled once per reader connection.
        let device = conn
            .prepare_cached("SELECT id, rep, name, branch, role, branches FROM devices WHERE credential = ?1 AND revoked_at IS NULL")?
            .query_row(params![secret::digest(credential)], device_from_row)
            .optional()?;
        Ok(device)
    }

    /// Revokes a device: its credential and any unused token stop working at once.
    /// Its changes stay in the log (they are history others may depend on).
    pub fn revoke(&self, device_id: &str) -> Result<(), HubError> {
        let id = device_id.to_owned();
        let n = self.write(move |conn| {
            Ok(conn.execute("UPDATE devices SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1", params![id, now_ms()])?)
        })?;
        if n == 0 {
            return Err(HubError::NoSuchDevice(device_id.to_owned()));
        }
        Ok(())
    }

    /// Every device record, oldest first.
    pub fn list_devices(&self) -> Result<Vec<DeviceRow>, HubError> {
        let conn = self.reader();
        let mut stmt = conn.prepare(
            "SELECT id, rep, name, branch, role, created_at, enrolled_at, revoked_at, last_sync_at
             FROM devices ORDER BY created_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DeviceRow {
                id: r.get(0)?,
                rep: r.get(1)?,
                name: r.get(2)?,
                branch: r.get(3)?,
                role: parse_role(r.get(4)?)?,
                created_at: HubTime(r.get(5)?),
                enrolled_at: r.get::<_, Option<i64>>(6)?.map(HubTime),
                revoked_at: r.get::<_, Option<i64>>(7)?.map(HubTime),
                last_sync_at: r.get::<_, Option<i64>>(8)?.map(HubTime),
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The device's last successful sync, if any.
    pub fn last_sync(&self, device_id: &str) -> Result<Option<HubTime>, HubError> {
        let conn = self.reader();
        let t: Option<i64> =
            conn.query_row("SELECT last_sync_at FROM devices WHERE id = ?1", params![device_id], |r| r.get(0))?;
        Ok(t.map(HubTime))
    }

    /// Records a successful sync; later pushes carry its time as `device_prev_sync`.
    pub fn complete_sync(&self, device: &Device, cursor: u64) -> Result<SyncCompleted, HubError> {
        let device = device.clone();
        self.write(move |tx| {
        let previous: Option<i64> =
            tx.prepare_cached("SELECT last_sync_at FROM devices WHERE id = ?1")?.query_row(params![device.id], |r| r.get(0))?;
        // Hub time only moves forward for a device, even if the hub's clock steps back.
        let now = now_ms().max(previous.unwrap_or(i64::MIN));
        tx.prepare_cached("UPDATE devices SET last_sync_at = ?2, last_cursor = ?3 WHERE id = ?1")?
            .execute(params![device.id, now, i64::try_from(cursor).unwrap_or(i64::MAX)])?;
        Ok(SyncCompleted { synced_at: HubTime(now), previous: previous.map(HubTime) })
        })
    }
}

fn device_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device { id: r.get(0)?, rep: r.get(1)?, name: r.get(2)?, branch: r.get(3)?, role: parse_role(r.get(4)?)?, branches: branch_list(r.get(5)?) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    const DAY: i64 = 86_400_000;

    #[test]
    fn a_token_enrols_once_and_the_credential_authenticates_until_revoked() {
        for (_backend, _dir, store) in crate::store::every_backend() {
            let e = store.create_enrolment("li.na", "李娜", "sh", Role::Rep, DAY).unwrap();
            let (device, credential) = store.enroll(&e.token).unwrap();
            assert_eq!(device.id, e.device_id);
            assert_eq!(device.branch, "sh");
            assert!(matches!(store.enroll(&e.token), Err(HubError::InvalidToken)));
            assert_eq!(store.authenticate(&credential).unwrap(), Some(device.clone()));
            assert_eq!(store.authenticate("lgd_wrong").unwrap(), None);
            store.revoke(&device.id).unwrap();
            assert_eq!(store.authenticate(&credential).unwrap(), None);
            assert!(matches!(store.revoke("nope"), Err(HubError::NoSuchDevice(_))));
        }
    }

    #[test]
    fn every_role_enrols_on_every_backend() {
        for (backend, _dir, store) in crate::store::every_backend() {
            for role in [Role::Rep, Role::Manager, Role::Distributor, Role::Receptionist, Role::Director] {
                let e = store.create_enrolment("r", "R", "sh", role, DAY).unwrap_or_else(|err| panic!("{backend} {role}: {err}"));
                let (device, _) = store.enroll(&e.token).unwrap();
                assert_eq!(device.role, role, "{backend}");
            }
            // A director is enrolled with the branches assigned to it.
            let e = store.create_enrolment("zong", "总监", "south,east", Role::Director, DAY).unwrap();
            let (director, credential) = store.enroll(&e.token).unwrap();
            assert_eq!((director.branch.as_str(), director.branches.clone()), ("south", vec!["south".to_owned(), "east".to_owned()]), "{backend}");
            assert_eq!(store.authenticate(&credential).unwrap(), Some(director), "{backend}");
            assert!(matches!(store.create_enrolment("zong", "总监", " , ", Role::Director, DAY), Err(HubError::Malformed(_))), "{backend}");
        }
    }

    /// A revoked device is refused at once by the hub that revoked it and, by a hub
    /// that verified its credential just before, once that hub's window has passed
    /// (another hub process over the same database, or the `revoke` command).
    #[test]
    fn a_revoked_device_is_refused_here_at_once_and_elsewhere_within_the_auth_window() {
        let dir = tempfile::tempdir().unwrap();
        let url = leadguard_tests::postgres::fresh_database();
        let window = std::time::Duration::from_millis(400);
        for db in [crate::store::Database::Sqlite(dir.path().to_owned()), crate::store::Database::Postgres(url)] {
            let here = Store::connect(&db).unwrap().with_auth_window(window);
            let elsewhere = Store::connect(&db).unwrap();
            let enrolled = |rep: &str| {
                let e = here.create_enrolment(rep, rep, "sh", Role::Rep, DAY).unwrap();
                here.enroll(&e.token).unwrap()
            };
            let ((a, a_credential), (b, b_credential)) = (enrolled("a"), enrolled("b"));
            assert_eq!(here.authenticate(&a_credential).unwrap(), Some(a.clone()), "{db:?}");
            assert_eq!(here.authenticate(&b_credential).unwrap(), Some(b.clone()), "{db:?}");
            assert_eq!(here.recently_verified(&a_credential), Some(a.clone()), "{db:?}: verified once, trusted for the window");

            // Revoked through this hub: refused at once.
            here.revoke(&a.id).unwrap();
            assert_eq!(here.recently_verified(&a_credential), None, "{db:?}");
            assert_eq!(here.authenticate(&a_credential).unwrap(), None, "{db:?}");

            // Revoked elsewhere: this hub trusts its last check until the window ends.
            let revoked_at = std::time::Instant::now();
            elsewhere.revoke(&b.id).unwrap();
            assert_eq!(elsewhere.authenticate(&b_credential).unwrap(), None, "{db:?}");
            while here.authenticate(&b_credential).unwrap().is_some() {
                assert!(revoked_at.elapsed() < window, "{db:?}: still accepted {:?} after the revocation", revoked_at.elapsed());
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            // A credential never verified is asked every time.
            assert_eq!(here.recently_verified("lgd_unknown"), None);
        }
    }

    /// Completions arriving together are recorded together (PostgreSQL: one statement
    /// per batch), yet each answers as if alone: the device's previous completion,
    /// hub time never going back, the last one stored.
    #[test]
    fn concurrent_completions_each_answer_the_previous_one() {
        for (backend, _dir, store) in crate::store::every_backend() {
            let store = std::sync::Arc::new(store);
            let devices: Vec<Device> = (0..8)
                .map(|n| {
                    let e = store.create_enrolment(&format!("r{n}"), "R", "sh", Role::Rep, DAY).unwrap();
                    store.enroll(&e.token).unwrap().0
                })
                .collect();
            // Four completions of each device at once: twice in the same batch, too.
            let threads: Vec<_> = (0..32)
                .map(|i| {
                    let (store, device) = (store.clone(), devices[i % devices.len()].clone());
                    std::thread::spawn(move || (device.id.clone(), store.complete_sync(&device, i as u64).unwrap()))
                })
                .collect();
            let mut answers: std::collections::HashMap<String, Vec<SyncCompleted>> = Default::default();
            for t in threads {
                let (id, done) = t.join().unwrap();
                answers.entry(id).or_default().push(done);
            }
            for device in &devices {
                let mut chain = answers.remove(&device.id).unwrap();
                assert_eq!(chain.len(), 4, "{backend}");
                chain.sort_by_key(|c| (c.synced_at, c.previous));
                assert_eq!(chain[0].previous, None, "{backend}: the first completion has no previous one");
                for pair in chain.windows(2) {
                    assert_eq!(pair[1].previous, Some(pair[0].synced_at), "{backend}: each sees the one before it");
                    assert!(pair[1].synced_at >= pair[0].synced_at, "{backend}");
                }
                assert_eq!(store.last_sync(&device.id).unwrap(), Some(chain[3].synced_at), "{backend}");
            }
        }
    }

    #[test]
    fn expired_and_revoked_tokens_do_not_enrol() {
        for (_backend, _dir, store) in crate::store::every_backend() {
            let expired = store.create_enrolment("a", "A", "sh", Role::Rep, -1).unwrap();
            assert!(matches!(store.enroll(&expired.token), Err(HubError::InvalidToken)));
            let revoked = store.create_enrolment("b", "B", "sh", Role::Rep, DAY).unwrap();
            store.revoke(&revoked.device_id).unwrap();
            assert!(matches!(store.enroll(&revoked.token), Err(HubError::InvalidToken)));
            assert_eq!(store.list_devices().unwrap().len(), 2);
        }
    }

    #[test]
    fn secrets_are_stored_only_as_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let e = store.create_enrolment("a", "A", "sh", Role::Manager, DAY).unwrap();
        let (_, credential) = store.enroll(&e.token).unwrap();
        drop(store);
        let raw = std::fs::read(dir.path().join("hub.sqlite")).unwrap();
        let wal = std::fs::read(dir.path().join("hub.sqlite-wal")).unwrap_or_default();
        for secret in [&e.token, &credential] {
            let needle = secret.as_bytes();
            assert!(!raw.windows(needle.len()).any(|w| w == needle));
            assert!(!wal.windows(needle.len()).any(|w| w == needle));
        }
    }
}
