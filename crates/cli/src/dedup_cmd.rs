//! `leadguard dedup --input FILE.csv --output PAIRS.csv`: batch duplicate detection over
//! a CSV of leads (columns of leads-dev.csv: id, company, contact, phone, email, region;
//! optional address; other columns ignored; Chinese headers accepted).
//!
//! Writes one line per duplicate pair, `id_a,id_b,score` (id_a is the earlier row; no
//! header line unless `--header`), through a temporary file renamed into place, so a
//! failed run never leaves a half-written or clobbered output. Broken rows are skipped
//! and listed (line, code, message) in the summary printed on stdout.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use leadguard_core::{ApiError, Reason};
use leadguard_dedup::{dedup_pairs, read_leads_csv, Config};

/// Skipped rows listed individually in the summary (the count is always complete).
const MAX_LISTED_ERRORS: usize = 100;

/// Arguments of `leadguard dedup`.
#[derive(clap::Args, Debug)]
pub struct DedupArgs {
    /// CSV of leads to check against each other.
    #[arg(long)]
    input: PathBuf,
    /// Where to write the duplicate pairs (`id_a,id_b,score` per line).
    #[arg(long)]
    output: PathBuf,
    /// Minimum score of a reported pair, in [0, 1].
    #[arg(long, default_value_t = 0.85)]
    threshold: f32,
    /// Write an `id_a,id_b,score` header line first.
    #[arg(long)]
    header: bool,
}

/// Run the batch and return the summary.
pub fn run(args: DedupArgs) -> Result<serde_json::Value, ApiError> {
    if !(0.0..=1.0).contains(&args.threshold) {
        return Err(ApiError::from(Reason::BadArguments { detail: format!("--threshold {} is not in [0, 1]", args.threshold) }));
    }
    let started = Instant::now();
    let file = std::fs::File::open(&args.input)
        .map_err(|e| ApiError::from(Reason::BadArguments { detail: format!("{}: {e}", args.input.display()) }))?;
    let batch = read_leads_csv(std::io::BufReader::new(file)).map_err(|e| {
        let detail = format!("{} [{}]: {e}", args.input.display(), e.code());
        ApiError::from(match e {
            leadguard_dedup::CsvError::Io(_) => Reason::Storage { detail },
            _ => Reason::BadArguments { detail },
        })
    })?;
    let config = Config { threshold: args.threshold, ..Config::default() };
    let records: Vec<_> = batch.leads.iter().map(|l| l.record.clone()).collect();
    let pairs = dedup_pairs(&records, &config);

    let mut out = String::with_capacity(pairs.len() * 24);
    if args.header {
        out.push_str("id_a,id_b,score\n");
    }
    for (i, j, score) in &pairs {
        out.push_str(&csv_field(&batch.leads[*i].id));
        out.push(',');
        out.push_str(&csv_field(&batch.leads[*j].id));
        out.push_str(&format!(",{score:.4}\n"));
    }
    write_atomically(&args.output, out.as_bytes())
        .map_err(|e| ApiError::from(Reason::Storage { detail: format!("{}: {e}", args.output.display()) }))?;

    let skipped: Vec<serde_json::Value> = batch
        .errors
        .iter()
        .take(MAX_LISTED_ERRORS)
        .map(|e| serde_json::json!({ "line": e.line, "code": e.kind.code(), "message": e.kind.to_string() }))
        .collect();
    for e in batch.errors.iter().take(MAX_LISTED_ERRORS) {
        eprintln!("skipped {}", crate::terminal::human(&e.to_string()));
    }
    Ok(serde_json::json!({
        "input": args.input.display().to_string(),
        "output": args.output.display().to_string(),
        "rows": batch.leads.len(),
        "skipped_count": batch.errors.len(),
        "skipped": skipped,
        "pairs": pairs.len(),
        "threshold": (f64::from(args.threshold) * 1e4).round() / 1e4,
        "elapsed_ms": started.elapsed().as_millis() as u64,
    }))
}

/// Quote a CSV field when it needs it (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "pairs.csv".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("r1"), "r1");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn batch_writes_pairs_and_reports_skipped_rows() {
        let dir = std::env::temp_dir().join(format!("leadguard-dedup-cmd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("in.csv");
        std::fs::write(
            &input,
            "id,company,contact,phone,email,region,industry\n\
             a1,北京市锦信环保科技有限公司,丁艳,13626445365,,北京,环保\n\
             a2,broken row\n\
             a3,锦信（北京）环保,丁女士,136****5365,,北京,环保\n\
             a4,上海安光医疗器械有限公司,孟然,159-6904-8265,,上海,医疗\n",
        )
        .unwrap();
        let output = dir.join("pairs.csv");
        let v = run(DedupArgs { input, output: output.clone(), threshold: 0.85, header: false }).unwrap();
        assert_eq!(v["rows"], 3);
        assert_eq!(v["skipped_count"], 1);
        assert_eq!(v["skipped"][0]["line"], 3);
        assert_eq!(v["skipped"][0]["code"], "field_count");
        let text = std::fs::read_to_string(&output).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        assert!(lines[0].starts_with("a1,a3,0."), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_missing_input_is_an_invalid_argument_and_leaves_no_output() {
        let output = std::env::temp_dir().join(format!("leadguard-no-output-{}.csv", std::process::id()));
        let e = run(DedupArgs { input: "/nonexistent/in.csv".into(), output: output.clone(), threshold: 0.85, header: false })
            .unwrap_err();
        assert_eq!(e.code, leadguard_core::ErrorCode::InvalidArgument);
        assert!(!output.exists());
    }
}
