//! What `assess` returns: the rollout verdict (`promote`, `continue`,
//! `hold`, `rollback`), every finding with what it observed, the threshold,
//! how long it has been breached and what would flip it, the error budgets,
//! and deployment markers for monitoring charts. It serialises to a
//! versioned JSON schema (`release-policy/assessment/v1`), the same from
//! every binding; the same bundle and facts give byte-identical JSON.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Timestamp;
use crate::stats::judge::JudgeResult;
use crate::vocab::{Action, BundleInfo, EngineInfo, Outcome, RolloutVerdict};

/// The schema identifier carried by every assessment.
pub const ASSESSMENT_SCHEMA: &str = "release-policy/assessment/v1";

/// The kind of a rollout rule.
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
}

/// The result of one rollout rule, with everything needed to see why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssessFinding {
    /// The policy's name.
    pub policy: String,
    /// The policy's version.
    pub policy_version: String,
    /// The rule id.
    pub rule: String,
    /// Trigger, promotion, analysis or burn-rate.
    pub kind: AssessRuleKind,
    /// `pass`; `fail` (tripped, or a criterion not met); `warn` (breaching
    /// but not yet sustained, or a marginal analysis); `no-data`; `error`;
    /// `skipped`.
    pub outcome: Outcome,
    /// What the rule does when it trips (a trigger's `action`, an
    /// analysis's `onFail`, the most severe of a burn-rate rule's alerts);
    /// none for promotion criteria, which only withhold a promote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Action>,
    /// What this finding does to the rollout now, when anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<Action>,
    /// Why, in words.
    pub message: String,
    /// The metric, journey or SLO the rule read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The limit, in words (`error-rate > 0.05`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<String>,
    /// What was observed: latest value, baseline, sample counts, …
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub observed: BTreeMap<String, serde_json::Value>,
    /// How long the breach has lasted (or the criterion has held), in
    /// milliseconds of the facts' clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<i64>,
    /// What would flip the result (`promotes in 12m if error-rate stays ≤ 0.005`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flip: Option<String>,
    /// The canary judge's full result, for analyses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judge: Option<JudgeResult>,
    /// Compliance controls served.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub controls: Vec<String>,
}

impl AssessFinding {
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
    pub pass: usize,
    /// Tripped, or not met.
    pub fail: usize,
    /// Breaching but not yet sustained, or marginal.
    pub warn: usize,
    /// No data.
    pub no_data: usize,
    /// Could not be evaluated.
    pub error: usize,
    /// Did not apply.
    pub skipped: usize,
}

/// The error budget of one SLO.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    /// SLO name.
    pub slo: String,
    /// Target in percent.
    pub objective: f64,
    /// The SLO period.
    pub window: String,
    /// Fraction of the budget left over the period (1 = untouched, ≤ 0 =
    /// exhausted); absent without an error ratio over the whole period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<f64>,
    /// Burn rate per window given (`1h` → 2.5).
    pub burn_rates: BTreeMap<String, f64>,
}

/// Where the rollout stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RolloutRef {
    /// Rollout id.
    pub id: String,
    /// Service.
    pub service: String,
    /// Version rolled out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Current step (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<u32>,
    /// Canary weight in percent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// A deployment marker for monitoring charts (Grafana annotations,
/// Datadog events).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Marker {
    /// `rollout-started`, `step-started`, `promoted`, `held`, `rolled-back`.
    pub kind: String,
    /// When.
    pub at: Timestamp,
    /// Rollout id.
    pub rollout: String,
    /// Service.
    pub service: String,
    /// Version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Step, when the marker is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<u32>,
    /// One line for the chart.
    pub text: String,
}

/// The result of `assess`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Assessment {
    /// Always [`ASSESSMENT_SCHEMA`].
    pub schema: String,
    /// What to do next.
    pub verdict: RolloutVerdict,
    /// Why, in one line.
    pub reason: String,
    /// The rollout and where it stands.
    pub rollout: RolloutRef,
    /// The evaluation time (from the facts).
    pub now: Timestamp,
    /// Counts by outcome.
    pub summary: AssessSummary,
    /// Every rule's result, in policy order.
    pub findings: Vec<AssessFinding>,
    /// Error budgets of the SLOs given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub budgets: Vec<Budget>,
    /// Deployment markers.
    pub markers: Vec<Marker>,
    /// The policies that assessed.
    pub bundle: BundleInfo,
    /// `sha256:…` of the canonical facts.
    pub facts_digest: String,
    /// The engine.
    pub engine: EngineInfo,
}

impl Assessment {
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

    /// Compact JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Indented JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The assess fold: any `rollback` ⇒ rollback; else any `hold` (including
/// missing data and errors) ⇒ hold; else promote when at least one
/// promotion criterion or analysis applied, all of them passed and no
/// trigger (other than an alert-only one) is breaching; else continue.
/// Without evidence it never promotes.
pub(crate) fn fold(findings: &[AssessFinding]) -> RolloutVerdict {
    if findings.iter().any(|f| f.action == Some(Action::Rollback)) {
        return RolloutVerdict::Rollback;
    }
    if findings.iter().any(|f| f.action == Some(Action::Hold)) {
        return RolloutVerdict::Hold;
    }
    let gating = |f: &&AssessFinding| {
        matches!(f.kind, AssessRuleKind::Promotion | AssessRuleKind::Analysis)
            && f.outcome != Outcome::Skipped
    };
    let evidence = findings.iter().filter(gating).count();
    let all_met = findings
        .iter()
        .filter(gating)
        .all(|f| f.outcome == Outcome::Pass);
    // A trigger breaching, not yet tripped, withholds a promote, unless
    // tripping would only alert.
    let breaching = findings.iter().any(|f| {
        f.kind == AssessRuleKind::Trigger
            && f.outcome == Outcome::Warn
            && f.effect != Some(Action::Alert)
    });
    if evidence > 0 && all_met && !breaching {
        RolloutVerdict::Promote
    } else {
        RolloutVerdict::Continue
    }
}
