//! The Leadguard desktop app: the thinnest possible Tauri shell over
//! [`leadguard_core`].
//!
//! Why so thin: every rule lives in the core's command set ([`api::dispatch`]),
//! which the browser build and the CLI also use. The shell exposes exactly one
//! Tauri command, [`api`], that forwards `(cmd, args)` to the core and returns
//! the core's typed [`ApiError`] (`{code, message}`) on failure, so the UI's
//! transport module handles errors the same way over `invoke` and over HTTP.
//!
//! Security: `build.rs` declares `api` as the only app command, which makes
//! Tauri enforce app-level permissions; `capabilities/main.json` grants
//! `allow-api` to the `main` window only and no core or plugin permission. No
//! fs/shell/sql/http plugin is linked. The CSP in `tauri.conf.json` has no
//! `unsafe-eval` and lets the page talk only to Tauri's IPC.
//!
//! The core is synchronous (SQLite) and commands may take a while on a large
//! registry, so [`api`] is async and runs the call on the blocking pool: the
//! main thread keeps the window responsive.

pub mod notify;
pub mod shell;

use std::path::PathBuf;
use std::sync::Arc;

use leadguard_core::{ApiError, Reason};
use tauri::{Manager, Runtime};

pub use shell::Shell;

/// Environment variable that overrides the data directory (demo runs, tests).
pub const DATA_ENV: &str = "LEADGUARD_DATA";

/// The one command the webview may call: runs core command `cmd` with `args`
/// (JSON; absent means `null`) and returns its JSON result or its typed error.
#[tauri::command]
async fn api<R: Runtime>(
    app: tauri::AppHandle<R>,
    shell: tauri::State<'_, Arc<Shell>>,
    cmd: String,
    args: Option<serde_json::Value>,
) -> Result<serde_json::Value, ApiError> {
    let shell = Arc::clone(shell.inner());
    let args = args.unwrap_or(serde_json::Value::Null);
    let synced = cmd == "sync_run";
    let result = tauri::async_runtime::spawn_blocking({
        let shell = Arc::clone(&shell);
        move || shell.call(&cmd, args)
    })
    .await
    .map_err(|e| ApiError::from(Reason::Internal { detail: format!("command `api` failed: {e}") }))?;
    if synced && result.is_ok() {
        // A sync is when other laptops' cases, decisions and appeals arrive.
        notify::deliver_soon(app, shell);
    }
    result
}

/// Where the registry lives: `data_dir` if given, else `$LEADGUARD_DATA`, else the
/// platform's app-data directory (e.g. `~/.local/share/cn.leadguard.desktop`).
fn resolve_data_dir<R: Runtime>(app: &tauri::App<R>, data_dir: Option<PathBuf>) -> Result<PathBuf, ApiError> {
    if let Some(dir) = data_dir {
        return Ok(dir);
    }
    if let Some(dir) = std::env::var_os(DATA_ENV).filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    app.path()
        .app_data_dir()
        .map_err(|e| ApiError::from(Reason::Storage { detail: format!("no application data directory: {e}") }))
}

/// Adds the app to `base` (Tauri's default builder, or the mock runtime's in
/// tests): the `api` command and the shell state. `data_dir` overrides the data
/// directory (tests); `None` resolves it at start-up.
pub fn builder<R: Runtime>(base: tauri::Builder<R>, data_dir: Option<PathBuf>) -> tauri::Builder<R> {
    base.setup(move |app| {
            let dir = resolve_data_dir(app, data_dir.clone())?;
            let shell = Arc::new(Shell::new(dir));
            app.manage(Arc::clone(&shell));
            notify::every_few_minutes(app.handle().clone(), shell);
            Ok(())
        })
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(tauri::generate_handler![api])
}

/// The compiled-in configuration, capabilities and UI assets (`ui/dist`).
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

/// Runs the desktop app until its window closes.
pub fn run() {
    let app = match builder(tauri::Builder::default(), None).build(context()) {
        Ok(app) => app,
        Err(e) => {
            eprintln!("leadguard-app: {e}");
            std::process::exit(1);
        }
    };
    app.run(|handle, event| {
        // Tauri ends the process without dropping managed state: close the registry
        // here, or the next start would take a normal exit for a crash.
        if let tauri::RunEvent::Exit = event {
            if let Some(shell) = handle.try_state::<Arc<Shell>>() {
                shell.close();
            }
        }
    });
}
