//! Keptn-style SLO quality gates (`qualityGates` in a `RolloutPolicy`):
//! objectives over SLI values at one point in time, scored as Keptn's
//! lighthouse service scores them, with relative criteria against earlier
//! evaluations the caller passes in the facts. [`criteria`] parses the
//! criteria strings, [`compile`] checks the rule at load, [`evaluate`]
//! scores it.

mod compile;
mod criteria;
mod evaluate;

pub(crate) use compile::{CompiledQualityGate, compile};
pub use evaluate::QualityGateResult;
pub(crate) use evaluate::evaluate;
