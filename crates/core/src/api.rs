//! The command set, defined once.
//!
//! [`commands!`] lists every command with its argument and result types. From that
//! one list come: [`dispatch`] (used by the Tauri shell, the HTTP server for the web
//! build, and the CLI) and [`typescript_commands`], which the UI's `api` module is
//! generated from, so the TypeScript types cannot drift from the Rust ones
//! (`bindings_are_current` in this crate's tests fails if they do).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::ApiError;

mod arbitration;
mod audit;
mod collisions;
mod dedup;
mod devices;
mod export;
mod host;
pub mod import;
mod import_report;
mod leads;
mod metrics;
mod reader;
mod relations;
pub mod notifications;
mod reports;
pub mod sync;
pub use audit::{AuditLeadArgs, AuditTrail, DoctorArgs};
pub use collisions::*;
pub use dedup::*;
pub use export::{ExportArgs, ExportFormat, ExportWhat, FileDownload};
pub use host::Host;
pub use leads::*;
pub use metrics::*;
pub use reader::LeadReader;
pub use notifications::*;
pub use relations::{LeadRelateArgs, LeadRelated, RelatedLead};
pub use reports::{ReportItem, ReportList, ReportListArgs, ReportReviewArgs, ReviewState};
pub use crate::model::Rep;
pub use crate::policy::Policy;
pub use crate::visibility::{EventView, LeadView};

/// What a command handler runs against: one device's registry.
///
/// The registry is opened once and kept (the Tauri shell and the web server hold the
/// `Context` in a mutex). If the data directory holds a registry that cannot be opened
/// (corrupt or foreign file) the error is kept and returned by every command that
/// needs the registry, so `app_info` still answers and nothing is overwritten.
pub struct Context {
    pub data_dir: std::path::PathBuf,
    registry: Option<crate::Registry>,
    open_error: Option<ApiError>,
    now: Option<chrono::DateTime<chrono::Utc>>,
    progress: sync::ProgressBoard,
    /// The registry's lead reader, once a listing asked for it.
    reader: Option<reader::LeadReader>,
}

impl Context {
    /// Opens (creating the directory if needed) the registry in `data_dir`.
    pub fn open(data_dir: &std::path::Path) -> Result<Context, ApiError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|e| ApiError::from(crate::Reason::Storage { detail: format!("{}: {e}", data_dir.display()) }))?;
        let mut ctx = Context {
            data_dir: data_dir.to_path_buf(),
            registry: None,
            open_error: None,
            now: None,
            progress: Default::default(),
            reader: None,
        };
        if crate::store::file_path(data_dir).exists() {
            match crate::Registry::open(data_dir) {
                Ok(r) => ctx.registry = Some(r),
                Err(e) => ctx.open_error = Some(e.into()),
            }
        }
        Ok(ctx)
    }

    /// Shares `board` as this context's sync progress (the desktop shell keeps one board
    /// across the contexts it opens).
    pub fn with_progress_board(mut self, board: sync::ProgressBoard) -> Context {
        self.progress = board;
        self
    }

    /// The board a running sync reports to, readable without this context.
    pub fn progress_board(&self) -> sync::ProgressBoard {
        self.progress.clone()
    }

    /// Overrides the device clock (`--now`; tests). `None` restores the real clock.
    pub fn set_now(&mut self, now: Option<chrono::DateTime<chrono::Utc>>) {
        self.now = now;
    }

    /// The device clock (or its override).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.now.unwrap_or_else(chrono::Utc::now)
    }

    /// The device clock as a function, for work that reads it later (a sync).
    pub fn clock(&self) -> impl Fn() -> chrono::DateTime<chrono::Utc> + 'static {
        let fixed = self.now;
        move || fixed.unwrap_or_else(chrono::Utc::now)
    }

    /// The open registry, or why there is none.
    pub fn registry(&mut self) -> Result<&mut crate::Registry, ApiError> {
        if let Some(e) = &self.open_error {
            return Err(e.clone());
        }
        match &mut self.registry {
            Some(r) => {
                r.refresh_if_changed()?;
                Ok(r)
            }
            None => Err(crate::Error::NotInitialized(self.data_dir.display().to_string()).into()),
        }
    }

    /// Installs a freshly created registry (after `init`).
    pub(crate) fn set_registry(&mut self, r: crate::Registry) {
        self.open_error = None;
        self.registry = Some(r);
        self.reader = None;
    }

    /// The registry's lead reader (opened on first use), its copy of the directory
    /// brought up to date: it answers `lead_list` without this context.
    pub fn lead_reader(&mut self) -> Result<reader::LeadReader, ApiError> {
        let now = self.now;
        self.registry()?;
        let reg = self.registry.as_ref().expect("checked by registry()");
        match &self.reader {
            Some(r) => r.refresh(reg, now)?,
            None => self.reader = Some(reader::LeadReader::open(&self.data_dir, reg, now)?),
        }
        Ok(self.reader.clone().expect("opened above"))
    }

    pub(crate) fn has_registry(&self) -> bool {
        self.registry.is_some() || crate::store::file_path(&self.data_dir).exists()
    }
}

/// Commands a host answers without the context's lock, which a running sync or import holds:
/// `Some(answer)` for those, `None` for every other command.
pub fn answer_lock_free(board: &sync::ProgressBoard, cmd: &str) -> Option<serde_json::Value> {
    match cmd {
        "sync_progress" => Some(serde_json::to_value(board.reading()).unwrap_or(serde_json::Value::Null)),
        "import_progress" => Some(serde_json::to_value(board.import_reading()).unwrap_or(serde_json::Value::Null)),
        _ => None,
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
    pub data_dir: String,
}

fn app_info(ctx: &mut Context, _args: ()) -> Result<AppInfo, ApiError> {
    Ok(AppInfo {
        name: "Leadguard".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        data_dir: ctx.data_dir.display().to_string(),
    })
}

fn quarantine_list(ctx: &mut Context, _args: ()) -> Result<crate::replication::quarantine::QuarantineList, ApiError> {
    let reg = ctx.registry()?;
    reg.require_role(&[crate::model::Role::Manager], "list quarantined changes")?;
    Ok(crate::replication::quarantine::list(reg.connection())?)
}

macro_rules! commands {
    ($( $(#[$meta:meta])* $name:ident ( $args:ty ) -> $ret:ty => $handler:path ; )*) => {
        /// Names of all commands, in declaration order.
        pub const COMMANDS: &[&str] = &[$(stringify!($name)),*];

        /// Runs one command. `args` is the JSON the caller sent (`null` for none).
        pub fn dispatch(ctx: &mut Context, cmd: &str, args: serde_json::Value) -> Result<serde_json::Value, ApiError> {
            match cmd {
                $( stringify!($name) => {
                    let args: $args = serde_json::from_value(args).map_err(|e| {
                        ApiError::from(crate::Reason::BadArguments { detail: format!("{}: {e}", stringify!($name)) })
                    })?;
                    let result: $ret = $handler(ctx, args)?;
                    serde_json::to_value(result)
                        .map_err(|e| ApiError::from(crate::Reason::Internal { detail: e.to_string() }))
                } )*
                other => Err(ApiError::from(crate::Reason::UnknownCommand { command: other.to_string() })),
            }
        }

        /// Exports every argument/result type into `dir` (one file each) and
        /// returns the `commands.ts` text that maps command names to them.
        pub fn export_typescript(dir: &std::path::Path) -> Result<String, ts_rs::ExportError> {
            let cfg = ts_rs::Config::new().with_out_dir(dir);
            let mut imports = std::collections::BTreeSet::new();
            let mut body = String::new();
            imports.insert("ApiError".to_string());
            <ApiError as TS>::export_all(&cfg)?;
            <crate::Reason as TS>::export_all(&cfg)?;
            std::fs::write(dir.join("reasons.ts"), crate::reason::typescript_catalog())?;
            $(
                if <$args as TS>::output_path().is_some() {
                    <$args as TS>::export_all(&cfg)?;
                    imports.insert(<$args as TS>::ident(&cfg));
                }
                if <$ret as TS>::output_path().is_some() {
                    <$ret as TS>::export_all(&cfg)?;
                    imports.insert(<$ret as TS>::ident(&cfg));
                }
                body.push_str(&format!(
                    "  {}: {{ args: {}; result: {} }};\n",
                    stringify!($name),
                    <$args as TS>::name(&cfg),
                    <$ret as TS>::name(&cfg),
                ));
            )*
            let mut out = String::from("// Generated by leadguard-core (api::export_typescript). Do not edit.\n");
            for name in &imports {
                out.push_str(&format!("import type {{ {name} }} from \"./{name}\";\n"));
            }
            out.push_str("\nexport type { ApiError };\n\n/** Every command: its arguments and its result. */\nexport interface Commands {\n");
            out.push_str(&body);
            out.push_str("}\n\nexport type CommandName = keyof Commands;\n");
            Ok(out)
        }
    };
}

commands! {
    /// Name, version and data directory of this installation.
    app_info(()) -> AppInfo => app_info;
    /// Creates this device's registry for its user.
    init(InitArgs) -> SessionInfo => leads::init;
    /// Who am I: rep, role, branch, device, policy.
    session(()) -> SessionInfo => leads::session;
    /// A demo registry only: sign in as another of the demo's people (manager or rep).
    demo_switch_user(DemoSwitchArgs) -> SessionInfo => leads::demo_switch_user;
    /// Registers a lead; complete registrations are claimed at once.
    lead_add(LeadAddArgs) -> LeadAdded => leads::lead_add;
    /// One lead (masked if someone else follows it) and its history.
    lead_get(LeadGetArgs) -> LeadDetail => leads::lead_get;
    /// A page of leads: mine, pool, expiring, reported or all; with search text.
    lead_list(LeadListArgs) -> LeadPage => leads::lead_list;
    /// Edits fields of a lead the user may edit.
    lead_update(LeadUpdateArgs) -> LeadView => leads::lead_update;
    /// Sets a customer's grade (客户等级 A/B/C; owner or manager); it feeds assignment rules.
    lead_grade(LeadGradeArgs) -> LeadView => leads::lead_grade;
    /// Records a follow-up (a qualifying one extends protection; a deal binds).
    followup_add(FollowupAddArgs) -> LeadView => leads::followup_add;
    /// Gives an owned lead back to the public pool.
    lead_release(LeadIdArgs) -> LeadView => leads::lead_release;
    /// Links a lead as family (直系亲属), the same purchasing unit (同一购买单位) or a
    /// referral (转介绍), or removes such a link (rule 10).
    lead_relate(LeadRelateArgs) -> LeadRelated => relations::lead_relate;
    /// 前台接待: a receptionist records a walk-in visit, matched to the customer's
    /// owner, or an unmatched visitor registered for the day's duty rep (rule 16).
    visit_record(crate::front_desk::VisitInput) -> crate::front_desk::VisitRecorded => leads::visit_record;
    /// Claims a lead from the public pool.
    lead_claim(LeadIdArgs) -> LeadView => leads::lead_claim;
    /// Assigns pool customers to reps by the branch's assignment rules, the least
    /// loaded first; every assignment explains itself (managers).
    assign_pool(AssignArgs) -> AssignResult => leads::assign_pool;
    /// Moves all customers of a departing rep to another rep (managers).
    handover(HandoverArgs) -> HandoverResult => leads::handover;
    /// Reps of the branch.
    rep_list(()) -> RepList => leads::rep_list;
    /// Adds or updates a rep of the branch (managers).
    rep_put(RepPutArgs) -> Rep => leads::rep_put;
    /// The protection policy of the branch.
    policy_get(()) -> Policy => leads::policy_get;
    /// Changes the protection policy of the branch (managers).
    policy_set(Policy) -> Policy => leads::policy_set;
    /// Likely duplicates of a lead being typed: score, reasons, owner, protection end.
    dedup_check(DedupCheckArgs) -> DedupResult => dedup::dedup_check;
    /// Joins this device to a sync hub with a one-time enrolment token.
    sync_enroll(sync::SyncEnrollArgs) -> crate::sync::Enrolled => sync::sync_enroll;
    /// Pushes local changes to the hub, pulls the branch's, records the sync.
    sync_run(()) -> crate::sync::SyncReport => sync::sync_run;
    /// Where the running sync is (`null` when none runs). Answered without waiting
    /// for the running sync ([`answer_lock_free`]).
    sync_progress(()) -> sync::SyncProgressReading => sync::sync_progress;
    /// Imports a team's spreadsheet (xlsx, xls, CSV in UTF-8 or GBK): rows of one customer
    /// become one, customers already known are left alone, customers someone else works
    /// are reported (registered only with `include_matches`), broken rows listed.
    import_file(import::ImportArgs) -> import::ImportSummary => import::import_file;
    /// Where the running import is (`null` when none runs): customers decided of all.
    /// Answered without waiting for the running import ([`answer_lock_free`]).
    import_progress(()) -> sync::ImportProgressReading => sync::import_progress;
    /// An import's summary as a workbook (汇总, 已登记, 已有客户, 他人客户, 文件内合并,
    /// 无法读取), returned as bytes for the user to save.
    import_report(import::ImportSummary) -> export::FileDownload => import_report::import_report;
    /// A list (mine, pool, team), the collision cases or the metrics as .xlsx or CSV,
    /// as the user sees them (masked where the screen masks), returned as bytes.
    export_file(export::ExportArgs) -> export::FileDownload => export::export_file;
    /// Invites a laptop for a rep or distributor of the branch: a one-time enrolment
    /// token and its link for a QR code (managers; needs the hub).
    device_invite(devices::DeviceInviteArgs) -> devices::DeviceInvitation => devices::device_invite;
    /// The branch's devices as the hub knows them (managers; needs the hub).
    device_list(()) -> devices::DeviceList => devices::device_list;
    /// Revokes a device of the branch: its credential stops working at once (managers).
    device_revoke(devices::DeviceIdArgs) -> devices::DeviceRecord => devices::device_revoke;
    /// Distributors' reports (分销报备): the branch's for a manager (the review queue),
    /// its own for a distributor, with validity and review state.
    report_list(ReportListArgs) -> ReportList => reports::report_list;
    /// A manager accepts a distributor's report (its validity starts afresh) or
    /// rejects it with a reason (the customer goes to the pool).
    report_review(ReportReviewArgs) -> ReportItem => reports::report_review;
    /// Collision cases (撞单) this device can see: all of the branch for a manager.
    collisions_list(CollisionListArgs) -> CollisionList => collisions::collisions_list;
    /// One collision case with its leads (masked as the viewer may see them).
    collision_get(CollisionIdArgs) -> CollisionDetail => collisions::collision_get;
    /// A manager decides a case: owner, split, pool, merge, or undo of a decision.
    collision_resolve(CollisionResolveArgs) -> CollisionDetail => collisions::collision_resolve;
    /// A rep named in a case appeals its decision within the appeal window.
    collision_appeal(CollisionAppealArgs) -> CollisionDetail => collisions::collision_appeal;
    /// The system's arbitration proposal for a case (owner, split or undecided, with
    /// the criteria, evidence and an explanation); a manager decides.
    collision_propose(CollisionIdArgs) -> crate::arbitration::Proposal => arbitration::collision_propose;
    /// Checks this device's tamper-evident audit log (hash chain) end to end.
    audit_verify(()) -> crate::audit::VerifyReport => audit::audit_verify;
    /// The audit log entries of one lead (ownership events written or merged here).
    audit_for_lead(AuditLeadArgs) -> AuditTrail => audit::audit_for_lead;
    /// Checks the derived tables (lists, search, cases) against the documents and
    /// rebuilds what differs; reports table by table.
    doctor(DoctorArgs) -> crate::doctor::DoctorReport => audit::doctor;
    /// Health metrics (duplicate-claim rate, protection utilisation, turnaround,
    /// collisions per rep per month) and the collision heat map (managers).
    metrics(MetricsArgs) -> crate::metrics::Metrics => metrics::metrics;
    /// The monthly clean-up report (月度清查) per rep: held and expiring customers now;
    /// registrations, pool claims, releases and expiries in the month.
    monthly_report(MonthlyReportArgs) -> crate::monthly_report::MonthlyReport => metrics::monthly_report;
    /// Notifications for the user: new cases, decisions, conflicts, appeals.
    notifications_list(()) -> NotificationList => notifications::notifications_list;
    /// Marks notifications as seen.
    notifications_seen(NotificationIds) -> NotificationList => notifications::notifications_seen;
    /// Records the UI's language on this device (desktop notifications use it).
    ui_locale_set(UiLocaleArgs) -> UiLocaleArgs => notifications::ui_locale_set;
    /// Pulled changes this device refused (schema check) and set aside, newest first (managers).
    quarantine_list(()) -> crate::replication::quarantine::QuarantineList => quarantine_list;
}
