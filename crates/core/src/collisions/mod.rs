//! Collision cases (撞单): found after every write and merge, identical on every replica.
//!
//! [`model`] says what a case is, [`claims`] which events are claims, [`detect`] how
//! cases are kept in step with the data.

pub mod claims;
pub mod decide;
pub mod detect;
mod listing;
pub mod marks;
pub mod model;
pub mod resolution;

pub use decide::Decider;
pub use detect::case_id;
pub use model::*;
pub use resolution::{AppealView, CaseState, DecisionView, Resolution};
