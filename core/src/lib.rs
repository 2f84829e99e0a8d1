//! release-policy
pub mod error;
pub mod limits;
pub mod model;
