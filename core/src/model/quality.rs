//! What rollout facts give quality gates: SLI values at the time of the
//! assessment and the results of earlier evaluations, with their checks
//! (exactly one of a finite `value` or a non-empty `error` per SLI).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::rollout::{bad, check_finite};
use super::types::Timestamp;
use crate::error::FactsError;

/// The value of one SLI (service-level indicator) at the time of a quality
/// gate's evaluation: exactly one of `value` or `error`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct SliValue {
    /// The measured value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Why the SLI could not be measured, instead of a value (Keptn's
    /// `success: false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The result of an earlier quality-gate evaluation of the same service,
/// which relative criteria (`<=+10%`) compare against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct PreviousEvaluation {
    /// When it was evaluated.
    #[serde(
        serialize_with = "super::types::serialize_timestamp",
        deserialize_with = "super::types::deserialize_timestamp"
    )]
    pub at: Timestamp,
    /// Its overall result.
    pub result: EvaluationResult,
    /// The SLI values it saw, by SLI name.
    #[serde(default, deserialize_with = "super::unique::map")]
    pub slis: BTreeMap<String, SliValue>,
}

/// The overall result of a quality-gate evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EvaluationResult {
    /// Passed.
    Pass,
    /// Passed with a warning.
    Warning,
    /// Failed.
    Fail,
}

/// Each SLI has exactly one of a finite `value` or a non-empty `error`.
pub(super) fn check_slis(path: &str, slis: &BTreeMap<String, SliValue>) -> Result<(), FactsError> {
    for (name, v) in slis {
        let path = format!("{path}.{name}");
        match (v.value, &v.error) {
            (Some(x), None) => check_finite(format!("{path}.value"), x)?,
            (None, Some(e)) if !e.trim().is_empty() => {}
            (None, Some(_)) => return Err(bad(format!("{path}.error"), "`error` is empty".into())),
            _ => {
                return Err(
                    bad(path, "an SLI has exactly one of `value` or `error`".into())
                        .with_hint("write `{value: 412}` or `{error: \"query timed out\"}`"),
                );
            }
        }
    }
    Ok(())
}
