//! Desktop notifications (docs/RULES.md rule 6): new collision cases, decisions, conflicts
//! and appeals the core reports as not yet shown. Sent from Rust; the webview has no
//! permission for the notification plugin's commands. Where the desktop has no
//! notification service (a bare Xvfb), showing fails quietly: the in-app list still
//! has every notification.

use std::sync::Arc;
use std::time::Duration;

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::Shell;

/// Shows what is new, off the async runtime (the core is blocking).
pub fn deliver_soon<R: Runtime>(app: AppHandle<R>, shell: Arc<Shell>) {
    tauri::async_runtime::spawn_blocking(move || deliver(&app, &shell));
}

/// Checks every five minutes too: appeals become overdue without any sync.
pub fn every_few_minutes<R: Runtime>(app: AppHandle<R>, shell: Arc<Shell>) {
    std::thread::Builder::new()
        .name("leadguard-notify".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_secs(300));
            deliver(&app, &shell);
        })
        .ok();
}

fn deliver<R: Runtime>(app: &AppHandle<R>, shell: &Shell) {
    // The language the user picked in the UI, not the process environment's.
    let locale = shell.ui_locale();
    for n in shell.take_undelivered().into_iter().take(5) {
        let (title, body) = n.text(locale);
        if let Err(e) = app.notification().builder().title(title).body(body).show() {
            eprintln!("leadguard-app: desktop notification not shown: {e}");
        }
    }
}
