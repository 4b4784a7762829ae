//! The schema-migration runner the registry (`leadguard-core`) and the hub share.
//!
//! Migrations are applied in order, each in its own transaction, and SQLite's
//! `user_version` is the number applied: a file at version `k` gets migrations `k+1..`,
//! and a file from a newer program (a version beyond the list) is refused, never
//! misread. Released migrations are never edited, only appended to.

use rusqlite::Connection;

/// One schema step.
pub struct Migration {
    /// SQL run as one batch.
    pub sql: &'static str,
    /// Code run after `sql` in the same transaction, e.g. to fill a new table from old rows.
    pub then: Option<fn(&Connection) -> rusqlite::Result<()>>,
}

impl Migration {
    /// A step that is SQL alone.
    pub const fn sql(sql: &'static str) -> Self {
        Migration { sql, then: None }
    }

    /// A step whose SQL is followed by `then` in the same transaction.
    pub const fn sql_then(sql: &'static str, then: fn(&Connection) -> rusqlite::Result<()>) -> Self {
        Migration { sql, then: Some(then) }
    }
}

/// Why a database could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    /// `user_version` is beyond the known migrations (a newer program wrote the file) or negative.
    #[error("schema version {found} is not one this program knows (it knows 0 to {known})")]
    UnknownVersion { found: i64, known: usize },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

/// Applies the migrations `conn` has not had yet and returns how many ran. With
/// `application_id`, each migration's transaction also writes that id (marking the file
/// as this program's).
pub fn migrate(conn: &Connection, migrations: &[Migration], application_id: Option<i32>) -> Result<usize, MigrateError> {
    let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    let done = usize::try_from(found)
        .ok()
        .filter(|v| *v <= migrations.len())
        .ok_or(MigrateError::UnknownVersion { found, known: migrations.len() })?;
    for (i, step) in migrations.iter().enumerate().skip(done) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(step.sql)?;
        if let Some(then) = step.then {
            then(&tx)?;
        }
        if let Some(id) = application_id {
            tx.pragma_update(None, "application_id", id)?;
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(migrations.len() - done)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: &[Migration] = &[
        Migration::sql("CREATE TABLE a (x INTEGER);"),
        Migration::sql_then("CREATE TABLE b (x INTEGER);", |c| c.execute_batch("INSERT INTO b SELECT x FROM a;")),
        Migration::sql("CREATE TABLE c (x INTEGER);"),
    ];

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
    }

    #[test]
    fn a_new_database_gets_every_migration_and_user_version_counts_them() {
        let conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&conn, STEPS, Some(0x1234)).unwrap(), 3);
        assert_eq!(version(&conn), 3);
        let id: i32 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).unwrap();
        assert_eq!(id, 0x1234);
        assert_eq!(migrate(&conn, STEPS, None).unwrap(), 0, "an up-to-date file is left alone");
    }

    #[test]
    fn a_database_at_version_k_gets_only_the_later_migrations() {
        // As an older program left it: the first migration applied, user_version 1.
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (7); PRAGMA user_version = 1;").unwrap();
        assert_eq!(migrate(&conn, STEPS, None).unwrap(), 2);
        assert_eq!(version(&conn), 3);
        let x: i64 = conn.query_row("SELECT x FROM b", [], |r| r.get(0)).unwrap();
        assert_eq!(x, 7, "the step's code ran in its transaction");
    }

    #[test]
    fn a_failing_step_rolls_back_and_keeps_the_version() {
        let conn = Connection::open_in_memory().unwrap();
        let steps = [Migration::sql("CREATE TABLE a (x);"), Migration::sql("CREATE TABLE a (x);")];
        assert!(matches!(migrate(&conn, &steps, None), Err(MigrateError::Sqlite(_))));
        assert_eq!(version(&conn), 1);
    }

    #[test]
    fn a_newer_or_negative_version_is_refused_untouched() {
        for found in [4, -1] {
            let conn = Connection::open_in_memory().unwrap();
            conn.pragma_update(None, "user_version", found).unwrap();
            let err = migrate(&conn, STEPS, Some(1)).unwrap_err();
            assert!(matches!(err, MigrateError::UnknownVersion { found: f, known: 3 } if f == found));
            let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0)).unwrap();
            assert_eq!(tables, 0);
        }
    }
}
