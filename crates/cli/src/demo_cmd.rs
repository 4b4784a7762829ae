//! `leadguard --data DIR demo`: seed a demo registry (idempotent; `make run` uses it).

use clap::Args;
use leadguard_core::api::Context;
use leadguard_core::ApiError;
use serde_json::Value;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Leads CSV (default: the labelled dev set in the repository, else generated).
    #[arg(long)]
    pub csv: Option<std::path::PathBuf>,
    /// How many leads.
    #[arg(long, default_value_t = 300)]
    pub leads: usize,
    /// The device's user: lina, wangqiang, chenjing (reps) or zhangwei (manager).
    #[arg(long = "as", default_value = "lina")]
    pub as_rep: String,
}

/// The labelled dev set kept in the repository (`crates/dedup/tests/data/leads-dev.csv`):
/// looked for from the working directory upwards (`make run` runs from the repository
/// root), then in the sources this binary was built from. `LEADGUARD_DEMO_CSV` overrides.
fn default_csv() -> std::path::PathBuf {
    const REL: &str = "crates/dedup/tests/data/leads-dev.csv";
    if let Some(p) = std::env::var_os("LEADGUARD_DEMO_CSV") {
        return p.into();
    }
    if let Ok(cwd) = std::env::current_dir() {
        if let Some(found) = cwd.ancestors().map(|a| a.join(REL)).find(|p| p.exists()) {
            return found;
        }
    }
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(REL)
}

pub fn run(ctx: &mut Context, a: DemoArgs) -> Result<Value, ApiError> {
    let csv = a.csv.unwrap_or_else(default_csv);
    let summary = leadguard_core::demo::seed(&ctx.data_dir, Some(&csv), a.leads, &a.as_rep, ctx.now())?;
    serde_json::to_value(summary).map_err(|e| ApiError::from(leadguard_core::Reason::Internal { detail: e.to_string() }))
}
