//! The lead list and the search box (`lead_list`), answered without the registry's
//! lock: from a read-only connection of their own and the shared search text.
//!
//! A sync applies pulled changes in slices that hold the registry; a search waiting
//! behind them waited for each slice. In WAL mode a reader sees the last committed
//! state and never waits for the writer's transaction; the registry updates the search
//! text right after each commit ([`crate::short_search::SharedSearch`]), so a write a
//! command made is found by the next search. The directory (the session's rep, names,
//! the reclaim cooldown) is a copy taken whenever the registry re-read it.
//!
//! Every `lead_list` goes through here, in the host and in [`super::dispatch`] alike,
//! with the same visibility rules ([`crate::visibility`]).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use super::leads::{LeadListArgs, LeadPage, ListFilter};
use crate::error::{ApiError, Error};
use crate::lead_index::{self, Filter, Page, COUNT_CAP};
use crate::model::{Rep, Role};
use crate::short_search::{SharedSearch, ShortSearch};
use crate::visibility::{self, Viewer};
use crate::Registry;

/// What a listing needs of the directory, copied from the registry.
struct Directory {
    /// [`Registry::directory_version`] it was copied at.
    version: u64,
    me: Rep,
    reps: HashMap<String, Rep>,
    reclaim_cooldown_hours: u32,
    /// The context's clock override (`--now`; tests).
    now: Option<DateTime<Utc>>,
}

impl Directory {
    fn of(reg: &Registry, now: Option<DateTime<Utc>>) -> Result<Directory, ApiError> {
        let me = reg.session()?.clone();
        Ok(Directory {
            version: reg.directory_version(),
            reclaim_cooldown_hours: reg.policy(&me.branch).reclaim_cooldown_hours,
            reps: reg.reps().map(|r| (r.id.clone(), r.clone())).collect(),
            me,
            now,
        })
    }
}

/// A registry's lead reader; clones share it.
#[derive(Clone)]
pub struct LeadReader {
    conn: Arc<Mutex<Connection>>,
    search: SharedSearch,
    directory: Arc<RwLock<Arc<Directory>>>,
}

impl LeadReader {
    /// Opens a reader of the registry in `data_dir`, whose open writer is `reg`.
    pub(crate) fn open(data_dir: &Path, reg: &Registry, now: Option<DateTime<Utc>>) -> Result<LeadReader, ApiError> {
        Ok(LeadReader {
            conn: Arc::new(Mutex::new(crate::store::open_reader(data_dir)?)),
            search: reg.memory.search.clone(),
            directory: Arc::new(RwLock::new(Arc::new(Directory::of(reg, now)?))),
        })
    }

    /// Takes a new copy of the directory if the registry re-read it since (or the
    /// clock override changed). Called holding the registry.
    pub(crate) fn refresh(&self, reg: &Registry, now: Option<DateTime<Utc>>) -> Result<(), ApiError> {
        let current = self.directory.read().unwrap_or_else(|p| p.into_inner()).clone();
        if current.version != reg.directory_version() || current.now != now {
            *self.directory.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(Directory::of(reg, now)?);
        }
        Ok(())
    }

    /// One page of the lead list: the filter, the search text, the region, as the
    /// session's rep may see them.
    pub fn list(&self, a: LeadListArgs) -> Result<LeadPage, ApiError> {
        let dir = self.directory.read().unwrap_or_else(|p| p.into_inner()).clone();
        let at = a.at.or(dir.now).unwrap_or_else(Utc::now);
        let me = &dir.me;
        let filter = match (me.role, a.filter.unwrap_or_default()) {
            (Role::Distributor, _) | (_, ListFilter::Reported) => Filter::RegisteredBy(me.id.clone()),
            (_, ListFilter::Mine) => Filter::Mine(me.id.clone()),
            (_, ListFilter::Incomplete) => Filter::IncompleteBy(me.id.clone()),
            (_, ListFilter::Pool) => Filter::Pool,
            (Role::Manager, ListFilter::Team) => Filter::Team { owner: a.owner.clone(), state: a.state },
            (_, ListFilter::Team) => {
                return Err(Error::from(crate::Reason::RoleRequired { roles: vec![Role::Manager] }).into());
            }
            (Role::Manager, ListFilter::Expiring) => Filter::Expiring { hours: 24, owner: a.owner.clone() },
            (_, ListFilter::Expiring) => Filter::Expiring { hours: 24, owner: Some(me.id.clone()) },
            (_, ListFilter::All) => Filter::All,
        };
        let limit = a.limit.unwrap_or(50).clamp(1, 1000);
        let offset = a.offset.unwrap_or(0);
        let q = a.search.as_deref().map(str::trim).unwrap_or_default();
        let region = a.region.as_deref().map(str::trim).filter(|r| !r.is_empty());
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let page = if let Some(region) = region {
            lead_index::list_within(&conn, &filter, a.search.as_deref(), &crate::regions::within(region), at, limit, offset)?
        } else if filter == Filter::All && ShortSearch::answers(q) {
            self.search_text(&conn, q, at, limit, offset)?
        } else {
            lead_index::list(&conn, &filter, a.search.as_deref(), at, limit, offset)?
        };
        drop(conn);
        let v = Viewer { rep: me, at, reclaim_cooldown_hours: dir.reclaim_cooldown_hours };
        let items = page.rows.iter().map(|r| visibility::from_row(&v, r, |id| dir.reps.get(id))).collect();
        Ok(LeadPage { items, total: page.total, total_capped: page.total_capped, offset, limit })
    }

    /// Every lead whose text holds `q`, from memory; only the page's rows are read.
    fn search_text(&self, conn: &Connection, q: &str, at: DateTime<Utc>, limit: u32, offset: u64) -> crate::Result<Page> {
        let (ids, total) = self.search.with(conn, |s| s.find(q, offset, limit))?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(row) = lead_index::get(conn, &id)? {
                rows.push(row.at(at));
            }
        }
        Ok(Page { rows, total: total.min(COUNT_CAP), total_capped: total > COUNT_CAP })
    }
}
