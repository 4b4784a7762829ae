//! Tuning aid: every candidate pair the index proposes on a labelled CSV, with the
//! field comparison and whether the pair is a true duplicate, as CSV on stdout.
//! `cargo run --release -p leadguard-dedup --example pair_states -- FILE > states.csv`

use leadguard_dedup::{compare, eval, read_leads_csv, Config, Index, LeadKeys};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/leads-dev.csv").into());
    let bytes = std::fs::read(&path)?;
    let batch = read_leads_csv(bytes.as_slice())?;
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    let col = rdr.headers()?.iter().position(|h| h == "cluster").ok_or("no cluster column")?;
    let labels: Vec<String> = rdr.records().map(|r| r.map(|r| r.get(col).unwrap_or_default().to_string())).collect::<Result<_, _>>()?;
    let truth = eval::true_pairs(&labels);
    let keys: Vec<LeadKeys> = batch.leads.iter().map(|l| LeadKeys::from_record(&l.record)).collect();
    let mut index = Index::new(Config { threshold: 0.0, max_candidates: 100_000, ..Config::default() });
    println!("i,j,dup,company,contact,phone,email,region,address,score");
    let mut found = std::collections::HashSet::new();
    for (j, k) in keys.iter().enumerate() {
        for m in index.check_keys(k, usize::MAX) {
            let i = m.id as usize;
            found.insert((i, j));
            let c = compare(&keys[i], k);
            println!(
                "{i},{j},{},{},{:?},{:?},{:?},{:?},{},{:.3}",
                truth.contains(&(i, j)) as u8,
                c.company.map(|m| format!("{:.3}{}", m.similarity, if m.industry == leadguard_dedup::IndustryMatch::Conflict { "!" } else { "" })).unwrap_or_default(),
                c.contact, c.phone, c.email, c.region,
                c.address.map(|s| format!("{s:.2}")).unwrap_or_default(),
                m.score
            );
        }
        index.insert_keys(j as u64, k.clone());
    }
    let missed = truth.iter().filter(|p| !found.contains(p)).count();
    eprintln!("{} candidate pairs; {} true pairs never proposed by blocking", found.len(), missed);
    Ok(())
}
