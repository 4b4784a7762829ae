//! Pairwise precision/recall/F1 of `dedup_pairs` on a labelled CSV (default
//! tests/data/leads-dev.csv), listing some false positives and negatives.
//! `cargo run --release -p leadguard-dedup --example eval_dev -- [FILE] [--show N]`

use leadguard_dedup::{eval, read_leads_csv, score, Config, LeadKeys};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.iter().find(|a| !a.starts_with("--")).cloned().unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/leads-dev.csv").into());
    let show: usize = args.iter().position(|a| a == "--show").and_then(|i| args.get(i + 1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let bytes = std::fs::read(&path)?;
    let batch = read_leads_csv(bytes.as_slice())?;
    let mut labels = Vec::new();
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    let cluster_col = rdr.headers()?.iter().position(|h| h == "cluster").ok_or("no cluster column")?;
    for r in rdr.records() {
        labels.push(r?.get(cluster_col).unwrap_or_default().to_string());
    }
    let records: Vec<_> = batch.leads.iter().map(|l| l.record.clone()).collect();
    let config = Config::default();
    let t = Instant::now();
    let pairs = leadguard_dedup::dedup_pairs(&records, &config);
    let elapsed = t.elapsed();
    let truth = eval::true_pairs(&labels);
    let s = eval::pairwise(&truth, pairs.iter().map(|p| (p.0, p.1)));
    println!(
        "{} rows, {} true pairs, {} predicted: precision {:.4} recall {:.4} F1 {:.4} ({} fp, {} fn) in {:.0} ms",
        records.len(), truth.len(), pairs.len(), s.precision, s.recall, s.f1, s.false_positives, s.false_negatives,
        elapsed.as_secs_f64() * 1000.0
    );
    if show > 0 {
        let keys: Vec<LeadKeys> = records.iter().map(LeadKeys::from_record).collect();
        let line = |i: usize| {
            let r = &records[i];
            format!("{} | {} | {} | {} | {} | {} [{}]", r.company, r.contact, r.phone, r.email, r.region, r.address.as_deref().unwrap_or_default(), labels[i])
        };
        println!("--- false positives");
        for p in pairs.iter().filter(|p| !truth.contains(&(p.0, p.1))).take(show) {
            println!("{:.3}\n  {}\n  {}", p.2, line(p.0), line(p.1));
        }
        println!("--- false negatives");
        let predicted: std::collections::HashSet<(usize, usize)> = pairs.iter().map(|p| (p.0, p.1)).collect();
        let mut fns: Vec<_> = truth.iter().filter(|p| !predicted.contains(p)).collect();
        fns.sort();
        for &(i, j) in fns.into_iter().take(show) {
            let sc = score(&keys[i], &keys[j]);
            println!("{:.3} {:?} against {:?}\n  {}\n  {}", sc.score, sc.reasons, sc.against, line(i), line(j));
        }
    }
    Ok(())
}
