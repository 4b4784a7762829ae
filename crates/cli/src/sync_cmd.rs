//! `leadguard enroll --hub URL --token T` joins this device to a hub;
//! `leadguard sync` pushes local changes, pulls the branch's, and records the sync.
//!
//! Progress goes to stderr (unless `--json`), the report to stdout, so scripts get
//! one JSON document and people see what is happening during a long first sync.

use leadguard_core::api::Context;
use leadguard_core::sync::{self, SyncPhase, SyncProgress};
use leadguard_core::ApiError;

/// Arguments of `leadguard enroll`.
#[derive(clap::Args, Debug)]
pub struct EnrollArgs {
    /// The hub's URL: https://…, or http:// on loopback.
    #[arg(long)]
    hub: String,
    /// One-time enrolment token from `leadguard-hub enroll`.
    #[arg(long, env = "LEADGUARD_ENROL_TOKEN")]
    token: String,
}

/// Arguments of `leadguard sync`.
#[derive(clap::Args, Debug)]
pub struct SyncArgs {}

pub fn enroll(mut ctx: Context, args: EnrollArgs) -> Result<serde_json::Value, ApiError> {
    let reg = ctx.registry()?;
    let enrolled = sync::enroll(reg, &args.hub, &args.token)?;
    serde_json::to_value(enrolled).map_err(|e| ApiError::from(leadguard_core::Reason::Internal { detail: e.to_string() }))
}

pub fn run(mut ctx: Context, _args: SyncArgs, quiet: bool) -> Result<serde_json::Value, ApiError> {
    let clock = ctx.clock();
    let reg = ctx.registry()?;
    let mut show = |p: &SyncProgress| {
        if quiet {
            return;
        }
        let phase = match p.phase {
            SyncPhase::Pushing => "pushing",
            SyncPhase::Pulling => "pulling",
            SyncPhase::Digesting => "digesting",
            SyncPhase::Completing => "completing",
            SyncPhase::Done => "done",
        };
        match p.total {
            Some(t) => eprintln!("sync: {phase} {}/{t}", p.done),
            None => eprintln!("sync: {phase} {}", p.done),
        }
    };
    let report = sync::sync_with_clock(reg, &clock, &mut show)?;
    if let Some(n) = report.resent_after_restore {
        eprintln!(
            "sync: 服务器已从备份恢复；本机重新上传了 {n} 个它丢失的变更。\n\
             sync: the hub was restored from a backup; this device sent again {n} change(s) it had lost."
        );
    }
    if report.quarantined > 0 {
        // Always shown: a colleague's device wrote something no replica accepts.
        eprintln!(
            "sync: 已隔离 {n} 个不合规的变更（未生效），经理可用 `leadguard quarantine list` 查看。\n\
             sync: quarantined {n} change(s) that break the schema (they take no effect); managers: `leadguard quarantine list`.",
            n = report.quarantined
        );
    }
    if let (true, Some(skew)) = (report.clock_off, report.clock_skew_secs) {
        // Always shown (also with --json): the rep must learn their clock is off.
        eprintln!("{}", clock_warning(skew));
    }
    serde_json::to_value(report).map_err(|e| ApiError::from(leadguard_core::Reason::Internal { detail: e.to_string() }))
}

/// The line `leadguard sync` prints when the device clock is off the hub's.
fn clock_warning(skew_secs: i64) -> String {
    let (zh, en) = if skew_secs > 0 { ("快", "ahead of") } else { ("慢", "behind") };
    // To the nearest minute: the measurement itself takes a moment.
    let m = (skew_secs.unsigned_abs() + 30) / 60;
    let (d, h, m) = (m / 1_440, m % 1_440 / 60, m % 60);
    format!(
        "sync: 警告：本机时钟比服务器{zh} {d} 天 {h} 小时 {m} 分；离线操作以服务器时间为准，请校准时钟。\n\
         sync: warning: this device's clock is {d}d {h}h {m}m {en} the hub's; offline actions count at hub time — fix the clock."
    )
}
