//! `assess`: how is the rollout doing? Rollout policies (`kind:
//! RolloutPolicy`) are compiled here ([`compile`]: triggers, promotion
//! criteria, burn-rate alerts, windows resolved; [`analysis`]: canary
//! analyses with their judge configured) and evaluated against rollout facts
//! ([`evaluate`] runs the policies, [`metrics`] the triggers and promotion
//! criteria over the [`series`], [`cascade`] the triggers that watch the
//! services downstream, [`slo`] the judge and the burn rates,
//! [`report`] words the explanation); the findings fold into `promote`,
//! `continue`, `hold` or `rollback` ([`assessment`]). Missing data holds;
//! an error holds; nothing promotes without evidence.

mod analysis;
pub(crate) mod assessment;
mod cascade;
mod compile;
mod evaluate;
mod measure;
mod metrics;
mod quality_gate;
mod report;
mod series;
mod slo;
mod verdict;

pub(crate) use compile::{RolloutPolicy, compile};
pub(crate) use evaluate::assess;
