//! Keyed digests of pulled plain leads, computed beside the sync's apply instead of
//! inside it (docs/VISIBILITY.md, "digests"; docs/BENCHMARKS.md, "search during sync").
//!
//! A laptop holding the company keys matches a plain lead (written before enrolment)
//! with a sealed one on the keyed digest of its phone, e-mail and contact. The digest
//! costs ~9 ms a value by design, so a first sync of 100,000 plain leads would spend
//! 16–31 core-minutes inside its apply slices, holding the registry. The app's sync
//! ([`crate::sync::RegistryAccess::hold_budget`]) therefore applies pulled changes with
//! the digests it already has ([`Registry::apply_remote_deferring_digests`]): a value
//! not digested yet gets no digest in the lead's identity — what a replica without the
//! keys derives — and the lead joins the backlog. After the pull the sync works the
//! backlog off: [`Registry::digest_work`] (under the registry, short) lists the values,
//! [`DigestWork::compute`] digests them on spare cores without the registry, and
//! [`Registry::digest_fill`] re-derives a few leads at a time with the digests now at
//! hand, so their identities gain them and the cases view adds the links they make.
//!
//! What reads digests while some are pending:
//! - duplicate links and cases: a link that needs a pending digest (a plain lead and a
//!   sealed one with the same phone) appears once the backlog is done; a missing digest
//!   never makes a wrong link, it only leaves one out for a while;
//! - the typing check and the online check digest the typed values themselves, and a
//!   pending lead still matches typed plain values on its plain fields;
//! - pushes: a laptop pushes only its own writes, sealed with their digests when
//!   written (never deferred); pulled leads are not pushed again;
//! - the doctor works the backlog off before it compares the views with a rebuild.
//!
//! The backlog lives in memory beside a meta flag: after a restart, the next sync finds
//! the pending leads by their rows (a plain value without its digest).

use leadguard_dedup::record::split_keyed;
use leadguard_dedup::{normalize_email, normalize_person, normalize_phone};
use leadguard_seal::{CompanyKeys, DigestKind, Digester};

use crate::derived::{self, Batch};
use crate::error::{Error, Result};
use crate::registry::Registry;
use crate::replication::{ApplyReport, RemoteChange};
use crate::sealing::{push_match_values, META_DIGEST_BACKLOG};
use crate::store;

/// Digests computed outside the registry: (kind, normalised value) → digest.
pub type Digested = Vec<((DigestKind, String), Option<String>)>;

/// Pending leads and the values they still need digested.
pub struct DigestWork {
    pub leads: Vec<String>,
    values: Vec<(DigestKind, String)>,
    keys: CompanyKeys,
}

impl DigestWork {
    /// Values to digest.
    pub fn values(&self) -> usize {
        self.values.len()
    }

    /// Digests the values on `threads` threads; needs no registry.
    pub fn compute(&self, threads: usize) -> Result<Digested> {
        let digester = Digester::new(self.keys.digest.clone(), self.keys.digest_params)
            .map_err(|e| Error::Decode(format!("sealing: {e}")))?;
        let chunk = self.values.len().div_ceil(threads.max(1)).max(1);
        let digester = &digester;
        Ok(std::thread::scope(|scope| {
            let workers: Vec<_> = self
                .values
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().map(|(k, v)| ((*k, v.clone()), digester.digest(*k, v))).collect::<Vec<_>>()))
                .collect();
            workers.into_iter().flat_map(|w| w.join().unwrap_or_default()).collect()
        }))
    }
}

/// Threads a background digest pass may use: `LEADGUARD_DIGEST_THREADS`, or every core
/// but one (kept for the user's commands and the sync itself).
pub fn spare_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    std::env::var("LEADGUARD_DIGEST_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(cores.saturating_sub(1)).clamp(1, 8)
}

/// Whether an identity field (`value` with its keyed digest, if any) still lacks the
/// digest of a plain value (`normal`: the value as digested).
fn lacks(field: &str, normal: impl Fn(&str) -> Option<String>) -> bool {
    let (value, digest) = split_keyed(field);
    digest.is_none() && normal(value).is_some_and(|n| !n.is_empty())
}

impl Registry {
    /// [`Registry::apply_remote`] leaving digests not at hand for later (see the module).
    pub fn apply_remote_deferring_digests(&mut self, changes: &[RemoteChange]) -> Result<ApplyReport> {
        self.memory.defer_digests = true;
        let report = self.apply_remote(changes);
        self.memory.defer_digests = false;
        report
    }

    /// Leads waiting for digests (as known in memory).
    pub fn digest_backlog_len(&self) -> usize {
        self.memory.digest_backlog.len()
    }

    /// Up to `max` leads of the backlog and the values they need digested (none cached),
    /// or `None` when nothing waits.
    pub fn digest_work(&mut self, max: usize) -> Result<Option<DigestWork>> {
        if self.memory.digest_backlog.is_empty() {
            if store::meta_get(&self.conn, META_DIGEST_BACKLOG)?.is_none() {
                return Ok(None);
            }
            self.find_pending_leads()?;
        }
        let Some(keys) = self.company_keys()? else {
            // No keys, nothing to digest: rows without digests are what this replica derives.
            self.memory.digest_backlog.clear();
            store::meta_set(&self.conn, META_DIGEST_BACKLOG, None)?;
            return Ok(None);
        };
        if self.memory.digest_backlog.is_empty() {
            store::meta_set(&self.conn, META_DIGEST_BACKLOG, None)?;
            return Ok(None);
        }
        let leads: Vec<String> = self.memory.digest_backlog.iter().take(max).cloned().collect();
        let mut values = Vec::new();
        for id in &leads {
            if let Some(row) = crate::lead_index::get(&self.conn, id)? {
                let r = row.identity();
                let plain = |f: &str| split_keyed(f).0.to_string();
                push_match_values(&mut values, &plain(&r.phone), &plain(&r.email), &plain(&r.contact), &r.region);
            }
        }
        let mut seen = std::collections::HashSet::new();
        values.retain(|v| seen.insert(v.clone()));
        let cache = self.digests()?;
        values.retain(|(k, v)| !v.is_empty() && cache.as_ref().is_none_or(|c| !c.knows(*k, v)));
        Ok(Some(DigestWork { leads, values, keys }))
    }

    /// Keeps digests computed outside the registry, for [`Registry::digest_fill`].
    pub fn digest_absorb(&mut self, done: Digested) -> Result<()> {
        if let Some(cache) = self.digests()? {
            cache.absorb(done);
        }
        Ok(())
    }

    /// Re-derives `leads` with the digests at hand, in one transaction; a lead whose
    /// digests are still missing stays in the backlog.
    pub fn digest_fill(&mut self, leads: &[String]) -> Result<()> {
        for id in leads {
            self.memory.digest_backlog.remove(id);
        }
        self.memory.defer_digests = true;
        let outcome = self.transact(|reg| {
            let mut batch = Batch::default();
            derived::reindex_leads(reg, &mut batch, &leads.iter().cloned().collect())?;
            derived::finish(reg, &batch)?;
            if reg.memory.digest_backlog.is_empty() {
                store::meta_set(&reg.conn, META_DIGEST_BACKLOG, None)?;
            }
            Ok(())
        });
        self.memory.defer_digests = false;
        if outcome.is_err() {
            self.memory.digest_backlog.extend(leads.iter().cloned());
        }
        outcome
    }

    /// Works the whole backlog off here and now, on every core (the doctor, the CLI).
    pub fn finish_digest_backlog(&mut self) -> Result<()> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut before = usize::MAX;
        while let Some(work) = self.digest_work(1_000)? {
            let left = self.memory.digest_backlog.len();
            if left >= before {
                break; // no progress (a digest the cache keeps losing): leave the rest
            }
            before = left;
            let done = work.compute(threads)?;
            self.digest_absorb(done)?;
            self.digest_fill(&work.leads)?;
        }
        Ok(())
    }

    /// Fills the backlog from the rows: leads with a plain value but not its digest.
    fn find_pending_leads(&mut self) -> Result<()> {
        let mut found = Vec::new();
        crate::lead_index::for_each_identity(&self.conn, |id, _company, contact, phone, email, region| {
            let phone_lacks = lacks(phone, |p| normalize_phone(p.trim(), region).full_digits());
            let email_lacks = lacks(email, normalize_email);
            let contact_lacks = lacks(contact, |c| Some(normalize_person(c).full));
            if phone_lacks || email_lacks || contact_lacks {
                found.push(id.to_string());
            }
        })?;
        self.memory.digest_backlog.extend(found);
        Ok(())
    }
}
