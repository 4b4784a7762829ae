//! The in-memory duplicate index: [`leadguard_dedup::Index`] over every lead's
//! identifying fields, kept in step with the lead index table. (Collision detection
//! finds its `dup_links` in [`crate::link_blocks`] instead.)
//!
//! It is built on the first duplicate check from `lead_index` (no Automerge document
//! is loaded; [`crate::derived::memory`]), then updated after every committed write and
//! merge through [`crate::memory_views`]. Lead ids are 16 hex digits, i.e. a `u64`, which is the id the
//! dedup index takes; an id that is not (only possible in hand-crafted data) is left
//! out of duplicate checks.

use leadguard_dedup::{Config, Index, LeadKeys, LeadRecord, Match};

use crate::error::Result;
use crate::model::LeadFields;

pub struct DuplicateIndex {
    index: Index,
}

pub fn numeric_id(lead_id: &str) -> Option<u64> {
    (lead_id.len() == 16).then(|| u64::from_str_radix(lead_id, 16).ok()).flatten()
}

pub fn lead_id(n: u64) -> String {
    format!("{n:016x}")
}

/// Keyed digests of plain values (the sealing module's cache implements it).
pub trait KeyedDigests {
    fn phone(&mut self, raw: &str, region: &str) -> Option<String>;
    fn email(&mut self, raw: &str) -> Option<String>;
    fn contact(&mut self, raw: &str) -> Option<String>;
    /// Remembers a digest already derived (from an index row), so a re-derivation of
    /// an unchanged value does not pay for it again.
    fn remember(&mut self, kind: leadguard_seal::DigestKind, normalised: &str, digest: &str);
    /// Digests many normalised values ahead of their use, on every core where the
    /// implementation can (enrolment, imports). The default computes nothing ahead.
    fn prewarm(&mut self, _values: Vec<(leadguard_seal::DigestKind, String)>) {}
    /// While on, a value not digested yet gets no digest (`None`) and is counted as
    /// missed instead of being digested now ([`crate::digest_backlog`]).
    fn defer(&mut self, _on: bool) {}
    /// Values left without their digest since the last call.
    fn take_missed(&mut self) -> usize {
        0
    }
    /// Whether a normalised value's digest is at hand (computed or absorbed).
    fn knows(&self, _kind: leadguard_seal::DigestKind, _normalised: &str) -> bool {
        false
    }
    /// Keeps digests computed elsewhere (`None`: the value has no digest).
    fn absorb(&mut self, _done: Vec<((leadguard_seal::DigestKind, String), Option<String>)>) {}
}

/// The identifying fields of a lead as every replica sees them (docs/VISIBILITY.md:
/// cases are derived from open fields only): a sealed contact, phone or e-mail is
/// matched on its keyed digest (and a sealed phone on its masked form too). With
/// `digests` (a replica holding the company's digest key: every employee's) a plain
/// value carries its keyed digest as well, so a plain lead and a sealed one with the
/// same phone match as strongly as two plain ones; the digests ride in the record's
/// text fields ([`leadguard_dedup::record::with_keyed`]) and so are cached in the
/// lead's index row, computed once.
pub fn record(f: &LeadFields, mut digests: Option<&mut dyn KeyedDigests>) -> LeadRecord {
    use leadguard_dedup::record::with_keyed;
    let sealed = |o: &Option<String>| o.as_deref().is_some_and(leadguard_seal::is_sealed);
    let s = |o: &Option<String>| o.clone().filter(|v| !leadguard_seal::is_sealed(v)).unwrap_or_default();
    let region = s(&f.region);
    let phone = if sealed(&f.phone) {
        with_keyed(f.phone_masked.as_deref().unwrap_or_default(), f.phone_digest.as_deref())
    } else {
        let p = s(&f.phone);
        let d = digests.as_mut().and_then(|c| c.phone(&p, &region));
        with_keyed(&p, d.as_deref())
    };
    let contact = if sealed(&f.contact) {
        with_keyed("", f.contact_digest.as_deref())
    } else {
        let c = s(&f.contact);
        let d = digests.as_mut().and_then(|x| x.contact(&c));
        with_keyed(&c, d.as_deref())
    };
    let email = if sealed(&f.email) {
        with_keyed("", f.email_digest.as_deref())
    } else {
        let e = s(&f.email);
        let d = digests.as_mut().and_then(|x| x.email(&e));
        with_keyed(&e, d.as_deref())
    };
    LeadRecord { company: s(&f.company), contact, phone, email, region, address: None }
}

impl DuplicateIndex {
    /// Builds the index from the lead index table (no document is loaded).
    pub(crate) fn build(conn: &rusqlite::Connection) -> Result<DuplicateIndex> {
        let mut rows = Vec::new();
        crate::lead_index::for_each_identity(conn, |id, company, contact, phone, email, region| {
            if let Some(n) = numeric_id(id) {
                let r = LeadRecord {
                    company: company.into(),
                    contact: contact.into(),
                    phone: phone.into(),
                    email: email.into(),
                    region: region.into(),
                    address: None,
                };
                rows.push((n, r));
            }
        })?;
        // Normalised on every core (a registry of 100,000 leads after a rebuild or on
        // opening), filed in order.
        let mut index = Index::new(Config::default());
        for (n, keys) in normalise_all(rows) {
            index.insert_keys(n, keys);
        }
        Ok(DuplicateIndex { index })
    }

    /// Likely and possible matches of `keys` (see [`Index::check_possible`]).
    pub(crate) fn check_possible(&self, keys: &LeadKeys, limit: usize, exclude: Option<u64>) -> Vec<Match> {
        self.index.check_possible(keys, limit, exclude)
    }

    /// The keys the index holds for a lead (verification).
    pub(crate) fn keys(&self, lead_id: &str) -> Option<LeadKeys> {
        numeric_id(lead_id).and_then(|n| self.index.keys(n))
    }

    /// Replaces the entry of one lead (its identity: [`record`]).
    pub fn upsert(&mut self, lead_id: &str, identity: &LeadRecord) {
        if let Some(n) = numeric_id(lead_id) {
            self.index.remove(n);
            self.index.insert(n, identity);
        }
    }

    /// [`DuplicateIndex::upsert`] of keys already normalised from the identity.
    pub(crate) fn upsert_keys(&mut self, lead_id: &str, keys: LeadKeys) {
        if let Some(n) = numeric_id(lead_id) {
            self.index.insert_keys(n, keys);
        }
    }

    /// Every indexed lead's numeric id and keys (what the link blocks start from).
    pub(crate) fn entries(&self) -> impl Iterator<Item = (u64, LeadKeys)> + '_ {
        self.index.entries()
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }
}

/// Normalises many records, on every core when there are many (in their order).
pub(crate) fn normalise_all(rows: Vec<(u64, LeadRecord)>) -> Vec<(u64, LeadKeys)> {
    let threads = if rows.len() < 4096 { 1 } else { std::thread::available_parallelism().map_or(1, |p| p.get()).min(8) };
    if threads == 1 {
        return rows.into_iter().map(|(n, r)| (n, LeadKeys::from_record(&r))).collect();
    }
    let chunk = rows.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|(n, r)| (*n, LeadKeys::from_record(r))).collect::<Vec<_>>()))
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    })
}
