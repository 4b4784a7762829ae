//! Pairwise F1 of the batch mode on the labelled development sets in `tests/data`
//! (rows sharing `cluster` are the same customer; see `tests/data/README.md`).

use leadguard_dedup::eval::PairwiseScores;
use leadguard_dedup::{dedup_pairs, eval, read_leads_csv, Config};
use std::path::PathBuf;

fn evaluate(file: &str) -> PairwiseScores {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(file);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let batch = read_leads_csv(bytes.as_slice()).expect("parse");
    assert!(batch.errors.is_empty(), "{:?}", &batch.errors[..batch.errors.len().min(5)]);
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    let col = rdr.headers().unwrap().iter().position(|h| h == "cluster").expect("cluster column");
    let labels: Vec<String> = rdr.records().map(|r| r.unwrap().get(col).unwrap().to_string()).collect();
    assert_eq!(labels.len(), batch.leads.len());
    let records: Vec<_> = batch.leads.into_iter().map(|l| l.record).collect();
    let pairs = dedup_pairs(&records, &Config::default());
    let s = eval::pairwise(&eval::true_pairs(&labels), pairs.iter().map(|p| (p.0, p.1)));
    eprintln!("{file}: precision {:.4} recall {:.4} F1 {:.4}", s.precision, s.recall, s.f1);
    s
}

/// Repeat registrations reaching the same person, written differently.
#[test]
fn pairwise_f1_on_leads_dev_is_at_least_0_99() {
    let s = evaluate("leads-dev.csv");
    assert!(s.f1 >= 0.99, "{s:?}");
    assert!(s.precision >= 0.98 && s.recall >= 0.98, "{s:?}");
}

/// A third of the repeat registrations reach another person of the same company;
/// negatives share the trade name in the same city.
#[test]
fn pairwise_f1_on_leads_dev_v2_is_at_least_0_97() {
    let s = evaluate("leads-dev-v2.csv");
    assert!(s.f1 >= 0.97, "{s:?}");
    assert!(s.precision >= 0.95 && s.recall >= 0.95, "{s:?}");
}
