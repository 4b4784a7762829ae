//! Batch deduplication: every duplicate pair within a list of leads.
//!
//! Leads are checked one by one against an index of the leads before them, so each
//! pair is found once and the cost is one index check per lead (no n² comparison).

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
    pairs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then(b.2.total_cmp(&a.2)));
    pairs.dedup_by_key(|p| (p.0, p.1));
    pairs
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
}
