//! Sealed contacts on this device (docs/VISIBILITY.md, rule 12): a registration made
//! on an enrolled device (one with `company.keys`) writes its contact-class fields
//! sealed under a fresh per-lead key, plus the open match data every replica needs
//! (masked phone, keyed digests). Reading opens the sealed fields when the device
//! holds the lead's key and shows the masked view otherwise.
//!
//! Lead keys live in `lead_keys`: made here for the leads this device registers
//! (`own`, pushed to the hub once) or granted by the hub to the leads its user may see
//! in full. A revocation deletes the key and the readable rows derived with it.
//!
//! Duplicate links and cases never read opened values: they are derived from
//! [`crate::duplicate_index::record`], which sees only open fields, so every replica
//! derives the same cases whatever keys it holds.

use std::collections::HashMap;

use leadguard_dedup::{normalize_email, normalize_person, normalize_phone};
use leadguard_seal::{is_sealed, mask_phone, CompanyKeys, DigestKind, Digester, LeadKey};
use rusqlite::{params, OptionalExtension};

use crate::duplicate_index::KeyedDigests;
use crate::error::{Error, Result};
use crate::model::LeadFields;
use crate::registry::Registry;

/// Which fields identify or describe a person: sealed under the lead's key.
const CONTACT_FIELDS: [&str; 5] = ["contact", "phone", "email", "need", "notes"];

fn slot<'a>(f: &'a mut LeadFields, name: &str) -> &'a mut Option<String> {
    match name {
        "contact" => &mut f.contact,
        "phone" => &mut f.phone,
        "email" => &mut f.email,
        "need" => &mut f.need,
        _ => &mut f.notes,
    }
}

fn seal_err(e: leadguard_seal::SealError) -> Error {
    Error::Decode(format!("sealing: {e}"))
}

/// Meta key set while leads wait for keyed digests of their plain values
/// ([`crate::digest_backlog`]): after a restart, the rows tell which.
pub(crate) const META_DIGEST_BACKLOG: &str = "digests.backlog";

/// What a reader without the lead's key sees in place of sealed free text.
pub const SEALED_TEXT: &str = "（已加密）";

/// The free text of an event about its customer (a follow-up's or an appeal's note, a
/// decision's, review's or acknowledgement's reason, a visit's note): contact class,
/// sealed under the lead's key with the field name as associated data. An
/// assignment's reason is generated (rule and rep): not sealed.
fn free_text(kind: &mut crate::model::EventKind) -> Option<(&'static str, &mut String)> {
    use crate::model::EventKind as K;
    match kind {
        K::Followup { note, .. } | K::Appeal { note, .. } | K::Visit { note: Some(note), .. } => Some(("note", note)),
        K::Decide { reason, .. } | K::Review { reason, .. } | K::DuplicateAcknowledged { reason: Some(reason), .. } => {
            Some(("reason", reason))
        }
        _ => None,
    }
}

/// Free text as this device may show it: opened with the lead's key, or
/// [`SEALED_TEXT`] without it.
fn open_text(key: Option<&LeadKey>, lead_id: &str, field: &str, text: &str) -> String {
    if !is_sealed(text) {
        return text.to_string();
    }
    key.and_then(|k| leadguard_seal::open(k, lead_id, field, text).ok()).unwrap_or_else(|| SEALED_TEXT.to_string())
}

/// Opens the free text of `events` of one lead in place ([`open_text`]).
pub(crate) fn open_events_text(key: Option<&LeadKey>, lead_id: &str, events: &mut [crate::model::Event]) {
    for e in events {
        if let Some((field, text)) = free_text(&mut e.kind) {
            *text = open_text(key, lead_id, field, text);
        }
    }
}

/// Whether any contact-class field of these fields is sealed.
pub(crate) fn has_sealed(f: &LeadFields) -> bool {
    [&f.contact, &f.phone, &f.email, &f.need, &f.notes].iter().any(|v| v.as_deref().is_some_and(is_sealed))
}

/// Keyed digests of typed or stored values, each normalised value digested once (the
/// digest is slow by design, ~9 ms): sealing, the index rows of plain leads and the
/// typing warning all go through here, so they derive the same digest of a value.
pub(crate) struct DigestCache {
    digester: Digester,
    memo: HashMap<(DigestKind, String), Option<String>>,
    /// Set while pulled changes are applied in the app's sync: a miss is counted, not
    /// digested ([`crate::digest_backlog`]).
    deferred: bool,
    missed: usize,
}

/// The most values the cache keeps (≈10 MB); past it, it starts afresh (a long-running
/// app would otherwise keep every value it ever digested).
const DIGEST_CACHE_MAX: usize = 100_000;

impl DigestCache {
    fn bound(&mut self) {
        if self.memo.len() >= DIGEST_CACHE_MAX {
            self.memo.clear();
        }
    }

    pub(crate) fn new(keys: &CompanyKeys) -> Result<DigestCache> {
        Ok(DigestCache {
            digester: Digester::new(keys.digest.clone(), keys.digest_params).map_err(seal_err)?,
            memo: HashMap::new(),
            deferred: false,
            missed: 0,
        })
    }

    fn get(&mut self, kind: DigestKind, normalised: &str) -> Option<String> {
        if normalised.is_empty() {
            return None;
        }
        if self.deferred {
            let known = self.memo.get(&(kind, normalised.to_string())).cloned();
            self.missed += usize::from(known.is_none());
            return known.flatten();
        }
        self.bound();
        let digester = &self.digester;
        self.memo.entry((kind, normalised.to_string())).or_insert_with(|| digester.digest(kind, normalised)).clone()
    }
}

impl KeyedDigests for DigestCache {
    /// Digests `values` on every core at once and keeps them (enrolment re-derives every
    /// plain lead: three slow digests a lead, one core would take minutes). Stops short
    /// of the cache's bound so the rebuild that follows does not start it afresh.
    fn prewarm(&mut self, values: Vec<(DigestKind, String)>) {
        let distinct: std::collections::HashSet<(DigestKind, String)> = values.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        let mut todo: Vec<(DigestKind, String)> = distinct.into_iter().filter(|k| !self.memo.contains_key(k)).collect();
        todo.truncate((DIGEST_CACHE_MAX * 9 / 10).saturating_sub(self.memo.len()));
        // LEADGUARD_DIGEST_THREADS caps the cores used (a laptop kept responsive, or
        // `make bench-enrol`'s one-core peer).
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = std::env::var("LEADGUARD_DIGEST_THREADS").ok().and_then(|v| v.parse().ok()).unwrap_or(cores).clamp(1, 8);
        let chunk = todo.len().div_ceil(threads).max(1);
        let digester = &self.digester;
        let done: Vec<Vec<((DigestKind, String), Option<String>)>> = std::thread::scope(|scope| {
            let workers: Vec<_> = todo
                .chunks(chunk)
                .map(|part| scope.spawn(move || part.iter().map(|(k, v)| ((*k, v.clone()), digester.digest(*k, v))).collect::<Vec<_>>()))
                .collect();
            workers.into_iter().map(|w| w.join().unwrap_or_default()).collect()
        });
        self.memo.extend(done.into_iter().flatten());
    }

    fn defer(&mut self, on: bool) {
        self.deferred = on;
    }

    fn take_missed(&mut self) -> usize {
        std::mem::take(&mut self.missed)
    }

    fn knows(&self, kind: DigestKind, normalised: &str) -> bool {
        self.memo.contains_key(&(kind, normalised.to_string()))
    }

    fn absorb(&mut self, done: Vec<((DigestKind, String), Option<String>)>) {
        // Bounded once, before: what is absorbed now is read by the re-derivation next.
        if self.memo.len() + done.len() >= DIGEST_CACHE_MAX {
            self.memo.clear();
        }
        self.memo.extend(done);
    }

    fn remember(&mut self, kind: DigestKind, normalised: &str, digest: &str) {
        if !normalised.is_empty() && !digest.is_empty() {
            self.bound();
            self.memo.entry((kind, normalised.to_string())).or_insert_with(|| Some(digest.to_string()));
        }
    }

    /// The digest of a phone's complete national number (none for a masked one).
    fn phone(&mut self, raw: &str, region: &str) -> Option<String> {
        let digits = normalize_phone(raw.trim(), region).full_digits()?;
        self.get(DigestKind::Phone, &digits)
    }

    fn email(&mut self, raw: &str) -> Option<String> {
        let e = normalize_email(raw)?;
        self.get(DigestKind::Email, &e)
    }

    fn contact(&mut self, raw: &str) -> Option<String> {
        let name = normalize_person(raw).full;
        self.get(DigestKind::Contact, &name)
    }
}

/// The normalised values [`KeyedDigests`] digests for a phone, e-mail and contact
/// (the same normalisation as its methods, so a prewarmed digest is the one used).
pub(crate) fn push_match_values(out: &mut Vec<(DigestKind, String)>, phone: &str, email: &str, contact: &str, region: &str) {
    if let Some(d) = normalize_phone(phone.trim(), region).full_digits() {
        out.push((DigestKind::Phone, d));
    }
    if let Some(e) = normalize_email(email) {
        out.push((DigestKind::Email, e));
    }
    out.push((DigestKind::Contact, normalize_person(contact).full));
}

/// Seals the contact-class fields of a registration or update and adds the open match
/// data (masked phone, digests of the normalised phone, e-mail and contact). Values
/// the caller sent as match data are replaced: the core computes them.
pub(crate) fn seal_fields(digests: &mut dyn KeyedDigests, key: &LeadKey, lead_id: &str, mut f: LeadFields) -> Result<LeadFields> {
    f.phone_masked = None;
    f.phone_digest = None;
    f.email_digest = None;
    f.contact_digest = None;
    let region = f.region.clone().unwrap_or_default();
    if let Some(p) = f.phone.as_deref().map(str::trim) {
        // An empty value clears the field (an update); its match data clear with it.
        let clear = p.is_empty();
        let phone = normalize_phone(p, &region);
        // Masked from the national number, so `+86 139…` shows as `139****5678`.
        let national = phone.full_digits().unwrap_or_else(|| p.to_string());
        f.phone_masked = Some(if clear { String::new() } else { mask_phone(&national) });
        f.phone_digest = Some(digests.phone(p, &region).unwrap_or_default());
    }
    if let Some(e) = f.email.as_deref() {
        f.email_digest = Some(digests.email(e).unwrap_or_default());
    }
    if let Some(c) = f.contact.as_deref() {
        f.contact_digest = Some(digests.contact(c).unwrap_or_default());
    }
    for name in CONTACT_FIELDS {
        let v = slot(&mut f, name);
        if let Some(plain) = v.as_deref().map(str::trim).filter(|s| !s.is_empty() && !is_sealed(s)) {
            *v = Some(leadguard_seal::seal(key, lead_id, name, plain).map_err(seal_err)?);
        }
    }
    Ok(f)
}

/// The fields as this device may show them: sealed values opened with the lead's key,
/// or (without it) the masked view: the masked phone, no contact, e-mail or free text.
/// The match data (masked phone, digests) is for matching, not for showing: left out.
pub(crate) fn open_fields(key: Option<&LeadKey>, lead_id: &str, f: &LeadFields) -> LeadFields {
    let mut out = LeadFields { phone_masked: None, phone_digest: None, email_digest: None, contact_digest: None, ..f.clone() };
    if !has_sealed(f) {
        return out;
    }
    for name in CONTACT_FIELDS {
        let v = slot(&mut out, name);
        if let Some(sealed) = v.clone().filter(|s| is_sealed(s)) {
            *v = key.and_then(|k| leadguard_seal::open(k, lead_id, name, &sealed).ok());
            if v.is_none() && name == "phone" {
                *v = f.phone_masked.clone().filter(|m| !m.is_empty());
            }
        }
    }
    out
}

/// The company key file of the registry in `data_dir` (beside it, not inside it).
pub(crate) fn company_keys_path(data_dir: &std::path::Path) -> std::path::PathBuf {
    data_dir.join("company.keys")
}

impl Registry {
    /// The company keys enrolment left beside the registry, if any (read each time: the
    /// file is small and replaced atomically at enrolment).
    pub(crate) fn company_keys(&self) -> Result<Option<CompanyKeys>> {
        let path = company_keys_path(self.data_dir());
        if !path.exists() {
            return Ok(None);
        }
        CompanyKeys::read(&path).map(Some).map_err(seal_err)
    }

    /// The key of a lead, if this device holds it.
    pub(crate) fn lead_key(&self, lead_id: &str) -> Result<Option<LeadKey>> {
        let hex: Option<String> =
            self.conn.prepare_cached("SELECT key FROM lead_keys WHERE lead_id = ?1")?.query_row([lead_id], |r| r.get(0)).optional()?;
        Ok(hex.and_then(|h| LeadKey::from_hex(&h).ok()))
    }

    /// Makes and keeps the key of a lead this device registers (pushed to the hub later).
    pub(crate) fn make_lead_key(&self, lead_id: &str) -> Result<LeadKey> {
        let key = LeadKey::generate().map_err(seal_err)?;
        self.conn.execute(
            "INSERT INTO lead_keys(lead_id, key, origin, pushed) VALUES (?1, ?2, 'own', 0)",
            params![lead_id, key.to_hex()],
        )?;
        Ok(key)
    }

    /// Keeps a key the hub granted. Returns whether it is new here.
    pub(crate) fn keep_granted_key(&self, lead_id: &str, key_hex: &str) -> Result<bool> {
        LeadKey::from_hex(key_hex).map_err(seal_err)?;
        let n = self.conn.execute(
            "INSERT INTO lead_keys(lead_id, key, origin, pushed) VALUES (?1, ?2, 'grant', 1)
             ON CONFLICT(lead_id) DO NOTHING",
            params![lead_id, key_hex],
        )?;
        Ok(n > 0)
    }

    /// Forgets a lead's key. Returns whether this device held it.
    pub(crate) fn forget_lead_key(&self, lead_id: &str) -> Result<bool> {
        Ok(self.conn.execute("DELETE FROM lead_keys WHERE lead_id = ?1 AND pushed = 1", [lead_id])? > 0)
    }

    /// Keys of leads this device registered that the hub has not stored yet.
    pub(crate) fn unpushed_lead_keys(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self.conn.prepare("SELECT lead_id, key FROM lead_keys WHERE pushed = 0 ORDER BY lead_id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(crate) fn mark_lead_keys_pushed(&self, lead_ids: &[String]) -> Result<()> {
        for id in lead_ids {
            self.conn.execute("UPDATE lead_keys SET pushed = 1 WHERE lead_id = ?1", [id])?;
        }
        Ok(())
    }

    /// The fields of a lead as this device may show them ([`open_fields`]).
    pub(crate) fn opened(&self, lead_id: &str, f: &LeadFields) -> Result<LeadFields> {
        if !has_sealed(f) {
            return Ok(open_fields(None, lead_id, f));
        }
        Ok(open_fields(self.lead_key(lead_id)?.as_ref(), lead_id, f))
    }

    /// Seals the fields of a registration or update written here, when this device is
    /// enrolled (has company keys). `new`: a registration (its key is made now). An
    /// update of a sealed lead whose key this device does not hold is refused: it
    /// could neither seal the new values nor leave them readable to everyone.
    pub(crate) fn seal_for_write(&mut self, lead_id: &str, new: bool, prior_sealed: bool, f: LeadFields) -> Result<LeadFields> {
        if self.company_keys()?.is_none() {
            return Ok(f);
        }
        let key = match (new, self.lead_key(lead_id)?) {
            (true, _) => self.make_lead_key(lead_id)?,
            (false, Some(k)) => k,
            (false, None) if prior_sealed => return Err(crate::Reason::LeadNotYours { lead: lead_id.to_string() }.into()),
            // A lead written before sealing (or on a device never enrolled) stays plain.
            (false, None) => return Ok(f),
        };
        let Some(digests) = self.digests()? else { return Ok(f) };
        seal_fields(digests, &key, lead_id, f)
    }

    /// Seals the free text of an event written here when this device holds the lead's
    /// key (every lead it may see in full, on an enrolled device). Without the key —
    /// a device never enrolled, a lead written before sealing, a manager deciding on
    /// another branch's lead — the text stays plain, and the hub then serves the
    /// lead's document to its branch only (docs/VISIBILITY.md).
    pub(crate) fn seal_free_text(&self, lead_id: &str, mut kind: crate::model::EventKind) -> Result<crate::model::EventKind> {
        if let Some((field, text)) = free_text(&mut kind) {
            let plain = text.trim();
            if !plain.is_empty() && !is_sealed(plain) {
                if let Some(key) = self.lead_key(lead_id)? {
                    *text = leadguard_seal::seal(&key, lead_id, field, plain).map_err(seal_err)?;
                }
            }
        }
        Ok(kind)
    }

    /// The company keys were just written beside the registry (enrolment): new leads go
    /// to a fresh shard (the current one may hold plain contacts), and leads are
    /// re-derived with the keyed digests of their plain values (each digested once;
    /// docs/VISIBILITY.md gives the cost).
    pub fn company_keys_installed(&mut self) -> Result<()> {
        self.start_fresh_shard()?;
        self.memory.digests = None;
        let mut values = Vec::new();
        {
            let mut stmt = self.conn.prepare("SELECT phone, email, contact, region FROM lead_index")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?)))?;
            for row in rows {
                let (phone, email, contact, region) = row?;
                push_match_values(&mut values, &phone, &email, &contact, &region);
            }
        }
        if let Some(cache) = self.digests()? {
            cache.prewarm(values);
        }
        self.rebuild_derived()
    }

    /// Digests the phones, e-mails and contacts of `fields` on every core before they
    /// are written one by one (an import of thousands of customers).
    pub(crate) fn prewarm_digests<'a>(&mut self, fields: impl IntoIterator<Item = &'a LeadFields>) -> Result<()> {
        let mut values = Vec::new();
        for f in fields {
            let text = |o: &Option<String>| o.clone().filter(|v| !is_sealed(v)).unwrap_or_default();
            push_match_values(&mut values, &text(&f.phone), &text(&f.email), &text(&f.contact), &text(&f.region));
        }
        if let Some(cache) = self.digests()? {
            cache.prewarm(values);
        }
        Ok(())
    }

    /// This device's digest cache, when it holds the company keys (read once).
    pub(crate) fn digests(&mut self) -> Result<Option<&mut (dyn KeyedDigests + Send + 'static)>> {
        // Not read yet, or read before the keys were written (enrolment in this process).
        let stale = match &self.memory.digests {
            None => true,
            Some(None) => company_keys_path(self.data_dir()).exists(),
            Some(Some(_)) => false,
        };
        if stale {
            let cache = match self.company_keys()? {
                Some(keys) => Some(Box::new(DigestCache::new(&keys)?) as Box<dyn KeyedDigests + Send>),
                None => None,
            };
            self.memory.digests = Some(cache);
        }
        Ok(self.memory.digests.as_mut().and_then(|d| d.as_deref_mut()))
    }

    /// [`Registry::identity_of`] for a lead's derived row. While pulled changes are
    /// applied in the app's sync (`memory.defer_digests`), a value not digested yet is
    /// left without its digest, and the lead joins the digest backlog
    /// ([`crate::digest_backlog`]) instead of paying ~9 ms a value inside the apply.
    pub(crate) fn identity_for_row(
        &mut self,
        lead_id: &str,
        f: &LeadFields,
        before: Option<&leadguard_dedup::LeadRecord>,
    ) -> Result<leadguard_dedup::LeadRecord> {
        if !self.memory.defer_digests {
            return self.identity_of(f, before);
        }
        if let Some(c) = self.digests()? {
            c.defer(true);
        }
        let identity = self.identity_of(f, before);
        let missed = self.digests()?.map_or(0, |c| {
            c.defer(false);
            c.take_missed()
        });
        let identity = identity?;
        if missed > 0 {
            crate::store::meta_set(&self.conn, META_DIGEST_BACKLOG, Some("1"))?;
            self.memory.digest_backlog.insert(lead_id.to_string());
        }
        Ok(identity)
    }

    /// The identifying fields of a lead as every replica holding the digest key sees
    /// them ([`crate::duplicate_index::record`]); `before`: its previous identity,
    /// whose digests are reused for values that did not change.
    pub(crate) fn identity_of(&mut self, f: &LeadFields, before: Option<&leadguard_dedup::LeadRecord>) -> Result<leadguard_dedup::LeadRecord> {
        let Some(cache) = self.digests()? else {
            return Ok(crate::duplicate_index::record(f, None));
        };
        if let Some(b) = before {
            use leadguard_dedup::record::split_keyed;
            if let (p, Some(d)) = split_keyed(&b.phone) {
                if let Some(n) = normalize_phone(p, &b.region).full_digits() {
                    cache.remember(DigestKind::Phone, &n, d);
                }
            }
            if let (e, Some(d)) = split_keyed(&b.email) {
                if let Some(n) = normalize_email(e) {
                    cache.remember(DigestKind::Email, &n, d);
                }
            }
            if let (c, Some(d)) = split_keyed(&b.contact) {
                cache.remember(DigestKind::Contact, &normalize_person(c).full, d);
            }
        }
        Ok(crate::duplicate_index::record(f, Some(cache)))
    }
}

impl Registry {
    /// [`Registry::status`] with its fields, and those of its registrations and
    /// updates, as this device may show them (the status itself is derived from the
    /// stored, sealed events, as on every replica).
    pub(crate) fn status_shown(
        &mut self,
        lead_id: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Vec<crate::model::Event>, crate::status::Status)> {
        let (mut events, mut status) = self.status(lead_id, at)?;
        let key = self.lead_key(lead_id)?;
        status.fields = open_fields(key.as_ref(), lead_id, &status.fields);
        for e in &mut events {
            if let crate::model::EventKind::Register { fields } | crate::model::EventKind::Update { fields } = &mut e.kind {
                *fields = open_fields(key.as_ref(), lead_id, fields);
            }
        }
        open_events_text(key.as_ref(), lead_id, &mut events);
        if let Some(review) = &mut status.review {
            review.reason = open_text(key.as_ref(), lead_id, "reason", &review.reason);
        }
        Ok((events, status))
    }
}
