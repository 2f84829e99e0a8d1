//! The engine: `check` evaluates a bundle's release policies against
//! release facts and folds the findings into a verdict (`go`, `no-go`,
//! `pending`); `assess` evaluates its rollout policies against rollout facts
//! (`promote`, `continue`, `hold`, `rollback`). Both explain every finding.

mod approvals;
pub(crate) mod assess;
mod assess_metrics;
mod assess_report;
mod assess_slo;
pub mod assessment;
mod check;
pub mod decision;
mod digest;
mod series;
