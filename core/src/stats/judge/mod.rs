//! The canary judge: classifies each metric as `pass`, `high`, `low` or
//! `no-data` and turns the classifications into a score from 0 to 100 and
//! an outcome, with the semantics of Kayenta's `NetflixACAJudge` and its
//! `MannWhitneyClassifier` (differences: `docs/canary-analysis.md`,
//! "Coming from Kayenta").
//!
//! # Per metric
//!
//! 1. Missing samples (`None`, and values that are not finite) are removed
//!    or replaced by `0.0`, per the metric's [`NanStrategy`]; with
//!    `removeOutliers`, outliers are removed from each side
//!    ([`crate::stats::outliers`]).
//! 2. Either side without samples: `no-data`.
//! 3. Canary and baseline identical as multisets: `pass`.
//! 4. The Mann-Whitney U test ([`stats::mann_whitney`]) with the
//!    alternative given by the [`Direction`] (`increase` → canary greater,
//!    `decrease` → canary less, `either` → two-sided), at
//!    `alpha = 1 − confidence`; the Hodges-Lehmann estimate of the shift
//!    canary − baseline ([`stats::hodges_lehmann`]); the two-sided
//!    confidence interval of the shift at `confidence` and Kayenta's z = 0
//!    estimate ([`crate::stats::shift`]); the mean ratio (see
//!    [`MetricResult::mean_ratio`]) and the CLES.
//! 5. The direction of the shift is the sign of the Hodges-Lehmann
//!    estimate; when the estimate is exactly 0 (heavily tied data: most
//!    pairs tie) it is the sign of `U − n1·n2/2`, so a significant shift
//!    of the distribution is never passed for want of a shift of its
//!    median.
//! 6. `high` if significant (`p < alpha`), the shift is upwards, the
//!    direction is `increase` or `either`, the interval's lower end is
//!    above `tolerance × |estimate|` (Kayenta's bound; not required when
//!    the estimate is 0, where it cannot be met) and the effect size (mean
//!    ratio or CLES) is above `allowedIncrease`; `low` likewise downwards,
//!    with the interval's upper end below `−tolerance × |estimate|` and the
//!    effect size below `allowedDecrease`; otherwise `pass`. The
//!    Hodges-Lehmann estimate classifies; the z = 0 estimate is reported.
//!
//! # Score
//!
//! A metric is counted as failed if it is `high` or `low`, or `no-data`
//! with `mustHaveData`; as passed if it is `pass`; a `no-data` metric
//! without `mustHaveData` is not counted. A metric counts in each of its
//! groups (`group` and `groups`; metrics without one are in `default`).
//! Each group scores `100 × passed / counted`; groups with nothing counted
//! are left out. The overall score is the weighted mean of the group
//! scores: a group with a weight in `groupWeights` has that weight, the
//! groups without one share equally what is left of 100 (none if the
//! explicit weights reach 100); the weights are then normalised by their
//! sum (so explicit weights need not add up to 100), and if every weight
//! is zero the groups count equally. Only the groups that are scored take
//! part, so a group that is left out changes nothing. Scores are rounded to
//! 2 decimals, half up (Kayenta's `MathUtils.round`), before they are
//! compared with the thresholds.
//!
//! In this order:
//! - a critical metric `high` or `low` (beyond `criticalIncrease` /
//!   `criticalDecrease` when set), or `no-data` with `mustHaveData`: score
//!   0, outcome `fail`;
//! - a critical metric without data (without `mustHaveData`): score 0,
//!   outcome `no-data` — a critical metric that is not a clear pass never
//!   lets the canary pass;
//! - at least `maxNoDataPercent` of the metrics left out for want of data
//!   (`no-data` without `mustHaveData`): score 0, outcome `no-data`
//!   (Kayenta's rule at 50 %);
//! - nothing counted at all: `no-data` (score 0): missing data is neither
//!   a pass nor a failure;
//! - otherwise `pass` at or above `passScore`, `marginal` above
//!   `marginalScore`, else `fail` (a score exactly at `marginalScore`
//!   fails, as in Spinnaker's canary stage).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

mod classify;
mod config;
mod score;

use super::fmt_number as num;
pub use classify::classify;
pub use config::{Direction, EffectSize, JudgeConfig, MetricConfig, NanStrategy};
use score::score;

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
    /// Its further groups, as configured.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
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
    /// The Hodges-Lehmann estimate of the shift canary − baseline (the
    /// median of the pairwise differences; this one classifies); absent if
    /// the differences overflow.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate: Option<f64>,
    /// Kayenta's estimate: the shift at which the continuity-corrected z
    /// is 0 (reported, does not classify).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimate_z0: Option<f64>,
    /// Lower end of the two-sided confidence interval of the shift at the
    /// judge's confidence (R's `wilcox.test(conf.int = TRUE, exact =
    /// FALSE)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_lower: Option<f64>,
    /// Upper end of that interval.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_upper: Option<f64>,
    /// The common-language effect size, P(canary > baseline) + ½ P(tie)
    /// over all pairs (`U / (n1·n2)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cles: Option<f64>,
    /// The effect size the allowances are compared with.
    #[serde(default, skip_serializing_if = "EffectSize::is_mean_ratio")]
    pub effect_size: EffectSize,
    /// Canary samples used (after the NaN strategy).
    pub n_canary: usize,
    /// Baseline samples used (after the NaN strategy).
    pub n_baseline: usize,
    /// Canary samples removed as outliers.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub canary_outliers: usize,
    /// Baseline samples removed as outliers.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub baseline_outliers: usize,
    /// Mean of the canary samples used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canary_mean: Option<f64>,
    /// Mean of the baseline samples used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_mean: Option<f64>,
    /// Canary mean / baseline mean; undefined (absent here, `null` in
    /// JSON) when either mean is 0, as Kayenta's `meanRatio` (NaN), or when
    /// the division overflows. For the comparison with the allowances, a
    /// zero baseline mean counts as above every allowance for a positive
    /// canary mean and below every allowance for a negative one (1 if both
    /// are 0), and a zero canary mean as the ratio 0. With a negative
    /// baseline mean the ratio's sense flips (as in Kayenta): the ratio
    /// suits metrics that are positive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mean_ratio: Option<f64>,
    /// Whether the metric is critical.
    pub critical: bool,
    /// Whether missing data counts as a failure.
    pub must_have_data: bool,
    /// Critical, failed, and beyond `criticalIncrease` /
    /// `criticalDecrease` if set: this failure zeroes the score.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fails_critically: bool,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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

    /// The groups it is scored in: `group` and `groups`, or `default`.
    pub fn scored_groups(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for g in self.group.iter().chain(&self.groups) {
            if !out.contains(&g.as_str()) {
                out.push(g);
            }
        }
        if out.is_empty() {
            out.push(DEFAULT_GROUP);
        }
        out
    }
}

/// The outcome of the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum JudgeOutcome {
    /// Score at or above `passScore`.
    Pass,
    /// Score above `marginalScore`, below `passScore`.
    Marginal,
    /// Score at or below `marginalScore`, or a critical metric failed.
    Fail,
    /// No metric was counted, a critical metric has no data, or at least
    /// `maxNoDataPercent` of the metrics have none: nothing to judge (hold;
    /// neither pass nor rollback).
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
    /// `100 × passed / counted`, rounded to 2 decimals (half up); absent
    /// when nothing in the group was counted (the group is left out).
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
    /// From 0 to 100, rounded to 2 decimals (half up) as Kayenta's; the
    /// rounded score is compared with the thresholds. 0 when a critical
    /// metric failed or when the outcome is `no-data`.
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
mod input_tests;
#[cfg(test)]
mod kayenta_tests;
#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
