//! `leadguard-hub`: serve the hub and manage its devices.

use anyhow::Context;
use clap::{Parser, Subcommand};
use leadguard_hub::store::ops;
use leadguard_hub::store::pg::{self, PgStore};
use leadguard_hub::store::Database;
use leadguard_hub::Store;
use leadguard_protocol::Role;
use std::io::Write;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "leadguard-hub", version, about = "Leadguard sync hub")]
struct Cli {
    /// Directory holding the hub database (hub.sqlite).
    #[arg(long, env = "LEADGUARD_HUB_DATA", default_value = "hub-data")]
    data: std::path::PathBuf,
    /// A PostgreSQL database instead of the SQLite file in --data, e.g.
    /// `postgres://leadguard@127.0.0.1:5432/leadguard`. Several hub processes may share one.
    #[arg(long, global = true, env = "LEADGUARD_HUB_DATABASE")]
    database: Option<String>,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    /// Log lines on stderr as text or JSON (one object per line, for log shippers).
    #[arg(long, global = true, env = "LEADGUARD_HUB_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    /// What to log, e.g. `info` or `leadguard_hub=debug,warn`.
    #[arg(long, global = true, env = "LEADGUARD_HUB_LOG", default_value = "info")]
    log: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the hub over HTTP. The first line on stdout is the bound URL
    /// (useful with port 0).
    Serve {
        #[arg(long, default_value = "127.0.0.1:7878")]
        listen: String,
        /// Online checks (`POST /v1/check`) each distributor device may make per
        /// minute; beyond them the hub answers 429 until the bucket refills.
        #[arg(long, env = "LEADGUARD_HUB_CHECK_PER_MINUTE", default_value_t = leadguard_hub::check::DEFAULT_PER_MINUTE)]
        check_per_minute: u32,
        /// Answer pushes without the first pull page even when a client asks for it,
        /// as hubs before it did (clients then pull it separately; for comparisons).
        #[arg(long)]
        no_push_pages: bool,
        /// Pushes stored and answered at the same time; further pushes wait their
        /// turn in arrival order, so a burst of laptops is served first come, first
        /// served (docs/OPERATIONS.md).
        #[arg(long, env = "LEADGUARD_HUB_PUSHES_IN_PROGRESS", default_value_t = leadguard_hub::admission::DEFAULT_PUSHES_IN_PROGRESS as u64, value_parser = clap::value_parser!(u64).range(1..))]
        pushes_in_progress: u64,
    },
    /// Create a device and print its one-time enrolment token.
    Enroll {
        /// The person (rep id) who will use the device.
        #[arg(long)]
        rep: String,
        /// Display name, e.g. 李娜.
        #[arg(long)]
        name: String,
        /// Branch the device belongs or reports to (not for a director).
        #[arg(long, required_unless_present = "branches", conflicts_with = "branches")]
        branch: Option<String>,
        /// A director's assigned branches, comma-separated (south,east).
        #[arg(long)]
        branches: Option<String>,
        /// rep, manager, distributor, receptionist or director.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Hours the token stays valid.
        #[arg(long, default_value_t = 72)]
        ttl_hours: i64,
    },
    /// Revoke a device: its credential stops working at once.
    Revoke {
        #[arg(long)]
        device: String,
    },
    /// Copy the hub database to FILE while the hub may be serving (SQLite online
    /// backup). The copy is checked before it takes the name FILE. For PostgreSQL use
    /// pg_dump (docs/OPERATIONS.md).
    Backup {
        #[arg(long)]
        output: std::path::PathBuf,
    },
    /// Replace the hub database with a backup. Stop the hub first. The current database
    /// moves to `replaced-<time>/` in the data directory; devices then re-send what the
    /// hub lost. Devices enrolled or revoked after the backup must be enrolled or
    /// revoked again. For PostgreSQL: restore with pg_restore, then run `restore`
    /// without --input to start the new epoch (docs/OPERATIONS.md).
    Restore {
        #[arg(long)]
        input: Option<std::path::PathBuf>,
    },
    /// Store a laptop's history (`leadguard history export --output FILE`) as the
    /// branch's past: for a branch that worked on one laptop before it had a hub, and
    /// the demo. Safe to run twice.
    Adopt {
        /// The branch whose documents the history holds.
        #[arg(long)]
        branch: String,
        /// The history file.
        #[arg(long)]
        input: std::path::PathBuf,
    },
    /// Device management.
    Devices {
        #[command(subcommand)]
        command: DevicesCommand,
    },
}

#[derive(Subcommand)]
enum DevicesCommand {
    /// List enrolled, pending and revoked devices.
    List,
}

fn parse_role(s: &str) -> Result<Role, leadguard_protocol::control::UnknownRole> {
    s.parse()
}

fn init_logging(format: &str, filter: &str) -> anyhow::Result<()> {
    let targets: tracing_subscriber::filter::Targets = filter.parse().context("--log: not a log filter")?;
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false);
    use tracing_subscriber::layer::SubscriberExt;
    let result = if format == "json" {
        tracing::subscriber::set_global_default(builder.json().finish().with(targets))
    } else {
        tracing::subscriber::set_global_default(builder.finish().with(targets))
    };
    result.context("installing the logger")
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(&cli.log_format, &cli.log)?;
    let database = Database::choose(cli.database.as_deref(), &cli.data)?;
    if let Database::Postgres(url) = &database {
        let url = url.clone();
        return postgres_command(cli, &url);
    }
    // Backup and restore work on files and must not open (and migrate) the database
    // the way serving does.
    match &cli.command {
        Command::Backup { output } => {
            let summary = ops::backup(&cli.data, output)?;
            if cli.json {
                println!("{}", serde_json::to_string(&summary)?);
            } else {
                println!(
                    "backed up {} changes (up to #{}) and {} devices to {} ({} bytes)",
                    summary.changes,
                    summary.high_seq,
                    summary.devices,
                    summary.file.display(),
                    summary.bytes
                );
            }
            return Ok(());
        }
        Command::Restore { input } => {
            let input = input.as_deref().context("restore needs --input FILE (a backup made by `backup`)")?;
            let restored = ops::restore(&cli.data, input)?;
            if cli.json {
                println!("{}", serde_json::to_string(&restored)?);
            } else {
                println!(
                    "restored {} changes (up to #{}) from {}; new epoch {} starts at #{}",
                    restored.from.changes,
                    restored.from.high_seq,
                    input.display(),
                    restored.epoch,
                    restored.epoch_start_seq
                );
                if let Some(aside) = &restored.replaced {
                    println!("the replaced database is kept in {}", aside.display());
                }
                eprintln!("devices enrolled or revoked after this backup was taken: enroll or revoke them again");
            }
            return Ok(());
        }
        _ => {}
    }
    // Every other command opens the database: never in the middle of a restore.
    let _lock = ops::DataLock::shared(&cli.data)?;
    let store = Store::open(&cli.data).with_context(|| format!("opening the hub database in {}", cli.data.display()))?;
    run(cli, store)
}

/// Commands on a PostgreSQL database: the same as on SQLite, except backup and restore,
/// which are PostgreSQL's own tools (pg_dump, pg_restore); `restore` without --input
/// then starts the new epoch.
fn postgres_command(cli: Cli, url: &str) -> anyhow::Result<()> {
    let pg = PgStore::connect(url).with_context(|| format!("opening the hub database {}", pg::redact(url)))?;
    match &cli.command {
        Command::Backup { .. } => anyhow::bail!(
            "backups of a PostgreSQL hub are pg_dump's: pg_dump --format=custom --file=hub.dump '{}' (docs/OPERATIONS.md)",
            pg::redact(url)
        ),
        Command::Restore { input: Some(_) } => anyhow::bail!(
            "restore a PostgreSQL hub with pg_restore, then run `restore` without --input to start the new epoch (docs/OPERATIONS.md)"
        ),
        Command::Restore { input: None } => {
            let epoch = pg.start_new_epoch()?;
            let (changes, high_seq, devices) = pg.counts()?;
            if cli.json {
                println!(
                    "{}",
                    serde_json::json!({ "changes": changes, "high_seq": high_seq, "devices": devices, "epoch": epoch.id, "epoch_start_seq": epoch.start_seq })
                );
            } else {
                println!("the database holds {changes} changes (up to #{high_seq}) and {devices} devices; new epoch {} starts at #{}", epoch.id, epoch.start_seq);
                eprintln!("devices enrolled or revoked after the dump was taken: enroll or revoke them again");
            }
            Ok(())
        }
        _ => run(cli, Store::from_backend(pg)),
    }
}

fn run(cli: Cli, store: Store) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { listen, check_per_minute, no_push_pages, pushes_in_progress } => {
            let push_pages = if no_push_pages { leadguard_hub::http::PushPages::Ignored } else { leadguard_hub::http::PushPages::Served };
            let pushes_in_progress = usize::try_from(pushes_in_progress).unwrap_or(usize::MAX);
            let options = leadguard_hub::http::ServeOptions { check_per_minute, push_pages, pushes_in_progress };
            serve(store, &listen, options)
        }
        Command::Backup { .. } | Command::Restore { .. } => unreachable!("handled above"),
        Command::Enroll { rep, name, branch, branches, role, ttl_hours } => {
            // A director is enrolled with its branches, everyone else with one.
            let branch = match (role, branch, branches) {
                (Role::Director, None, Some(list)) => list,
                (Role::Director, _, None) => anyhow::bail!("a director is enrolled with --branches (south,east)"),
                (_, Some(b), None) => b,
                (_, _, Some(_)) => anyhow::bail!("--branches is for a director; give the device one --branch"),
                (_, None, None) => anyhow::bail!("--branch is required"),
            };
            let e = store.create_enrolment(&rep, &name, &branch, role, ttl_hours.saturating_mul(3_600_000))?;
            if cli.json {
                println!("{}", serde_json::to_string(&e)?);
            } else {
                println!("{}", e.token);
                eprintln!("device {} ({role}, branch {branch}); token valid until {}", e.device_id, e.expires_at);
            }
            Ok(())
        }
        Command::Adopt { branch, input } => {
            let bytes = std::fs::read(&input).with_context(|| format!("reading {}", input.display()))?;
            let frames = leadguard_protocol::history::decode_history(&bytes)
                .with_context(|| format!("{} is not a Leadguard history file", input.display()))?;
            let adopted = store.adopt(&branch, frames)?;
            if cli.json {
                println!("{}", serde_json::to_string(&adopted)?);
            } else {
                println!("adopted {} changes for branch {branch} ({} new to this hub)", adopted.changes, adopted.new);
            }
            Ok(())
        }
        Command::Revoke { device } => {
            store.revoke(&device)?;
            if cli.json {
                println!("{}", serde_json::json!({ "revoked": device }));
            } else {
                println!("revoked {device}");
            }
            Ok(())
        }
        Command::Devices { command: DevicesCommand::List } => {
            let devices = store.list_devices()?;
            if cli.json {
                println!("{}", serde_json::to_string(&devices)?);
            } else {
                for d in devices {
                    let state = match (d.revoked_at, d.enrolled_at) {
                        (Some(_), _) => "revoked",
                        (None, Some(_)) => "enrolled",
                        (None, None) => "pending",
                    };
                    let last = d.last_sync_at.map(|t| t.to_string()).unwrap_or_else(|| "never".into());
                    println!("{}\t{}\t{}\t{}\t{}\t{state}\tlast sync {last}", d.id, d.role, d.branch, d.rep, d.name);
                }
            }
            Ok(())
        }
    }
}

fn serve(store: Store, listen: &str, options: leadguard_hub::http::ServeOptions) -> anyhow::Result<()> {
    store.warm_up().context("opening the database connections")?;
    leadguard_hub::check::load_matching_dictionaries();
    let runtime = tokio::runtime::Runtime::new().context("starting the async runtime")?;
    runtime.block_on(async {
        let listener = leadguard_hub::listen(listen).await.with_context(|| format!("binding {listen}"))?;
        let addr = listener.local_addr()?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "http://{addr}")?;
        stdout.flush()?;
        drop(stdout);
        tracing::info!(database = %store.describe(), %addr, pushes_in_progress = options.pushes_in_progress, "serving");
        leadguard_hub::serve_with(listener, Arc::new(store), options, shutdown_signal()).await?;
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => {
                let _ = ctrl_c.await;
                return;
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
