//! The rule kinds of `kind: ReviewPolicy` documents, read by `review`:
//! success `criteria` (CEL over one release record, judged for every
//! release reviewed) and `instability` thresholds (when a service counts
//! as chronically unstable). Unknown fields are errors. Layering: a later
//! layer may only tighten — the same criterion, never switched off unless
//! `overridable`; thresholds no looser.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Duration;

/// A success criterion: a condition every release reviewed should meet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Criterion {
    /// Unique id in the bundle.
    pub id: String,
    /// What the criterion asks, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// CEL: whether the criterion applies to this record (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// CEL over the record: true when the release met the criterion.
    pub expression: String,
    /// Message when it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// CEL string built when it did not; wins over `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_expression: Option<String>,
    /// Whether a failing release fails the review (`true`, the default) or
    /// is only reported.
    #[serde(default = "yes")]
    pub required: bool,
    /// Whether a later layer may loosen, replace or disable it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridable: bool,
}

fn yes() -> bool {
    true
}

/// When a service counts as chronically unstable: at least `rollbacks`
/// rollbacks `within` the window ending at the period's end, or a
/// rollback rate above `rollbackRate` over at least `minDeployments`
/// deployments in the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Instability {
    /// Unique id in the bundle.
    pub id: String,
    /// What it guards against, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// This many rollbacks or more …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollbacks: Option<u32>,
    /// … within this window (default 30d).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within: Option<Duration>,
    /// Or a rollback rate above this (0–1) …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_rate: Option<f64>,
    /// … over at least this many deployments (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_deployments: Option<u32>,
    /// Whether a later layer may loosen, replace or disable it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridable: bool,
}

/// The same condition, at least as required, never made overridable.
pub(crate) fn criterion_tightens(old: &Criterion, new: &Criterion) -> bool {
    new.expression == old.expression
        && new.when == old.when
        && (new.required || !old.required)
        && !new.overridable
}

/// No threshold dropped or loosened: fewer rollbacks, a window as long or
/// longer, a rate no higher, as few deployments or fewer.
pub(crate) fn instability_tightens(old: &Instability, new: &Instability) -> bool {
    fn at_most<T: PartialOrd>(old: Option<T>, new: Option<T>) -> bool {
        match (old, new) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(o), Some(n)) => n <= o,
        }
    }
    let window = |i: &Instability| i.within.map_or(30 * 86_400_000, |d| d.as_millis());
    at_most(old.rollbacks, new.rollbacks)
        && window(new) >= window(old)
        && at_most(old.rollback_rate, new.rollback_rate)
        && at_most(
            old.min_deployments.or(Some(5)),
            new.min_deployments.or(Some(5)),
        )
        && !new.overridable
}
