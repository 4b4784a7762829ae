//! `leadguard`: the command line over the core. Every command takes `--json`;
//! the exit status is non-zero on error, and with `--json` the error is printed
//! as `{"code": ..., "reason": ..., "params": {...}, "message": ...}` on stdout.

use clap::{Parser, Subcommand};
use leadguard_core::api;

mod audit_cmd;
mod terminal;
mod quarantine_cmd;
mod check_cmd;
mod collisions_cmd;
mod dedup_cmd;
mod doctor_cmd;
mod exit_status;
mod export_cmd;
mod demo_cmd;
mod devices_cmd;
mod fields_args;
mod followup_cmd;
mod handover_cmd;
mod history_cmd;
mod import_cmd;
mod init_cmd;
mod lead_cmd;
mod relate_cmd;
mod render;
mod rep_cmd;
mod reports_cmd;
mod serve_cmd;
mod sync_cmd;
mod visit_cmd;

#[derive(Parser)]
#[command(name = "leadguard", version, about = "Leadguard (撞单卫士) command line")]
struct Cli {
    /// Data directory of this device's registry.
    #[arg(long, global = true, env = "LEADGUARD_DATA", default_value = "leadguard-data")]
    data: std::path::PathBuf,
    /// Print machine-readable JSON.
    #[arg(long, global = true)]
    json: bool,
    /// Device clock for this one command (RFC 3339), e.g. to simulate a wrong clock.
    #[arg(long, global = true, value_parser = fields_args::parse_time)]
    now: Option<chrono::DateTime<chrono::Utc>>,
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
    /// Create this device's registry for its user.
    Init(init_cmd::InitArgs),
    /// Register, show, list, edit, release and claim leads.
    #[command(subcommand)]
    Lead(lead_cmd::LeadCmd),
    /// Record follow-ups (call, visit, sample, quote, store_visit, deal).
    #[command(subcommand)]
    Followup(followup_cmd::FollowupCmd),
    /// Link a lead as family (直系亲属), the same purchasing unit (同一购买单位) or a
    /// referral (转介绍); family and same unit make the leads one customer.
    Relate(relate_cmd::RelateArgs),
    /// Assign pool customers to reps by the branch's assignment rules, the least loaded
    /// first; each assignment explains itself (managers).
    Assign {
        /// These leads (default: the pool, oldest first).
        #[arg(long = "lead")]
        leads: Vec<String>,
        /// At most this many pool customers.
        #[arg(long, default_value_t = 50)]
        limit: u32,
        /// Only say what would happen.
        #[arg(long)]
        dry_run: bool,
    },
    /// Set a customer's grade (客户等级 A, B or C; `none` clears): its owner or a manager.
    Grade {
        lead: String,
        grade: String,
    },
    /// 前台接待: record a walk-in visit, matched to the customer's owner; an unmatched
    /// visitor becomes a customer of the day's duty rep (receptionists).
    Visit(visit_cmd::VisitArgs),
    /// Move every customer of a departing rep to another rep (managers).
    Handover(handover_cmd::HandoverArgs),
    /// Is this customer already known? Duplicate matches with owner and protection end.
    Check(check_cmd::CheckArgs),
    /// Reps of the branch.
    #[command(subcommand)]
    Rep(rep_cmd::RepCmd),
    /// The branch's protection policy.
    #[command(subcommand)]
    Policy(rep_cmd::PolicyCmd),
    /// Seed a demo registry (does nothing if one exists).
    Demo(demo_cmd::DemoArgs),
    /// Collision cases (撞单): list, show, resolve (managers), appeal (reps).
    #[command(subcommand)]
    Collisions(collisions_cmd::CollisionsCmd),
    /// The tamper-evident audit log: verify the chain, show a lead's entries.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCmd),
    /// Check the tables lists, search and cases read from against the documents;
    /// rebuild what differs (exit status 1 when something differed).
    Doctor(doctor_cmd::DoctorArgs),
    /// Pulled changes this device refused (schema check) and set aside (managers).
    #[command(subcommand)]
    Quarantine(quarantine_cmd::QuarantineCmd),
    /// Import a team's spreadsheet (xlsx, xls, CSV in UTF-8 or GBK) with a report of every row.
    Import(import_cmd::ImportArgs),
    /// Distributors' reports (分销报备): list (managers: the review queue), review (managers).
    #[command(subcommand)]
    Reports(reports_cmd::ReportsCmd),
    /// Export my customers, the pool, the team, the cases or the metrics to .xlsx or .csv
    /// (as this user sees them: others' contacts stay masked).
    Export(export_cmd::ExportArgs),
    /// The branch's laptops on the hub: invite, list, revoke (managers).
    #[command(subcommand)]
    Devices(devices_cmd::DevicesCmd),
    /// This laptop's whole history as a file a new hub adopts (`leadguard-hub adopt`).
    #[command(subcommand)]
    History(history_cmd::HistoryCmd),
    /// The monthly clean-up report (月度清查) per rep: held and expiring customers now;
    /// registrations, pool claims, releases and expiries in the month.
    Monthly {
        /// YYYY-MM (UTC); default: this month.
        #[arg(long)]
        month: Option<String>,
    },
    /// Health metrics of the claim mechanism and the collision heat map (managers).
    Metrics {
        /// Period in days, ending now.
        #[arg(long, default_value_t = 90)]
        days: u32,
        /// Days covered by the heat map.
        #[arg(long, default_value_t = 14)]
        heat_days: u32,
    },
}

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() && std::env::args().any(|a| a == "--json") => {
            let err = leadguard_core::ApiError::from(leadguard_core::Reason::BadArguments { detail: e.to_string().trim().to_string() });
            println!("{}", serde_json::to_string(&err).unwrap_or_default());
            std::process::exit(2);
        }
        Err(e) => e.exit(),
    };
    let result = api::Context::open(&cli.data).and_then(|mut ctx| {
        ctx.set_now(cli.now);
        match cli.command {
        Command::Info => api::dispatch(&mut ctx, "app_info", serde_json::Value::Null),
        Command::Serve(args) => serve_cmd::run(ctx, args),
        Command::Dedup(args) => dedup_cmd::run(args),
        Command::Enroll(args) => sync_cmd::enroll(ctx, args),
        Command::Sync(args) => sync_cmd::run(ctx, args, cli.json),
        Command::Init(args) => init_cmd::run(&mut ctx, args),
        Command::Lead(cmd) => lead_cmd::run(&mut ctx, cmd),
        Command::Followup(cmd) => followup_cmd::run(&mut ctx, cmd),
        Command::Relate(args) => relate_cmd::run(&mut ctx, args),
        Command::Assign { leads, limit, dry_run } => api::dispatch(
            &mut ctx,
            "assign_pool",
            serde_json::json!({ "leads": (!leads.is_empty()).then_some(leads), "limit": limit, "dry_run": dry_run }),
        ),
        Command::Visit(args) => visit_cmd::run(&mut ctx, args),
        Command::Grade { lead, grade } => {
            let grade = if grade.trim().eq_ignore_ascii_case("none") { String::new() } else { grade };
            api::dispatch(&mut ctx, "lead_grade", serde_json::json!({ "id": lead, "grade": grade }))
        }
        Command::Handover(args) => handover_cmd::run(&mut ctx, args),
        Command::Check(args) => check_cmd::run(&mut ctx, args),
        Command::Rep(cmd) => rep_cmd::run_rep(&mut ctx, cmd),
        Command::Policy(cmd) => rep_cmd::run_policy(&mut ctx, cmd),
        Command::Demo(args) => demo_cmd::run(&mut ctx, args),
        Command::Collisions(cmd) => collisions_cmd::run(&mut ctx, cmd),
        Command::Audit(cmd) => audit_cmd::run(&mut ctx, cmd, cli.json),
        Command::Doctor(args) => doctor_cmd::run(&mut ctx, args, cli.json),
        Command::Quarantine(cmd) => quarantine_cmd::run(&mut ctx, cmd, cli.json),
        Command::Import(args) => import_cmd::run(&mut ctx, args, cli.json),
        Command::Export(args) => export_cmd::run(&mut ctx, args, cli.json),
        Command::Devices(cmd) => devices_cmd::run(&mut ctx, cmd, cli.json),
        Command::History(cmd) => history_cmd::run(&mut ctx, cmd),
        Command::Reports(cmd) => reports_cmd::run(&mut ctx, cmd, cli.json),
        Command::Monthly { month } => api::dispatch(&mut ctx, "monthly_report", serde_json::json!({ "month": month })),
        Command::Metrics { days, heat_days } => {
            api::dispatch(&mut ctx, "metrics", serde_json::json!({ "days": days, "heat_days": heat_days }))
        }
        }
    });
    match result {
        Ok(v) => {
            if cli.json {
                out(&terminal::json(&v.to_string()));
            } else {
                out(&terminal::human(&render::human(&v)));
            }
            // The registry is closed by now (the context lived in the closure above).
            std::process::exit(exit_status::get());
        }
        Err(e) => {
            if cli.json {
                out(&terminal::json(&serde_json::to_string(&e).unwrap_or_default()));
            } else {
                eprintln!("error [{}]: {}", e.code.as_str(), terminal::human(&e.message));
            }
            std::process::exit(1);
        }
    }
}

/// Prints a result; a closed pipe (`leadguard … | head`) is not an error worth a panic.
fn out(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{text}").and_then(|()| stdout.flush()).is_err() {
        std::process::exit(0);
    }
}
