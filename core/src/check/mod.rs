//! `check`: may this release go? Release policies (`kind: Policy`) are
//! compiled here ([`compile`]: gates and approval rules, every CEL
//! expression checked against the facts schema) and evaluated against
//! release facts ([`evaluate`]: variables once per policy, each gate, each
//! approval rule with its quorum, vetoes, decider and escalation in
//! [`approvals`]); the findings fold into `go`, `no-go` or `pending`
//! ([`decision`]).

mod approvals;
mod bounds;
mod compile;
pub(crate) mod decision;
mod evaluate;
mod finding;
mod gates;
mod shown;
mod transcode;
mod values;

pub(crate) use compile::{ReleasePolicy, compile};
pub(crate) use evaluate::{check, verdict};
pub(crate) use shown::number_fact_paths;
