//! What `assess` returns: the rollout verdict (`promote`, `continue`,
//! `hold`, `rollback`), every finding with what it observed, the threshold,
//! how long it has been breached and what would flip it, the error budgets,
//! and deployment markers for monitoring charts. It serialises to a
//! versioned JSON schema (`release-policy/assessment/v3`), the same from
//! every binding; the same bundle and facts give byte-identical JSON.
//!
//! Every type here keeps its fields private (`pub(crate)`, written by the
//! evaluator) behind accessors of the same names; the serde attributes fix
//! the JSON.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::measure::Measurements;
use super::quality_gate::QualityGateResult;
pub use super::verdict::DryRunSummary;
use crate::model::Timestamp;
use crate::stats::judge::JudgeResult;
use crate::vocab::{Action, BundleInfo, EngineInfo, Outcome, RolloutVerdict};

/// The schema identifier carried by every assessment.
pub const ASSESSMENT_SCHEMA: &str = "release-policy/assessment/v3";

/// The kind of a rollout rule. Exhaustive, as the enums of
/// [`vocab`](crate::vocab): a new kind would be a new assessment schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum AssessRuleKind {
    /// A rollback trigger.
    Trigger,
    /// A promotion criterion.
    Promotion,
    /// A canary analysis.
    Analysis,
    /// An SLO burn-rate rule.
    BurnRate,
    /// A Keptn-style SLO quality gate.
    QualityGate,
}

impl AssessRuleKind {
    /// `trigger`, `promotion`, `analysis`, `burn-rate` or `quality-gate`:
    /// the name as it appears in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            AssessRuleKind::Trigger => "trigger",
            AssessRuleKind::Promotion => "promotion",
            AssessRuleKind::Analysis => "analysis",
            AssessRuleKind::BurnRate => "burn-rate",
            AssessRuleKind::QualityGate => "quality-gate",
        }
    }
}

/// The result of one rollout rule, with everything needed to see why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessFinding {
    /// The policy's name.
    pub(crate) policy: String,
    /// The policy's version.
    pub(crate) policy_version: String,
    /// The rule id.
    pub(crate) rule: String,
    /// Trigger, promotion, analysis or burn-rate.
    pub(crate) kind: AssessRuleKind,
    /// `pass`; `fail` (tripped, or a criterion not met); `warn` (breaching
    /// but not yet sustained, or a marginal analysis); `no-data`; `error`;
    /// `skipped`.
    pub(crate) outcome: Outcome,
    /// What the rule does when it trips (a trigger's `action`, an
    /// analysis's `onFail`, the most severe of a burn-rate rule's alerts);
    /// none for promotion criteria, which only withhold a promote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) effect: Option<Action>,
    /// What this finding does to the rollout now, when anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) action: Option<Action>,
    /// Why, in words.
    pub(crate) message: String,
    /// The metric, journey or SLO the rule read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) subject: Option<String>,
    /// The limit, in words (`error-rate > 0.05`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) threshold: Option<String>,
    /// What was observed: latest value, baseline, sample counts, …
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) observed: BTreeMap<String, serde_json::Value>,
    /// How long the breach has lasted (or the criterion has held), in
    /// milliseconds of the facts' clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) duration_ms: Option<i64>,
    /// What would flip the result (`promotes in 12m if error-rate stays ≤ 0.005`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) flip: Option<String>,
    /// The canary judge's full result, for analyses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) judge: Option<JudgeResult>,
    /// A metric trigger's measurements and analysis phase (Argo Rollouts'
    /// semantics), when it uses them or saw a measurement error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) measurements: Option<Measurements>,
    /// A quality gate's evaluation: score, every objective and target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) quality_gate: Option<QualityGateResult>,
    /// A dry-run rule: evaluated and reported, never acting (counted in
    /// the summary's `dryRun`, not in its other counts).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) dry_run: bool,
    /// Compliance controls served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) controls: Vec<String>,
}

impl AssessFinding {
    /// The policy's name.
    pub fn policy(&self) -> &str {
        &self.policy
    }

    /// The policy's version.
    pub fn policy_version(&self) -> &str {
        &self.policy_version
    }

    /// Trigger, promotion, analysis or burn-rate.
    pub fn kind(&self) -> AssessRuleKind {
        self.kind
    }

    /// What the rule does when it trips (a trigger's `action`, an
    /// analysis's `onFail`, the most severe of a burn-rate rule's alerts);
    /// none for promotion criteria, which only withhold a promote.
    pub fn effect(&self) -> Option<Action> {
        self.effect
    }

    /// The metric, journey or SLO the rule read.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// The limit, in words (`error-rate > 0.05`).
    pub fn threshold(&self) -> Option<&str> {
        self.threshold.as_deref()
    }

    /// What was observed: latest value, baseline, sample counts, …
    pub fn observed(&self) -> &BTreeMap<String, serde_json::Value> {
        &self.observed
    }

    /// How long the breach has lasted (or the criterion has held), in
    /// milliseconds of the facts' clock.
    pub fn duration_ms(&self) -> Option<i64> {
        self.duration_ms
    }

    /// What would flip the result (`promotes in 12m if error-rate stays ≤ 0.005`).
    pub fn flip(&self) -> Option<&str> {
        self.flip.as_deref()
    }

    /// The canary judge's full result, for analyses, in its JSON shape
    /// (`score`, `outcome`, `metrics`, `criticalFailure`, `groups`,
    /// `reason`; described by the assessment's JSON schema). The judge's
    /// Rust types are internal, so the result is handed out as JSON.
    pub fn judge(&self) -> Option<serde_json::Value> {
        self.judge
            .as_ref()
            .map(|j| serde_json::to_value(j).unwrap_or(serde_json::Value::Null))
    }

    /// A metric trigger's measurements and analysis phase, in their JSON
    /// shape (`phase`, `count`, `successful`, `failed`, `inconclusive`,
    /// `error`, `consecutiveErrors`, `consecutiveSuccesses`, …).
    pub fn measurements(&self) -> Option<serde_json::Value> {
        self.measurements
            .as_ref()
            .map(|m| serde_json::to_value(m).unwrap_or(serde_json::Value::Null))
    }

    /// A quality gate's evaluation in its JSON shape (`result`, `score`,
    /// `objectives` with their `passTargets` and `warningTargets`, …).
    pub fn quality_gate(&self) -> Option<serde_json::Value> {
        self.quality_gate
            .as_ref()
            .map(|q| serde_json::to_value(q).unwrap_or(serde_json::Value::Null))
    }

    /// Whether the rule is a dry run (reported, never acting).
    pub fn dry_run(&self) -> bool {
        self.dry_run
    }

    /// Compliance controls served.
    pub fn controls(&self) -> &[String] {
        &self.controls
    }

    /// The rule id.
    pub fn rule(&self) -> &str {
        &self.rule
    }

    /// The outcome.
    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// What the finding does to the rollout.
    pub fn action(&self) -> Option<Action> {
        self.action
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Counts of findings by outcome.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessSummary {
    /// Passed (or met).
    pub(crate) pass: usize,
    /// Tripped, or not met.
    pub(crate) fail: usize,
    /// Breaching but not yet sustained, or marginal.
    pub(crate) warn: usize,
    /// No data.
    pub(crate) no_data: usize,
    /// Could not be evaluated.
    pub(crate) error: usize,
    /// Did not apply.
    pub(crate) skipped: usize,
    /// Dry-run findings, counted apart (Argo Rollouts' `dryRunSummary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) dry_run: Option<DryRunSummary>,
}

impl AssessSummary {
    /// Passed (or met).
    pub fn pass(&self) -> usize {
        self.pass
    }

    /// Tripped, or not met.
    pub fn fail(&self) -> usize {
        self.fail
    }

    /// Breaching but not yet sustained, or marginal.
    pub fn warn(&self) -> usize {
        self.warn
    }

    /// No data.
    pub fn no_data(&self) -> usize {
        self.no_data
    }

    /// Could not be evaluated.
    pub fn error(&self) -> usize {
        self.error
    }

    /// Did not apply.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Dry-run findings, counted apart.
    pub fn dry_run(&self) -> Option<&DryRunSummary> {
        self.dry_run.as_ref()
    }
}

/// The error budget of one SLO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    /// SLO name.
    pub(crate) slo: String,
    /// Target in percent.
    pub(crate) objective: f64,
    /// The SLO period.
    pub(crate) window: String,
    /// Fraction of the budget left over the period (1 = untouched, ≤ 0 =
    /// exhausted); absent without an error ratio over the whole period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) remaining: Option<f64>,
    /// Burn rate per window given (`1h` → 2.5).
    pub(crate) burn_rates: BTreeMap<String, f64>,
}

impl Budget {
    /// SLO name.
    pub fn slo(&self) -> &str {
        &self.slo
    }

    /// Target in percent.
    pub fn objective(&self) -> f64 {
        self.objective
    }

    /// The SLO period.
    pub fn window(&self) -> &str {
        &self.window
    }

    /// Fraction of the budget left over the period (1 = untouched, ≤ 0 =
    /// exhausted); absent without an error ratio over the whole period.
    pub fn remaining(&self) -> Option<f64> {
        self.remaining
    }

    /// Burn rate per window given (`1h` → 2.5).
    pub fn burn_rates(&self) -> &BTreeMap<String, f64> {
        &self.burn_rates
    }
}

/// Where the rollout stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutRef {
    /// Rollout id.
    pub(crate) id: String,
    /// Service.
    pub(crate) service: String,
    /// Version rolled out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) version: Option<String>,
    /// Current step (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) step: Option<u32>,
    /// Canary weight in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) weight: Option<f64>,
}

impl RolloutRef {
    /// Rollout id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Service.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Version rolled out.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Current step (0-based).
    pub fn step(&self) -> Option<u32> {
        self.step
    }

    /// Canary weight in percent.
    pub fn weight(&self) -> Option<f64> {
        self.weight
    }
}

/// A deployment marker for monitoring charts (Grafana annotations,
/// Datadog events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Marker {
    /// `rollout-started`, `step-started`, `promoted`, `held`, `rolled-back`.
    pub(crate) kind: String,
    /// When.
    pub(crate) at: Timestamp,
    /// Rollout id.
    pub(crate) rollout: String,
    /// Service.
    pub(crate) service: String,
    /// Version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) version: Option<String>,
    /// Step, when the marker is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) step: Option<u32>,
    /// One line for the chart.
    pub(crate) text: String,
}

impl Marker {
    /// `rollout-started`, `step-started`, `promoted`, `held`, `rolled-back`.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// When.
    pub fn at(&self) -> Timestamp {
        self.at
    }

    /// Rollout id.
    pub fn rollout(&self) -> &str {
        &self.rollout
    }

    /// Service.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// Version.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }

    /// Step, when the marker is about one.
    pub fn step(&self) -> Option<u32> {
        self.step
    }

    /// One line for the chart.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The result of `assess`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assessment {
    /// Always [`ASSESSMENT_SCHEMA`].
    pub(crate) schema: String,
    /// What to do next.
    pub(crate) verdict: RolloutVerdict,
    /// Why, in one line.
    pub(crate) reason: String,
    /// The rollout and where it stands.
    pub(crate) rollout: RolloutRef,
    /// The evaluation time (from the facts).
    pub(crate) now: Timestamp,
    /// Counts by outcome.
    pub(crate) summary: AssessSummary,
    /// Every rule's result, in policy order.
    pub(crate) findings: Vec<AssessFinding>,
    /// Error budgets of the SLOs given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) budgets: Vec<Budget>,
    /// Deployment markers.
    pub(crate) markers: Vec<Marker>,
    /// The policies that assessed.
    pub(crate) bundle: BundleInfo,
    /// `sha256:…` of the canonical facts.
    pub(crate) facts_digest: String,
    /// `sha256:…` of the services downstream of the rollout's that a
    /// catalog gave (with their paths), when assessed with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) catalog_digest: Option<String>,
    /// The engine.
    pub(crate) engine: EngineInfo,
}

impl Assessment {
    /// Always [`ASSESSMENT_SCHEMA`].
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Why, in one line.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The rollout and where it stands.
    pub fn rollout(&self) -> &RolloutRef {
        &self.rollout
    }

    /// The evaluation time (from the facts).
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Counts by outcome.
    pub fn summary(&self) -> &AssessSummary {
        &self.summary
    }

    /// Error budgets of the SLOs given.
    pub fn budgets(&self) -> &[Budget] {
        &self.budgets
    }

    /// Deployment markers.
    pub fn markers(&self) -> &[Marker] {
        &self.markers
    }

    /// The policies that assessed.
    pub fn bundle(&self) -> &BundleInfo {
        &self.bundle
    }

    /// `sha256:…` of the canonical facts.
    pub fn facts_digest(&self) -> &str {
        &self.facts_digest
    }

    /// `sha256:…` of the downstream services a catalog gave (with their
    /// paths), when the rollout was assessed with a catalog.
    pub fn catalog_digest(&self) -> Option<&str> {
        self.catalog_digest.as_deref()
    }

    /// The engine.
    pub fn engine(&self) -> &EngineInfo {
        &self.engine
    }

    /// What to do next.
    pub fn verdict(&self) -> RolloutVerdict {
        self.verdict
    }

    /// Every finding.
    pub fn findings(&self) -> &[AssessFinding] {
        &self.findings
    }

    /// The finding of rule `id`.
    pub fn finding(&self, id: &str) -> Option<&AssessFinding> {
        self.findings.iter().find(|f| f.rule == id)
    }

    /// The findings that act on the rollout now (action `rollback` or
    /// `hold`), most severe first (`rollback` before `hold`), in policy
    /// order within each action. The verdict is `rollback` or `hold`
    /// exactly when there is one.
    pub fn acting(&self) -> Vec<&AssessFinding> {
        let mut v: Vec<&AssessFinding> = self
            .findings
            .iter()
            .filter(|f| matches!(f.action, Some(Action::Rollback | Action::Hold)))
            .collect();
        v.sort_by_key(|f| std::cmp::Reverse(f.action));
        v
    }

    /// The findings that keep the rollout from promoting without acting on
    /// it (no action; outcome `fail`, a criterion not met, or `warn`, a
    /// breach not yet sustained or a marginal analysis; or a trigger
    /// analysis still running toward its `count` or success streak), in
    /// policy order. Dry runs are not waited for.
    pub fn waiting(&self) -> Vec<&AssessFinding> {
        self.findings
            .iter()
            .filter(|f| {
                !f.dry_run
                    && f.action.is_none()
                    && (matches!(f.outcome, Outcome::Fail | Outcome::Warn)
                        || (super::verdict::gating(f) && !super::verdict::met(f)))
            })
            .collect()
    }

    /// The dry-run findings (reported, never acting), in policy order.
    pub fn dry_runs(&self) -> Vec<&AssessFinding> {
        self.findings.iter().filter(|f| f.dry_run).collect()
    }

    /// The findings that only alert (action `alert`: reported, never
    /// changing the verdict), in policy order.
    pub fn alerts(&self) -> Vec<&AssessFinding> {
        self.findings
            .iter()
            .filter(|f| f.action == Some(Action::Alert))
            .collect()
    }

    /// Compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Indented JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
