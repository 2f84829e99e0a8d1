//! The engine: `check` evaluates a bundle against facts and folds the
//! findings into a verdict (`go`, `no-go`, `pending`), with explanations.

mod approvals;
mod check;
pub mod decision;
