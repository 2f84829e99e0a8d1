//! Scoring a quality gate, as Keptn's lighthouse service does
//! (`evaluateObjectives`, `calculateScore`): an objective passes when any
//! of its `pass` sets holds (every criterion of the set), earning its
//! weight; otherwise it warns when any `warning` set holds, earning half
//! its weight; otherwise it fails, earning 0. Objectives without `pass`
//! are informational. The score is the percentage of the weights of the
//! scored objectives; at or above `totalScore.pass` passes, at or above
//! `totalScore.warning` warns, below fails; a failed `keySli` fails the
//! gate whatever the score.
//!
//! Where Keptn passes silently, this fails closed: an SLI missing from the
//! facts, or a relative criterion without a usable previous value (Keptn
//! passes it), leaves its objective undetermined. The gate is then decided
//! only if it comes out the same with every undetermined objective passed
//! and with every one failed; otherwise it is `no-data` and holds.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::compile::{Aggregate, CompiledQualityGate, IncludeResults};
use super::criteria::Criterion;
use crate::assess::assessment::AssessFinding;
use crate::model::{EvaluationResult, RolloutFacts};
use crate::stats::fmt_number;
use crate::stats::percentile::{keptn_percentile, mean};
use crate::vocab::{Action, Outcome};

/// The result of a quality gate (the finding's `qualityGate`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct QualityGateResult {
    /// `pass`, `warning`, `fail`, or `no-data` when undetermined.
    pub(crate) result: GateResult,
    /// Achieved score in percent of the achievable one (undetermined
    /// objectives earn nothing).
    pub(crate) score: f64,
    /// The pass score, in percent.
    pub(crate) pass_score: f64,
    /// The warning score, in percent, when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) warning_score: Option<f64>,
    /// Whether a key SLI failed.
    pub(crate) key_sli_failed: bool,
    /// How many previous evaluations relative criteria compared against.
    pub(crate) compared_evaluations: usize,
    /// Every objective, in the rule's order.
    pub(crate) objectives: Vec<ObjectiveResult>,
}

/// The overall result of a quality gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum GateResult {
    /// Passed: may promote.
    Pass,
    /// Warning: holds.
    Warning,
    /// Failed: the gate's `onFail`.
    Fail,
    /// Undetermined (missing SLI or reference): holds.
    NoData,
}

/// The status of one objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ObjectiveStatus {
    /// A pass set holds.
    Pass,
    /// No pass set, a warning set holds.
    Warning,
    /// Neither holds (or the SLI is an error).
    Fail,
    /// No pass criteria: reported, not scored.
    Info,
    /// Undetermined: the SLI is missing, or a relative criterion has no
    /// reference.
    NoData,
}

/// One objective's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObjectiveResult {
    /// The SLI.
    pub(crate) sli: String,
    /// The name in reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) display_name: Option<String>,
    /// The SLI's value, when measured.
    pub(crate) value: Option<f64>,
    /// Why the SLI was not measured, when the facts say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    /// The aggregated previous value relative criteria compare against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reference: Option<f64>,
    /// The status.
    pub(crate) status: ObjectiveStatus,
    /// Score earned: the weight, half of it, or 0.
    pub(crate) score: f64,
    /// The weight.
    pub(crate) weight: u32,
    /// Whether it is a key SLI.
    pub(crate) key_sli: bool,
    /// Every pass criterion with its computed target.
    pub(crate) pass_targets: Vec<Target>,
    /// Every warning criterion with its computed target (evaluated when
    /// the objective did not pass).
    pub(crate) warning_targets: Vec<Target>,
}

/// One criterion, with the threshold it computed to and whether the SLI
/// violated it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// As written (`<=+10%`).
    pub(crate) criteria: String,
    /// The threshold it compares with; `null` for a relative criterion
    /// without a reference.
    pub(crate) target_value: Option<f64>,
    /// Whether the SLI violates it; `null` when undetermined.
    pub(crate) violated: Option<bool>,
}

/// The reference values of an SLI: its successful values in the latest
/// `n` usable previous evaluations.
fn references(facts: &RolloutFacts, gate: &CompiledQualityGate) -> Vec<usize> {
    let usable = |r: EvaluationResult| match gate.rule.comparison.include_result_with_score {
        IncludeResults::Pass => r == EvaluationResult::Pass,
        IncludeResults::PassOrWarn => r != EvaluationResult::Fail,
    };
    let n = gate.rule.comparison.number_of_comparison_results as usize;
    let mut picked: Vec<usize> = facts
        .previous_evaluations
        .iter()
        .enumerate()
        .rev()
        .filter(|(_, e)| usable(e.result))
        .map(|(i, _)| i)
        .take(n)
        .collect();
    picked.reverse();
    picked
}

/// Three-valued AND / OR over criteria: `Some(true)` met, `Some(false)`
/// not met, `None` undetermined.
fn all(v: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut unknown = false;
    for x in v {
        match x {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    (!unknown).then_some(true)
}

fn any(v: impl Iterator<Item = Option<bool>>) -> Option<bool> {
    let mut unknown = false;
    for x in v {
        match x {
            Some(true) => return Some(true),
            None => unknown = true,
            Some(false) => {}
        }
    }
    (!unknown).then_some(false)
}

/// Evaluate criteria sets: whether any set holds, and every target.
fn sets(
    sets: &[Vec<Criterion>],
    value: Option<f64>,
    errored: bool,
    reference: Option<f64>,
    targets: &mut Vec<Target>,
) -> Option<bool> {
    let results: Vec<Option<bool>> = sets
        .iter()
        .map(|set| {
            let per: Vec<Option<bool>> = set
                .iter()
                .map(|c| {
                    let target_value = c.target(reference);
                    // An SLI that errored violates every criterion (Keptn:
                    // "cannot evaluate invalid SLI result").
                    let met = if errored {
                        Some(false)
                    } else {
                        match (value, target_value) {
                            (Some(v), Some(t)) => Some(c.holds(v, t)),
                            _ => None,
                        }
                    };
                    targets.push(Target {
                        criteria: c.text.clone(),
                        target_value,
                        violated: met.map(|m| !m),
                    });
                    met
                })
                .collect();
            all(per.into_iter())
        })
        .collect();
    any(results.into_iter())
}

/// The gate's result from its objectives, `unknown_as` deciding what an
/// undetermined objective counts as.
fn decide(
    gate: &CompiledQualityGate,
    objectives: &[ObjectiveResult],
    unknown_as: ObjectiveStatus,
) -> (GateResult, f64, bool) {
    let mut total = 0.0;
    let mut max = 0.0;
    let mut key_failed = false;
    for o in objectives {
        let status = if o.status == ObjectiveStatus::NoData {
            unknown_as
        } else {
            o.status
        };
        let w = f64::from(o.weight);
        if status != ObjectiveStatus::Info {
            max += w;
        }
        match status {
            ObjectiveStatus::Pass => total += w,
            ObjectiveStatus::Warning => total += 0.5 * w,
            ObjectiveStatus::Fail => key_failed |= o.key_sli,
            _ => {}
        }
    }
    // Load refuses a gate without a scored objective, so `max` > 0.
    let score = if max > 0.0 { 100.0 * total / max } else { 0.0 };
    let result = if key_failed {
        GateResult::Fail
    } else if score >= gate.pass_score {
        GateResult::Pass
    } else if gate.warning_score.is_some_and(|w| score >= w) {
        GateResult::Warning
    } else {
        GateResult::Fail
    };
    (result, score, key_failed)
}

/// Evaluate a quality gate into its finding.
pub(crate) fn evaluate(gate: &CompiledQualityGate, facts: &RolloutFacts, f: &mut AssessFinding) {
    let picked = references(facts, gate);
    let mut objectives = Vec::new();
    for (ob, compiled) in gate.rule.objectives.iter().zip(&gate.objectives) {
        let sli = facts.slis.get(&ob.sli);
        let value = sli.and_then(|s| s.value);
        let error = sli.and_then(|s| s.error.clone());
        let previous: Vec<f64> = picked
            .iter()
            .filter_map(|i| facts.previous_evaluations.get(*i))
            .filter_map(|e| e.slis.get(&ob.sli).and_then(|s| s.value))
            .collect();
        let reference = match gate.aggregate {
            Aggregate::Avg => mean(&previous),
            Aggregate::Percentile(p) => keptn_percentile(&previous, p),
        };
        let errored = error.is_some();
        let mut pass_targets = Vec::new();
        let mut warning_targets = Vec::new();
        let status = if compiled.pass.is_empty() {
            ObjectiveStatus::Info
        } else {
            let passed = sets(&compiled.pass, value, errored, reference, &mut pass_targets);
            if passed == Some(true) {
                ObjectiveStatus::Pass
            } else {
                let warned = if compiled.warning.is_empty() {
                    Some(false)
                } else {
                    sets(
                        &compiled.warning,
                        value,
                        errored,
                        reference,
                        &mut warning_targets,
                    )
                };
                match (passed, warned) {
                    (Some(false), Some(true)) => ObjectiveStatus::Warning,
                    (Some(false), Some(false)) => ObjectiveStatus::Fail,
                    _ => ObjectiveStatus::NoData,
                }
            }
        };
        let w = f64::from(ob.weight);
        objectives.push(ObjectiveResult {
            sli: ob.sli.clone(),
            display_name: ob.display_name.clone(),
            value,
            error,
            reference: (!previous.is_empty()).then_some(reference).flatten(),
            status,
            score: match status {
                ObjectiveStatus::Pass => w,
                ObjectiveStatus::Warning => 0.5 * w,
                _ => 0.0,
            },
            weight: ob.weight,
            key_sli: ob.key_sli,
            pass_targets,
            warning_targets,
        });
    }
    let (best, _, _) = decide(gate, &objectives, ObjectiveStatus::Pass);
    let (worst, score, _) = decide(gate, &objectives, ObjectiveStatus::Fail);
    let result = if best == worst {
        worst
    } else {
        GateResult::NoData
    };
    let undetermined: Vec<&str> = objectives
        .iter()
        .filter(|o| o.status == ObjectiveStatus::NoData)
        .map(|o| o.sli.as_str())
        .collect();
    let failed_keys: Vec<&str> = objectives
        .iter()
        .filter(|o| o.key_sli && o.status == ObjectiveStatus::Fail)
        .map(|o| o.sli.as_str())
        .collect();
    let shown = format!("score {}%", fmt_number(score));
    f.subject = Some(
        gate.rule
            .objectives
            .iter()
            .map(|o| o.sli.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    f.threshold = Some(match gate.warning_score {
        Some(w) => format!(
            "score ≥ {}% passes, ≥ {}% warns",
            fmt_number(gate.pass_score),
            fmt_number(w)
        ),
        None => format!("score ≥ {}% passes", fmt_number(gate.pass_score)),
    });
    f.observed
        .insert("score".into(), crate::expr::bind::json_number(score));
    match result {
        GateResult::Pass => {
            f.message = format!("quality gate passed: {shown}");
            f.flip = Some(format!(
                "fails below {}% or on a failed key SLI",
                fmt_number(gate.pass_score)
            ));
        }
        GateResult::Warning => {
            f.outcome = Outcome::Warn;
            f.action = Some(Action::Hold);
            f.message = format!("quality gate warning: {shown}, under the pass score: holding");
            f.flip = Some(format!("passes at {}%", fmt_number(gate.pass_score)));
        }
        GateResult::Fail => {
            f.outcome = Outcome::Fail;
            f.action = Some(gate.rule.on_fail);
            f.message = if failed_keys.is_empty() {
                format!("quality gate failed: {shown}")
            } else {
                format!(
                    "quality gate failed: key SLI {} failed ({shown})",
                    failed_keys
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
        }
        GateResult::NoData => {
            f.outcome = Outcome::NoData;
            f.action = Some(Action::Hold);
            f.message = format!(
                "quality gate undetermined: no value or no previous evaluation to compare for {}: holding (missing data is never a pass)",
                undetermined
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    f.quality_gate = Some(QualityGateResult {
        result,
        score,
        pass_score: gate.pass_score,
        warning_score: gate.warning_score,
        key_sli_failed: !failed_keys.is_empty(),
        compared_evaluations: picked.len(),
        objectives,
    });
}
