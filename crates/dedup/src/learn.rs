//! Field weights learnt from the data itself: Fellegi–Sunter with EM over the
//! comparison vectors of candidate pairs, as recordlinkage's ECM and splink do.
//!
//! Each field of a pair falls into a level (`phone: same`, `contact: other person`, …).
//! EM estimates, without labels, how often each level occurs among true matches (`m`)
//! and among non-matches (`u`); `log2(m / u)` is the level's weight in bits. A level
//! that says nothing (a missing field) is left out, as splink's null level. The fixed
//! weights in [`crate::score`] encode rules (a customer is a company, a household is
//! one customer) that a per-field model cannot; the learnt weights show what a
//! registry's own data says, and [`FsModel::probability`] scores a pair by them.

use crate::index::Index;
use crate::normalize::PhoneMatch;
use crate::record::LeadKeys;
use crate::score::{compare, Comparison, Config, ContactMatch, EmailMatch, FieldMatch, IndustryMatch};
use rustc_hash::FxHashMap;

/// The fields a comparison is made of, with their levels (level 0 = missing).
pub const FIELDS: &[(&str, &[&str])] = &[
    ("company", &["missing", "same", "similar", "other_industry", "different"]),
    ("contact", &["missing", "same", "similar", "surname_only", "other_person"]),
    ("phone", &["missing", "same", "visible_digits", "one_typo", "different", "other_kind"]),
    ("email", &["missing", "same", "same_domain", "other_domain", "different"]),
    ("region", &["missing", "same", "different"]),
    ("address", &["missing", "same", "similar", "different"]),
];

/// The direction of each level's evidence, parallel to [`FIELDS`]: `1` an agreement
/// (never evidence against), `-1` a disagreement (never evidence for), `0` either.
/// EM alone can learn the absurd (in a batch where region typos are common among
/// duplicates but rare among the candidates proposed, "region differs" would become
/// evidence *for*); the direction of an agreement is not something to learn.
pub const DIRECTIONS: &[&[i8]] = &[
    &[0, 1, 0, -1, -1],
    &[0, 1, 1, 0, -1],
    &[0, 1, 1, 1, -1, -1],
    &[0, 1, 0, -1, -1],
    &[0, 1, -1],
    &[0, 1, 0, -1],
];

/// The level of every field of a pair.
pub fn levels(c: &Comparison) -> [u8; 6] {
    let company = match c.company {
        None => 0,
        Some(m) if m.industry == IndustryMatch::Conflict => 3,
        Some(m) if m.similarity >= 0.9 => 1,
        Some(m) if m.similarity >= 0.8 => 2,
        Some(_) => 4,
    };
    let contact = match c.contact {
        ContactMatch::Unknown => 0,
        ContactMatch::Same | ContactMatch::SameSpelling => 1,
        ContactMatch::Similar => 2,
        ContactMatch::SurnameAgrees => 3,
        ContactMatch::SameSurnameOtherGiven | ContactMatch::SharesWord | ContactMatch::Different => 4,
    };
    let phone = match c.phone {
        PhoneMatch::Unknown => 0,
        PhoneMatch::Same => 1,
        PhoneMatch::SameVisible => 2,
        PhoneMatch::OneTypo => 3,
        PhoneMatch::Different => 4,
        PhoneMatch::DifferentKind => 5,
    };
    let email = match c.email {
        EmailMatch::Unknown => 0,
        EmailMatch::Same => 1,
        EmailMatch::SameDomain => 2,
        EmailMatch::DifferentDomain => 3,
        EmailMatch::Different => 4,
    };
    let region = match c.region {
        FieldMatch::Unknown => 0,
        FieldMatch::Same => 1,
        FieldMatch::Different => 2,
    };
    let address = match c.address {
        None => 0,
        Some(s) if s >= 0.9 => 1,
        Some(s) if s >= 0.7 => 2,
        Some(_) => 3,
    };
    [company, contact, phone, email, region, address]
}

/// A learnt Fellegi–Sunter model.
#[derive(Debug, Clone, PartialEq)]
pub struct FsModel {
    /// Share of candidate pairs that are matches.
    pub proportion: f64,
    /// `m[field][level]`: probability of the level among matches.
    pub m: Vec<Vec<f64>>,
    /// `u[field][level]`: probability of the level among non-matches.
    pub u: Vec<Vec<f64>>,
    /// Candidate pairs the model was learnt from.
    pub pairs: usize,
}

impl FsModel {
    /// Weight in bits of one field level (0 for a missing field), in the level's
    /// [`DIRECTIONS`].
    pub fn weight(&self, field: usize, level: usize) -> f64 {
        if level == 0 {
            return 0.0;
        }
        let w = (self.m[field][level] / self.u[field][level]).log2();
        match DIRECTIONS[field][level] {
            1 => w.max(0.0),
            -1 => w.min(0.0),
            _ => w,
        }
    }

    /// Probability that a pair with these levels is a match.
    pub fn probability(&self, l: &[u8; 6]) -> f64 {
        let prior = (self.proportion / (1.0 - self.proportion)).log2();
        let bits: f64 = prior + l.iter().enumerate().map(|(f, &v)| self.weight(f, v as usize)).sum::<f64>();
        1.0 / (1.0 + (-bits * std::f64::consts::LN_2).exp())
    }
}

/// The candidate pairs `(i, j)`, `i < j`, the index proposes within `keys`, with their
/// comparison levels.
pub fn candidate_levels(keys: &[LeadKeys], config: &Config) -> Vec<(usize, usize, [u8; 6])> {
    let mut index = Index::new(Config { threshold: 0.0, possible: 0.0, ..config.clone() });
    let mut out = Vec::new();
    for (j, k) in keys.iter().enumerate() {
        for m in index.check_possible(k, usize::MAX, None) {
            let i = m.id as usize;
            out.push((i, j, levels(&compare(&keys[i], k))));
        }
        index.insert_keys(j as u64, k.clone());
    }
    out
}

/// Learn `m`, `u` and the match proportion from unlabelled comparison levels by EM.
pub fn learn(vectors: &[[u8; 6]], iterations: usize) -> FsModel {
    // Distinct vectors with counts: EM then costs per pattern, not per pair.
    let mut patterns: FxHashMap<[u8; 6], f64> = FxHashMap::default();
    for v in vectors {
        *patterns.entry(*v).or_insert(0.0) += 1.0;
    }
    let patterns: Vec<([u8; 6], f64)> = patterns.into_iter().collect();
    // Start: matches agree (level 1), non-matches are distributed like all pairs.
    let mut u: Vec<Vec<f64>> = FIELDS.iter().map(|(_, l)| vec![0.0; l.len()]).collect();
    for (v, n) in &patterns {
        for (f, &l) in v.iter().enumerate() {
            u[f][l as usize] += n;
        }
    }
    let mut m: Vec<Vec<f64>> = FIELDS.iter().map(|(_, l)| (0..l.len()).map(|i| if i == 1 { 0.9 } else { 0.1 }).collect()).collect();
    normalise(&mut u);
    normalise(&mut m);
    let mut model = FsModel { proportion: 0.1, m, u, pairs: vectors.len() };
    for _ in 0..iterations {
        let mut m_acc: Vec<Vec<f64>> = FIELDS.iter().map(|(_, l)| vec![1e-6; l.len()]).collect();
        let mut u_acc = m_acc.clone();
        let (mut matched, mut total) = (0.0, 0.0);
        for (v, n) in &patterns {
            let p = model.probability(v);
            matched += p * n;
            total += n;
            for (f, &l) in v.iter().enumerate() {
                m_acc[f][l as usize] += p * n;
                u_acc[f][l as usize] += (1.0 - p) * n;
            }
        }
        normalise(&mut m_acc);
        normalise(&mut u_acc);
        model = FsModel { proportion: (matched / total.max(1.0)).clamp(1e-6, 1.0 - 1e-6), m: m_acc, u: u_acc, pairs: vectors.len() };
    }
    model
}

/// Each field's levels 1.. as a distribution (level 0, missing, carries no evidence).
fn normalise(p: &mut [Vec<f64>]) {
    for levels in p.iter_mut() {
        levels[0] = 1.0;
        let sum: f64 = levels[1..].iter().sum::<f64>().max(1e-12);
        for x in levels[1..].iter_mut() {
            *x = (*x / sum).max(1e-6);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn em_separates_agreeing_from_disagreeing_pairs() {
        // 100 pairs agreeing on phone and contact, 900 disagreeing on both.
        let mut v = vec![[1, 1, 1, 0, 1, 0]; 100];
        v.extend(vec![[4, 4, 4, 0, 1, 0]; 900]);
        let model = learn(&v, 50);
        assert!((model.proportion - 0.1).abs() < 0.02, "{model:?}");
        assert!(model.weight(2, 1) > 5.0 && model.weight(2, 4) < -2.0, "{model:?}");
        assert!(model.probability(&[1, 1, 1, 0, 1, 0]) > 0.99);
        assert!(model.probability(&[4, 4, 4, 0, 1, 0]) < 0.01);
    }

    #[test]
    fn a_disagreement_is_never_evidence_for_a_match() {
        // Regions differ in half the true pairs and in none of the others: EM would make
        // "region differs" evidence for a match.
        let mut v = vec![[0, 1, 1, 0, 2, 0]; 50];
        v.extend(vec![[0, 1, 1, 0, 1, 0]; 50]);
        v.extend(vec![[0, 4, 4, 0, 1, 0]; 900]);
        let model = learn(&v, 50);
        assert!(model.weight(4, 2) <= 0.0, "{model:?}");
        assert!(model.weight(2, 1) > 0.0 && model.weight(2, 4) < 0.0, "{model:?}");
        for (f, levels) in DIRECTIONS.iter().enumerate() {
            assert_eq!(levels.len(), FIELDS[f].1.len());
        }
    }
}
