//! Batch deduplication: every duplicate pair within a list of leads.
//!
//! Every lead is checked against an index of the others, so the cost is one index
//! check per lead (no n² comparison). A pair is a duplicate when the rules of
//! [`crate::score`] accept it or the Fellegi–Sunter model learnt from the batch's own
//! candidate pairs ([`crate::learn`]) is sure of it.

use crate::index::Index;
use crate::record::{LeadKeys, LeadRecord};
use crate::score::Config;

/// All pairs `(i, j, score)` with `i < j` whose score reaches `config.threshold`,
/// sorted by `(i, j)`.
pub fn dedup_pairs(records: &[LeadRecord], config: &Config) -> Vec<(usize, usize, f32)> {
    let keys: Vec<LeadKeys> = records.iter().map(LeadKeys::from_record).collect();
    dedup_pairs_keys(keys, config)
}

/// [`dedup_pairs`] over precomputed keys.
///
/// Every lead is indexed first, then each is checked against all the others, so what
/// the index learns from the whole batch (how many companies share a phone) counts
/// for every pair, and the result does not depend on row order.
pub fn dedup_pairs_keys(keys: Vec<LeadKeys>, config: &Config) -> Vec<(usize, usize, f32)> {
    let mut index = Index::new(config.clone());
    for (j, k) in keys.iter().enumerate() {
        index.insert_keys(j as u64, k.clone());
    }
    let mut pairs = Vec::new();
    for (j, k) in keys.iter().enumerate() {
        for m in index.check_keys_excluding(k, usize::MAX, Some(j as u64)) {
            let i = m.id as usize;
            pairs.push((i.min(j), i.max(j), m.score));
        }
    }
    pairs.extend(learnt_pairs(&keys, config));
    pairs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(b.2.total_cmp(&a.2)));
    pairs.dedup_by_key(|p| (p.0, p.1));
    pairs
}

/// A learnt model needs this many candidate pairs to be trusted.
pub const LEARN_MIN_PAIRS: usize = 1000;
/// The learnt model accepts a pair it is this sure of.
pub const LEARNT_THRESHOLD: f64 = 0.95;

/// The pairs of people (no company on either side) that the Fellegi–Sunter model
/// learnt by EM from this batch's own candidate pairs of people is at least
/// [`LEARNT_THRESHOLD`] sure of (none in a batch too small to learn from). The rules know what a customer is; the learnt weights know how reliable
/// each field is in this batch (an id column full of typos, a region always filled),
/// so a pair either accepts is a duplicate.
fn learnt_pairs(keys: &[LeadKeys], config: &Config) -> Vec<(usize, usize, f32)> {
    // Between companies the rules know what EM cannot learn (another contact at the
    // same firm is no evidence against, the same name in another industry is another
    // firm): the learnt model judges only people and households.
    let people: Vec<usize> = (0..keys.len()).filter(|&i| keys[i].company.core.is_empty()).collect();
    if people.len() < 2 {
        return Vec::new();
    }
    let people_keys: Vec<LeadKeys> = people.iter().map(|&i| keys[i].clone()).collect();
    let candidates: Vec<(usize, usize, [u8; 6])> =
        crate::learn::candidate_levels(&people_keys, config).into_iter().map(|(i, j, l)| (people[i], people[j], l)).collect();
    if candidates.len() < LEARN_MIN_PAIRS {
        return Vec::new();
    }
    let vectors: Vec<[u8; 6]> = candidates.iter().map(|c| c.2).collect();
    let model = crate::learn::learn(&vectors, 40);
    candidates
        .iter()
        .filter_map(|c| {
            let p = model.probability(&c.2);
            (p >= LEARNT_THRESHOLD.max(config.threshold as f64)).then_some((c.0.min(c.1), c.0.max(c.1), p as f32))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(company: &str, contact: &str, phone: &str) -> LeadRecord {
        LeadRecord { company: company.into(), contact: contact.into(), phone: phone.into(), ..LeadRecord::default() }
    }

    #[test]
    fn finds_each_pair_once_in_order() {
        let records = vec![
            lead("北京市锦信环保科技有限公司", "丁艳", "13626445365"),
            lead("上海市安光医疗器械有限公司", "孟然", "159-6904-8265"),
            lead("锦信环保科技公司", "丁艳", "136 2644 5365"),
            lead("上海安光医疗器械有限公司", "孟然", "15969048265"),
        ];
        let pairs = dedup_pairs(&records, &Config::default());
        let ij: Vec<(usize, usize)> = pairs.iter().map(|p| (p.0, p.1)).collect();
        assert_eq!(ij, vec![(0, 2), (1, 3)]);
        assert!(pairs.iter().all(|p| p.2 >= 0.85));
    }

    /// 400 people, each twice under one name with an unrelated number and the house
    /// number written with a digit too many.
    fn rekeyed_people() -> Vec<LeadRecord> {
        let given = ["amber", "joel", "erin", "kate", "lily", "harry", "chloe", "sarah", "ethan", "grace", "jake", "noah", "rosie", "blake", "flynn", "tate", "isla", "lucas", "ruby", "oscar"];
        let family = ["ryan", "white", "reid", "moody", "clarke", "mason", "dixon", "green", "parr", "thorpe", "spicer", "jankus", "graue", "cresp", "bishop", "mizon", "vilums", "pavli", "gamlin", "harbottle"];
        let mut seed = 12345u64;
        let mut phone = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            format!("{}", 1_000_000 + (seed >> 33) % 9_000_000)
        };
        let streets = ["thomson street", "lance hill avenue", "isis close", "melrose drive", "plant road", "sexton street", "macleay street", "hallen close", "burt street", "oxley street", "crisp circuit", "holmes crescent", "annear place"];
        let mut records = Vec::new();
        for (k, (g, f)) in given.iter().flat_map(|g| family.iter().map(move |f| (g, f))).enumerate() {
            let (street, number) = (streets[k % streets.len()], 100 + k);
            for address in [format!("{number} {street} salisbury"), format!("{number}0 {street} salisbury")] {
                records.push(LeadRecord { contact: format!("{g} {f}"), phone: phone(), region: "nsw".into(), address: Some(address), ..LeadRecord::default() });
            }
        }
        records
    }

    #[test]
    fn a_pair_the_model_learnt_from_the_batch_is_sure_of_is_a_duplicate() {
        // A person list whose id column was re-keyed: every person appears twice under
        // the same name with an unrelated number, and the house number written with a
        // digit too many. The rules read the other number as another person; what the
        // batch itself teaches (the number says nothing here, the full name and the
        // street a lot) finds them.
        let records = rekeyed_people();
        let keys: Vec<LeadKeys> = records.iter().map(LeadKeys::from_record).collect();
        assert!(crate::score::score(&keys[0], &keys[1]).score < 0.5, "the rules alone reject the pair");
        let pairs = dedup_pairs(&records, &Config::default());
        let found = pairs.iter().filter(|p| p.1 == p.0 + 1 && p.0 % 2 == 0).count();
        assert!(found >= records.len() / 2 * 95 / 100, "{found} of {}", records.len() / 2);
        let wrong: Vec<_> = pairs.iter().filter(|p| !(p.1 == p.0 + 1 && p.0 % 2 == 0)).map(|p| (&records[p.0], &records[p.1], p.2)).collect();
        assert!(wrong.is_empty(), "another person is never a duplicate: {wrong:?}");
    }

    #[test]
    fn a_batch_too_small_to_learn_from_is_judged_by_the_rules() {
        let records: Vec<LeadRecord> = (0..20).map(|i| lead("", "joel ryan", &format!("{}", 2_000_000 + i * 7919))).collect();
        assert!(dedup_pairs(&records, &Config::default()).is_empty());
    }

    #[test]
    fn the_learnt_model_judges_people_not_companies() {
        // The same people, each time at a firm: whatever EM would learn from them, only
        // the rules decide (every pair found is one the rules accept).
        let records: Vec<LeadRecord> = rekeyed_people()
            .into_iter()
            .enumerate()
            .map(|(i, r)| LeadRecord { company: format!("{} {} pty ltd", ["acme", "globex"][i % 2], i / 2), ..r })
            .collect();
        let keys: Vec<LeadKeys> = records.iter().map(LeadKeys::from_record).collect();
        let pairs = dedup_pairs(&records, &Config::default());
        assert!(pairs.iter().all(|p| crate::score::score(&keys[p.0], &keys[p.1]).score >= 0.85), "{pairs:?}");
    }
}
