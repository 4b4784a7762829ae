//! Benchmark harness for duplicate detection (run by `make bench-dedup`; prints
//! figures, asserts nothing). Sections, each enabled by its flag:
//!
//! - `--labelled NAME=FILE` (repeatable): pairwise precision/recall/F1 of the batch
//!   mode on a CSV with a `cluster` column (leads-dev.csv; Febrl3 exported by the
//!   Python peer script), and beside it the Fellegi–Sunter weights EM learns from the
//!   same candidate pairs without labels, with the F1 of scoring by them;
//! - `--sizes 100000,1000000`: p50/p99 check latency on that many generated leads
//!   (half of the checks are re-written known leads, a quarter new leads, a quarter
//!   a 2-character trade name as typed), index build time and memory, and beside it an
//!   SQLite FTS5 trigram lookup of the same names;
//!   (`--no-fts5` leaves the SQLite lookup out, e.g. at 10M leads);
//! - `--batch N`: `dedup_pairs` time on N generated rows (with duplicates), and its F1.

#[path = "common/synth.rs"]
mod synth;

use leadguard_dedup::{dedup_pairs, eval, read_leads_csv, Config, Index, LeadRecord};
use std::time::{Duration, Instant};
use synth::{Rng, Synth};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut labelled = Vec::new();
    let mut sizes = Vec::new();
    let mut batch = None;
    let mut queries = 4000usize;
    let mut fts5 = true;
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--no-fts5" => {
                fts5 = false;
                i += 1;
                continue;
            }
            "--labelled" => labelled.push(value),
            "--sizes" => sizes = value.split(',').filter(|s| !s.is_empty()).map(str::parse).collect::<Result<Vec<usize>, _>>()?,
            "--batch" if value.is_empty() => batch = None,
            "--batch" => batch = Some(value.parse::<usize>()?),
            "--queries" => queries = value.parse()?,
            other => return Err(format!("unknown argument {other}").into()),
        }
        i += 2;
    }
    for spec in &labelled {
        let (name, path) = spec.split_once('=').ok_or("--labelled NAME=FILE")?;
        labelled_f1(name, path)?;
    }
    for &n in &sizes {
        latency(n, queries, fts5)?;
    }
    if let Some(n) = batch {
        batch_time(n);
    }
    Ok(())
}

fn labelled_f1(name: &str, path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let bytes = std::fs::read(path)?;
    let batch = read_leads_csv(bytes.as_slice())?;
    let mut rdr = csv::Reader::from_reader(bytes.as_slice());
    let col = rdr.headers()?.iter().position(|h| h == "cluster").ok_or("no cluster column")?;
    let mut labels = Vec::new();
    for r in rdr.records() {
        labels.push(r?.get(col).unwrap_or_default().to_string());
    }
    if labels.len() != batch.leads.len() {
        return Err(format!("{name}: {} rows skipped as malformed", batch.errors.len()).into());
    }
    let records: Vec<LeadRecord> = batch.leads.into_iter().map(|l| l.record).collect();
    let t = Instant::now();
    let pairs = dedup_pairs(&records, &Config::default());
    let elapsed = t.elapsed();
    let truth = eval::true_pairs(&labels);
    let s = eval::pairwise(&truth, pairs.iter().map(|p| (p.0, p.1)));
    println!(
        "RESULT quality dataset={name} system=leadguard rows={} true_pairs={} predicted={} precision={:.4} recall={:.4} f1={:.4} seconds={:.2}",
        records.len(), s.true_positives + s.false_negatives, pairs.len(), s.precision, s.recall, s.f1, elapsed.as_secs_f64()
    );
    learned_weights(name, &records, &truth, &pairs);
    Ok(())
}

/// Fellegi–Sunter weights learnt by EM from this data set's own candidate pairs
/// (no labels), printed beside our fixed rules, and the F1 of scoring by them alone.
fn learned_weights(name: &str, records: &[LeadRecord], truth: &rustc_hash::FxHashSet<(usize, usize)>, ours: &[(usize, usize, f32)]) {
    use leadguard_dedup::learn;
    let t = Instant::now();
    let keys: Vec<leadguard_dedup::LeadKeys> = records.iter().map(leadguard_dedup::LeadKeys::from_record).collect();
    let candidates = learn::candidate_levels(&keys, &Config::default());
    let vectors: Vec<[u8; 6]> = candidates.iter().map(|c| c.2).collect();
    let model = learn::learn(&vectors, 40);
    let predicted = candidates.iter().filter(|c| model.probability(&c.2) >= 0.85).map(|c| (c.0, c.1));
    let s = eval::pairwise(truth, predicted);
    let mut weights = Vec::new();
    for (f, (field, levels)) in learn::FIELDS.iter().enumerate() {
        for (l, level) in levels.iter().enumerate().skip(1) {
            weights.push(format!("{field}.{level}={:+.1}", model.weight(f, l)));
        }
    }
    println!(
        "RESULT quality dataset={name} system=fellegi-sunter-em rows={} true_pairs={} predicted={} precision={:.4} recall={:.4} f1={:.4} seconds={:.2}",
        records.len(), truth.len(), s.true_positives + s.false_positives, s.precision, s.recall, s.f1, t.elapsed().as_secs_f64()
    );
    let union = candidates.iter().filter(|c| model.probability(&c.2) >= 0.85).map(|c| (c.0, c.1)).chain(ours.iter().map(|p| (p.0, p.1)));
    let u = eval::pairwise(truth, union);
    // Not what the product does (its batch lets the learnt model judge only pairs of
    // people, the rules decide between companies): the union over every pair.
    println!(
        "RESULT quality dataset={name} system=leadguard-or-em rows={} true_pairs={} predicted={} precision={:.4} recall={:.4} f1={:.4} seconds={:.2}",
        records.len(), truth.len(), u.true_positives + u.false_positives, u.precision, u.recall, u.f1, t.elapsed().as_secs_f64()
    );
    println!("RESULT weights dataset={name} pairs={} match_share={:.4} bits: {}", model.pairs, model.proportion, weights.join(" "));
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e6
}

/// CPU time of this thread, in nanoseconds: a check's cost without the time the
/// scheduler gave other processes (the machine is shared, so wall-clock p99 moves
/// with its load).
fn thread_cpu_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec into the pointer given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map(|s| s.split_whitespace().next().unwrap_or("?").to_string()).unwrap_or_default()
}

fn rss_mb() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0.0);
    pages * 4096.0 / 1e6
}

fn latency(n: usize, queries: usize, fts5: bool) -> Result<(), Box<dyn std::error::Error>> {
    let synth = Synth::default();
    let mut rng = Rng::new(42);
    let mut registered = synth::Registered::default();
    let leads: Vec<LeadRecord> = (0..n).map(|i| synth.unique_lead(&mut rng, i, &mut registered)).collect();
    let rss_before = rss_mb();
    let t = Instant::now();
    let mut index = Index::new(Config::default());
    for (i, l) in leads.iter().enumerate() {
        index.insert(i as u64, l);
    }
    let build = t.elapsed();
    let rss_after = rss_mb();

    // Checks: re-written known leads, new leads, and 2-character trade names as typed.
    let mut kinds = Vec::with_capacity(queries);
    for q in 0..queries {
        let known = &leads[rng.below(n)];
        kinds.push(match q % 4 {
            0 | 1 => ("known", synth.variant(&mut rng, known)),
            2 => ("new", synth.unique_lead(&mut rng, n + q, &mut registered)),
            _ => ("typing", synth.typing_prefix(known)),
        });
    }
    let mut times: Vec<Duration> = Vec::with_capacity(queries);
    let mut cpu: Vec<Duration> = Vec::with_capacity(queries);
    let (mut found_known, mut known_total, mut matches_new) = (0, 0, 0);
    for (kind, q) in &kinds {
        let c = thread_cpu_ns();
        let t = Instant::now();
        let m = index.check(q, 5);
        times.push(t.elapsed());
        cpu.push(Duration::from_nanos(thread_cpu_ns() - c));
        match *kind {
            "known" => {
                known_total += 1;
                found_known += usize::from(!m.is_empty());
            }
            "new" => matches_new += usize::from(!m.is_empty()),
            _ => {}
        }
    }
    for kind in ["known", "new", "typing"] {
        let mut t: Vec<Duration> = kinds.iter().zip(&times).filter(|((k, _), _)| *k == kind).map(|(_, d)| *d).collect();
        t.sort();
        println!("  checks of {kind} leads: p50_us={:.1} p99_us={:.1}", percentile(&t, 0.5), percentile(&t, 0.99));
    }
    times.sort();
    cpu.sort();
    println!(
        "RESULT latency leads={n} checks={queries} p50_us={:.1} p99_us={:.1} max_us={:.1} cpu_p50_us={:.1} cpu_p99_us={:.1} load={} build_s={:.2} index_mb={:.0} known_found={:.3} new_flagged={}",
        percentile(&times, 0.5), percentile(&times, 0.99), percentile(&times, 1.0), percentile(&cpu, 0.5),
        percentile(&cpu, 0.99), load_average(), build.as_secs_f64(), rss_after - rss_before,
        found_known as f64 / known_total.max(1) as f64, matches_new
    );
    if fts5 {
        fts5_beside(n, &leads, &kinds, &index)?;
    }
    Ok(())
}

/// SQLite FTS5 trigram candidate lookup of the same company names, beside our bigram
/// blocking: the 2-character queries a trigram index cannot answer, and 4-character ones.
fn fts5_beside(n: usize, leads: &[LeadRecord], kinds: &[(&str, LeadRecord)], index: &Index) -> Result<(), Box<dyn std::error::Error>> {
    let db = rusqlite::Connection::open_in_memory()?;
    db.execute_batch("CREATE VIRTUAL TABLE names USING fts5(name, tokenize='trigram');")?;
    let t = Instant::now();
    {
        let tx = db.unchecked_transaction()?;
        let mut ins = tx.prepare("INSERT INTO names(rowid, name) VALUES (?1, ?2)")?;
        for (i, l) in leads.iter().enumerate() {
            ins.execute(rusqlite::params![i as i64, l.company])?;
        }
        drop(ins);
        tx.commit()?;
    }
    let build = t.elapsed();
    let mut stmt = db.prepare("SELECT count(*) FROM (SELECT rowid FROM names WHERE names MATCH ?1 LIMIT 1000)")?;
    for chars in [2usize, 4] {
        let mut fts_times = Vec::new();
        let mut ours_times = Vec::new();
        let (mut fts_hits, mut fts_empty, mut ours_hits, mut count) = (0usize, 0usize, 0usize, 0usize);
        for (_, q) in kinds.iter().filter(|(k, _)| *k == "known").take(500) {
            let core = leadguard_dedup::normalize_company(&q.company, &q.region).core;
            let query: String = core.chars().take(chars).collect();
            if query.chars().count() < chars {
                continue;
            }
            count += 1;
            let t = Instant::now();
            let hits: i64 = stmt.query_row([format!("\"{query}\"")], |r| r.get(0))?;
            fts_times.push(t.elapsed());
            fts_hits += hits as usize;
            fts_empty += usize::from(hits == 0);
            let probe = LeadRecord { company: query.clone(), region: q.region.clone(), ..LeadRecord::default() };
            let t = Instant::now();
            // A bare 2-character 字号 is shared by many firms: what the rep sees while
            // typing is the likely *and possible* matches.
            let m = index.check_possible(&leadguard_dedup::LeadKeys::from_record(&probe), 5, None);
            ours_times.push(t.elapsed());
            ours_hits += usize::from(!m.is_empty());
        }
        fts_times.sort();
        ours_times.sort();
        println!(
            "RESULT fts5 leads={n} query_chars={chars} queries={count} fts5_build_s={:.2} fts5_p50_us={:.1} fts5_p99_us={:.1} fts5_empty={} fts5_avg_rows={:.1} ours_p50_us={:.1} ours_p99_us={:.1} ours_with_match={}",
            build.as_secs_f64(), percentile(&fts_times, 0.5), percentile(&fts_times, 0.99), fts_empty,
            fts_hits as f64 / count.max(1) as f64, percentile(&ours_times, 0.5), percentile(&ours_times, 0.99), ours_hits
        );
    }
    Ok(())
}

fn batch_time(n: usize) {
    let synth = Synth::default();
    let mut rng = Rng::new(7);
    let mut records = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    let mut cluster = 0usize;
    let mut registered = synth::Registered::default();
    while records.len() < n {
        let lead = synth.unique_lead(&mut rng, records.len(), &mut registered);
        let copies = if rng.chance(0.25) { 1 + rng.below(3) } else { 0 };
        for _ in 0..copies.min(n - records.len() - 1) {
            records.push(synth.variant(&mut rng, &lead));
            labels.push(cluster);
        }
        records.push(lead);
        labels.push(cluster);
        cluster += 1;
    }
    if let Ok(path) = std::env::var("BENCH_BATCH_CSV") {
        // For a look at the pairs with `examples/eval_dev`.
        let mut w = csv::Writer::from_path(path).expect("BENCH_BATCH_CSV");
        w.write_record(["id", "company", "contact", "phone", "email", "region", "cluster"]).expect("write");
        for (i, (r, c)) in records.iter().zip(&labels).enumerate() {
            w.write_record([format!("r{i}"), r.company.clone(), r.contact.clone(), r.phone.clone(), r.email.clone(), r.region.clone(), c.to_string()]).expect("write");
        }
    }
    let t = Instant::now();
    let pairs = dedup_pairs(&records, &Config::default());
    let elapsed = t.elapsed();
    let labels: Vec<String> = labels.iter().map(usize::to_string).collect();
    let s = eval::pairwise(&eval::true_pairs(&labels), pairs.iter().map(|p| (p.0, p.1)));
    println!(
        "RESULT batch rows={n} seconds={:.2} pairs={} precision={:.4} recall={:.4} f1={:.4}",
        elapsed.as_secs_f64(), pairs.len(), s.precision, s.recall, s.f1
    );
}
