//! Pairwise evaluation against labelled data (rows sharing a cluster label are the
//! same customer): precision, recall and F1 over unordered pairs, the measure used by
//! the tests and the benchmark harness.

use rustc_hash::FxHashSet;
use std::collections::HashMap;

/// Pairwise precision/recall/F1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairwiseScores {
    /// Predicted pairs that are true pairs.
    pub true_positives: usize,
    /// Predicted pairs that are not.
    pub false_positives: usize,
    /// True pairs not predicted.
    pub false_negatives: usize,
    /// tp / (tp + fp).
    pub precision: f64,
    /// tp / (tp + fn).
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

/// All unordered pairs `(i, j)`, `i < j`, of rows sharing a label.
pub fn true_pairs<S: AsRef<str>>(labels: &[S]) -> FxHashSet<(usize, usize)> {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, l) in labels.iter().enumerate() {
        groups.entry(l.as_ref()).or_default().push(i);
    }
    let mut out = FxHashSet::default();
    for rows in groups.values() {
        for (a, &i) in rows.iter().enumerate() {
            for &j in &rows[a + 1..] {
                out.insert((i.min(j), i.max(j)));
            }
        }
    }
    out
}

/// Score predicted pairs (any order within a pair) against the true pairs.
pub fn pairwise(truth: &FxHashSet<(usize, usize)>, predicted: impl IntoIterator<Item = (usize, usize)>) -> PairwiseScores {
    let predicted: FxHashSet<(usize, usize)> = predicted.into_iter().map(|(i, j)| (i.min(j), i.max(j))).collect();
    let tp = predicted.iter().filter(|p| truth.contains(p)).count();
    let fp = predicted.len() - tp;
    let fn_ = truth.len() - tp;
    let precision = if predicted.is_empty() { 1.0 } else { tp as f64 / predicted.len() as f64 };
    let recall = if truth.is_empty() { 1.0 } else { tp as f64 / truth.len() as f64 };
    let f1 = if precision + recall == 0.0 { 0.0 } else { 2.0 * precision * recall / (precision + recall) };
    PairwiseScores { true_positives: tp, false_positives: fp, false_negatives: fn_, precision, recall, f1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pairs_within_clusters() {
        let truth = true_pairs(&["a", "b", "a", "a"]);
        assert_eq!(truth.len(), 3);
        let s = pairwise(&truth, vec![(2, 0), (1, 3)]);
        assert_eq!((s.true_positives, s.false_positives, s.false_negatives), (1, 1, 2));
        assert!((s.precision - 0.5).abs() < 1e-9);
    }
}
