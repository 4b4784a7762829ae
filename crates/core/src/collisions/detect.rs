//! Finding collision cases after every write and merge.
//!
//! The cases are a derived table, like the lead index: a pure function of replicated
//! data (the events of the leads, the hub's receipts of the changes that carry them,
//! the leads' fields), re-derived only for what a write, merge or acknowledgement
//! touched:
//!
//! 1. **Duplicate links.** A candidate pair ([`crate::link_blocks`]: an exact key
//!    shared, or a fuzzy block within the cap) scoring at least the threshold is a
//!    link `(a, b)`, `a < b` — a function of the two leads and the blocks, never of
//!    the order leads arrived in. The pairs of the leads whose fields changed, and of
//!    the leads of fuzzy blocks that crossed the cap, are re-derived.
//! 2. **Components.** A customer is a connected component of links. Every component
//!    holding a touched lead (or a lead that shared a case with one: cases can split)
//!    is re-derived.
//! 3. **Case.** A component is a case when two reps' claims collide in it: claims on
//!    one lead written on different devices with overlapping evidence windows, or the
//!    current claims of two of its lead documents by different reps. The case id
//!    hashes the sorted lead ids only.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use leadguard_dedup::{score, Config, LeadKeys, LeadRecord};
use rusqlite::params;

use crate::collisions::claims::claim_attempts;
use crate::collisions::model::{CaseClaim, CaseKind, CaseRelation, CollisionCase, DuplicateLink};
use crate::duplicate_index::{lead_id as lead_id_of, numeric_id};
use crate::error::{Error, Result};
use crate::lead_index;
use crate::layout;
use crate::link_blocks::{self, LinkBlocks, FUZZY_BLOCK_CAP};
use crate::memory_views::HISTORIES_KEPT;
use crate::model::Event;
use crate::registry::Registry;
use crate::relations;

/// The stable id of the case about these leads (any order): the schema's, so the
/// hub and every replica check a decision's `leads` against it.
pub use leadguard_schema::case::case_id;

fn keys_of_row(row: &lead_index::LeadRow) -> LeadKeys {
    LeadKeys::from_record(&row.identity())
}

/// The duplicate links, the relations that make one customer and the cases of the
/// whole registry, read in one query each (as [`Registry::component`] and
/// [`Registry::cases_of_lead`] would find them lead by lead).
struct Neighbourhood {
    /// Lead → the leads one link or one same-customer relation away.
    near: HashMap<String, Vec<String>>,
    /// Lead → its cases.
    cases: HashMap<String, Vec<String>>,
    /// Case → its leads.
    case_leads: HashMap<String, Vec<String>>,
}

impl Neighbourhood {
    fn read(reg: &Registry) -> Result<Neighbourhood> {
        let mut near: HashMap<String, Vec<String>> = HashMap::new();
        let mut stmt = reg.conn.prepare("SELECT a, b FROM dup_links")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (a, b) = row?;
            near.entry(a.clone()).or_default().push(b.clone());
            near.entry(b).or_default().push(a);
        }
        // A relation may name a lead this replica does not hold (yet): its arrival
        // re-derives the component from its side.
        let mut stmt = reg.conn.prepare("SELECT a, b, kind FROM lead_relations")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)))?;
        for row in rows {
            let (a, b, kind) = row?;
            if !crate::model::RelationKind::parse(&kind).is_some_and(|k| k.same_customer()) || a == b {
                continue;
            }
            if lead_index::get(&reg.conn, &b)?.is_some() {
                near.entry(a.clone()).or_default().push(b.clone());
            }
            if lead_index::get(&reg.conn, &a)?.is_some() {
                near.entry(b).or_default().push(a);
            }
        }
        let (mut cases, mut case_leads): (HashMap<String, Vec<String>>, HashMap<String, Vec<String>>) = Default::default();
        let mut stmt = reg.conn.prepare("SELECT lead_id, case_id FROM case_leads")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (lead, case) = row?;
            cases.entry(lead.clone()).or_default().push(case.clone());
            case_leads.entry(case).or_default().push(lead);
        }
        Ok(Neighbourhood { near, cases, case_leads })
    }
}

impl Registry {
    /// Re-derives duplicate links and cases. `fields_changed`: leads whose identifying
    /// fields may differ; `claims_changed`: leads whose claims or receipts may differ.
    /// `previous`: the identifying fields of `fields_changed` that the links were
    /// derived from; `events`: how many events the leads derived in this transaction
    /// hold. Runs inside the caller's transaction.
    pub(crate) fn refresh_collisions(
        &mut self,
        fields_changed: &BTreeSet<String>,
        claims_changed: &BTreeSet<String>,
        previous: &HashMap<String, Option<LeadRecord>>,
        events: &HashMap<String, usize>,
    ) -> Result<()> {
        if fields_changed.is_empty() && claims_changed.is_empty() {
            return Ok(());
        }
        let relinked = crate::phase_times::time("cases: links", || self.refresh_dup_links(fields_changed, previous))?;
        let components_phase = crate::phase_times::phase("cases: components");
        let mut seeds: BTreeSet<String> = fields_changed.union(claims_changed).cloned().collect();
        // A block that crossed the cap links or unlinks leads nobody wrote.
        seeds.extend(relinked);
        // A batch touching a large share of the registry (a page of a first sync) reads
        // the links, relations and cases once rather than several queries per lead.
        let filed = self.memory.links.as_ref().map_or(usize::MAX, LinkBlocks::len);
        let hood = if seeds.len() * 8 > filed { Some(Neighbourhood::read(self)?) } else { None };
        let hood = hood.as_ref();
        for lead in seeds.clone() {
            for case in self.cases_of_lead_in(hood, &lead)? {
                seeds.extend(match hood {
                    Some(h) => h.case_leads.get(&case).cloned().unwrap_or_default(),
                    None => self.leads_of_case(&case)?,
                });
            }
        }
        let mut seen = HashSet::new();
        let mut stale = BTreeSet::new();
        let mut components = Vec::new();
        for lead in &seeds {
            if seen.contains(lead) {
                continue;
            }
            let comp = self.component_in(hood, lead)?;
            seen.extend(comp.iter().cloned());
            // A lone lead with one event (its registration) holds one claim at most,
            // and nobody held it before that claim: no collision, nothing to derive
            // (nor any history to read; checked again below for leads not derived here).
            if let [only] = comp.as_slice() {
                if events.get(only).is_some_and(|n| *n <= 1) {
                    stale.extend(self.cases_of_lead_in(hood, only)?);
                    continue;
                }
            }
            components.push(comp);
        }
        for comp in &components {
            for lead in comp {
                stale.extend(self.cases_of_lead_in(hood, lead)?);
            }
        }
        for id in &stale {
            self.conn.execute("DELETE FROM cases WHERE case_id = ?1", [id])?;
            self.conn.execute("DELETE FROM case_leads WHERE case_id = ?1", [id])?;
            self.conn.execute("DELETE FROM case_reps WHERE case_id = ?1", [id])?;
        }
        drop(components_phase);
        let histories_phase = crate::phase_times::phase("cases: histories");
        // Read every history the components need shard by shard: each document is
        // loaded once, not once per lead (the cache holds 64 documents, a 100k
        // registry has 200, and a customer's leads sit in different shards).
        // Unchanged leads come from the cache of histories.
        let mut histories: HashMap<String, Arc<Vec<Event>>> = HashMap::new();
        let mut by_doc: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for lead in components.iter().flatten() {
            if let Some(events) = self.memory.histories.get(lead) {
                histories.insert(lead.clone(), events.clone());
            } else if let Some(row) = lead_index::get(&self.conn, lead)? {
                by_doc.entry(row.doc_id).or_default().push(lead.clone());
            }
        }
        if self.memory.histories.len() > HISTORIES_KEPT {
            // Freed on another thread (50,000 histories: a tenth of a second), here if
            // none can start.
            let old = std::mem::take(&mut self.memory.histories);
            let _ = std::thread::Builder::new().spawn(move || drop(old));
        }
        for (doc, leads) in by_doc {
            let loaded = self.docs.get(&self.conn, &doc)?;
            for lead in leads {
                if let Some(events) = layout::read_events(&loaded.doc, &lead)? {
                    let events = Arc::new(events);
                    self.memory.histories.insert(lead.clone(), events.clone());
                    histories.insert(lead, events);
                }
            }
        }
        drop(histories_phase);
        let _derive = crate::phase_times::phase("cases: derive and store");
        for comp in components {
            // A lone lead with one event (its registration) holds one claim at most,
            // and nobody held it before that claim: no collision, nothing to derive.
            if let [lead] = comp.as_slice() {
                if histories.get(lead).is_none_or(|events| events.len() <= 1) {
                    continue;
                }
            }
            if let Some(case) = self.derive_case(&comp, &histories)? {
                self.store_case(&case)?;
            }
        }
        Ok(())
    }

    /// Brings `dup_links` to the links of the data: a pair is linked when it is a
    /// candidate ([`crate::link_blocks`]) scoring at least the threshold. Only pairs
    /// with a side whose keys changed, or that shares a fuzzy block which crossed the
    /// cap, can change; they are re-derived, in bulk when there are many.
    /// Returns the leads whose links changed.
    fn refresh_dup_links(
        &mut self,
        leads: &BTreeSet<String>,
        previous: &HashMap<String, Option<LeadRecord>>,
    ) -> Result<BTreeSet<String>> {
        let mut relinked = BTreeSet::new();
        if leads.is_empty() {
            return Ok(relinked);
        }
        let threshold = Config::default().threshold;
        let cap = self.memory.fuzzy_cap.unwrap_or(FUZZY_BLOCK_CAP);
        // The blocks, brought to the data as it is now (with this transaction's rows).
        // Re-filing a known lead costs a pass over its blocks: with many, build anew.
        // Without blocks, start from the duplicate index's keys (no normalising) when
        // it is in memory; either way the changed leads are then filed as they are now.
        let known = |b: &LinkBlocks| leads.iter().filter(|id| numeric_id(id).is_some_and(|n| !b.keys(n).is_empty())).count();
        let start = match self.memory.links.take() {
            Some(b) => Some(b),
            None => self.memory.dedup.as_ref().map(|d| LinkBlocks::from_keys(d.entries(), cap)),
        };
        let blocks_phase = crate::phase_times::phase("links: blocks");
        let mut blocks = match start {
            // The leads filed stand for the registry's size (a COUNT(*) of the lead
            // index per batch read the whole table, and grew with it).
            Some(mut b) if known(&b) * 4 <= b.len() + leads.len() => {
                // Normalised on every core when many (a page of a first sync).
                let read = crate::phase_times::phase("links: blocks: identities");
                let mut rows = Vec::new();
                for id in leads {
                    if let Some(n) = numeric_id(id) {
                        match lead_index::identity(&self.conn, id)? {
                            Some(r) => rows.push((n, r)),
                            None => b.set(n, None),
                        }
                    }
                }
                drop(read);
                // The duplicate index takes the same keys at the commit.
                let keep = self.memory.dedup.is_some();
                let mut records: HashMap<u64, LeadRecord> = if keep { rows.iter().cloned().collect() } else { HashMap::new() };
                let prepared = crate::phase_times::time("links: blocks: normalise", || link_blocks::prepare_all(rows, keep));
                let _file = crate::phase_times::phase("links: blocks: file");
                for (n, kept, p) in prepared {
                    if let (Some(keys), Some(r)) = (kept, records.remove(&n)) {
                        self.memory.normalised.insert(n, (r, keys));
                    }
                    b.file(n, Some(p));
                }
                b
            }
            _ => LinkBlocks::build(&self.conn, cap)?,
        };
        let mut affected: BTreeSet<u64> = BTreeSet::new();
        // Fuzzy blocks the changed leads joined (+1) or left (−1): one that crossed the
        // cap pairs its leads differently now.
        let mut delta: HashMap<u64, i64> = HashMap::new();
        for id in leads {
            let Some(n) = numeric_id(id) else {
                self.drop_links(id)?;
                continue;
            };
            affected.insert(n);
            let now: Vec<(u64, bool)> = blocks.keys(n).to_vec();
            let before = match previous.get(id) {
                Some(Some(r)) => link_blocks::keys_of(&LeadKeys::from_record(r)),
                _ => Vec::new(),
            };
            for (k, _) in now.iter().filter(|k| k.1 && !before.contains(k)) {
                *delta.entry(*k).or_default() += 1;
            }
            for (k, _) in before.iter().filter(|k| k.1 && !now.contains(k)) {
                *delta.entry(*k).or_default() -= 1;
            }
        }
        // A block under the cap now pairs its leads: score them. One over it now pairs
        // nobody: the links it made between leads nobody wrote (same fields, same
        // score) stay only if another key still pairs them.
        let mut outgrown: BTreeSet<u64> = BTreeSet::new();
        for (k, d) in delta {
            let size = blocks.size(k);
            let was = (size as i64 - d).max(0) as usize;
            match (blocks.usable(true, was), blocks.usable(true, size)) {
                (false, true) => affected.extend(blocks.members(k).iter().copied()),
                (true, false) => outgrown.extend(blocks.members(k).iter().copied()),
                _ => {}
            }
        }
        for n in outgrown.into_iter().filter(|n| !affected.contains(n)) {
            let me = lead_id_of(n);
            for other in self.linked(&me)? {
                let Some(m) = numeric_id(&other) else { continue };
                if !affected.contains(&m) && !blocks.is_candidate(n, m) {
                    let (a, b) = if n < m { (me.clone(), other) } else { (other, me.clone()) };
                    self.conn.prepare_cached("DELETE FROM dup_links WHERE a = ?1 AND b = ?2")?.execute([&a, &b])?;
                    relinked.extend([a, b]);
                }
            }
        }
        drop(blocks_phase);
        let affected: Vec<u64> = affected.into_iter().collect();
        let score_phase = crate::phase_times::phase("links: score");
        let fresh: BTreeMap<(String, String), f32> =
            blocks.links_of(&affected, threshold).into_iter().map(|(a, b, s)| ((lead_id_of(a), lead_id_of(b)), s)).collect();
        drop(score_phase);
        let _write = crate::phase_times::phase("links: read and write rows");
        let filed = blocks.len();
        self.memory.links = Some(blocks);
        // The links these leads had.
        let mut stale: BTreeMap<(String, String), f64> = BTreeMap::new();
        if affected.len() * 8 > filed {
            let is_affected: HashSet<u64> = affected.iter().copied().collect();
            let mut stmt = self.conn.prepare("SELECT a, b, score FROM dup_links")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, f64>(2)?)))?;
            for row in rows {
                let (a, b, s) = row?;
                let touched = |x: &str| numeric_id(x).is_some_and(|n| is_affected.contains(&n));
                if touched(&a) || touched(&b) {
                    stale.insert((a, b), s);
                }
            }
        } else {
            let mut stmt =
                self.conn.prepare_cached("SELECT a, b, score FROM dup_links WHERE a = ?1 UNION SELECT a, b, score FROM dup_links WHERE b = ?1")?;
            for n in &affected {
                let rows = stmt.query_map([lead_id_of(*n)], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, f64>(2)?)))?;
                for row in rows {
                    let (a, b, s) = row?;
                    stale.insert((a, b), s);
                }
            }
        }
        for ((a, b), _) in stale.iter().filter(|(pair, _)| !fresh.contains_key(*pair)) {
            self.conn.prepare_cached("DELETE FROM dup_links WHERE a = ?1 AND b = ?2")?.execute([a, b])?;
            relinked.extend([a.clone(), b.clone()]);
        }
        for ((a, b), s) in &fresh {
            if stale.get(&(a.clone(), b.clone())) != Some(&f64::from(*s)) {
                relinked.extend([a.clone(), b.clone()]);
                self.conn
                    .prepare_cached(
                        "INSERT INTO dup_links(a, b, score) VALUES (?1, ?2, ?3)
                         ON CONFLICT(a, b) DO UPDATE SET score = excluded.score",
                    )?
                    .execute(params![a, b, f64::from(*s)])?;
            }
        }
        Ok(relinked)
    }

    fn drop_links(&self, lead: &str) -> Result<()> {
        self.conn.execute("DELETE FROM dup_links WHERE a = ?1 OR b = ?1", [lead])?;
        Ok(())
    }

    fn linked(&self, lead: &str) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT b FROM dup_links WHERE a = ?1 UNION SELECT a FROM dup_links WHERE b = ?1")?;
        let rows = stmt.query_map([lead], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    /// [`Registry::cases_of_lead`], from `hood` when read.
    fn cases_of_lead_in(&self, hood: Option<&Neighbourhood>, lead: &str) -> Result<Vec<String>> {
        match hood {
            Some(h) => Ok(h.cases.get(lead).cloned().unwrap_or_default()),
            None => self.cases_of_lead(lead),
        }
    }

    /// The leads linked to `lead` through duplicate links or relations that make one
    /// customer (family, one purchasing unit: rule 10), itself included, sorted; from
    /// `hood` when read.
    fn component_in(&self, hood: Option<&Neighbourhood>, lead: &str) -> Result<Vec<String>> {
        let Some(hood) = hood else { return self.component(lead) };
        let mut seen = BTreeSet::from([lead.to_string()]);
        let mut todo = vec![lead.to_string()];
        while let Some(next) = todo.pop() {
            for other in hood.near.get(&next).into_iter().flatten() {
                if seen.insert(other.clone()) {
                    todo.push(other.clone());
                }
            }
        }
        Ok(seen.into_iter().collect())
    }

    /// The leads linked to `lead` through duplicate links or relations that make one
    /// customer (family, one purchasing unit: rule 10), itself included, sorted.
    fn component(&self, lead: &str) -> Result<Vec<String>> {
        let mut seen = BTreeSet::from([lead.to_string()]);
        let mut todo = vec![lead.to_string()];
        while let Some(next) = todo.pop() {
            let mut near = self.linked(&next)?;
            // A relation may name a lead this replica does not hold (yet): its arrival
            // re-derives the component from its side.
            for other in relations::same_customer_neighbours(&self.conn, &next)? {
                if lead_index::get(&self.conn, &other)?.is_some() {
                    near.push(other);
                }
            }
            for other in near {
                if seen.insert(other.clone()) {
                    todo.push(other);
                }
            }
        }
        Ok(seen.into_iter().collect())
    }

    fn cases_of_lead(&self, lead: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT case_id FROM case_leads WHERE lead_id = ?1")?;
        let rows = stmt.query_map([lead], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    fn leads_of_case(&self, case: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT lead_id FROM case_leads WHERE case_id = ?1")?;
        let rows = stmt.query_map([case], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }

    /// The case of one component, if claims collide in it.
    fn derive_case(&mut self, comp: &[String], histories: &HashMap<String, Arc<Vec<Event>>>) -> Result<Option<CollisionCase>> {
        let mut claims: Vec<CaseClaim> = Vec::new();
        // Per lead, the position in `claims` of its latest claim that took effect.
        let mut current: Vec<usize> = Vec::new();
        let mut branch = None;
        for lead in comp {
            let Some(row) = lead_index::get(&self.conn, lead)? else { continue };
            let Some(events) = histories.get(lead) else { continue };
            let policy = self.lead_policy(&row.branch, &row.doc_id);
            branch.get_or_insert(row.branch.clone());
            let timing = self.timing(events)?;
            let mut latest = None;
            for a in claim_attempts(events, &policy, &timing) {
                let e = &events[a.index];
                if a.took_effect {
                    latest = Some(claims.len());
                }
                let (held_by, held_until) = match a.held_by {
                    Some((rep, until)) => (Some(rep), until),
                    None => (None, None),
                };
                claims.push(CaseClaim {
                    event_id: e.id.clone(),
                    lead_id: lead.clone(),
                    rep: e.rep.clone(),
                    device: e.device.clone(),
                    device_time: e.device_time,
                    effective_time: Some(a.effective_time),
                    kind: a.kind,
                    window: timing.window(e),
                    took_effect: a.took_effect,
                    held_by,
                    held_until,
                });
            }
            current.extend(latest);
        }
        let mut colliding = BTreeSet::new();
        let mut concurrent = false;
        for i in 0..claims.len() {
            for j in i + 1..claims.len() {
                let (x, y) = (&claims[i], &claims[j]);
                if x.rep == y.rep {
                    continue;
                }
                // One device writes in sequence, each write on top of the last: its
                // claims are never concurrent with each other (a shared laptop).
                let same_lead = x.lead_id == y.lead_id && x.device != y.device && x.window.overlaps(&y.window);
                let across = x.lead_id != y.lead_id && current.contains(&i) && current.contains(&j);
                if same_lead || across {
                    concurrent |= same_lead;
                    colliding.insert(i);
                    colliding.insert(j);
                }
            }
        }
        // A pool claim that hub time places inside another rep's protection took no
        // effect; it is a case against the claim that held the lead at that time.
        let mut holders = BTreeSet::new();
        for (j, y) in claims.iter().enumerate() {
            let Some(holder) = y.held_by.as_ref().filter(|h| **h != y.rep) else { continue };
            colliding.insert(j);
            holders.insert(holder.clone());
            let held = (0..j).rev().find(|&i| {
                let x = &claims[i];
                x.lead_id == y.lead_id && &x.rep == holder && x.took_effect
            });
            colliding.extend(held);
        }
        if colliding.is_empty() {
            return Ok(None);
        }
        let mut reps: BTreeSet<String> = colliding.iter().map(|&i| claims[i].rep.clone()).collect();
        reps.extend(holders);
        let surfaced_at = colliding.iter().map(|&i| claims[i].window.to).try_fold(None, |acc: Option<DateTime<Utc>>, t| {
            t.map(|t| Some(acc.map_or(t, |a| a.max(t))))
        });
        let mut duplicates = Vec::new();
        for a in comp {
            for b in self.linked(a)? {
                if *a < b {
                    duplicates.push(self.duplicate_link(a, &b)?);
                }
            }
        }
        duplicates.sort_by(|x, y| (&x.a, &x.b).cmp(&(&y.a, &y.b)));
        // The relations the case's leads hold (a relation held by a lead outside the
        // case would go stale when only that lead changes).
        let mut related = BTreeSet::new();
        for lead in comp {
            related.extend(relations::of_lead(&self.conn, lead)?.into_iter().filter(|r| r.holder == *lead));
        }
        let relations = related
            .into_iter()
            .map(|r| CaseRelation { holder: r.holder, other: r.other, kind: r.kind, rep: r.rep, note: r.note })
            .collect();
        Ok(Some(CollisionCase {
            id: case_id(comp),
            kind: if comp.len() > 1 {
                CaseKind::DuplicateLeads
            } else if concurrent {
                CaseKind::ConcurrentClaims
            } else {
                CaseKind::ClaimDuringProtection
            },
            branch: branch.unwrap_or_default(),
            lead_ids: comp.to_vec(),
            reps: reps.into_iter().collect(),
            claims,
            duplicates,
            surfaced_at: surfaced_at.flatten(),
            relations,
        }))
    }

    fn duplicate_link(&self, a: &str, b: &str) -> Result<DuplicateLink> {
        let ka = lead_index::get(&self.conn, a)?.map(|r| keys_of_row(&r));
        let kb = lead_index::get(&self.conn, b)?.map(|r| keys_of_row(&r));
        let (Some(ka), Some(kb)) = (ka, kb) else {
            return Err(Error::Corrupt(format!("duplicate link {a}–{b} names a lead that is not indexed")));
        };
        let s = score(&ka, &kb);
        Ok(DuplicateLink {
            a: a.to_string(),
            b: b.to_string(),
            score: s.score,
            reasons_zh: s.reasons.iter().map(|r| r.zh()).collect(),
            reasons_en: s.reasons.iter().map(|r| r.en()).collect(),
        })
    }

    fn store_case(&self, case: &CollisionCase) -> Result<()> {
        let body = serde_json::to_string(case).map_err(|e| Error::Decode(e.to_string()))?;
        let kind = serde_json::to_value(case.kind).map_err(|e| Error::Decode(e.to_string()))?;
        self.conn.execute(
            "INSERT INTO cases(case_id, branch, kind, surfaced_at, body) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![case.id, case.branch, kind.as_str().unwrap_or_default(), case.surfaced_at.map(|t| t.to_rfc3339()), body],
        )?;
        for lead in &case.lead_ids {
            self.conn.execute("INSERT INTO case_leads(lead_id, case_id) VALUES (?1, ?2)", params![lead, case.id])?;
        }
        for rep in &case.reps {
            self.conn.execute("INSERT INTO case_reps(rep, case_id) VALUES (?1, ?2)", params![rep, case.id])?;
        }
        Ok(())
    }

    /// Test only: pairs leads of fuzzy blocks up to `cap` leads (instead of
    /// [`FUZZY_BLOCK_CAP`]), so a small registry exercises blocks over the cap. Every
    /// replica must use the same cap for them to hold the same links; the derived links
    /// are not rebuilt here.
    #[doc(hidden)]
    pub fn set_fuzzy_block_cap_for_tests(&mut self, cap: usize) {
        self.memory.fuzzy_cap = Some(cap);
        self.memory.links = None;
    }
}
