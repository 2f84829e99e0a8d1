//! The rule kinds of `kind: RolloutPolicy` documents, read by `assess`:
//! rollback `triggers`, `promotion` criteria, canary `analysis` (the judge)
//! and SLO `burnRate` alerts. Unknown fields are errors.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Duration;
use crate::stats::judge::{Direction, EffectSize, NanStrategy};
use crate::vocab::Action;

/// What a trigger does when its metric has no data in the window.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum NoDataPolicy {
    /// Treat it as not breached (reported as `no-data`, does not hold).
    Ignore,
    /// Hold the rollout (the default: missing data is never a pass).
    Hold,
    /// Treat it as breached: the trigger's action applies.
    Fail,
}

/// What a relative threshold is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Compare {
    /// The mean of the metric's baseline samples.
    Baseline,
}

/// The structured threshold of a trigger or a promotion criterion, as
/// written in its `compare`, `above`, `below`, `abovePercent` and
/// `belowPercent` fields. Crossing a limit breaches a trigger and leaves a
/// criterion unmet; a value exactly at a limit has not crossed it.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Threshold {
    /// Relative to the baseline mean.
    pub compare: Option<Compare>,
    /// Upper limit (absolute, or a delta with `compare`).
    pub above: Option<f64>,
    /// Lower limit (absolute, or a delta with `compare`).
    pub below: Option<f64>,
    /// Upper limit in percent above the baseline.
    pub above_percent: Option<f64>,
    /// Lower limit in percent below the baseline.
    pub below_percent: Option<f64>,
}

impl Threshold {
    /// Whether any limit is set.
    pub fn is_set(&self) -> bool {
        self.above.is_some()
            || self.below.is_some()
            || self.above_percent.is_some()
            || self.below_percent.is_some()
    }
}

macro_rules! threshold_of {
    ($t:ty) => {
        impl $t {
            /// The structured threshold.
            pub fn threshold(&self) -> Threshold {
                Threshold {
                    compare: self.compare,
                    above: self.above,
                    below: self.below,
                    above_percent: self.above_percent,
                    below_percent: self.below_percent,
                }
            }
        }
    };
}
threshold_of!(Trigger);
threshold_of!(Promotion);

/// A rollback trigger: watches one metric, the synthetic checks, or a CEL
/// condition over the rollout facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Trigger {
    /// Unique id in the bundle.
    pub id: String,
    /// What the trigger watches for, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The metric watched (its canary samples).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric: Option<String>,
    /// The synthetic journey watched, or `*` for all of them; a failed run
    /// is a breaching sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synthetic: Option<String>,
    /// With `synthetic`: only journeys marked `critical`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub critical: bool,
    /// With `metric`: watch that metric of every service downstream of the
    /// rollout's (its transitive dependents in a catalog, in the rollout's
    /// environment; `assess --catalog`) instead of the canary's, each
    /// series split at `rollout.stepStartedAt`: the samples before are its
    /// own baseline, those since are judged. A trip names the service and
    /// the path to it (cascading-failure attribution).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub downstream: bool,
    /// CEL over the rollout facts, true when breached (for what no metric
    /// says, such as flag exposure ahead of the rollout's weight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Compare with the baseline mean instead of absolute values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<Compare>,
    /// Upper limit: the value (or its delta from the baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<f64>,
    /// Lower limit: the value (or its delta from the baseline; negative
    /// for a drop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    /// Upper limit in percent above the baseline (needs `compare: baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_percent: Option<f64>,
    /// Lower limit in percent below the baseline (needs `compare: baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_percent: Option<f64>,
    /// CEL over `value` and `baseline` (the baseline mean, or `null`),
    /// true when a sample breaches: the escape hatch for what thresholds
    /// cannot say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Samples older than this are not looked at (default `5m`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Duration>,
    /// Trip only when every sample for this long breaches (sustained).
    #[serde(default, rename = "for", skip_serializing_if = "Option::is_none")]
    pub for_: Option<Duration>,
    /// Fewer samples than this in the window is no data (default 1).
    #[serde(default = "one")]
    pub min_samples: u32,
    /// Breaching samples tolerated in the window; trips on more (default 0).
    #[serde(default)]
    pub failure_limit: u32,
    /// What no data does (default `hold`).
    #[serde(default = "hold")]
    pub no_data: NoDataPolicy,
    /// The inconclusive band (Argo Rollouts' gap between `successCondition`
    /// and `failureCondition`): a sample that breaches no limit of the
    /// trigger but crosses one of these is inconclusive. Same `compare` as
    /// the trigger; metric triggers only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inconclusive: Option<Band>,
    /// Inconclusive samples tolerated in the window; more hold the rollout
    /// for a human to decide (default 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub inconclusive_limit: u32,
    /// Measurement errors (samples with an `error`) tolerated in a row, the
    /// latest ones; more trip the trigger (default 4, as Argo Rollouts).
    #[serde(default = "four", skip_serializing_if = "is_four")]
    pub consecutive_error_limit: u32,
    /// The analysis completes after this many measurements in the window
    /// (errors included); completed without tripping, the trigger is
    /// promotion evidence (Argo Rollouts' `count`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    /// The analysis succeeds once the latest this-many measurements are all
    /// successful; until then it withholds a promote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consecutive_success_limit: Option<u32>,
    /// Evaluate and report, never act: the finding is counted in the
    /// summary's `dryRun` and changes no verdict.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
    /// What tripping does (default `rollback`).
    #[serde(default = "rollback")]
    pub action: Action,
    /// Message when the trigger trips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Compliance controls served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
    /// Whether a later layer may loosen, replace or disable it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridable: bool,
}

/// The limits of a trigger's inconclusive band; crossing one (and no
/// limit of the trigger) makes a sample inconclusive.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Band {
    /// Upper limit: the value (or its delta from the baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<f64>,
    /// Lower limit: the value (or its delta from the baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    /// Upper limit in percent above the baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_percent: Option<f64>,
    /// Lower limit in percent below the baseline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_percent: Option<f64>,
}

impl Trigger {
    /// The inconclusive band as a threshold, with the trigger's `compare`.
    pub fn inconclusive_threshold(&self) -> Option<Threshold> {
        self.inconclusive.map(|b| Threshold {
            compare: self.compare,
            above: b.above,
            below: b.below,
            above_percent: b.above_percent,
            below_percent: b.below_percent,
        })
    }

    /// Whether the trigger completes (`count` or
    /// `consecutiveSuccessLimit`), and so is promotion evidence.
    pub fn completes(&self) -> bool {
        self.count.is_some() || self.consecutive_success_limit.is_some()
    }
}

/// A promotion criterion: must hold, sustained over `window`, before
/// `assess` says `promote`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Promotion {
    /// Unique id in the bundle.
    pub id: String,
    /// What the criterion asks, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The metric that must stay within the threshold.
    pub metric: String,
    /// Compare with the baseline mean instead of absolute values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compare: Option<Compare>,
    /// Upper limit: the value (or its delta from the baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above: Option<f64>,
    /// Lower limit: the value (or its delta from the baseline; negative
    /// for a drop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below: Option<f64>,
    /// Upper limit in percent above the baseline (needs `compare: baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_percent: Option<f64>,
    /// Lower limit in percent below the baseline (needs `compare: baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_percent: Option<f64>,
    /// CEL over `value` and `baseline`, true when a sample meets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// How long the criterion must have held (within the current step).
    pub window: Duration,
    /// At least this many samples in the window (default 1).
    #[serde(default = "one")]
    pub min_samples: u32,
    /// Message when the criterion is not met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Compliance controls served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
    /// Whether a later layer may loosen, replace or disable it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridable: bool,
}

/// Canary analysis: a statistical judgement of canary against baseline
/// (Kayenta's NetflixACAJudge).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnalysisRule {
    /// Unique id in the bundle.
    pub id: String,
    /// What the analysis judges, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Confidence level of the Mann-Whitney test (default 0.98).
    #[serde(default = "confidence")]
    pub confidence: f64,
    /// Score thresholds (0–100).
    pub thresholds: ScoreThresholds,
    /// Only samples this recent are judged (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<Duration>,
    /// When at least this percentage of the metrics has no data, the
    /// analysis holds with score 0 (Kayenta's rule; default 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_no_data_percent: Option<f64>,
    /// Group weights (percent); groups without a weight share the rest.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "crate::model::unique::map"
    )]
    pub groups: BTreeMap<String, f64>,
    /// The metrics judged.
    pub metrics: Vec<JudgedMetric>,
    /// What a failing score does (default `rollback`); marginal holds.
    #[serde(default = "rollback")]
    pub on_fail: Action,
    /// Compliance controls served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
    /// Whether a later layer may loosen, replace or disable it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridable: bool,
}

/// Score thresholds of a canary analysis.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScoreThresholds {
    /// A score at or above this passes.
    pub pass: f64,
    /// A score at or above this (and below `pass`) is marginal: hold.
    pub marginal: f64,
}

/// One metric of a canary analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct JudgedMetric {
    /// The metric (canary and baseline samples).
    pub metric: String,
    /// Which change is bad (default `either`).
    #[serde(default = "either")]
    pub direction: Direction,
    /// Kayenta's tolerance: the confidence interval of the shift must
    /// clear `tolerance × |estimate|` for a failure (default 0.25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerance: Option<f64>,
    /// How the size of a change is measured: `meanRatio` (default) or
    /// `cles`.
    #[serde(default, skip_serializing_if = "EffectSize::is_mean_ratio")]
    pub effect_size: EffectSize,
    /// Effect size tolerated for an increase (default 1.0 for the mean
    /// ratio, 0.5 for CLES).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_increase: Option<f64>,
    /// Effect size tolerated for a decrease (default 1.0 for the mean
    /// ratio, 0.5 for CLES).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_decrease: Option<f64>,
    /// A non-pass of this metric scores the analysis 0 (no data holds).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub critical: bool,
    /// With `critical`: only an increase beyond this effect size scores
    /// the analysis 0; a smaller failing increase is an ordinary failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_increase: Option<f64>,
    /// With `critical`: only a decrease beyond this effect size scores the
    /// analysis 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_decrease: Option<f64>,
    /// No data for this metric counts as a failure.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub must_have_data: bool,
    /// Group for weighting (default `default`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Further groups the metric is scored in (Kayenta's `groups`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// What to do with gaps (`null` samples): `remove` (default) or
    /// `replace` with 0.
    #[serde(default = "remove")]
    pub nan_strategy: NanStrategy,
    /// Remove outliers by the interquartile range before judging.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remove_outliers: bool,
    /// The IQR factor of the outlier fences (default 3.0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlier_factor: Option<f64>,
}

/// SLO burn-rate alerting, multiwindow and multi-burn-rate (SRE workbook).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BurnRateRule {
    /// Unique id in the bundle.
    pub id: String,
    /// What the rule protects, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The SLO (by name in the facts' `slos`).
    pub slo: String,
    /// The alerts; default: 14.4× over 1h and 5m, 6× over 6h and 30m
    /// (page, rollback), 1× over 3d and 6h (ticket, alert).
    #[serde(default = "workbook_alerts")]
    pub alerts: Vec<BurnAlert>,
    /// Compliance controls served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
    /// Whether a later layer may loosen, replace or disable it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overridable: bool,
}

/// One multiwindow burn-rate alert: fires when both windows burn at least
/// `factor` times the sustainable rate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BurnAlert {
    /// The long window (`1h`).
    pub long: Duration,
    /// The short window (default: 1/12 of the long one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short: Option<Duration>,
    /// Burn-rate factor (`14.4`).
    pub factor: f64,
    /// Severity, for messages (`page`, `ticket`).
    #[serde(default = "page")]
    pub severity: String,
    /// What firing does (default `rollback`).
    #[serde(default = "rollback")]
    pub action: Action,
}

impl BurnAlert {
    /// The short window: as written, or 1/12 of the long one.
    pub fn short_window(&self) -> Duration {
        self.short
            .unwrap_or_else(|| Duration::from_millis(self.long.as_millis() / 12))
    }
}

fn workbook_alerts() -> Vec<BurnAlert> {
    let alert = |long: i64, factor: f64, severity: &str, action: Action| BurnAlert {
        long: Duration::from_millis(long),
        short: None,
        factor,
        severity: severity.into(),
        action,
    };
    const H: i64 = 3_600_000;
    vec![
        alert(H, 14.4, "page", Action::Rollback),
        alert(6 * H, 6.0, "page", Action::Rollback),
        alert(72 * H, 1.0, "ticket", Action::Alert),
    ]
}

fn one() -> u32 {
    1
}
fn four() -> u32 {
    4
}
// serde's `skip_serializing_if` passes a reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_four(n: &u32) -> bool {
    *n == 4
}
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u32) -> bool {
    *n == 0
}
fn hold() -> NoDataPolicy {
    NoDataPolicy::Hold
}
fn rollback() -> Action {
    Action::Rollback
}
fn confidence() -> f64 {
    0.98
}
fn either() -> Direction {
    Direction::Either
}
fn remove() -> NanStrategy {
    NanStrategy::Remove
}
fn page() -> String {
    "page".into()
}

/// `new` is at most `old`, where `None` means "no limit" (a new limit is
/// tighter; dropping one is looser).
fn limit_le(new: Option<f64>, old: Option<f64>) -> bool {
    match (old, new) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(o), Some(n)) => n <= o,
    }
}

/// `new` is at least `old`, where `None` means "no limit".
fn limit_ge(new: Option<f64>, old: Option<f64>) -> bool {
    limit_le(new.map(|v| -v), old.map(|v| -v))
}

fn controls_kept(new: &[String], old: &[String]) -> bool {
    old.iter().all(|c| new.contains(c))
}

/// Whether `new` trips at least whenever `old` does: the same source,
/// window and required samples, an action and no-data handling at least as
/// strict, limits no looser, no longer `for`, no more tolerated failures.
pub(crate) fn trigger_tightens(old: &Trigger, new: &Trigger) -> bool {
    let (o, n) = (old.threshold(), new.threshold());
    let dur_le = |new: Option<Duration>, old: Option<Duration>| match (old, new) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(o), Some(n)) => n <= o,
    };
    new.metric == old.metric
        && new.synthetic == old.synthetic
        && (new.critical <= old.critical)
        && new.condition == old.condition
        && new.expression == old.expression
        && n.compare == o.compare
        && limit_le(n.above, o.above)
        && limit_ge(n.below, o.below)
        && limit_le(n.above_percent, o.above_percent)
        && limit_le(n.below_percent, o.below_percent)
        && dur_le(new.for_, old.for_)
        // The window and the samples it needs stay as they are: either
        // way a change can turn a no-data hold into a pass.
        && new.effective_window() == old.effective_window()
        && new.min_samples == old.min_samples
        && new.failure_limit <= old.failure_limit
        // The measurement semantics stay as they are: an inconclusive band,
        // a count or a success streak change what promotes.
        && new.inconclusive == old.inconclusive
        && new.inconclusive_limit <= old.inconclusive_limit
        && new.consecutive_error_limit <= old.consecutive_error_limit
        && new.count == old.count
        && new.consecutive_success_limit == old.consecutive_success_limit
        && (!new.dry_run || old.dry_run)
        && new.no_data >= old.no_data
        && new.action >= old.action
        && controls_kept(&new.controls, &old.controls)
        && !new.overridable
}

/// Whether `new` is met only when `old` is: the same metric and
/// comparison, limits no looser, a window no shorter, no fewer samples.
pub(crate) fn promotion_tightens(old: &Promotion, new: &Promotion) -> bool {
    let (o, n) = (old.threshold(), new.threshold());
    new.metric == old.metric
        && new.expression == old.expression
        && n.compare == o.compare
        && limit_le(n.above, o.above)
        && limit_ge(n.below, o.below)
        && limit_le(n.above_percent, o.above_percent)
        && limit_le(n.below_percent, o.below_percent)
        && new.window >= old.window
        && new.min_samples >= old.min_samples
        && controls_kept(&new.controls, &old.controls)
        && !new.overridable
}

impl Trigger {
    /// The window: as written, or by default 5 minutes, or twice `for` if
    /// that is longer (a breach is measured from its first to its latest
    /// sample, all inside the window, so the window must be longer than
    /// `for`).
    pub fn effective_window(&self) -> Duration {
        let five = Duration::from_millis(300_000);
        self.window.unwrap_or_else(|| {
            self.for_.map_or(five, |f| {
                Duration::from_millis(f.as_millis().saturating_mul(2)).max(five)
            })
        })
    }
}
