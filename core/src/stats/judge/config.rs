//! How the judge is configured: per metric ([`MetricConfig`]: direction,
//! tolerance, effect size and its thresholds, criticality, missing data,
//! outliers) and for the whole judgement ([`JudgeConfig`]: confidence,
//! score thresholds, group weights, the share of metrics without data
//! that holds).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::stats::rank::Alternative;

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

    pub(super) fn increase_fails(self) -> bool {
        matches!(self, Direction::Increase | Direction::Either)
    }

    pub(super) fn decrease_fails(self) -> bool {
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

/// How the size of a change is measured against `allowedIncrease` /
/// `allowedDecrease` and `criticalIncrease` / `criticalDecrease` (Kayenta's
/// `effectSize.measure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum EffectSize {
    /// Canary mean / baseline mean; no change is 1.0.
    #[default]
    MeanRatio,
    /// The common-language effect size: P(canary > baseline) + ½ P(tie)
    /// over all pairs of samples; no change is 0.5.
    Cles,
}

impl EffectSize {
    /// The name as written in policies.
    pub fn as_str(&self) -> &'static str {
        match self {
            EffectSize::MeanRatio => "meanRatio",
            EffectSize::Cles => "cles",
        }
    }

    /// Whether this is the mean ratio (the default).
    pub fn is_mean_ratio(&self) -> bool {
        *self == EffectSize::MeanRatio
    }

    /// The value meaning "no change": 1.0 for the mean ratio, 0.5 for CLES.
    pub fn neutral(&self) -> f64 {
        match self {
            EffectSize::MeanRatio => 1.0,
            EffectSize::Cles => 0.5,
        }
    }
}

fn one() -> f64 {
    1.0
}

fn default_tolerance() -> f64 {
    0.25
}

fn default_outlier_factor() -> f64 {
    3.0
}

fn default_max_no_data_percent() -> f64 {
    50.0
}

/// How one metric is judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetricConfig {
    /// The metric's name.
    pub name: String,
    /// The group it is scored in; `default` when absent (and `groups` is
    /// empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Further groups it is scored in (Kayenta's `groups`): a metric in
    /// several groups counts in each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Which change is bad; `either` by default.
    #[serde(default)]
    pub direction: Direction,
    /// Kayenta's tolerance: a significant shift fails only if the
    /// confidence interval lies beyond `tolerance × |estimate|` (above it
    /// for an increase, below its negative for a decrease). Default 0.25;
    /// 0 needs only the interval to exclude 0.
    #[serde(default = "default_tolerance")]
    pub tolerance: f64,
    /// How the size of a change is measured (`meanRatio` by default, or
    /// `cles`).
    #[serde(default, skip_serializing_if = "EffectSize::is_mean_ratio")]
    pub effect_size: EffectSize,
    /// The effect size tolerated for a significant increase; an increase
    /// fails only above it. Default 1.0 (set it for `cles`, e.g. 0.6).
    #[serde(default = "one")]
    pub allowed_increase: f64,
    /// The effect size tolerated for a significant decrease; a decrease
    /// fails only below it. Default 1.0 (set it for `cles`, e.g. 0.4).
    #[serde(default = "one")]
    pub allowed_decrease: f64,
    /// A failure of this metric fails the whole analysis (score 0).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub critical: bool,
    /// With `critical`: an increase zeroes the score only when its effect
    /// size is above this (Kayenta's critical effect size); a smaller
    /// failing increase counts as an ordinary failure. Absent: every
    /// failing increase of a critical metric zeroes the score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_increase: Option<f64>,
    /// With `critical`: a decrease zeroes the score only when its effect
    /// size is below this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_decrease: Option<f64>,
    /// Missing data counts as a failure instead of being left out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub must_have_data: bool,
    /// What to do with missing samples; `remove` by default.
    #[serde(default)]
    pub nan_strategy: NanStrategy,
    /// Remove outliers from each side before judging (Kayenta's
    /// `IQRDetector`, see [`crate::stats::outliers`]). Off by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remove_outliers: bool,
    /// The IQR factor of the outlier fences (default 3.0, Kayenta's).
    #[serde(default = "default_outlier_factor")]
    pub outlier_factor: f64,
}

impl MetricConfig {
    /// A metric with the defaults: no group, direction `either`, tolerance
    /// 0.25, effect size by mean ratio with allowances 1.0, not critical,
    /// data not required, missing samples removed, outliers kept.
    pub fn new(name: impl Into<String>) -> Self {
        MetricConfig {
            name: name.into(),
            group: None,
            groups: Vec::new(),
            direction: Direction::default(),
            tolerance: default_tolerance(),
            effect_size: EffectSize::default(),
            allowed_increase: 1.0,
            allowed_decrease: 1.0,
            critical: false,
            critical_increase: None,
            critical_decrease: None,
            must_have_data: false,
            nan_strategy: NanStrategy::default(),
            remove_outliers: false,
            outlier_factor: default_outlier_factor(),
        }
    }

    /// Checks what the judge cannot use: an empty name; allowances that are
    /// not finite and above 0 (for `cles`: `allowedIncrease` in [0.5, 1),
    /// `allowedDecrease` in (0, 0.5]); a tolerance that is not finite and
    /// at least 0; critical thresholds not beyond the allowances; an outlier
    /// factor that is not finite and above 0. Lowercase message quoting the
    /// bad value.
    pub fn validate(&self) -> Result<(), String> {
        let name = &self.name;
        if name.is_empty() {
            return Err("`name` of a metric is empty".to_owned());
        }
        for (field, value) in [
            ("allowedIncrease", Some(self.allowed_increase)),
            ("allowedDecrease", Some(self.allowed_decrease)),
            ("criticalIncrease", self.critical_increase),
            ("criticalDecrease", self.critical_decrease),
        ] {
            let Some(value) = value else { continue };
            if !(value.is_finite() && value > 0.0) {
                return Err(format!(
                    "`{field}` ({value}) of metric `{name}` must be a finite number above 0"
                ));
            }
        }
        if self.effect_size == EffectSize::Cles {
            if !(0.5..1.0).contains(&self.allowed_increase) {
                return Err(format!(
                    "`allowedIncrease` ({}) of metric `{name}` is not a CLES from 0.5 up to 1 (1 excluded)",
                    self.allowed_increase
                ));
            }
            if self.allowed_decrease > 0.5 || self.allowed_decrease.is_nan() {
                return Err(format!(
                    "`allowedDecrease` ({}) of metric `{name}` is not a CLES above 0 up to 0.5",
                    self.allowed_decrease
                ));
            }
        }
        if let Some(c) = self
            .critical_increase
            .filter(|c| *c < self.allowed_increase)
        {
            return Err(format!(
                "`criticalIncrease` ({c}) of metric `{name}` is below `allowedIncrease` ({})",
                self.allowed_increase
            ));
        }
        if let Some(c) = self
            .critical_decrease
            .filter(|c| *c > self.allowed_decrease)
        {
            return Err(format!(
                "`criticalDecrease` ({c}) of metric `{name}` is above `allowedDecrease` ({})",
                self.allowed_decrease
            ));
        }
        if !(self.tolerance.is_finite() && self.tolerance >= 0.0) {
            return Err(format!(
                "`tolerance` ({}) of metric `{name}` must be a finite number of at least 0",
                self.tolerance
            ));
        }
        if !(self.outlier_factor.is_finite() && self.outlier_factor > 0.0) {
            return Err(format!(
                "`outlierFactor` ({}) of metric `{name}` must be a finite number above 0",
                self.outlier_factor
            ));
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
    /// Scores above this (and below `passScore`) are marginal; a score
    /// exactly at it fails (Spinnaker's canary stage). Default 75.
    #[serde(default = "default_marginal_score")]
    pub marginal_score: f64,
    /// Weights of metric groups; groups without one share what is left of
    /// 100.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub group_weights: BTreeMap<String, f64>,
    /// When at least this percentage of the metrics has no data, the score
    /// is 0 and the outcome `no-data` (Kayenta's rule, at 50 %). In
    /// (0, 100]; default 50.
    #[serde(default = "default_max_no_data_percent")]
    pub max_no_data_percent: f64,
}

impl Default for JudgeConfig {
    fn default() -> Self {
        JudgeConfig {
            confidence: default_confidence(),
            pass_score: default_pass_score(),
            marginal_score: default_marginal_score(),
            group_weights: BTreeMap::new(),
            max_no_data_percent: default_max_no_data_percent(),
        }
    }
}

impl JudgeConfig {
    /// Checks that `confidence` is in (0, 1), that
    /// `0 ≤ marginalScore ≤ passScore ≤ 100`, that `maxNoDataPercent` is in
    /// (0, 100] and that every group weight is
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
        if !(self.max_no_data_percent > 0.0 && self.max_no_data_percent <= 100.0) {
            return Err(format!(
                "`maxNoDataPercent` ({}) must be above 0 and at most 100",
                self.max_no_data_percent
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
