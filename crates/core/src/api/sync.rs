//! The sync commands of the API (`sync_enroll`, `sync_run`), for the desktop app and
//! the browser build; the CLI calls [`crate::sync::enroll`] and [`crate::sync::sync`] directly to
//! show progress as it goes.

use std::sync::{Arc, Mutex};

use crate::sync::{Enrolled, SyncPhase, SyncProgress, SyncReport};
use crate::api::import::ImportProgress;
use crate::api::Context;
use crate::ApiError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where the running sync is. The app's host answers `sync_progress` from this board
/// without the context's lock ([`crate::api::answer_lock_free`]), which a sync run
/// through [`crate::api::Context`] directly holds for its whole run; the UI polls it
/// for its progress bar.
/// A running import (`import_file`) reports on the same board (`import_progress`).
#[derive(Debug, Clone, Default)]
pub struct ProgressBoard(Arc<Mutex<Option<SyncProgress>>>, Arc<Mutex<Option<ImportProgress>>>);

impl ProgressBoard {
    /// The running sync's progress; `None` when no sync runs.
    pub fn get(&self) -> Option<SyncProgress> {
        self.0.lock().map(|g| g.clone()).unwrap_or(None)
    }

    pub(super) fn set(&self, p: Option<SyncProgress>) {
        if let Ok(mut g) = self.0.lock() {
            *g = p;
        }
    }
}

/// The running import's progress, answered lock-free like `sync_progress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportProgressReading {
    /// `None` when no import runs.
    pub progress: Option<ImportProgress>,
}

impl ProgressBoard {
    pub fn import_reading(&self) -> ImportProgressReading {
        ImportProgressReading { progress: self.1.lock().map(|g| *g).unwrap_or(None) }
    }

    pub(crate) fn set_import(&self, p: Option<ImportProgress>) {
        if let Ok(mut g) = self.1.lock() {
            *g = p;
        }
    }
}

/// Clears the import's progress when it ends, however it ends.
pub(crate) struct ImportRunning<'a>(&'a ProgressBoard);

impl<'a> ImportRunning<'a> {
    pub(crate) fn start(board: &'a ProgressBoard) -> ImportRunning<'a> {
        board.set_import(Some(ImportProgress { done: 0, total: 0 }));
        ImportRunning(board)
    }
}

impl Drop for ImportRunning<'_> {
    fn drop(&mut self) {
        self.0.set_import(None);
    }
}

pub fn import_progress(ctx: &mut Context, _args: ()) -> Result<ImportProgressReading, ApiError> {
    Ok(ctx.progress_board().import_reading())
}

/// Clears the board when the sync ends, however it ends.
pub(super) struct Running<'a>(pub(super) &'a ProgressBoard);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.set(None);
    }
}

/// Joins this device to a hub with a one-time enrolment token.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct SyncEnrollArgs {
    /// `https://…`, or `http://` on loopback.
    pub hub_url: String,
    pub token: String,
}

pub fn sync_enroll(ctx: &mut Context, args: SyncEnrollArgs) -> Result<Enrolled, ApiError> {
    Ok(crate::sync::enroll(ctx.registry()?, &args.hub_url, &args.token)?)
}

pub fn sync_run(ctx: &mut Context, _args: ()) -> Result<SyncReport, ApiError> {
    let board = ctx.progress_board();
    board.set(Some(SyncProgress { phase: SyncPhase::Pushing, done: 0, total: None }));
    let _running = Running(&board);
    let clock = ctx.clock();
    Ok(crate::sync::sync_with_clock(ctx.registry()?, &clock, &mut |p| board.set(Some(p.clone())))?)
}

/// An answer to `sync_progress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncProgressReading {
    /// The running sync's progress; `null` when no sync runs.
    pub progress: Option<SyncProgress>,
}

impl ProgressBoard {
    pub fn reading(&self) -> SyncProgressReading {
        SyncProgressReading { progress: self.get() }
    }
}

pub fn sync_progress(ctx: &mut Context, _args: ()) -> Result<SyncProgressReading, ApiError> {
    Ok(ctx.progress_board().reading())
}
