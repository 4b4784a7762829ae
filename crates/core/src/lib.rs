//! Leadguard core: the offline lead registry and its rules.
//!
//! Everything a user can do goes through [`api`]: one command set, defined once,
//! served to the desktop webview by Tauri `invoke`, to a browser over HTTP, and to
//! the `leadguard` CLI. Business rules live here and nowhere else.
//!
//! Layers, bottom up (docs/ARCHITECTURE.md has the whole module map): `store` (the
//! SQLite file), `documents` (Automerge documents as snapshot + changes), `layout`
//! (where leads live inside documents), [`model`], [`timing`] and [`status`] (the
//! rules, pure), [`registry`] (the facade: store, directory, transactions), `writes`
//! (every write), `derived` (the one pipeline keeping derived tables and in-memory
//! indexes current), [`replication`] (the store side of sync), [`api`] (commands).
//! The test `module_graph` keeps the modules free of import cycles.

// Used by the other crates (api, model, sync, notifications, demo) and by the
// integration tests.
pub mod api;
pub mod arbitration;
pub mod assignment;
pub mod audit;
pub mod collisions;
pub mod demo;
pub mod digest_backlog;
pub mod doctor;
pub mod faults;
pub mod model;
pub mod policy;
pub mod notifications;
pub mod phase_times;
pub mod reason;
pub mod registry;
pub mod replication;
pub mod status;
pub mod sync;
pub mod timing;

// Internal.
pub(crate) mod contact_input;
pub(crate) mod derived;
pub(crate) mod documents;
pub(crate) mod duplicate_index;
pub mod front_desk;
pub(crate) mod error;
pub(crate) mod error_code;
pub(crate) mod layout;
pub(crate) mod lead_index;
pub(crate) mod limits;
pub(crate) mod link_blocks;
pub(crate) mod lifecycle;
pub(crate) mod locale_text;
pub(crate) mod memory_views;
pub(crate) mod metrics;
pub mod monthly_report;
pub(crate) mod receipts;
pub(crate) mod regions;
pub(crate) mod relating;
pub(crate) mod relations;
pub(crate) mod schema_check;
pub(crate) mod sealing;
pub(crate) mod short_search;
pub(crate) mod shutdown_marker;
pub(crate) mod store;
pub(crate) mod visibility;
pub(crate) mod writes;

pub use derived::ViewCheck;
pub use error::{ApiError, Error, ErrorCode, Result};
pub use reason::{FormField, ObjectKind, Reason};
pub use registry::Registry;
pub use relating::Relate;
