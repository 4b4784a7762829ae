//! Changes this replica refused: every pulled change is checked against the schema
//! (`leadguard_schema`) before it touches a document, whatever the hub let through.
//! A bad change is stored aside in `quarantine` with its reason, never merged, and the
//! sync goes on; managers list them (`quarantine_list`).
//!
//! The decision must be the same on every replica, so it reads only the change and
//! state every replica that holds the document shares: the document's own content
//! (changes are applied in hub order, so it holds every change with a lower `hub_seq`),
//! which lead ids other documents hold (first creation in hub order wins), and which
//! changes were quarantined. A change depending on a quarantined change is quarantined
//! too; one depending on a change this replica lacks as well (honest changes always
//! reach the hub after their dependencies, so every replica lacks it alike).

use std::collections::HashMap;

use automerge::{AutoCommit, Change, ChangeHash, ExpandedChange, ObjType, ReadDoc, Value, ROOT};
use chrono::{DateTime, Utc};
use leadguard_schema::{check_change, check_decoded, DocName, DocState, Effects, Reason, Violation};
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::replication::RemoteChange;

/// The lead lists of the document being merged: list object (`counter@actor`) → lead.
pub struct ReplicaLists {
    pub lists: HashMap<String, String>,
}

impl ReplicaLists {
    /// The lists of `doc` (None: the document is new here).
    pub fn from_doc(doc: Option<&AutoCommit>) -> Self {
        let mut lists = HashMap::new();
        if let Some(doc) = doc {
            for key in doc.keys(ROOT) {
                if let Ok(Some((Value::Object(ObjType::List), id))) = doc.get(ROOT, key.as_str()) {
                    lists.insert(id.to_string(), key);
                }
            }
        }
        ReplicaLists { lists }
    }

    /// Takes in what an accepted change of `doc_id` created; `homes` collects the
    /// leads created in this batch.
    pub fn accept(&mut self, doc_id: &str, fx: &Effects, homes: &mut HashMap<String, String>) {
        for l in &fx.new_leads {
            self.lists.insert(l.list.clone(), l.lead.clone());
            homes.insert(l.lead.clone(), doc_id.to_owned());
        }
    }
}

/// What the check reads on a replica: the document's lists, the leads created
/// earlier in this batch, and the lead index (where every known lead lives).
pub struct ReplicaState<'a> {
    conn: &'a Connection,
    lists: &'a HashMap<String, String>,
    homes: &'a HashMap<String, String>,
}

impl<'a> ReplicaState<'a> {
    pub fn with_lists(conn: &'a Connection, lists: &'a HashMap<String, String>, homes: &'a HashMap<String, String>) -> Self {
        ReplicaState { conn, lists, homes }
    }
}

impl DocState for ReplicaState<'_> {
    fn lead_home(&self, lead: &str) -> Option<String> {
        if let Some(d) = self.homes.get(lead) {
            return Some(d.clone());
        }
        // A database error must not read as "no home" (that would admit a copy).
        let home = self.conn.prepare_cached("SELECT doc_id FROM lead_index WHERE lead_id = ?1").and_then(|mut s| s.query_row([lead], |r| r.get(0)).optional());
        match home {
            Ok(v) => v,
            Err(_) => Some(String::new()),
        }
    }
    fn list_owner(&self, obj: &str) -> Option<String> {
        self.lists.get(obj).cloned()
    }
}

/// Checks one pulled change before it is merged. `Ok(effects)` to merge, `Err(violation)` to quarantine.
/// `present` says whether the document (with the changes accepted before in this
/// batch) already has a change. `expanded`: the change's operations if already
/// expanded, and `named`: `DocName::in_scope(doc_id, scope)` if already known (the
/// verdict is the same either way).
pub fn check(
    conn: &Connection,
    rc: &RemoteChange,
    change: &Change,
    expanded: Option<&ExpandedChange>,
    named: Option<&std::result::Result<DocName, Violation>>,
    present: &mut dyn FnMut(&ChangeHash) -> bool,
    state: &ReplicaState<'_>,
) -> Result<std::result::Result<Effects, Violation>> {
    let parsed;
    let named = match named {
        Some(n) => n,
        None => {
            parsed = DocName::in_scope(&rc.doc_id, &rc.scope);
            &parsed
        }
    };
    let name = match named {
        Ok(name) => name,
        Err(v) => return Ok(Err(v.clone())),
    };
    for dep in change.deps() {
        if is_quarantined(conn, &dep.0)? {
            return Ok(Err(Violation::new(Reason::DependsOnQuarantined, format!("the change depends on quarantined change {dep}"))));
        }
        if !present(dep) {
            return Ok(Err(Violation::new(Reason::MissingDependency, format!("the change depends on change {dep}, which this replica has not got"))));
        }
    }
    let checked = match expanded {
        Some(expanded) => check_decoded(name, &rc.doc_id, change, expanded, state, None),
        None => check_change(&rc.doc_id, change, state, None),
    };
    let fx = match checked {
        Ok(fx) => fx,
        Err(v) => return Ok(Err(v)),
    };
    if let Some(policy) = &fx.policy {
        let usable = serde_json::from_str::<crate::policy::Policy>(policy).map_err(|e| e.to_string()).and_then(|p| p.validate().map_err(|e| e.to_string()));
        if let Err(why) = usable {
            return Ok(Err(Violation::new(Reason::BadPolicy, format!("the policy is unusable: {why}"))));
        }
    }
    Ok(Ok(fx))
}

/// Whether the change with `hash` is quarantined here.
pub fn is_quarantined(conn: &Connection, hash: &[u8; 32]) -> Result<bool> {
    Ok(conn.prepare_cached("SELECT 1 FROM quarantine WHERE hash = ?1")?.query_row([&hash[..]], |_| Ok(())).optional()?.is_some())
}

/// Stores `rc` aside with the reason it was refused. Idempotent.
pub fn put(conn: &Connection, rc: &RemoteChange, change: Option<&Change>, v: &Violation, now: DateTime<Utc>) -> Result<()> {
    let actor = change.map(|c| c.actor_id().to_hex_string()).unwrap_or_default();
    // The rep the change's message names: unverified, shown to help find the device.
    let rep = change
        .and_then(|c| c.message().map(str::to_owned))
        .and_then(|m| serde_json::from_str::<serde_json::Value>(&m).ok())
        .and_then(|m| m.get("rep").and_then(|r| r.as_str()).map(|r| leadguard_schema::text::escape(r, leadguard_schema::text::Lines::One)));
    conn.execute(
        "INSERT INTO quarantine (hash, hub_seq, doc_id, scope, reason, message, actor, rep, received_at, quarantined_at, bytes)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (hash) DO NOTHING",
        params![
            &rc.hash[..],
            rc.hub_seq,
            rc.doc_id,
            rc.scope,
            v.reason.code(),
            v.message,
            actor,
            rep,
            rc.received_at.to_rfc3339(),
            now.to_rfc3339(),
            rc.bytes
        ],
    )?;
    Ok(())
}

/// One quarantined change, as managers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QuarantinedChange {
    /// The change's hash (hex).
    pub hash: String,
    pub hub_seq: Option<i64>,
    pub doc_id: String,
    pub scope: String,
    /// Stable reason code (`leadguard_schema::Reason`), e.g. `unknown_kind`.
    pub reason: String,
    pub message: String,
    /// The Automerge actor that wrote the change.
    pub actor: String,
    /// The rep the change's message claims (not verified).
    pub rep: Option<String>,
    /// When the hub first received it (hub clock).
    pub received_at: Option<String>,
    /// When this device set it aside (device clock).
    pub quarantined_at: String,
}

/// The quarantine, newest hub sequence first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct QuarantineList {
    pub items: Vec<QuarantinedChange>,
}

pub fn list(conn: &Connection) -> Result<QuarantineList> {
    let mut stmt = conn.prepare(
        "SELECT hash, hub_seq, doc_id, scope, reason, message, actor, rep, received_at, quarantined_at
         FROM quarantine ORDER BY hub_seq DESC, hash",
    )?;
    let items = stmt
        .query_map([], |r| {
            let hash: Vec<u8> = r.get(0)?;
            Ok(QuarantinedChange {
                hash: ChangeHash::try_from(&hash[..]).map(|h| h.to_string()).unwrap_or_default(),
                hub_seq: r.get(1)?,
                doc_id: r.get(2)?,
                scope: r.get(3)?,
                reason: r.get(4)?,
                message: r.get(5)?,
                actor: r.get(6)?,
                rep: r.get(7)?,
                received_at: r.get(8)?,
                quarantined_at: r.get(9)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(QuarantineList { items })
}
