//! release-policy
pub mod error;
mod expr;
pub mod limits;
pub mod model;
