//! The Leadguard sync hub.
//!
//! Laptops push the registry changes they made offline and pull what they lack.
//! The hub stamps the time it first received each change: that stamp bounds the
//! evidence window of every claim (DESIGN.md §3).

use axum::{routing::get, Router};

/// The HTTP application.
pub fn app() -> Router {
    Router::new().route("/health", get(|| async { "ok" }))
}
