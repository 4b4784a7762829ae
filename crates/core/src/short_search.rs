//! The search box's text search (华, 电子, 腾达科技, 1391234): answered from an in-memory
//! copy of each lead's searchable text instead of SQL, for every query length.
//!
//! Shorter than three characters the trigram full-text index cannot help, and a `LIKE`
//! scan of 100k rows (four columns, plus counting) took 100–600 ms, far over the 100 ms
//! a keystroke may take; three and more, the trigram index answers, but counting a
//! broad match's rows still reads them. A substring scan of the same text in memory
//! takes a millisecond or two at 100,000 leads (`make bench-core`).
//!
//! Same semantics as the SQL path in [`crate::lead_index::list`]: a substring of company,
//! contact, phone or email (ASCII case-insensitive, like SQLite's `LIKE` and the trigram
//! index on ASCII) or the exact lead id; newest first (`updated_at DESC, lead_id`);
//! totals counted up to [`crate::lead_index::COUNT_CAP`]. (Where they differ: the
//! trigram index also folds non-ASCII case and lets a phrase span two fields through
//! the space between them; this copy does neither.) The copy is built on first use from
//! `lead_index` and kept in step by [`crate::memory_views::MemoryViews`] after each
//! commit; a commit by another process (`Registry::refresh_if_changed`, `PRAGMA
//! data_version`) drops it, and the next search rebuilds it.
//!
//! The copy sits behind its own lock ([`SharedSearch`]), shared by the registry, which
//! updates it after each commit, and the apps' lead reader (`api::Host`), which searches
//! it without the registry: a search never waits for a sync's apply slice.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use rusqlite::Connection;

use crate::error::Result;
use crate::model::LeadFields;

/// Between fields, so a match never spans two of them.
const SEP: char = '\u{1f}';

struct Entry {
    lead_id: String,
    updated_at: i64,
    /// Its text in [`ShortSearch::buf`].
    text: std::ops::Range<usize>,
}

/// The searchable text of every lead.
#[derive(Default)]
pub struct ShortSearch {
    entries: Vec<Entry>,
    by_lead: HashMap<String, usize>,
    /// Every lead's text in one buffer, each followed by [`SEP`], in the order written;
    /// a rewritten lead's old text is blanked with `SEP`, which no query holds. One
    /// pass over one buffer: walking 100,000 separately allocated texts was mostly
    /// cache misses (`perf` at 100,000 leads during a first sync).
    buf: Vec<u8>,
    /// Where each text starts in `buf` (ascending) and its entry (`None`: blanked).
    segments: Vec<(usize, Option<usize>)>,
    blanked: usize,
}

/// Blanked bytes that make the buffer worth rewriting (and at least half of it).
const COMPACT_FROM: usize = 1 << 20;

fn text_of(company: &str, contact: &str, phone: &str, email: &str) -> String {
    let mut t = String::with_capacity(company.len() + contact.len() + phone.len() + email.len() + 3);
    for (i, f) in [company, contact, phone, email].into_iter().enumerate() {
        if i > 0 {
            t.push(SEP);
        }
        t.push_str(&f.to_ascii_lowercase());
    }
    t
}

impl ShortSearch {
    /// Whether `q` (trimmed) is a query this index answers (any text but the field
    /// separator).
    pub fn answers(q: &str) -> bool {
        !q.is_empty() && !q.contains(SEP)
    }

    pub(crate) fn build(conn: &Connection) -> Result<ShortSearch> {
        let mut s = ShortSearch::default();
        let mut stmt = conn.prepare("SELECT lead_id, updated_at, company, contact, phone, email FROM lead_index")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let field = |i| r.get_ref(i).ok().and_then(|v| v.as_str().ok()).unwrap_or_default();
            let text = text_of(field(2), field(3), field(4), field(5));
            s.put(r.get(0)?, r.get(1)?, text);
        }
        Ok(s)
    }

    fn put(&mut self, lead_id: String, updated_at: i64, text: String) {
        let i = match self.by_lead.get(&lead_id) {
            Some(&i) => {
                let old = self.entries[i].text.clone();
                self.buf[old.clone()].fill(SEP as u8);
                self.blanked += old.len();
                let seg = self.segments.partition_point(|&(start, _)| start <= old.start) - 1;
                self.segments[seg].1 = None;
                self.entries[i].updated_at = updated_at;
                i
            }
            None => {
                self.by_lead.insert(lead_id.clone(), self.entries.len());
                self.entries.push(Entry { lead_id, updated_at, text: 0..0 });
                self.entries.len() - 1
            }
        };
        self.append(i, text.as_bytes());
        if self.blanked >= COMPACT_FROM && self.blanked * 2 >= self.buf.len() {
            self.compact();
        }
    }

    fn append(&mut self, i: usize, text: &[u8]) {
        let start = self.buf.len();
        self.buf.extend_from_slice(text);
        self.buf.push(SEP as u8);
        self.segments.push((start, Some(i)));
        self.entries[i].text = start..start + text.len();
    }

    /// Rewrites the buffer without the blanked texts.
    fn compact(&mut self) {
        let old = std::mem::take(&mut self.buf);
        self.segments.clear();
        self.blanked = 0;
        for i in 0..self.entries.len() {
            let text = self.entries[i].text.clone();
            self.append(i, &old[text]);
        }
    }

    /// A committed write of a lead.
    pub fn upsert(&mut self, lead_id: &str, fields: &LeadFields, updated_at: i64) {
        let f = |o: &Option<String>| o.clone().unwrap_or_default();
        let text = text_of(&f(&fields.company), &f(&fields.contact), &f(&fields.phone), &f(&fields.email));
        self.put(lead_id.to_string(), updated_at, text);
    }

    /// Every entry as (lead id, `updated_at`, searchable text), for verification.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&str, i64, &str)> {
        self.entries
            .iter()
            .map(|e| (e.lead_id.as_str(), e.updated_at, std::str::from_utf8(&self.buf[e.text.clone()]).unwrap_or_default()))
    }

    /// Lead ids of one page of matches, newest first, and the number of matches (the
    /// full count, the caller caps it).
    pub fn find(&self, q: &str, offset: u64, limit: u32) -> (Vec<String>, u64) {
        let needle = q.to_ascii_lowercase();
        // One searcher, one pass over all texts (UTF-8 bytes match where the
        // characters do; a match never spans two texts: the needle holds no `SEP`).
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let mut hits: Vec<&Entry> = Vec::new();
        let mut last = usize::MAX;
        for at in finder.find_iter(&self.buf) {
            let seg = self.segments.partition_point(|&(start, _)| start <= at) - 1;
            if seg != last {
                last = seg;
                if let Some(i) = self.segments[seg].1 {
                    hits.push(&self.entries[i]);
                }
            }
        }
        if let Some(&i) = self.by_lead.get(q) {
            if !hits.iter().any(|e| e.lead_id == q) {
                hits.push(&self.entries[i]);
            }
        }
        let total = hits.len() as u64;
        let end = (offset.saturating_add(u64::from(limit))).min(total) as usize;
        let newest_first = |a: &&Entry, b: &&Entry| b.updated_at.cmp(&a.updated_at).then_with(|| a.lead_id.cmp(&b.lead_id));
        if end > 0 && end < hits.len() {
            hits.select_nth_unstable_by(end - 1, newest_first);
            hits.truncate(end);
        }
        hits.sort_unstable_by(newest_first);
        let page = hits.into_iter().skip(offset as usize).map(|e| e.lead_id.clone()).collect();
        (page, total)
    }
}

/// The search text behind its own lock, shared by the registry (which updates it after
/// each commit) and the apps' reader (which searches it): held for one search or one
/// commit's updates, never for a write's transaction.
#[derive(Clone, Default)]
pub struct SharedSearch(Arc<RwLock<Option<ShortSearch>>>);

impl SharedSearch {
    // A panic while holding the lock cannot leave a half-updated entry (each update
    // replaces whole fields): the text stays usable.
    fn read(&self) -> RwLockReadGuard<'_, Option<ShortSearch>> {
        self.0.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Option<ShortSearch>> {
        self.0.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets the text (rebuilt on next use).
    pub fn clear(&self) {
        *self.write() = None;
    }

    pub fn is_built(&self) -> bool {
        self.read().is_some()
    }

    /// Installs a text built by the caller.
    pub(crate) fn set(&self, search: ShortSearch) {
        *self.write() = Some(search);
    }

    /// A commit's writes of leads: (lead id, fields as shown, `updated_at`).
    pub fn upsert_all<'a>(&self, written: impl Iterator<Item = (&'a str, &'a LeadFields, i64)>) {
        if let Some(search) = self.write().as_mut() {
            for (id, fields, updated_at) in written {
                search.upsert(id, fields, updated_at);
            }
        }
    }

    /// Runs `f` on the text, building it from the committed rows of `conn` first if
    /// needed. The build holds the lock, so a commit meanwhile waits and then lands its
    /// updates in the new text: none is lost whichever committed first.
    pub fn with<T>(&self, conn: &Connection, f: impl FnOnce(&ShortSearch) -> T) -> Result<T> {
        if let Some(search) = self.read().as_ref() {
            return Ok(f(search));
        }
        let mut slot = self.write();
        let search = match slot.as_mut() {
            Some(s) => s,
            None => slot.insert(ShortSearch::build(conn)?),
        };
        Ok(f(search))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company(name: &str) -> LeadFields {
        LeadFields { company: Some(name.to_string()), ..LeadFields::default() }
    }

    #[test]
    fn a_rewritten_lead_is_found_by_its_new_text_only_also_after_the_buffer_is_compacted() {
        let mut s = ShortSearch::default();
        s.upsert("a", &company("深圳市腾达科技有限公司"), 1);
        s.upsert("b", &company("广州市华强电子有限公司"), 2);
        let long = "长".repeat(200);
        // Enough rewrites of `a` to blank more than `COMPACT_FROM` bytes.
        let rounds = COMPACT_FROM / long.len() + 10;
        let mut compacted = false;
        for n in 0..rounds {
            s.upsert("a", &company(&format!("{long}{n}号")), 3 + n as i64);
            compacted |= s.blanked == 0;
            assert_eq!(s.find("腾达", 0, 10).1, 0, "round {n}: the old text is gone");
        }
        assert!(compacted, "the buffer was rewritten");
        assert_eq!(s.find(&format!("{}号", rounds - 1), 0, 10), (vec!["a".to_string()], 1));
        assert_eq!(s.find("华强", 0, 10), (vec!["b".to_string()], 1));
        assert_eq!(s.find("有限公司", 0, 10), (vec!["b".to_string()], 1));
        // Newest first; the exact id counts once.
        assert_eq!(s.find("长", 0, 10), (vec!["a".to_string()], 1));
        assert_eq!(s.find("a", 0, 10), (vec!["a".to_string()], 1));
        assert_eq!(s.entries().count(), 2);
    }
}
