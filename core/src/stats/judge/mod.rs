//! The canary judge: classifies each metric as `pass`, `high`, `low` or
//! `no-data` and turns the classifications into a score from 0 to 100 and
//! an outcome, with the semantics of Kayenta's `NetflixACAJudge` and its
//! `MannWhitneyClassifier`.
//!
//! # Per metric
//!
//! 1. Missing samples (`None`, and values that are not finite) are removed
//!    or replaced by `0.0`, per the metric's [`NanStrategy`].
//! 2. Either side without samples: `no-data`.
//! 3. Canary and baseline identical as multisets: `pass`.
//! 4. The Mann-Whitney U test ([`stats::mann_whitney`]) with the
//!    alternative given by the [`Direction`] (`increase` → canary greater,
//!    `decrease` → canary less, `either` → two-sided), at
//!    `alpha = 1 − confidence`; the Hodges-Lehmann estimate of the shift
//!    canary − baseline ([`stats::hodges_lehmann`]); and the mean ratio
//!    canary mean / baseline mean (see [`MetricResult::mean_ratio`]).
//! 5. `high` if significant (`p < alpha`), the shift is positive, the
//!    direction is `increase` or `either` and the mean ratio is above
//!    `allowedIncrease`; `low` if significant, the shift is negative, the
//!    direction is `decrease` or `either` and the mean ratio is below
//!    `allowedDecrease`; otherwise `pass`.
//!
//! # Score
//!
//! A metric is counted as failed if it is `high` or `low`, or `no-data`
//! with `mustHaveData`; as passed if it is `pass`; a `no-data` metric
//! without `mustHaveData` is not counted. Each group (metrics without one
//! are in the group `default`) scores `100 × passed / counted`; groups with
//! nothing counted are left out. The overall score is the weighted mean of
//! the group scores: a group with a weight in `groupWeights` has that
//! weight, the groups without one share equally what is left of 100 (none
//! if the explicit weights reach 100); the weights are then normalised by
//! their sum (so explicit weights need not add up to 100), and if every
//! weight is zero the groups count equally. Only the groups that are
//! scored take part, so a group that is left out changes nothing.
//!
//! A failed critical metric (`high` or `low`, or `no-data` with
//! `mustHaveData`) makes the score 0 and the outcome `fail`. With nothing
//! counted at all the outcome is `no-data` (score 0): missing data is
//! neither a pass nor a failure. Otherwise the outcome is `pass` at or
//! above `passScore`, `marginal` at or above `marginalScore`, else `fail`.
//! Nothing is rounded.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::stats::rank::Alternative;

mod classify;
mod score;

use super::fmt_number as num;
pub use classify::classify;
use score::score;

/// Which change of a metric is bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// An increase is bad (e.g. latency, errors): one-sided test, canary
    /// greater.
    Increase,
    /// A decrease is bad (e.g. throughput, success rate): one-sided test,
    /// canary less.
    Decrease,
    /// Any change is bad: two-sided test.
    #[default]
    Either,
}

impl Direction {
    /// The name as written in policies.
    pub fn as_str(&self) -> &'static str {
        match self {
            Direction::Increase => "increase",
            Direction::Decrease => "decrease",
            Direction::Either => "either",
        }
    }

    /// The Mann-Whitney alternative for this direction.
    pub fn alternative(&self) -> Alternative {
        match self {
            Direction::Increase => Alternative::Greater,
            Direction::Decrease => Alternative::Less,
            Direction::Either => Alternative::TwoSided,
        }
    }

    fn increase_fails(self) -> bool {
        matches!(self, Direction::Increase | Direction::Either)
    }

    fn decrease_fails(self) -> bool {
        matches!(self, Direction::Decrease | Direction::Either)
    }
}

/// What to do with missing samples (NaN in Kayenta; `None` or a value that
/// is not finite here).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NanStrategy {
    /// Leave them out.
    #[default]
    Remove,
    /// Count them as `0.0` (Kayenta's `replace`).
    Replace,
}

/// The classification of one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Classification {
    /// No significant change in a bad direction beyond the allowance.
    Pass,
    /// Significantly higher than the baseline, beyond `allowedIncrease`.
    High,
    /// Significantly lower than the baseline, beyond `allowedDecrease`.
    Low,
    /// The canary or the baseline has no samples.
    NoData,
}

impl Classification {
    /// The name as written in decisions.
    pub fn as_str(&self) -> &'static str {
        match self {
            Classification::Pass => "pass",
            Classification::High => "high",
            Classification::Low => "low",
            Classification::NoData => "no-data",
        }
    }
}

fn one() -> f64 {
    1.0
}

/// How one metric is judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricConfig {
    /// The metric's name.
    pub name: String,
    /// The group it is scored in; `default` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Which change is bad; `either` by default.
    #[serde(default)]
    pub direction: Direction,
    /// The mean ratio (canary / baseline) tolerated for a significant
    /// increase; an increase fails only above it. Default 1.0.
    #[serde(default = "one")]
    pub allowed_increase: f64,
    /// The mean ratio tolerated for a significant decrease; a decrease
    /// fails only below it. Default 1.0.
    #[serde(default = "one")]
    pub allowed_decrease: f64,
    /// A failure of this metric fails the whole analysis (score 0).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub critical: bool,
    /// Missing data counts as a failure instead of being left out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub must_have_data: bool,
    /// What to do with missing samples; `remove` by default.
    #[serde(default)]
    pub nan_strategy: NanStrategy,
}

impl MetricConfig {
    /// A metric with the defaults: no group, direction `either`, allowances
    /// 1.0, not critical, data not required, missing samples removed.
    pub fn new(name: impl Into<String>) -> Self {
        MetricConfig {
            name: name.into(),
            group: None,
            direction: Direction::default(),
            allowed_increase: 1.0,
            allowed_decrease: 1.0,
            critical: false,
            must_have_data: false,
            nan_strategy: NanStrategy::default(),
        }
    }

    /// Checks the allowances: finite and above 0. Lowercase message
    /// quoting the bad value.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.is_empty() {
            return Err("`name` of a metric is empty".to_owned());
        }
        for (field, value) in [
            ("allowedIncrease", self.allowed_increase),
            ("allowedDecrease", self.allowed_decrease),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(format!(
                    "`{field}` ({value}) of metric `{}` must be a finite number above 0",
                    self.name
                ));
            }
        }
        Ok(())
    }
}

fn default_confidence() -> f64 {
    0.98
}

fn default_pass_score() -> f64 {
    95.0
}

fn default_marginal_score() -> f64 {
    75.0
}

/// How the metric results become a score and an outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JudgeConfig {
    /// Confidence level of the Mann-Whitney test, in (0, 1); significance
    /// is `p < 1 − confidence`. Default 0.98.
    #[serde(default = "default_confidence")]
    pub confidence: f64,
    /// Scores at or above this pass. Default 95.
    #[serde(default = "default_pass_score")]
    pub pass_score: f64,
    /// Scores at or above this (and below `passScore`) are marginal.
    /// Default 75.
    #[serde(default = "default_marginal_score")]
    pub marginal_score: f64,
    /// Weights of metric groups; groups without one share what is left of
    /// 100.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub group_weights: BTreeMap<String, f64>,
}

impl Default for JudgeConfig {
    fn default() -> Self {
        JudgeConfig {
            confidence: default_confidence(),
            pass_score: default_pass_score(),
            marginal_score: default_marginal_score(),
            group_weights: BTreeMap::new(),
        }
    }
}

impl JudgeConfig {
    /// Checks that `confidence` is in (0, 1), that
    /// `0 ≤ marginalScore ≤ passScore ≤ 100` and that every group weight is
    /// finite and at least 0. The message is lowercase and quotes the bad
    /// value, e.g. ``"`marginalScore` (80) is above `passScore` (75)"``.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(format!(
                "`confidence` ({}) must be between 0 and 1, both excluded",
                self.confidence
            ));
        }
        for (field, value) in [
            ("passScore", self.pass_score),
            ("marginalScore", self.marginal_score),
        ] {
            if !(0.0..=100.0).contains(&value) {
                return Err(format!("`{field}` ({value}) must be between 0 and 100"));
            }
        }
        if self.marginal_score > self.pass_score {
            return Err(format!(
                "`marginalScore` ({}) is above `passScore` ({})",
                self.marginal_score, self.pass_score
            ));
        }
        for (group, weight) in &self.group_weights {
            if !(weight.is_finite() && *weight >= 0.0) {
                return Err(format!(
                    "`groupWeights.{group}` ({weight}) must be a finite number of at least 0"
                ));
            }
        }
        Ok(())
    }

    /// The significance level, `1 − confidence`.
    pub fn alpha(&self) -> f64 {
        1.0 - self.confidence
    }
}

/// One metric's configuration and samples. `None` is a missing sample
/// (NaN); values that are not finite are treated the same way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricInput<'a> {
    /// How the metric is judged.
    pub config: &'a MetricConfig,
    /// The canary's samples.
    pub canary: &'a [Option<f64>],
    /// The baseline's samples.
    pub baseline: &'a [Option<f64>],
}

/// The judgement of one metric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricResult {
    /// The metric's name.
    pub name: String,
    /// Its group, as configured (`None` is scored in `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// `pass`, `high`, `low` or `no-data`.
    pub classification: Classification,
    /// Why, in words with the numbers.
    pub reason: String,
    /// The Mann-Whitney p-value (for the metric's direction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    /// The Mann-Whitney U of the canary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub u: Option<f64>,
    /// The Mann-Whitney z (continuity corrected; 0 when all values tie).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub z: Option<f64>,
    /// The Hodges-Lehmann estimate of the shift canary − baseline; absent
    /// if the differences overflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<f64>,
    /// Canary samples used (after the NaN strategy).
    pub n_canary: usize,
    /// Baseline samples used (after the NaN strategy).
    pub n_baseline: usize,
    /// Mean of the canary samples used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_mean: Option<f64>,
    /// Mean of the baseline samples used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_mean: Option<f64>,
    /// Canary mean / baseline mean. When the baseline mean is 0 it is 1 if
    /// the canary mean is 0 too; otherwise it is undefined and absent here,
    /// and counts as above every allowance for a positive canary mean and
    /// below every allowance for a negative one (likewise when the division
    /// overflows). With a negative baseline mean the ratio's sense flips
    /// (as in Kayenta): the ratio suits metrics that are positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_ratio: Option<f64>,
    /// Whether the metric is critical.
    pub critical: bool,
    /// Whether missing data counts as a failure.
    pub must_have_data: bool,
}

impl MetricResult {
    /// Counted as a failure in the score: `high`, `low`, or `no-data` with
    /// `mustHaveData`.
    pub fn failed(&self) -> bool {
        match self.classification {
            Classification::High | Classification::Low => true,
            Classification::NoData => self.must_have_data,
            Classification::Pass => false,
        }
    }

    /// Counted in the score at all.
    pub fn counted(&self) -> bool {
        self.classification == Classification::Pass || self.failed()
    }
}

/// The outcome of the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum JudgeOutcome {
    /// Score at or above `passScore`.
    Pass,
    /// Score at or above `marginalScore`, below `passScore`.
    Marginal,
    /// Score below `marginalScore`, or a critical metric failed.
    Fail,
    /// No metric was counted: nothing to judge (hold; neither pass nor
    /// rollback).
    NoData,
}

impl JudgeOutcome {
    /// The name as written in decisions.
    pub fn as_str(&self) -> &'static str {
        match self {
            JudgeOutcome::Pass => "pass",
            JudgeOutcome::Marginal => "marginal",
            JudgeOutcome::Fail => "fail",
            JudgeOutcome::NoData => "no-data",
        }
    }
}

/// The score of one metric group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupScore {
    /// The group's name (`default` for metrics without one).
    pub name: String,
    /// The group's share of the overall score, in percent (the weights of
    /// the scored groups add up to 100); 0 for a group left out.
    pub weight: f64,
    /// `100 × passed / counted`; absent when nothing in the group was
    /// counted (the group is left out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// Metrics counted in the group.
    pub counted: usize,
    /// Counted metrics that passed.
    pub passed: usize,
}

/// The judgement of a canary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct JudgeResult {
    /// From 0 to 100, not rounded. 0 when a critical metric failed or when
    /// the outcome is `no-data`.
    pub score: f64,
    /// `pass`, `marginal`, `fail` or `no-data`.
    pub outcome: JudgeOutcome,
    /// Every metric, in input order.
    pub metrics: Vec<MetricResult>,
    /// The first critical metric (in input order) that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_failure: Option<String>,
    /// Every group, in order of first appearance.
    pub groups: Vec<GroupScore>,
    /// Why, in words.
    pub reason: String,
}

/// The name of the group of metrics without one.
pub const DEFAULT_GROUP: &str = "default";

/// Judges the canary: classifies every metric and scores the groups. See
/// the [module documentation](self) for the rules. Never panics; call
/// [`JudgeConfig::validate`] (and [`MetricConfig::validate`]) first to
/// reject meaningless configurations.
pub fn judge(config: &JudgeConfig, metrics: &[MetricInput<'_>]) -> JudgeResult {
    let alpha = config.alpha();
    let results: Vec<MetricResult> = metrics.iter().map(|m| classify(m, alpha)).collect();
    score(config, results)
}

#[cfg(test)]
mod tests;
