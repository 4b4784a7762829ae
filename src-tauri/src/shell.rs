//! The shell's state: one device registry, opened lazily and shared behind a
//! mutex.
//!
//! Why lazily: opening the registry may run migrations or find a corrupt file.
//! Doing it on the first command keeps start-up off that path, lets the window
//! appear and show the typed error (e.g. `corrupt_store`), and retries on the
//! next command once the user has fixed the cause. The core is single-writer,
//! so commands are serialised by the mutex. If a command panics, the context
//! is dropped and reopened from disk (the source of truth) on the next call.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use leadguard_core::api::{self, Context};
use leadguard_core::ApiError;

/// One device's registry as seen by the desktop app.
pub struct Shell {
    data_dir: PathBuf,
    ctx: Mutex<Option<Context>>,
    /// The sync progress of every context this shell opens, read without its lock.
    progress: leadguard_core::api::sync::ProgressBoard,
}

impl Shell {
    /// A shell over `data_dir`; nothing is opened until the first [`Shell::call`].
    pub fn new(data_dir: PathBuf) -> Shell {
        Shell { data_dir, ctx: Mutex::new(None), progress: Default::default() }
    }

    /// The directory the registry lives in.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Runs one core command. Blocking: call it off the main thread.
    pub fn call(&self, cmd: &str, args: serde_json::Value) -> Result<serde_json::Value, ApiError> {
        if let Some(value) = api::answer_lock_free(&self.progress, cmd) {
            return Ok(value);
        }
        let mut guard = self.lock();
        if guard.is_none() {
            *guard = Some(Context::open(&self.data_dir)?.with_progress_board(self.progress.clone()));
        }
        let ctx = guard.as_mut().expect("context opened above");
        api::dispatch(ctx, cmd, args)
    }

    /// Closes the registry (the app is exiting).
    pub fn close(&self) {
        self.lock().take();
    }

    /// Notifications the user has not seen nor been shown on the desktop yet; marks
    /// them shown. Empty when no registry exists yet.
    pub fn take_undelivered(&self) -> Vec<leadguard_core::notifications::Notification> {
        let mut guard = self.lock();
        let Some(ctx) = guard.as_mut() else { return Vec::new() };
        let now = ctx.now();
        match ctx.registry() {
            Ok(reg) => reg.take_undelivered_notifications(now).unwrap_or_default(),
            Err(_) => Vec::new(),
        }
    }

    /// The language the user chose in the UI (zh-CN before a registry exists).
    pub fn ui_locale(&self) -> leadguard_core::notifications::UiLocale {
        let mut guard = self.lock();
        let Some(ctx) = guard.as_mut() else { return Default::default() };
        ctx.registry().ok().and_then(|reg| reg.ui_locale().ok()).unwrap_or_default()
    }

    fn lock(&self) -> MutexGuard<'_, Option<Context>> {
        match self.ctx.lock() {
            Ok(guard) => guard,
            Err(poisoned) => {
                // A command panicked mid-way: forget the in-memory state.
                let mut guard = poisoned.into_inner();
                *guard = None;
                self.ctx.clear_poison();
                guard
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use leadguard_core::ErrorCode;

    #[test]
    fn opens_lazily_and_answers_app_info() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let shell = Shell::new(dir.clone());
        assert!(!dir.exists(), "nothing is opened before the first command");
        let info = shell.call("app_info", serde_json::Value::Null).unwrap();
        assert_eq!(info["data_dir"], dir.display().to_string());
        assert!(dir.exists());
    }

    #[test]
    fn unknown_command_is_a_typed_error() {
        let tmp = tempfile::tempdir().unwrap();
        let shell = Shell::new(tmp.path().to_path_buf());
        let err = shell.call("no_such_command", serde_json::Value::Null).unwrap_err();
        assert_eq!(err.code, ErrorCode::UnknownCommand);
    }

    #[test]
    fn notifications_follow_the_language_chosen_in_the_ui() {
        use leadguard_core::notifications::UiLocale;
        let tmp = tempfile::tempdir().unwrap();
        let shell = Shell::new(tmp.path().to_path_buf());
        assert_eq!(shell.ui_locale(), UiLocale::ZhCn, "no registry yet");
        let init = serde_json::json!({ "rep_id": "zhang", "name": "张伟", "branch": "sz", "role": "manager" });
        shell.call("init", init).unwrap();
        assert_eq!(shell.ui_locale(), UiLocale::ZhCn);
        let set = shell.call("ui_locale_set", serde_json::json!({ "locale": "en-US" })).unwrap();
        assert_eq!(set["locale"], "en-US");
        assert_eq!(shell.ui_locale(), UiLocale::EnUs);
    }

    #[test]
    fn open_failure_is_typed_and_retried() {
        let tmp = tempfile::tempdir().unwrap();
        // A file where the data directory should be: opening must fail, typed.
        let dir = tmp.path().join("blocked");
        std::fs::write(&dir, b"not a directory").unwrap();
        let shell = Shell::new(dir.clone());
        let err = shell.call("app_info", serde_json::Value::Null).unwrap_err();
        assert!(matches!(err.code, ErrorCode::Storage | ErrorCode::CorruptStore), "{err:?}");
        assert_eq!(std::fs::read(&dir).unwrap(), b"not a directory", "nothing overwritten");
        // The cause removed, the next call opens the registry.
        std::fs::remove_file(&dir).unwrap();
        shell.call("app_info", serde_json::Value::Null).unwrap();
    }
}
