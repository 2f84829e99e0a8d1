//! The `qualityGates` rule kind of `kind: RolloutPolicy` documents, as
//! written: Keptn-style SLO quality gates over SLI values at a point in
//! time. Criteria stay strings here (`"<=+10%"`); `assess` parses them at
//! load. Unknown fields are errors.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::vocab::Action;

/// A quality gate: objectives over SLIs, each scored `pass` (its weight),
/// `warning` (half its weight) or `fail` (0); the total score against
/// `totalScore` decides the gate (Keptn's lighthouse evaluation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QualityGate {
    /// Unique id in the bundle.
    pub id: String,
    /// What the gate protects, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How relative criteria compare against previous evaluations.
    #[serde(default)]
    pub comparison: Comparison,
    /// The objectives, one per SLI.
    pub objectives: Vec<Objective>,
    /// The total score (percent of the achievable one) to pass, and to
    /// warn.
    pub total_score: TotalScore,
    /// What a failing gate does (default `rollback`); a warning holds.
    #[serde(default = "rollback")]
    pub on_fail: Action,
    /// Compliance controls served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
    /// Whether a later layer may loosen, replace or disable it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridable: bool,
}

/// Which previous evaluations relative criteria compare against, and how
/// their values are aggregated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Comparison {
    /// How many of the latest usable previous evaluations (default 1,
    /// Keptn's `single_result`).
    #[serde(default = "one")]
    pub number_of_comparison_results: u32,
    /// Which previous results are usable (default `pass`).
    #[serde(default = "pass")]
    pub include_result_with_score: IncludeResults,
    /// `avg` (default) or a percentile `p50`, `p90`, `p95` (any `pN` with
    /// 0 < N < 100).
    #[serde(default = "avg")]
    pub aggregate_function: String,
}

impl Default for Comparison {
    fn default() -> Self {
        Comparison {
            number_of_comparison_results: one(),
            include_result_with_score: pass(),
            aggregate_function: avg(),
        }
    }
}

/// Which previous evaluations count as references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IncludeResults {
    /// Only evaluations that passed.
    Pass,
    /// Evaluations that passed or warned.
    PassOrWarn,
}

/// One objective: an SLI with `pass` and `warning` criteria. Without
/// `pass` criteria it is informational (reported, never scored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Objective {
    /// The SLI (by name in the facts' `slis`).
    pub sli: String,
    /// The name in reports (default: the SLI).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Criteria sets to pass: any one set met passes (OR), every criterion
    /// of a set must hold (AND).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pass: Vec<CriteriaSet>,
    /// Criteria sets to warn, tried when `pass` is not met.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warning: Vec<CriteriaSet>,
    /// Weight in the total score (default 1).
    #[serde(default = "one")]
    pub weight: u32,
    /// A failing key SLI fails the gate whatever the score.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub key_sli: bool,
}

/// Criteria that must all hold, written as Keptn writes them: an operator
/// (`<`, `<=`, `=`, `>=`, `>`) and a number; a sign (`+`/`-`) or a `%`
/// makes it relative to the previous evaluations (`<=+10%`, `>=-5%`,
/// `<=+50`), without either it is absolute (`<=800`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CriteriaSet {
    /// The criteria.
    pub criteria: Vec<String>,
}

/// The total score needed, in percent of the achievable score: a number
/// or a string with `%` (`"90%"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TotalScore {
    /// A score at or above this passes.
    pub pass: Percent,
    /// A score at or above this (below `pass`) warns; without it, below
    /// `pass` fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warning: Option<Percent>,
}

/// A percentage written as a number (`90`) or as Keptn writes it (`"90%"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Percent {
    /// `90`.
    Number(f64),
    /// `"90%"`.
    Text(String),
}

impl Percent {
    /// The number, when it is one (`"90%"` → 90).
    pub fn value(&self) -> Option<f64> {
        match self {
            Percent::Number(v) => Some(*v),
            Percent::Text(s) => s.trim().trim_end_matches('%').trim().parse().ok(),
        }
    }
}

fn one() -> u32 {
    1
}
fn pass() -> IncludeResults {
    IncludeResults::Pass
}
fn avg() -> String {
    "avg".into()
}
fn rollback() -> Action {
    Action::Rollback
}
