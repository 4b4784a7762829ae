//! The Leadguard sync hub.
//!
//! Laptops push the registry changes they made offline and pull what they lack
//! (protocol: `leadguard_protocol`). The hub stores Automerge changes as opaque,
//! validated bytes keyed by hash, each with its document and scope; it reads lead
//! data only to check a change's schema and authorship (`authorship`). It stamps the time it first received each change and the
//! pushing device's last successful sync: together they bound the evidence window
//! of every offline claim (docs/RULES.md, time and trust).
//!
//! Modules: [`store`] (SQLite: devices, tokens, change log), [`scope`] (who may
//! read/write what), [`validate`] (push checks), [`http`] (endpoints), [`secret`]
//! (tokens and credentials, stored hashed), [`metrics`] (`/metrics`), `store::ops`
//! (backup, restore, the hub's epoch), [`entitlement`] (who receives a lead's key).

pub mod admin;
pub mod authorship;
pub mod case_rights;
pub mod check;
pub mod entitlement;
pub mod error;
pub mod http;
pub mod metrics;
pub mod scope;
pub mod secret;
pub mod store;
pub mod validate;

pub use error::HubError;
pub use store::Store;

use std::sync::Arc;

/// The HTTP application over an opened store.
pub fn app(store: Arc<Store>) -> axum::Router {
    http::router(store)
}

/// Serves `store` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Arc<Store>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, store, check::DEFAULT_PER_MINUTE, http::PushPages::Served, shutdown).await
}

/// [`serve`] allowing each device `check_per_minute` online checks a minute, serving
/// pull pages in push answers or not.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    store: Arc<Store>,
    check_per_minute: u32,
    push_pages: http::PushPages,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = http::router_configured(store, Arc::new(metrics::Metrics::new()), check_per_minute, push_pages);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}
