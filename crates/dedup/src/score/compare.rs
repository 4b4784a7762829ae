//! Field-by-field comparison of two normalised leads: the relations the weights apply to.

use super::company::{compare_companies, CompanyMatch};
use crate::normalize::{email, regions, PersonName, PhoneMatch};
use crate::record::LeadKeys;
use crate::similarity::jaro_winkler;
use serde::{Deserialize, Serialize};

/// How a pair of contact names relates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactMatch {
    /// At least one side has no name.
    Unknown,
    /// The same full name.
    Same,
    /// The same name across Chinese characters and pinyin/Latin letters.
    SameSpelling,
    /// Names in Latin letters spelled nearly alike (a typo, `Zhang Xiaomin` vs
    /// `Zhang Xiaoming`); not used between names in Chinese characters, where one
    /// character more or less is usually another person.
    Similar,
    /// A title-only name (王总) whose surname agrees with the other name.
    SurnameAgrees,
    /// Same surname, different given names.
    SameSurnameOtherGiven,
    /// Latin names sharing one word but not the other (`Lydia Doosey` vs `Lydia
    /// Mccattmhy`: a married name, or a relative).
    SharesWord,
    /// Different surnames.
    Different,
}

/// How a pair of optional values (region) relates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldMatch {
    /// At least one side is empty.
    Unknown,
    /// Equal.
    Same,
    /// Both present, different.
    Different,
}

/// How two e-mail addresses relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailMatch {
    /// At least one side has no address.
    Unknown,
    /// The same address.
    Same,
    /// Different people at the same company domain (not free-mail).
    SameDomain,
    /// Addresses at two different company domains.
    DifferentDomain,
    /// Different addresses, at least one at a free-mail provider: no company evidence.
    Different,
}

/// The field-by-field relation of two leads: what the weights are applied to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    /// Company names, `None` when a name is missing.
    pub company: Option<CompanyMatch>,
    /// Contact names.
    pub contact: ContactMatch,
    /// Phones.
    pub phone: PhoneMatch,
    /// E-mails.
    pub email: EmailMatch,
    /// Regions.
    pub region: FieldMatch,
    /// Address similarity in [0, 1], `None` when an address is missing.
    pub address: Option<f32>,
}

/// Compare two normalised leads field by field. Symmetric.
pub fn compare(a: &LeadKeys, b: &LeadKeys) -> Comparison {
    let address = match (&a.address, &b.address) {
        (Some(x), Some(y)) => Some(crate::normalize::address::similarity(x, y)),
        _ => None,
    };
    Comparison { company: compare_companies(&a.company, &b.company), address, ..compare_cheap(a, b) }
}

/// Everything but the string similarities of company names and addresses.
pub(super) fn compare_cheap(a: &LeadKeys, b: &LeadKeys) -> Comparison {
    let email = match (&a.email, &b.email) {
        (Some(x), Some(y)) if x == y => EmailMatch::Same,
        (Some(x), Some(y)) => match (email::company_domain(x), email::company_domain(y)) {
            (Some(dx), Some(dy)) if dx == dy => EmailMatch::SameDomain,
            (Some(_), Some(_)) => EmailMatch::DifferentDomain,
            _ => EmailMatch::Different,
        },
        _ => EmailMatch::Unknown,
    };
    let region = match (a.region.is_empty(), b.region.is_empty()) {
        (false, false) if a.region == b.region => FieldMatch::Same,
        // A province or sales area (广东, 华南) against a city: may contain it.
        (false, false) if regions::is_broad_region(&a.region) != regions::is_broad_region(&b.region) => FieldMatch::Unknown,
        (false, false) => FieldMatch::Different,
        _ => FieldMatch::Unknown,
    };
    // Equal keyed digests are the same value, however each side holds it (sealed or
    // plain); different ones are different values unless both numbers are complete
    // here (a typo between two plain numbers still counts).
    let same_key = |x: &Option<String>, y: &Option<String>| match (x, y) {
        (Some(x), Some(y)) => Some(x == y),
        _ => None,
    };
    let phone = match same_key(&a.keyed.phone, &b.keyed.phone) {
        Some(true) => PhoneMatch::Same,
        Some(false) if a.phone.full_digits().is_none() || b.phone.full_digits().is_none() => PhoneMatch::Different,
        _ => a.phone.compare(&b.phone),
    };
    let email = match same_key(&a.keyed.email, &b.keyed.email) {
        Some(true) => EmailMatch::Same,
        _ => email,
    };
    let contact = match same_key(&a.keyed.contact, &b.keyed.contact) {
        Some(true) => ContactMatch::Same,
        _ => contact_match(&a.contact, &b.contact),
    };
    Comparison { company: None, contact, phone, email, region, address: None }
}

const LATIN_SIMILAR: f32 = 0.9;

/// Best Jaro–Winkler similarity between the spellings of two names when at least one
/// is written in Latin letters (0 when both are in Chinese characters).
pub(super) fn latin_name_similarity(a: &PersonName, b: &PersonName) -> f32 {
    let latin = |p: &PersonName| p.surname.is_empty() && !p.full.is_empty();
    if !latin(a) && !latin(b) {
        return 0.0;
    }
    let mut best = 0.0f32;
    for x in &a.spellings {
        for y in &b.spellings {
            best = best.max(jaro_winkler(x, y));
        }
    }
    best
}

fn contact_match(a: &PersonName, b: &PersonName) -> ContactMatch {
    if a.is_empty() || b.is_empty() {
        return ContactMatch::Unknown;
    }
    if !a.title_only && !b.title_only {
        if !a.full.is_empty() && a.full == b.full {
            return ContactMatch::Same;
        }
        if a.spellings.iter().any(|s| b.spellings.contains(s)) {
            return ContactMatch::SameSpelling;
        }
        if latin_name_similarity(a, b) >= LATIN_SIMILAR {
            return ContactMatch::Similar;
        }
        if !a.surname.is_empty() && a.surname == b.surname {
            return ContactMatch::SameSurnameOtherGiven;
        }
        if a.words.iter().any(|w| w.len() >= 3 && b.words.contains(w)) {
            return ContactMatch::SharesWord;
        }
        // `Jaime` vs `Jaime Musolino`: one word of a Latin name alone is compatible.
        let lone_word_of = |p: &PersonName, q: &PersonName| p.words.is_empty() && p.surname.is_empty() && p.full.len() >= 3 && q.words.contains(&p.full);
        if lone_word_of(a, b) || lone_word_of(b, a) {
            return ContactMatch::SurnameAgrees;
        }
        return ContactMatch::Different;
    }
    // At least one side is a surname with a title.
    let agrees = |p: &PersonName, other: &PersonName| -> bool {
        !p.surname.is_empty()
            && (p.surname == other.surname
                || (other.surname.is_empty()
                    && other.spellings.iter().any(|s| s.starts_with(&p.surname) || s.ends_with(&p.surname))))
    };
    if agrees(a, b) || agrees(b, a) {
        ContactMatch::SurnameAgrees
    } else {
        ContactMatch::Different
    }
}

