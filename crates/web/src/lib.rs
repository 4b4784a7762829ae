//! `leadguard_web`: the core's command set over loopback HTTP, plus the built UI.
//!
//! The desktop app reaches the core through Tauri `invoke`; a browser cannot, so this
//! crate serves the same [`leadguard_core::api::dispatch`] as `POST /api/<cmd>` and
//! the files of `ui/dist` beside it. It exists for `make run-web` (no display needed)
//! and for the Chromium end-to-end test, which thereby drives the real core.
//!
//! A loopback server is reachable by every web page the user opens, so it is guarded
//! (see [`guard`]): a per-run random token, Host and Origin checks against DNS
//! rebinding and cross-site requests, a body size limit and a strict CSP.

mod api_route;
pub mod guard;
pub mod headers;
mod server;
mod static_files;
pub mod status;

pub use server::{BoundServer, ServeError, ServerConfig};

/// Header that carries the access token on API requests.
pub const TOKEN_HEADER: &str = "x-leadguard-token";

/// Largest request body accepted on `/api/*` (the UI's largest call, a CSV import,
/// is sent by path, not by content).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
