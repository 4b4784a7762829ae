//! Blocking keys: the few exact values under which a lead is filed so that a check
//! looks at a handful of candidates instead of every lead.
//!
//! - exact keys: phone digits, the visible-digit key of a mobile (`139****3333`, so
//!   masked and full numbers meet), phone digests, e-mail, the whole company core;
//! - name keys: character bigrams at the start of the 字号. A trigram index (SQLite
//!   FTS5) finds nothing for a 2-character trade name like `锦信`; a bigram does, and
//!   the first bigrams of the core are the discriminating part of a Chinese company
//!   name (the industry words after it are shared by thousands of firms).
//!
//! Keys are 64-bit hashes of a typed string, so the postings table stores no text.

use crate::record::LeadKeys;
use rustc_hash::FxHasher;
use std::hash::Hasher;

/// How a key was derived; exact keys are always followed, name keys only when their
/// postings are short enough to be discriminating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Phone, phone digest, e-mail or exact company core.
    Exact,
    /// The complete phone number (an exact key whose postings also tell how many
    /// companies share the number).
    Phone,
    /// A bigram of the company trade name.
    Name,
    /// A bigram of the company trade name within the lead's region (shorter postings,
    /// ranked before plain name keys).
    RegionName,
}

/// A blocking key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockKey {
    /// 64-bit hash of the typed key text.
    pub hash: u64,
    /// Exact or name key.
    pub kind: KeyKind,
}

fn key(tag: &str, value: &str, kind: KeyKind) -> BlockKey {
    let mut h = FxHasher::default();
    h.write(tag.as_bytes());
    h.write_u8(0xff);
    h.write(value.as_bytes());
    BlockKey { hash: h.finish(), kind }
}

/// All blocking keys of a lead (deduplicated).
pub fn block_keys(k: &LeadKeys) -> Vec<BlockKey> {
    let mut out = Vec::with_capacity(8);
    let phone = &k.phone;
    match phone {
        crate::normalize::Phone::Hashed { digest } => out.push(key("h", digest, KeyKind::Exact)),
        crate::normalize::Phone::Landline { number, .. } => out.push(key("l", number, KeyKind::Phone)),
        _ => {
            if let Some(d) = phone.full_digits() {
                out.push(key("p", &d, KeyKind::Phone));
            }
        }
    }
    if let Some(v) = phone.visible_key() {
        out.push(key("v", &v, KeyKind::Exact));
    }
    if let Some(d) = phone.digest_full() {
        out.push(key("h", &d, KeyKind::Exact));
    }
    if let Some(d) = phone.digest_visible() {
        out.push(key("h", &d, KeyKind::Exact));
    }
    if let Some(e) = &k.email {
        out.push(key("e", e, KeyKind::Exact));
    }
    // Keyed digests: a sealed value meets its sealed or plain twin only through them.
    if let Some(d) = &k.keyed.phone {
        out.push(key("kp", d, KeyKind::Exact));
    }
    if let Some(d) = &k.keyed.email {
        out.push(key("ke", d, KeyKind::Exact));
    }
    if let Some(d) = &k.keyed.contact {
        out.push(key("kc", d, KeyKind::Name));
    }
    let core = &k.company.core;
    if !core.is_empty() {
        out.push(key("c", core, KeyKind::Exact));
        let grams = if k.company.tokens.is_empty() {
            leading_bigrams(&k.company.trade, core)
        } else {
            // Latin names: the start of every word, so `katsu` meets `restaurant katsu`.
            k.company.tokens.iter().filter(|t| t.len() >= 3).map(|t| t.chars().take(4).collect()).collect()
        };
        for g in grams {
            out.push(key("n", &g, KeyKind::Name));
            if !k.region.is_empty() {
                out.push(key("r", &format!("{}|{g}", k.region), KeyKind::RegionName));
            }
        }
    }
    // Contact: the full name (Chinese) or the first letters of each spelling (Latin,
    // tolerating typos further on), within the region when there is one.
    let contact = &k.contact;
    if !contact.title_only && !contact.full.is_empty() {
        let mut names: Vec<String> = Vec::new();
        if contact.surname.is_empty() {
            names.extend(contact.spellings.iter().map(|s| s.chars().take(4).collect()));
        } else {
            names.push(contact.full.clone());
        }
        for name in names {
            if k.region.is_empty() {
                out.push(key("k", &name, KeyKind::Name));
            } else {
                out.push(key("rk", &format!("{}|{name}", k.region), KeyKind::RegionName));
            }
        }
    }
    // Address: the house number and the start of the street (Latin), or the first
    // characters (Chinese), so leads written under other names at one address meet.
    if let Some(a) = &k.address {
        let head: String = if a.contains(' ') {
            a.split(' ').take(2).map(|w| w.chars().take(4).collect::<String>()).collect::<Vec<_>>().join(" ")
        } else {
            a.chars().take(6).collect()
        };
        out.push(key("a", &head, KeyKind::Name));
    }
    out.sort_by_key(|b| b.hash);
    out.dedup_by_key(|b| b.hash);
    out
}

/// Bigrams of the first characters of the trade name (at most three, so a 2–4
/// character 字号 is covered) — plus, for Latin names, the first four letters.
fn leading_bigrams(trade: &str, core: &str) -> Vec<String> {
    let src = if trade.chars().count() >= 2 { trade } else { core };
    let chars: Vec<char> = src.chars().collect();
    if chars.iter().all(|c| c.is_ascii()) {
        return vec![chars.iter().take(4).collect()];
    }
    chars.windows(2).take(3).map(|w| w.iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::LeadRecord;

    fn keys_of(company: &str, phone: &str) -> Vec<BlockKey> {
        block_keys(&LeadKeys::from_record(&LeadRecord {
            company: company.into(),
            phone: phone.into(),
            ..LeadRecord::default()
        }))
    }

    #[test]
    fn masked_and_full_phones_share_a_key() {
        let full = keys_of("", "13912343333");
        let masked = keys_of("", "139****3333");
        assert!(masked.iter().any(|k| full.contains(k)));
    }

    #[test]
    fn two_character_trade_names_get_a_bigram_key() {
        let a = keys_of("北京市锦信环保科技有限公司", "");
        let b = keys_of("锦信（北京）环保", "");
        assert!(a.iter().any(|k| k.kind == KeyKind::Name && b.contains(k)));
    }
}
