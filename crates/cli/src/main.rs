//! `leadguard`: the command line over the core. Every command takes `--json`;
//! the exit status is non-zero on error, and with `--json` the error is printed
//! as `{"code": ..., "message": ...}` on stdout.

use clap::{Parser, Subcommand};
use leadguard_core::api;

mod dedup_cmd;
mod serve_cmd;
mod sync_cmd;

#[derive(Parser)]
#[command(name = "leadguard", version, about = "Leadguard (撞单卫士) command line")]
struct Cli {
    /// Data directory of this device's registry.
    #[arg(long, global = true, env = "LEADGUARD_DATA", default_value = "leadguard-data")]
    data: std::path::PathBuf,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Name, version and data directory.
    Info,
    /// Serve the web UI and the API on loopback; prints the URL (with its access token) first.
    Serve(serve_cmd::ServeArgs),
    /// Find duplicate leads in a CSV; writes `id_a,id_b,score` per duplicate pair.
    Dedup(dedup_cmd::DedupArgs),
    /// Join this device to a sync hub with a one-time token.
    Enroll(sync_cmd::EnrollArgs),
    /// Push local changes to the hub, pull the branch's, record the sync.
    Sync(sync_cmd::SyncArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = api::Context::open(&cli.data).and_then(|mut ctx| match cli.command {
        Command::Info => api::dispatch(&mut ctx, "app_info", serde_json::Value::Null),
        Command::Serve(args) => serve_cmd::run(ctx, args),
        Command::Dedup(args) => dedup_cmd::run(args),
        Command::Enroll(args) => sync_cmd::enroll(ctx, args),
        Command::Sync(args) => sync_cmd::run(ctx, args, cli.json),
    });
    match result {
        Ok(v) => {
            if cli.json {
                println!("{v}");
            } else {
                println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            }
        }
        Err(e) => {
            if cli.json {
                println!("{}", serde_json::to_string(&e).unwrap_or_default());
            } else {
                eprintln!("error [{}]: {}", e.code.as_str(), e.message);
            }
            std::process::exit(1);
        }
    }
}
