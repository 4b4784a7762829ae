//! The one host of the command set for the apps: the desktop shell (Tauri) and the web
//! server both run commands through a [`Host`], so they share its rules.
//!
//! - **One registry, opened lazily.** Opening may find a corrupt file or run
//!   migrations; doing it on the first command lets the window appear and show the
//!   typed error, and retries on the next command once the cause is fixed.
//! - **Commands are serialised** by one lock (the core is single-writer), except
//!   `sync_progress` and `import_progress`, answered from the progress board without it,
//!   `lead_list` (the list and the search box), answered by the registry's lead reader
//!   ([`super::LeadReader`]: its own read-only connection and the shared search text)
//!   while anything else holds the lock, and `sync_run`, which takes the registry only
//!   for each local step
//!   ([`crate::sync::RegistryAccess`]): while a sync waits on the network, searches and
//!   edits go on. Syncs run one at a time.
//! - **A command that panics** drops the in-memory context; the next command reopens
//!   the registry from disk, the source of truth (every write is one transaction, so
//!   nothing acknowledged is lost, and no half-updated in-memory view survives).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{answer_lock_free, dispatch, sync::ProgressBoard, Context, LeadListArgs, LeadReader};
use crate::sync::{RegistryAccess, SyncError, SyncPhase, SyncProgress};
use crate::{ApiError, Registry};

pub struct Host {
    data_dir: PathBuf,
    ctx: Mutex<Option<Context>>,
    progress: ProgressBoard,
    /// Held by the running sync.
    sync_gate: Mutex<()>,
    /// Commands waiting for the registry: the sync lets them go first (the lock is
    /// not fair: a sync re-taking it right after a step would make a search wait for
    /// several steps).
    waiting: AtomicUsize,
    /// The open context's lead reader, for `lead_list` while the context is held.
    reader: Mutex<Option<LeadReader>>,
}

/// How long the sync lets waiting commands go first before taking its next step
/// (a steady stream of commands must not stall it).
const YIELD_AT_MOST: Duration = Duration::from_millis(500);

impl Host {
    /// A host over `data_dir`; nothing is opened before the first command.
    pub fn new(data_dir: PathBuf) -> Host {
        Host {
            data_dir,
            ctx: Mutex::new(None),
            progress: ProgressBoard::default(),
            sync_gate: Mutex::new(()),
            waiting: AtomicUsize::new(0),
            reader: Mutex::new(None),
        }
    }

    /// A host over a context already open (the web server opens it up front).
    pub fn from_context(ctx: Context) -> Host {
        let progress = ctx.progress_board();
        Host {
            data_dir: ctx.data_dir.clone(),
            ctx: Mutex::new(Some(ctx)),
            progress,
            sync_gate: Mutex::new(()),
            waiting: AtomicUsize::new(0),
            reader: Mutex::new(None),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Runs one command. Blocking: call it off an async runtime's threads.
    pub fn call(&self, cmd: &str, args: Value) -> Result<Value, ApiError> {
        if let Some(answer) = answer_lock_free(&self.progress, cmd) {
            return Ok(answer);
        }
        if cmd == "sync_run" {
            return self.sync_run();
        }
        if cmd == "lead_list" {
            return self.lead_list(args);
        }
        self.with_context(|ctx| dispatch(ctx, cmd, args))
    }

    /// `lead_list` by the lead reader: if the registry is free, its copy of the
    /// directory is brought up to date first (and the reader opened); if a command or a
    /// sync step holds it, the reader answers from the last committed state.
    fn lead_list(&self, args: Value) -> Result<Value, ApiError> {
        let reader = match self.ctx.try_lock() {
            Ok(mut guard) => {
                let reader = self.context(&mut guard)?.lead_reader()?;
                *self.cached_reader() = Some(reader.clone());
                Some(reader)
            }
            Err(TryLockError::WouldBlock) => self.cached_reader().clone(),
            // A command panicked: the next lock reopens the context.
            Err(TryLockError::Poisoned(_)) => None,
        };
        let Some(reader) = reader else {
            // No reader yet (nothing listed since the registry opened): wait for it.
            return self.with_context(|ctx| dispatch(ctx, "lead_list", args));
        };
        let args: LeadListArgs = serde_json::from_value(args)
            .map_err(|e| ApiError::from(crate::Reason::BadArguments { detail: format!("lead_list: {e}") }))?;
        let page = reader.list(args)?;
        serde_json::to_value(page).map_err(|e| crate::Reason::Internal { detail: e.to_string() }.into())
    }

    fn cached_reader(&self) -> MutexGuard<'_, Option<LeadReader>> {
        self.reader.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the context (opened if needed), holding the lock.
    pub fn with_context<T>(&self, f: impl FnOnce(&mut Context) -> Result<T, ApiError>) -> Result<T, ApiError> {
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut guard = self.lock();
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let ctx = self.context(&mut guard)?;
        let out = f(ctx);
        self.refresh_cached_reader(ctx);
        out
    }

    /// Lists answered while the next command holds the registry come from the cached
    /// reader: its copy of the directory (who the user is, the reps, the policy) must be
    /// the one this command left, or a user switch or a pulled directory goes unseen.
    fn refresh_cached_reader(&self, ctx: &mut Context) {
        if self.cached_reader().is_none() {
            return;
        }
        if let Ok(reader) = ctx.lead_reader() {
            *self.cached_reader() = Some(reader);
        }
    }

    /// Before a sync step: lets the commands waiting for the registry go first.
    fn yield_to_commands(&self) {
        let since = Instant::now();
        while self.waiting.load(Ordering::SeqCst) > 0 && since.elapsed() < YIELD_AT_MOST {
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Closes the registry (the app is exiting); a later command reopens it.
    pub fn close(&self) {
        self.lock().take();
        self.cached_reader().take();
    }

    fn context<'g>(&self, guard: &'g mut MutexGuard<'_, Option<Context>>) -> Result<&'g mut Context, ApiError> {
        if guard.is_none() {
            **guard = Some(Context::open(&self.data_dir)?.with_progress_board(self.progress.clone()));
        }
        Ok(guard.as_mut().expect("context opened above"))
    }

    fn lock(&self) -> MutexGuard<'_, Option<Context>> {
        match self.ctx.lock() {
            Ok(guard) => guard,
            Err(poisoned) => {
                // A command panicked mid-way: forget the in-memory state.
                let mut guard = poisoned.into_inner();
                *guard = None;
                // Its reader's search text is the dropped registry's: no longer kept current.
                self.cached_reader().take();
                self.ctx.clear_poison();
                guard
            }
        }
    }

    fn sync_run(&self) -> Result<Value, ApiError> {
        let _one_at_a_time = self.sync_gate.lock().unwrap_or_else(|p| p.into_inner());
        let clock = self.with_context(|ctx| {
            // Searches during the sync answer from the reader, also the first one.
            if let Ok(reader) = ctx.lead_reader() {
                *self.cached_reader() = Some(reader);
            }
            Ok(ctx.clock())
        })?;
        let board = self.progress.clone();
        board.set(Some(SyncProgress { phase: SyncPhase::Pushing, done: 0, total: None }));
        let _clear = super::sync::Running(&board);
        let report = crate::sync::sync_using(&mut Lent(self), &clock, &mut |p| board.set(Some(p.clone())))?;
        serde_json::to_value(report).map_err(|e| crate::Reason::Internal { detail: e.to_string() }.into())
    }
}

/// The registry lent to the sync engine one step at a time.
struct Lent<'h>(&'h Host);

impl RegistryAccess for Lent<'_> {
    fn with_registry<T>(&mut self, f: impl FnOnce(&mut Registry) -> Result<T, SyncError>) -> Result<T, SyncError> {
        self.0.yield_to_commands();
        let mut guard = self.0.lock();
        let ctx = self.0.context(&mut guard).map_err(SyncError::Unavailable)?;
        let out = f(ctx.registry().map_err(SyncError::Unavailable)?);
        // A pulled directory (a new rep, a changed policy) reaches the lists at once.
        self.0.refresh_cached_reader(ctx);
        out
    }

    fn hold_budget(&self) -> Option<Duration> {
        Some(HOLD_BUDGET)
    }
}

/// How long one step of a sync may hold the registry while applying pulled changes:
/// a command waiting behind it (searches no longer wait: the lead reader) still
/// answers within ~100 ms.
const HOLD_BUDGET: Duration = Duration::from_millis(20);
