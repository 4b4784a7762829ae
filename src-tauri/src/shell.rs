//! The shell's state: the device's registry behind the core's [`Host`], the same host
//! the web server uses (lazy opening, serialised commands, sync outside the lock, a
//! panicked command's context reopened from disk), plus what only the desktop needs.

use std::path::{Path, PathBuf};

use leadguard_core::api::Host;
use leadguard_core::ApiError;

/// One device's registry as seen by the desktop app.
pub struct Shell {
    host: Host,
}

impl Shell {
    /// A shell over `data_dir`; nothing is opened until the first [`Shell::call`].
    pub fn new(data_dir: PathBuf) -> Shell {
        Shell { host: Host::new(data_dir) }
    }

    /// The directory the registry lives in.
    pub fn data_dir(&self) -> &Path {
        self.host.data_dir()
    }

    /// Runs one core command. Blocking: call it off the main thread.
    pub fn call(&self, cmd: &str, args: serde_json::Value) -> Result<serde_json::Value, ApiError> {
        self.host.call(cmd, args)
    }

    /// Closes the registry (the app is exiting).
    pub fn close(&self) {
        self.host.close();
    }

    /// Notifications the user has not seen nor been shown on the desktop yet; marks
    /// them shown. Empty when no registry exists yet.
    pub fn take_undelivered(&self) -> Vec<leadguard_core::notifications::Notification> {
        self.host
            .with_context(|ctx| {
                let now = ctx.now();
                Ok(ctx.registry().ok().and_then(|reg| reg.take_undelivered_notifications(now).ok()).unwrap_or_default())
            })
            .unwrap_or_default()
    }

    /// The language the user chose in the UI (zh-CN before a registry exists).
    pub fn ui_locale(&self) -> leadguard_core::notifications::UiLocale {
        self.host
            .with_context(|ctx| Ok(ctx.registry().ok().and_then(|reg| reg.ui_locale().ok()).unwrap_or_default()))
            .unwrap_or_default()
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
