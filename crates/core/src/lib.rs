//! Leadguard core: the offline lead registry and its rules.
//!
//! Everything a user can do goes through [`api`]: one command set, defined once,
//! served to the desktop webview by Tauri `invoke`, to a browser over HTTP, and to
//! the `leadguard` CLI. Business rules live here and nowhere else.
//!
//! Layers, bottom up: [`store`] (the SQLite file), [`docs`] (Automerge documents as
//! snapshot + changes), [`layout`] (where leads live inside documents), [`model`] and
//! [`status`] (the rules, pure), [`index`] (derived tables for listing and search),
//! [`registry`] (writes as single transactions), [`replication`] (the store side of
//! sync), [`api`] (commands).

// Used by the other crates (api, model, sync, notifications, demo) and by the
// integration tests.
pub mod api;
pub mod arbitration;
pub mod audit;
pub mod collisions;
pub mod demo;
pub mod doctor;
pub mod model;
pub mod notifications;
pub mod registry;
pub mod replication;
pub mod status;
pub mod sync;
pub mod timing;

// Internal.
pub(crate) mod derived;
pub(crate) mod docs;
pub(crate) mod duplicate_index;
pub(crate) mod error;
pub(crate) mod index;
pub(crate) mod input;
pub(crate) mod layout;
pub(crate) mod lifecycle;
pub(crate) mod memory_views;
pub(crate) mod metrics;
pub(crate) mod receipts;
pub(crate) mod session;
pub(crate) mod short_search;
pub(crate) mod store;
pub(crate) mod validation;
pub(crate) mod view;
pub(crate) mod writes;

pub use derived::ViewCheck;
pub use error::{ApiError, Error, ErrorCode, Result};
pub use registry::Registry;
