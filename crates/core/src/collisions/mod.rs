//! Collision cases (撞单): found after every write and merge, identical on every replica.

pub mod model;

pub use model::*;
