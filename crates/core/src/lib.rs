//! Leadguard core: the offline lead registry and its rules.
//!
//! Everything a user can do goes through [`api`]: one command set, defined once,
//! served to the desktop webview by Tauri `invoke`, to a browser over HTTP, and to
//! the `leadguard` CLI. Business rules live here and nowhere else.

pub mod api;
pub mod error;

pub use error::{ApiError, ErrorCode};
