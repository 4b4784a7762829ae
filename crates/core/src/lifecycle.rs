//! Creating and opening a device's registry: the store file, the device's identity,
//! the session marker, and the checks an open runs (derived views built by an older
//! version, the doctor after an unclean shutdown).

use std::path::Path;

use automerge::ActorId;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::layout;
use crate::registry::{validate_id, InitOptions, Registry};
use crate::store;

impl Registry {
    /// Creates the registry in `data_dir` for the device's user.
    pub fn init(data_dir: &Path, opts: InitOptions, now: DateTime<Utc>) -> Result<Registry> {
        validate_id(crate::FormField::RepId, &opts.rep.id)?;
        validate_id(crate::FormField::Branch, &opts.rep.branch)?;
        if opts.rep.name.trim().is_empty() {
            return Err(crate::Reason::FieldRequired { field: crate::FormField::Name }.into());
        }
        crate::schema_check::check_rep(&opts.rep)?;
        if opts.shard_size == 0 {
            return Err(crate::Reason::ShardSize {}.into());
        }
        let conn = store::create(data_dir)?;
        let (session, _) = crate::shutdown_marker::Session::begin(data_dir)?;
        let actor = ActorId::random();
        let device = actor.to_hex_string()[..16].to_string();
        {
            let tx = conn.unchecked_transaction()?;
            store::meta_set(&tx, "actor", Some(&actor.to_hex_string()))?;
            store::meta_set(&tx, "device_id", Some(&device))?;
            store::meta_set(&tx, "rep_id", Some(&opts.rep.id))?;
            store::meta_set(&tx, "branch", Some(&opts.rep.branch))?;
            store::meta_set(&tx, "shard_size", Some(&opts.shard_size.to_string()))?;
            store::meta_set(&tx, "shard_n", Some("0"))?;
            store::meta_set(&tx, "created_at", Some(&now.to_rfc3339()))?;
            store::meta_set(&tx, crate::derived::META_CASES_BUILT, Some("1"))?;
            store::meta_set(&tx, crate::derived::META_EFFECTIVE_TIMES, Some("1"))?;
            tx.commit()?;
        }
        let mut reg = Registry::from_conn(data_dir, conn, session)?;
        let rep = opts.rep.clone();
        if rep.role == crate::model::Role::Distributor {
            // Its own directory entry stays on the laptop (writes.rs, write_directory).
            let id = layout::directory_doc_id(&rep.branch);
            reg.docs.create(&reg.conn, &id, &layout::local_scope(&rep.branch))?;
        }
        reg.write_directory(&rep.id.clone(), now, |doc| layout::put_rep(doc, &rep))?;
        Ok(reg)
    }

    /// Opens the registry in `data_dir` (`not_initialized` if there is none).
    pub fn open(data_dir: &Path) -> Result<Registry> {
        let conn = store::open_existing(data_dir)?;
        let (session, unclean) = crate::shutdown_marker::Session::begin(data_dir)?;
        let mut reg = Registry::from_conn(data_dir, conn, session)?;
        reg.ensure_derived_current()?;
        if unclean {
            // The last session was killed or crashed: check the derived tables now
            // (writes are transactional, so this should find nothing; it is cheap
            // insurance against what a bug or a bit flip may have left).
            let report = reg.doctor_after_crash()?;
            let json = serde_json::to_string(&report).unwrap_or_default();
            store::meta_set(&reg.conn, crate::doctor::META_LAST_REPORT, Some(&json))?;
        }
        Ok(reg)
    }
}
