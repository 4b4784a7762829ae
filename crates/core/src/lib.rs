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

pub mod api;
pub mod arbitration;
pub mod audit;
pub mod collisions;
pub mod duplicate_index;
pub mod demo;
pub mod derived;
pub mod docs;
pub mod doctor;
pub mod error;
pub mod memory_views;
pub mod index;
pub mod input;
pub mod layout;
pub mod lifecycle;
pub mod metrics;
pub mod model;
pub mod notifications;
pub mod receipts;
pub mod registry;
pub mod replication;
pub mod short_search;
pub mod status;
pub mod session;
pub mod sync;
pub mod timing;
pub mod view;
pub mod store;
pub mod validation;
pub mod writes;

pub use error::{ApiError, Error, ErrorCode, Result};
pub use registry::Registry;
