//! The assess fold: the findings into `promote`, `continue`, `hold` or
//! `rollback`, and the counts by outcome, with dry-run findings counted
//! apart and never acting.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::assessment::{AssessFinding, AssessRuleKind, AssessSummary};
use super::measure::MeasurementPhase;
use crate::vocab::{Action, Outcome, RolloutVerdict};

/// The dry-run findings of an assessment, counted apart from the others
/// (Argo Rollouts' `dryRunSummary`): what they found and what they would
/// have done.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DryRunSummary {
    /// Dry-run findings.
    pub(crate) count: usize,
    /// Passed.
    pub(crate) pass: usize,
    /// Tripped.
    pub(crate) fail: usize,
    /// Breaching, inconclusive or running.
    pub(crate) warn: usize,
    /// No data.
    pub(crate) no_data: usize,
    /// Could not be evaluated.
    pub(crate) error: usize,
    /// Rules that would have rolled back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) would_roll_back: Vec<String>,
    /// Rules that would have held.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) would_hold: Vec<String>,
}

impl DryRunSummary {
    /// Dry-run findings.
    pub fn count(&self) -> usize {
        self.count
    }

    /// Passed.
    pub fn pass(&self) -> usize {
        self.pass
    }

    /// Tripped.
    pub fn fail(&self) -> usize {
        self.fail
    }

    /// Breaching, inconclusive or running.
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

    /// Rules that would have rolled back.
    pub fn would_roll_back(&self) -> &[String] {
        &self.would_roll_back
    }

    /// Rules that would have held.
    pub fn would_hold(&self) -> &[String] {
        &self.would_hold
    }
}

/// Make `f` a dry run: it keeps its outcome, loses its action, and what
/// the action would have been goes to `dry`.
pub(super) fn dry_run(f: &mut AssessFinding, dry: &mut DryRunSummary) {
    f.dry_run = true;
    match f.action.take() {
        Some(Action::Rollback) => dry.would_roll_back.push(f.rule.clone()),
        Some(Action::Hold) => dry.would_hold.push(f.rule.clone()),
        _ => {}
    }
}

/// Counts by outcome; dry-run findings go to `dry`.
pub(super) fn summary(findings: &[AssessFinding], mut dry: DryRunSummary) -> AssessSummary {
    let mut s = AssessSummary::default();
    for f in findings {
        if f.dry_run {
            dry.count += 1;
            match f.outcome {
                Outcome::Pass => dry.pass += 1,
                Outcome::Fail => dry.fail += 1,
                Outcome::Warn => dry.warn += 1,
                Outcome::NoData => dry.no_data += 1,
                Outcome::Error => dry.error += 1,
                Outcome::Skipped | Outcome::Waived => {}
            }
            continue;
        }
        match f.outcome {
            Outcome::Pass => s.pass += 1,
            Outcome::Fail => s.fail += 1,
            Outcome::Warn => s.warn += 1,
            Outcome::NoData => s.no_data += 1,
            Outcome::Error => s.error += 1,
            Outcome::Skipped | Outcome::Waived => s.skipped += 1,
        }
    }
    s.dry_run = (dry.count > 0).then_some(dry);
    s
}

/// Whether a finding is promotion evidence: a promotion criterion, an
/// analysis, a quality gate, or a trigger that completes (`count`,
/// `consecutiveSuccessLimit`); never a dry run.
pub(super) fn gating(f: &AssessFinding) -> bool {
    let kind = match f.kind {
        AssessRuleKind::Promotion | AssessRuleKind::Analysis | AssessRuleKind::QualityGate => true,
        AssessRuleKind::Trigger => f.measurements.as_ref().is_some_and(|m| m.completes()),
        AssessRuleKind::BurnRate => false,
    };
    kind && !f.dry_run && f.outcome != Outcome::Skipped
}

/// Whether a gating finding is met: passed, and for a completing trigger,
/// complete and successful.
pub(super) fn met(f: &AssessFinding) -> bool {
    f.outcome == Outcome::Pass
        && (f.kind != AssessRuleKind::Trigger
            || f.measurements
                .as_ref()
                .is_some_and(|m| m.phase() == MeasurementPhase::Successful))
}

/// The assess fold: any `rollback` ⇒ rollback; else any `hold` (including
/// missing data, errors, an inconclusive analysis and a quality gate's
/// warning) ⇒ hold; else promote when at least one piece of promotion
/// evidence (a promotion criterion, an analysis, a quality gate, a
/// completing trigger) applied, all of them are met and no trigger (other
/// than an alert-only one) is breaching; else continue. Dry-run findings
/// never count. Without evidence it never promotes.
pub(crate) fn fold(findings: &[AssessFinding]) -> RolloutVerdict {
    if findings.iter().any(|f| f.action == Some(Action::Rollback)) {
        return RolloutVerdict::Rollback;
    }
    if findings.iter().any(|f| f.action == Some(Action::Hold)) {
        return RolloutVerdict::Hold;
    }
    let evidence = findings.iter().filter(|f| gating(f)).count();
    let all_met = findings.iter().filter(|f| gating(f)).all(met);
    // A trigger breaching, not yet tripped, withholds a promote, unless
    // tripping would only alert.
    let breaching = findings.iter().any(|f| {
        f.kind == AssessRuleKind::Trigger
            && !f.dry_run
            && f.outcome == Outcome::Warn
            && f.effect != Some(Action::Alert)
    });
    if evidence > 0 && all_met && !breaching {
        RolloutVerdict::Promote
    } else {
        RolloutVerdict::Continue
    }
}
