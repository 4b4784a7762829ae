//! Derived index tables: one row per lead in `lead_index`, recomputed from the lead's
//! events whenever they change (local write or merge), in the same transaction.
//!
//! Listing, search, paging and the duplicate index read these rows and never load
//! Automerge documents, so they stay fast at 1M leads. A row stores the status as of
//! the lead's last event; expiry at a later `at` is applied by the query itself
//! (`state = 'protected' AND protected_until <= at` means "in the pool now"), which is
//! the same rule as [`crate::status::Status::settle`].

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::error::{Error, Result};
use crate::status::{LeadState, Status};

/// One `lead_index` row.
#[derive(Debug, Clone, PartialEq)]
pub struct LeadRow {
    pub lead_id: String,
    pub doc_id: String,
    pub branch: String,
    pub company: String,
    pub contact: String,
    pub phone: String,
    pub email: String,
    pub region: String,
    pub industry: String,
    pub need: String,
    /// Customer grade (A/B/C), '' when none.
    pub grade: String,
    pub state: LeadState,
    pub owner: Option<String>,
    pub protected_until: Option<DateTime<Utc>>,
    pub claimed_at: Option<DateTime<Utc>>,
    pub previous_owner: Option<String>,
    pub pool_since: Option<DateTime<Utc>>,
    pub registered_by: Option<String>,
    pub registered_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// A sealed lead's identifying fields as every replica sees them (contact,
    /// phone, e-mail), when they differ from the shown ones.
    pub match_fields: Option<(String, String, String)>,
}

impl LeadRow {
    /// The identifying fields duplicate links and cases are derived from: the same on
    /// every replica, whatever keys it holds.
    pub fn identity(&self) -> leadguard_dedup::LeadRecord {
        let (contact, phone, email) = match &self.match_fields {
            Some((c, p, e)) => (c.clone(), p.clone(), e.clone()),
            None => (self.contact.clone(), self.phone.clone(), self.email.clone()),
        };
        leadguard_dedup::LeadRecord { company: self.company.clone(), contact, phone, email, region: self.region.clone(), address: None }
    }

    /// The row as seen at `at`: protection that ended by then has expired.
    pub fn at(mut self, at: DateTime<Utc>) -> LeadRow {
        if self.state == LeadState::Protected && self.protected_until.is_some_and(|u| u <= at) {
            self.state = LeadState::Pool;
            self.previous_owner = self.owner.take();
            self.pool_since = self.protected_until.take();
            self.claimed_at = None;
        }
        self
    }
}

fn ms(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(|t| t.timestamp_millis())
}

fn from_ms(v: Option<i64>) -> Option<DateTime<Utc>> {
    v.and_then(|v| Utc.timestamp_millis_opt(v).single())
}

fn state_from(s: &str) -> Result<LeadState> {
    Ok(match s {
        "incomplete" => LeadState::Incomplete,
        "protected" => LeadState::Protected,
        "pool" => LeadState::Pool,
        "deal" => LeadState::Deal,
        "merged" => LeadState::Merged,
        other => return Err(Error::Decode(format!("lead_index state `{other}`"))),
    })
}

/// Writes the index row of a lead from its derived status (settled at its last event).
/// `shown`: its fields as this device may show them (sealed ones opened or masked);
/// `identity`: its identifying fields as every replica sees them.
pub fn upsert(
    conn: &Connection,
    lead_id: &str,
    doc_id: &str,
    branch: &str,
    s: &Status,
    shown: &crate::model::LeadFields,
    identity: &leadguard_dedup::LeadRecord,
) -> Result<()> {
    let f = shown;
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let differs = identity.contact != v(&f.contact) || identity.phone != v(&f.phone) || identity.email != v(&f.email);
    let m = |x: &str| differs.then(|| x.to_string());
    let mut stmt = conn.prepare_cached(
        "INSERT INTO lead_index(lead_id, doc_id, branch, company, contact, phone, email, region, industry, need,
            state, owner, protected_until, claimed_at, previous_owner, pool_since, registered_by, registered_at,
            updated_at, ignored_events, match_contact, match_phone, match_email, grade)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24)
         ON CONFLICT(lead_id) DO UPDATE SET doc_id=excluded.doc_id, branch=excluded.branch,
            company=excluded.company, contact=excluded.contact, phone=excluded.phone, email=excluded.email,
            region=excluded.region, industry=excluded.industry, need=excluded.need, state=excluded.state,
            owner=excluded.owner, protected_until=excluded.protected_until, claimed_at=excluded.claimed_at,
            previous_owner=excluded.previous_owner, pool_since=excluded.pool_since,
            registered_by=excluded.registered_by, registered_at=excluded.registered_at,
            updated_at=excluded.updated_at, ignored_events=excluded.ignored_events,
            match_contact=excluded.match_contact, match_phone=excluded.match_phone, match_email=excluded.match_email,
            grade=excluded.grade",
    )?;
    stmt.execute(params![
        lead_id,
        doc_id,
        branch,
        v(&f.company),
        v(&f.contact),
        v(&f.phone),
        v(&f.email),
        v(&f.region),
        v(&f.industry),
        v(&f.need),
        s.state.as_str(),
        s.owner,
        ms(s.protected_until),
        ms(s.claimed_at),
        s.previous_owner,
        ms(s.pool_since),
        s.registered_by,
        ms(s.registered_at),
        ms(s.updated_at).unwrap_or(0),
        s.ignored.len() as i64,
        m(&identity.contact),
        m(&identity.phone),
        m(&identity.email),
        v(&f.grade),
    ])?;
    Ok(())
}

/// Brings the trigram index (`lead_fts`) up to the rows written since it last caught
/// up (noted in `lead_fts_pending` by triggers): three statements per transaction
/// instead of an FTS5 flush per row. Run before every commit that may have written
/// lead rows.
pub fn sync_fts(conn: &Connection) -> Result<()> {
    let pending: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM lead_fts_pending)")?
        .query_row([], |r| r.get(0))?;
    if !pending {
        return Ok(());
    }
    conn.prepare_cached("DELETE FROM lead_fts WHERE rowid IN (SELECT row FROM lead_fts_pending)")?.execute([])?;
    conn.prepare_cached(
        "INSERT INTO lead_fts(rowid, text)
         SELECT l.rowid, l.company || ' ' || l.contact || ' ' || l.phone || ' ' || l.email
           FROM lead_fts_pending p JOIN lead_index l ON l.rowid = p.row",
    )?
    .execute([])?;
    conn.prepare_cached("DELETE FROM lead_fts_pending")?.execute([])?;
    Ok(())
}

const COLUMNS: &str = "lead_id, doc_id, branch, company, contact, phone, email, region, industry, need, state, owner,
    protected_until, claimed_at, previous_owner, pool_since, registered_by, registered_at, updated_at,
    match_contact, match_phone, match_email, grade";

fn read_row(r: &Row<'_>) -> rusqlite::Result<(LeadRow, String)> {
    let state: String = r.get(10)?;
    Ok((
        LeadRow {
            lead_id: r.get(0)?,
            doc_id: r.get(1)?,
            branch: r.get(2)?,
            company: r.get(3)?,
            contact: r.get(4)?,
            phone: r.get(5)?,
            email: r.get(6)?,
            region: r.get(7)?,
            industry: r.get(8)?,
            need: r.get(9)?,
            state: LeadState::Incomplete,
            owner: r.get(11)?,
            protected_until: from_ms(r.get(12)?),
            claimed_at: from_ms(r.get(13)?),
            previous_owner: r.get(14)?,
            pool_since: from_ms(r.get(15)?),
            registered_by: r.get(16)?,
            registered_at: from_ms(r.get(17)?),
            updated_at: from_ms(r.get(18)?).unwrap_or_default(),
            match_fields: match (r.get::<_, Option<String>>(19)?, r.get::<_, Option<String>>(20)?, r.get::<_, Option<String>>(21)?) {
                (Some(c), Some(p), Some(e)) => Some((c, p, e)),
                _ => None,
            },
            grade: r.get(22)?,
        },
        state,
    ))
}

fn finish((mut row, state): (LeadRow, String)) -> Result<LeadRow> {
    row.state = state_from(&state)?;
    Ok(row)
}

/// The row of one lead.
pub fn get(conn: &Connection, lead_id: &str) -> Result<Option<LeadRow>> {
    // Formatted once: this runs several times per lead of a merge.
    static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| format!("SELECT {COLUMNS} FROM lead_index WHERE lead_id = ?1"));
    conn.prepare_cached(&SQL)?.query_row([lead_id], read_row).optional()?.map(finish).transpose()
}

/// Distributors' reports to `branch` (of `reporter` only, if given), newest first:
/// `(lead id, branch)`.
pub fn reports(conn: &Connection, branch: &str, reporter: Option<&str>) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT lead_id, branch FROM lead_index
         WHERE substr(doc_id, 1, 5) = 'dist:' AND branch = ?1 AND (?2 IS NULL OR registered_by = ?2)
         ORDER BY registered_at DESC, lead_id",
    )?;
    let rows = stmt.query_map(rusqlite::params![branch, reporter], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Which leads a listing covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Leads `rep` owns at `at` (protected or bound by a deal).
    Mine(String),
    /// Leads in the public pool at `at`.
    Pool,
    /// Protected leads (of `owner`, if given) whose protection ends within `hours` after `at`.
    Expiring { hours: u32, owner: Option<String> },
    /// Leads `rep` registered (a distributor's own reports).
    RegisteredBy(String),
    /// Leads `rep` registered that are still incomplete (not yet a registration).
    IncompleteBy(String),
    /// A branch's leads for its manager: optionally only those `owner` owns at `at`,
    /// and only those in `state` at `at`.
    Team { owner: Option<String>, state: Option<LeadState> },
    /// Every lead.
    All,
}

/// One page of a listing.
pub struct Page {
    pub rows: Vec<LeadRow>,
    /// Matching leads, counted up to [`COUNT_CAP`].
    pub total: u64,
    /// More than `total` match (the count stopped at the cap).
    pub total_capped: bool,
}

/// Counting every match of a broad query costs more than showing a page of it: totals
/// stop here ("10,000+").
pub const COUNT_CAP: u64 = 10_000;

/// Lists leads matching `filter` and the optional search text, newest first.
pub fn list(
    conn: &Connection,
    filter: &Filter,
    search: Option<&str>,
    at: DateTime<Utc>,
    limit: u32,
    offset: u64,
) -> Result<Page> {
    list_within(conn, filter, search, &[], at, limit, offset)
}

/// [`list`], narrowed to leads whose region begins with one of `places` (none: any
/// region) — the places of a region filter, [`crate::regions::within`].
pub fn list_within(
    conn: &Connection,
    filter: &Filter,
    search: Option<&str>,
    places: &[String],
    at: DateTime<Utc>,
    limit: u32,
    offset: u64,
) -> Result<Page> {
    let at_ms = at.timestamp_millis();
    let mut cond = vec![];
    let mut args: Vec<rusqlite::types::Value> = vec![];
    let mut arg = |v: rusqlite::types::Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    match filter {
        Filter::Mine(rep) => {
            let (r, a) = (arg(rep.clone().into()), arg(at_ms.into()));
            cond.push(format!("owner = {r} AND (state = 'deal' OR (state = 'protected' AND protected_until > {a}))"));
        }
        Filter::Pool => {
            let a = arg(at_ms.into());
            cond.push(format!("(state = 'pool' OR (state = 'protected' AND protected_until <= {a}))"));
        }
        Filter::Expiring { hours, owner } => {
            let a = arg(at_ms.into());
            let b = arg((at_ms + i64::from(*hours) * 3_600_000).into());
            cond.push(format!("state = 'protected' AND protected_until > {a} AND protected_until <= {b}"));
            if let Some(o) = owner {
                let o = arg(o.clone().into());
                cond.push(format!("owner = {o}"));
            }
        }
        Filter::RegisteredBy(rep) => {
            let r = arg(rep.clone().into());
            cond.push(format!("registered_by = {r}"));
        }
        Filter::IncompleteBy(rep) => {
            let r = arg(rep.clone().into());
            cond.push(format!("registered_by = {r} AND state = 'incomplete'"));
        }
        Filter::Team { owner, state } => {
            if let Some(o) = owner {
                let (o, a) = (arg(o.clone().into()), arg(at_ms.into()));
                cond.push(format!("owner = {o} AND (state = 'deal' OR (state = 'protected' AND protected_until > {a}))"));
            }
            // States as of `at`: protection that ended by then counts as the pool.
            match state {
                Some(LeadState::Protected) => {
                    let a = arg(at_ms.into());
                    cond.push(format!("state = 'protected' AND protected_until > {a}"));
                }
                Some(LeadState::Pool) => {
                    let a = arg(at_ms.into());
                    cond.push(format!("(state = 'pool' OR (state = 'protected' AND protected_until <= {a}))"));
                }
                Some(other) => {
                    let s = arg(other.as_str().to_string().into());
                    cond.push(format!("state = {s}"));
                }
                None => {}
            }
        }
        Filter::All => {}
    }
    if let Some(q) = search.map(str::trim).filter(|q| q.chars().count() >= 3) {
        // Trigram index: a phrase query is a substring match of 3+ characters.
        let phrase = arg(format!("\"{}\"", q.replace('"', "\"\"")).into());
        let exact = arg(q.to_string().into());
        cond.push(format!(
            "(rowid IN (SELECT rowid FROM lead_fts WHERE lead_fts MATCH {phrase}) OR lead_id = {exact})"
        ));
    } else if let Some(q) = search.map(str::trim).filter(|q| !q.is_empty()) {
        // 1-2 characters: a trigram index cannot answer; scan.
        let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let p = arg(format!("%{escaped}%").into());
        cond.push(format!(
            "(company LIKE {p} ESCAPE '\\' OR contact LIKE {p} ESCAPE '\\' OR phone LIKE {p} ESCAPE '\\' \
             OR email LIKE {p} ESCAPE '\\' OR lead_id = {exact})",
            exact = arg(q.to_string().into())
        ));
    }
    if !places.is_empty() {
        let any: Vec<String> = places
            .iter()
            .map(|p| {
                let escaped = p.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                format!("region LIKE {} ESCAPE '\\'", arg(format!("{escaped}%").into()))
            })
            .collect();
        cond.push(format!("({})", any.join(" OR ")));
    }
    let where_ = if cond.is_empty() { String::new() } else { format!("WHERE {}", cond.join(" AND ")) };
    let total: i64 = conn.query_row(
        &format!("SELECT COUNT(*) FROM (SELECT 1 FROM lead_index {where_} LIMIT {})", COUNT_CAP + 1),
        rusqlite::params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    let order = match filter {
        Filter::Expiring { .. } => "protected_until ASC, lead_id",
        _ => "updated_at DESC, lead_id",
    };
    let sql = format!(
        "SELECT {COLUMNS} FROM lead_index {where_} ORDER BY {order} LIMIT {} OFFSET {}",
        limit.min(1000),
        offset
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), read_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let rows = rows.into_iter().map(|r| finish(r).map(|r| r.at(at))).collect::<Result<Vec<_>>>()?;
    let total = total as u64;
    Ok(Page { rows, total: total.min(COUNT_CAP), total_capped: total > COUNT_CAP })
}

/// Ids of leads `rep` owns at `at` (for handover).
pub fn owned_by(conn: &Connection, rep: &str, at: DateTime<Utc>) -> Result<Vec<(String, String)>> {
    let mut stmt = conn.prepare(
        "SELECT lead_id, doc_id FROM lead_index WHERE owner = ?1
         AND (state = 'deal' OR (state = 'protected' AND protected_until > ?2)) ORDER BY lead_id",
    )?;
    let rows = stmt
        .query_map(params![rep, at.timestamp_millis()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// A lead's identifying fields, as [`LeadRow::identity`] of its row, read without the
/// rest of the row (a page of a first sync reads them for thousands of leads).
pub fn identity(conn: &Connection, lead_id: &str) -> Result<Option<leadguard_dedup::LeadRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT company, contact, phone, email, region, match_contact, match_phone, match_email
           FROM lead_index WHERE lead_id = ?1",
    )?;
    let row = stmt
        .query_row([lead_id], |r| {
            let shown = (r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?);
            let matched = match (r.get::<_, Option<String>>(5)?, r.get::<_, Option<String>>(6)?, r.get::<_, Option<String>>(7)?) {
                (Some(c), Some(p), Some(e)) => (c, p, e),
                _ => shown,
            };
            Ok(leadguard_dedup::LeadRecord {
                company: r.get(0)?,
                contact: matched.0,
                phone: matched.1,
                email: matched.2,
                region: r.get(4)?,
                address: None,
            })
        })
        .optional()?;
    Ok(row)
}

/// Visits the identifying fields of every lead (for building the duplicate index).
pub fn for_each_identity(
    conn: &Connection,
    mut f: impl FnMut(&str, &str, &str, &str, &str, &str),
) -> Result<()> {
    let mut stmt = conn.prepare("SELECT lead_id, company, coalesce(match_contact, contact), coalesce(match_phone, phone),
                coalesce(match_email, email), region FROM lead_index")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        f(
            r.get_ref(0)?.as_str().unwrap_or_default(),
            r.get_ref(1)?.as_str().unwrap_or_default(),
            r.get_ref(2)?.as_str().unwrap_or_default(),
            r.get_ref(3)?.as_str().unwrap_or_default(),
            r.get_ref(4)?.as_str().unwrap_or_default(),
            r.get_ref(5)?.as_str().unwrap_or_default(),
        );
    }
    Ok(())
}
