//! The PostgreSQL schema and its migrations (the SQLite backend's, `store/sqlite.rs`,
//! in PostgreSQL's types), the company keys and the first epoch.

use leadguard_seal::CompanyKeys;
use postgres::Client;

use crate::error::HubError;

/// `hub_meta` key of the company keys (as in the SQLite backend).
pub(super) const COMPANY_KEYS: &str = "company_keys";

/// Any constant the hubs of one database agree on: the advisory lock taken to migrate.
const MIGRATION_LOCK: i64 = 0x4c47_4842; // "LGHB"

/// Migrations in order; `hub_schema.version` is the number applied.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    rep           TEXT NOT NULL,
    name          TEXT NOT NULL,
    branch        TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('rep', 'manager', 'distributor')),
    created_at    BIGINT NOT NULL,
    enrolled_at   BIGINT,
    credential    BYTEA UNIQUE,           -- SHA-256 of the device credential
    revoked_at    BIGINT,
    last_sync_at  BIGINT,                 -- hub time of the last sync/complete
    last_cursor   BIGINT
);
CREATE INDEX devices_branch ON devices (branch, role);
CREATE TABLE enrol_tokens (
    token_hash  BYTEA PRIMARY KEY,        -- SHA-256 of the one-time token
    device_id   TEXT NOT NULL REFERENCES devices (id),
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE TABLE docs (
    doc_id  TEXT PRIMARY KEY,
    scope   TEXT NOT NULL                 -- fixed by the first change received
);
CREATE TABLE changes (
    hub_seq           BIGINT PRIMARY KEY, -- from hub_feed, in commit order
    hash              BYTEA NOT NULL UNIQUE,
    doc_id            TEXT NOT NULL REFERENCES docs (doc_id),
    scope             TEXT NOT NULL,
    device_id         TEXT NOT NULL REFERENCES devices (id),
    received_at       BIGINT NOT NULL,    -- hub time of first receipt, never updated
    device_prev_sync  BIGINT,             -- the pusher's last sync before that
    bytes             BYTEA NOT NULL
);
CREATE INDEX changes_scope ON changes (scope, hub_seq);
-- The change feed's head. Every push that stores a change locks this row first, so
-- pushes that add changes commit one after another and hub_seq becomes visible in
-- order: a pull's snapshot always holds a prefix of the feed, and no cursor skips.
CREATE TABLE hub_feed (
    id                SMALLINT PRIMARY KEY CHECK (id = 1),
    last_seq          BIGINT NOT NULL,
    last_received_at  BIGINT NOT NULL     -- receipts never decrease along hub_seq
);
INSERT INTO hub_feed (id, last_seq, last_received_at) VALUES (1, 0, 0);
CREATE TABLE leads (
    lead_id   TEXT PRIMARY KEY,
    doc_id    TEXT NOT NULL,
    list_obj  TEXT NOT NULL               -- counter@actor of the list's creation
);
CREATE INDEX leads_by_list ON leads (doc_id, list_obj);
CREATE TABLE directory_names (
    branch  TEXT NOT NULL,
    rep     TEXT NOT NULL,
    name    TEXT NOT NULL,
    PRIMARY KEY (branch, rep)
);
CREATE TABLE hub_meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
INSERT INTO hub_meta (key, value) VALUES ('epoch', md5(random()::text || clock_timestamp()::text)), ('epoch_start_seq', '0');
"#,
// 2: the keys of sealed leads (lead_keys.rs, docs/VISIBILITY.md).
super::lead_keys::MIGRATION,
// 3: documents that hold a contact in plain text: served to their own branch only;
// every other document company-wide to employees (as the SQLite backend's migration
// 5). Documents stored before count as plain: a hub does not widen what it served.
r#"
ALTER TABLE docs ADD COLUMN plain BOOLEAN NOT NULL DEFAULT false;
UPDATE docs SET plain = true;
"#,
// 4: the receptionist role (front desk, rule 16) in the devices' role check.
r#"
ALTER TABLE devices DROP CONSTRAINT devices_role_check;
ALTER TABLE devices ADD CONSTRAINT devices_role_check CHECK (role IN ('rep', 'manager', 'distributor', 'receptionist'));
"#,
// 5: each lead's match data for the distributors' online check (match_keys.rs),
// filled from the stored changes right after (`match_keys::backfill`).
super::match_keys::MIGRATION,
// 6: the director role (rule 17) and the branches assigned to a director.
r#"
ALTER TABLE devices ADD COLUMN branches TEXT;
ALTER TABLE devices DROP CONSTRAINT devices_role_check;
ALTER TABLE devices ADD CONSTRAINT devices_role_check CHECK (role IN ('rep', 'manager', 'distributor', 'receptionist', 'director'));
"#,
// 7: whether a change is served company-wide (its document holds no plain contact),
// kept on the change so a pull reads index ranges — its scopes' and its
// distributors' changes that are not company-wide, the company-wide ones — instead of testing every change after its
// cursor against `docs` (as the SQLite backend's migration 9). Cleared with the
// document's plain mark (`changes::mark_plain`). Scopes compare bytewise ("C"), so a
// branch's distributors' scopes `dist:<B>/…` are the range ['dist:<B>/', 'dist:<B>0')
// whatever the database's collation (a linguistic one ignores the '/').
r#"
ALTER TABLE changes ADD COLUMN company_wide BOOLEAN NOT NULL DEFAULT false;
UPDATE changes SET company_wide = true WHERE doc_id IN (SELECT doc_id FROM docs WHERE NOT plain);
ALTER TABLE changes ALTER COLUMN scope TYPE TEXT COLLATE "C";
CREATE INDEX changes_company_wide ON changes (hub_seq) WHERE company_wide;
CREATE INDEX changes_scope_plain ON changes (scope, hub_seq) WHERE NOT company_wide;
CREATE INDEX changes_company_wide_doc ON changes (doc_id) WHERE company_wide;
ANALYZE changes;
"#,
// 8: no foreign keys from a change to its document or from match data to its lead:
// the writer inserts both in the same transaction just before (`group.rs`), and each
// key's check locked that row once per inserted row (a trigger call, and a WAL record,
// per change: ≈15 % of a write group's time in the database, `make bench-hub`).
// A change's device keeps its key: a push from a device the database does not know
// is refused there (`group_tests.rs`).
r#"
ALTER TABLE changes DROP CONSTRAINT IF EXISTS changes_doc_id_fkey;
ALTER TABLE lead_match DROP CONSTRAINT IF EXISTS lead_match_lead_id_fkey;
"#];

/// The migration that creates `lead_match` (1-based), after which it is filled.
const MATCH_KEYS_VERSION: usize = 5;

/// Creates or upgrades the schema, then makes the company keys if there are none.
pub(super) fn migrate(client: &mut Client) -> Result<(), HubError> {
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
    let ours: bool = tx.query_one("SELECT to_regclass('hub_schema') IS NOT NULL", &[])?.get(0);
    if !ours {
        let tables: i64 = tx
            .query_one("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()", &[])?
            .get(0);
        if tables > 0 {
            return Err(HubError::ForeignDatabase(format!(
                "the database has {tables} tables and no Leadguard hub schema"
            )));
        }
        tx.batch_execute("CREATE TABLE hub_schema (version INTEGER NOT NULL); INSERT INTO hub_schema VALUES (0);")?;
    }
    let version: i32 = tx.query_one("SELECT version FROM hub_schema", &[])?.get(0);
    let known = MIGRATIONS.len();
    if version as usize > known {
        return Err(HubError::ForeignDatabase(format!("the database has hub schema version {version}, newer than this hub ({known})")));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql)?;
        if i + 1 == MATCH_KEYS_VERSION {
            super::match_keys::backfill(&mut tx)?;
        }
    }
    tx.execute("UPDATE hub_schema SET version = $1", &[&(known as i32)])?;
    let keys = CompanyKeys::generate()?;
    tx.execute(
        "INSERT INTO hub_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        &[&COMPANY_KEYS, &keys.to_text()],
    )?;
    tx.commit()?;
    Ok(())
}

/// 16 random bytes in hex: an epoch id.
pub(super) fn random_hex() -> Result<String, HubError> {
    Ok(crate::secret::generate("")?[..32].to_owned())
}
