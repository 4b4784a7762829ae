//! The company keys (docs/VISIBILITY.md "Keys and entitlement"): made once, by the
//! hub, when its database is first opened, kept in `hub_meta`, and handed out with
//! every enrolment — the digest key to every device, the staff key to employees only.
//! They live in the database so a backup carries them: a hub restored from a backup
//! keeps the keys its laptops already hold (digests stay comparable).

use leadguard_protocol::Role;
use leadguard_seal::CompanyKeys;
use rusqlite::{params, Connection, OptionalExtension};

use super::SqliteStore;
use crate::error::HubError;

const META_KEY: &str = "company_keys";

/// Makes the company keys if the database has none yet.
pub(super) fn ensure(conn: &Connection) -> Result<(), HubError> {
    let present: Option<String> =
        conn.query_row("SELECT value FROM hub_meta WHERE key = ?1", params![META_KEY], |r| r.get(0)).optional()?;
    if present.is_none() {
        let keys = CompanyKeys::generate()?;
        conn.execute("INSERT OR IGNORE INTO hub_meta(key, value) VALUES (?1, ?2)", params![META_KEY, keys.to_text()])?;
    }
    Ok(())
}

impl SqliteStore {
    /// The company keys a device of `role` is given: a distributor gets no staff key.
    pub fn company_keys_for(&self, role: Role) -> Result<CompanyKeys, HubError> {
        let text: Option<String> =
            self.reader().query_row("SELECT value FROM hub_meta WHERE key = ?1", params![META_KEY], |r| r.get(0)).optional()?;
        let keys = CompanyKeys::parse(&text.ok_or_else(|| HubError::ForeignDatabase("hub_meta has no company keys".into()))?)?;
        Ok(match role {
            Role::Distributor => keys.for_distributor(),
            Role::Rep | Role::Manager | Role::Receptionist | Role::Director => keys,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn the_keys_are_made_once_and_a_distributor_gets_no_staff_key() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open(dir.path()).unwrap().company_keys_for(Role::Rep).unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.company_keys_for(Role::Manager).unwrap(), first, "reopening keeps the keys");
        assert!(first.staff.is_some());
        let dist = store.company_keys_for(Role::Distributor).unwrap();
        assert_eq!((&dist.digest, &dist.staff), (&first.digest, &None));
        let other = tempfile::tempdir().unwrap();
        assert_ne!(Store::open(other.path()).unwrap().company_keys_for(Role::Rep).unwrap().digest, first.digest, "each company its own");
    }
}
