//! Argo Rollouts' measurement semantics on a metric trigger: each sample in
//! the trigger's window is one measurement, `successful`, `failed` (it
//! breaches the trigger), `inconclusive` (it crosses only the trigger's
//! `inconclusive` band) or an `error` (the facts mark it with `error`
//! instead of a value). From their tally come the analysis phase:
//!
//! - more than `consecutiveErrorLimit` errors in a row, the latest ones,
//!   is `error`: the trigger trips (its action, `rollback` by default);
//! - more than `inconclusiveLimit` inconclusive measurements is
//!   `inconclusive`: hold, a human decides;
//! - with `consecutiveSuccessLimit: N`, the latest N measurements all
//!   successful is `successful`; with `count: N`, N measurements is
//!   `successful` (or `inconclusive` when a `consecutiveSuccessLimit` was
//!   not reached by then); before that the analysis is `running`.
//!
//! The phase is reported in the finding's `measurements`; a `successful`
//! completing trigger is promotion evidence.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::assessment::AssessFinding;
use super::compile::{Threshold, Trigger};
use super::metrics::crosses;
use super::series::TriggerState;
use crate::model::{Sample, Timestamp};
use crate::stats::fmt_number;
use crate::vocab::{Action, Outcome};

/// What one measurement showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Measured {
    /// Within every limit.
    Successful,
    /// Breaches the trigger.
    Failed,
    /// Crosses only the inconclusive band.
    Inconclusive,
    /// Marked as an error in the facts.
    Error,
}

/// The phase of a trigger's analysis, as Argo Rollouts names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MeasurementPhase {
    /// Not complete yet (or never completing: a trigger without `count`
    /// or `consecutiveSuccessLimit`).
    Running,
    /// Complete and successful: promotion evidence.
    Successful,
    /// Tripped by failed measurements.
    Failed,
    /// Too many inconclusive measurements, or `count` reached without the
    /// success streak: a human decides.
    Inconclusive,
    /// Too many measurement errors in a row.
    Error,
}

/// The measurements of a trigger's window, counted (the finding's
/// `measurements`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Measurements {
    /// The analysis phase.
    pub(crate) phase: MeasurementPhase,
    /// Measurements in the window (errors included).
    pub(crate) count: usize,
    /// Successful measurements.
    pub(crate) successful: usize,
    /// Failed (breaching) measurements.
    pub(crate) failed: usize,
    /// Inconclusive measurements.
    pub(crate) inconclusive: usize,
    /// Measurement errors.
    pub(crate) error: usize,
    /// Errors in a row, the latest ones.
    pub(crate) consecutive_errors: usize,
    /// Successful measurements in a row, the latest ones.
    pub(crate) consecutive_successes: usize,
    /// The trigger's `count`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expected_count: Option<u32>,
    /// The trigger's `consecutiveSuccessLimit`, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) consecutive_success_limit: Option<u32>,
}

impl Measurements {
    /// Tally measurements, oldest first.
    pub(crate) fn tally(
        kinds: &[Measured],
        count: Option<u32>,
        consecutive_success_limit: Option<u32>,
    ) -> Measurements {
        let n = |k: Measured| kinds.iter().filter(|m| **m == k).count();
        let streak = |k: Measured| kinds.iter().rev().take_while(|m| **m == k).count();
        Measurements {
            phase: MeasurementPhase::Running,
            count: kinds.len(),
            successful: n(Measured::Successful),
            failed: n(Measured::Failed),
            inconclusive: n(Measured::Inconclusive),
            error: n(Measured::Error),
            consecutive_errors: streak(Measured::Error),
            consecutive_successes: streak(Measured::Successful),
            expected_count: count,
            consecutive_success_limit,
        }
    }

    /// Whether the trigger completes (`count` or `consecutiveSuccessLimit`)
    /// and so gates a promote.
    pub(crate) fn completes(&self) -> bool {
        self.expected_count.is_some() || self.consecutive_success_limit.is_some()
    }

    /// The phase of a completing trigger that neither tripped, nor errored,
    /// nor went over its inconclusive limit.
    pub(crate) fn completion(&self) -> MeasurementPhase {
        if let Some(n) = self.consecutive_success_limit {
            if self.consecutive_successes >= n as usize {
                return MeasurementPhase::Successful;
            }
        }
        match self.expected_count {
            Some(c) if self.count >= c as usize => {
                if self.consecutive_success_limit.is_some() {
                    MeasurementPhase::Inconclusive
                } else {
                    MeasurementPhase::Successful
                }
            }
            _ => MeasurementPhase::Running,
        }
    }

    /// The analysis phase.
    pub(crate) fn phase(&self) -> MeasurementPhase {
        self.phase
    }

    /// Errors in a row, the latest ones.
    pub(crate) fn consecutive_errors(&self) -> usize {
        self.consecutive_errors
    }
}

/// The measurements after `from`, oldest first: `Some(value)`, or `None`
/// for an error; gaps dropped; of equal timestamps the last one written.
pub(crate) fn measurements(samples: &[Sample], from: Timestamp) -> Vec<(Timestamp, Option<f64>)> {
    let mut out: Vec<(Timestamp, Option<f64>, bool)> = Vec::with_capacity(samples.len());
    for s in samples {
        if out.last().is_some_and(|(at, _, _)| *at == s.at) {
            out.pop();
        }
        out.push((s.at, s.value, s.error.is_some()));
    }
    out.into_iter()
        .filter(|(at, v, err)| *at > from && (v.is_some() || *err))
        .map(|(at, v, _)| (at, v))
        .collect()
}

/// The latest error message of a series in the window, for messages.
pub(crate) fn latest_error(samples: &[Sample], from: Timestamp) -> Option<&str> {
    samples
        .iter()
        .rev()
        .take_while(|s| s.at > from)
        .find_map(|s| s.error.as_deref())
}

/// The measurements of a metric trigger's window, when the trigger uses
/// them (an `inconclusive` band, `count`, `consecutiveSuccessLimit`) or the
/// window holds a measurement error; `judged` are the window's values, each
/// with whether it breaches.
pub(super) fn tally(
    rule: &Trigger,
    samples: &[Sample],
    from: Timestamp,
    judged: &[(Timestamp, bool)],
    baseline: Option<f64>,
) -> Option<Measurements> {
    // A plain trigger over a window without errors reads as before, at no
    // extra cost.
    let uses = rule.inconclusive.is_some() || rule.completes();
    if !uses && !samples.iter().any(|s| s.error.is_some() && s.at > from) {
        return None;
    }
    let measured = measurements(samples, from);
    let band = rule.inconclusive_threshold();
    let mut breaches = judged.iter().map(|(_, b)| *b);
    let kinds: Vec<Measured> = measured
        .iter()
        .map(|(_, v)| match v {
            None => Measured::Error,
            Some(v) => {
                if breaches.next().unwrap_or(false) {
                    Measured::Failed
                } else if band.is_some_and(|b| crosses(&b, *v, baseline)) {
                    Measured::Inconclusive
                } else {
                    Measured::Successful
                }
            }
        })
        .collect();
    Some(Measurements::tally(
        &kinds,
        rule.count,
        rule.consecutive_success_limit,
    ))
}

/// More measurement errors in a row than `consecutiveErrorLimit`: the
/// trigger trips instead of holding forever.
pub(super) fn error_streak(
    f: &mut AssessFinding,
    rule: &Trigger,
    mut m: Measurements,
    latest: Option<&str>,
) {
    f.outcome = Outcome::Fail;
    f.action = Some(rule.action);
    let what = format!(
        "{} measurement errors in a row, more than the {} tolerated (`consecutiveErrorLimit`){}",
        m.consecutive_errors,
        rule.consecutive_error_limit,
        latest.map_or(String::new(), |e| format!("; latest: {e}"))
    );
    f.message = match &rule.message {
        Some(msg) => format!("{msg}: {what}"),
        None => what,
    };
    f.flip = Some("clears when a measurement succeeds again".into());
    m.phase = MeasurementPhase::Error;
    f.measurements = Some(m);
}

/// Fold the measurements into the finding the trigger's limits gave
/// (`state`): the phase, an inconclusive hold, completion as promotion
/// evidence.
pub(super) fn conclude(
    f: &mut AssessFinding,
    rule: &Trigger,
    mut m: Measurements,
    state: TriggerState,
) {
    let band = rule
        .inconclusive_threshold()
        .map(|b| inconclusive_words(rule, &b))
        .unwrap_or_default();
    m.phase = match state {
        TriggerState::Tripped(_) => MeasurementPhase::Failed,
        TriggerState::NoData { .. } => MeasurementPhase::Running,
        TriggerState::Clear { .. } | TriggerState::Breaching(_)
            if m.inconclusive > rule.inconclusive_limit as usize =>
        {
            f.outcome = Outcome::Warn;
            f.action = Some(Action::Hold);
            f.message = format!(
                "{} of {} measurements inconclusive ({band}), {} tolerated: holding for a human to decide",
                m.inconclusive, m.count, rule.inconclusive_limit
            );
            f.flip = Some(
                "a human decides: promote or roll back by hand (an inconclusive analysis never acts on its own)"
                    .into(),
            );
            MeasurementPhase::Inconclusive
        }
        TriggerState::Clear { .. } | TriggerState::Breaching(_) if m.completes() => {
            let latest_clear = match state {
                TriggerState::Breaching(b) => rule.for_.is_none() || !b.latest,
                _ => true,
            };
            match m.completion() {
                MeasurementPhase::Successful if latest_clear => {
                    f.outcome = Outcome::Pass;
                    f.message = format!(
                        "analysis complete: {} successful of {} measurements ({} in a row)",
                        m.successful, m.count, m.consecutive_successes
                    );
                    f.flip = Some(format!("stops promoting if `{}` trips", rule.id));
                    MeasurementPhase::Successful
                }
                MeasurementPhase::Inconclusive => {
                    f.outcome = Outcome::Warn;
                    f.action = Some(Action::Hold);
                    f.message = format!(
                        "{} measurements taken without {} successful in a row: inconclusive, holding for a human to decide",
                        m.count,
                        m.consecutive_success_limit.unwrap_or(0)
                    );
                    f.flip = Some("a human decides: promote or roll back by hand".into());
                    MeasurementPhase::Inconclusive
                }
                _ => {
                    // A breaching trigger keeps what would trip it.
                    f.flip = Some(match (&state, f.flip.take()) {
                        (TriggerState::Breaching(_), Some(trip)) => {
                            format!("{trip}; {}", running_words(&m))
                        }
                        _ => running_words(&m),
                    });
                    MeasurementPhase::Running
                }
            }
        }
        _ => MeasurementPhase::Running,
    };
    f.measurements = Some(m);
}

/// What completes a running analysis, in words.
fn running_words(m: &Measurements) -> String {
    let mut parts = Vec::new();
    if let Some(n) = m.consecutive_success_limit {
        let more = (n as usize).saturating_sub(m.consecutive_successes);
        parts.push(format!(
            "succeeds after {more} more successful measurement{} in a row",
            if more == 1 { "" } else { "s" }
        ));
    }
    if let Some(c) = m.expected_count {
        let more = (c as usize).saturating_sub(m.count);
        parts.push(format!(
            "completes after {more} more measurement{}",
            if more == 1 { "" } else { "s" }
        ));
    }
    parts.join("; ")
}

/// The inconclusive band in words (`error-rate > 0.01`).
fn inconclusive_words(rule: &Trigger, band: &Threshold) -> String {
    let name = rule.metric.as_deref().unwrap_or("value");
    let mut parts = Vec::new();
    let rel = if band.compare.is_some() {
        "baseline + "
    } else {
        ""
    };
    if let Some(a) = band.above {
        parts.push(format!("{name} > {rel}{}", fmt_number(a)));
    }
    if let Some(b) = band.below {
        parts.push(format!("{name} < {rel}{}", fmt_number(b)));
    }
    if let Some(a) = band.above_percent {
        parts.push(format!("{name} > baseline + {}%", fmt_number(a)));
    }
    if let Some(b) = band.below_percent {
        parts.push(format!("{name} < baseline - {}%", fmt_number(b)));
    }
    format!("`{}`", parts.join(" or "))
}

#[cfg(test)]
mod tests {
    use super::Measured::{Error as E, Failed as F, Inconclusive as I, Successful as S};
    use super::*;

    #[test]
    fn streaks_count_from_the_latest_measurement() {
        let m = Measurements::tally(&[E, S, E, E], None, None);
        assert_eq!((m.error, m.consecutive_errors), (3, 2));
        assert_eq!(m.consecutive_successes, 0);
        let m = Measurements::tally(&[F, I, S, S], None, None);
        assert_eq!(
            (m.failed, m.inconclusive, m.consecutive_successes),
            (1, 1, 2)
        );
        let m = Measurements::tally(&[], None, None);
        assert_eq!((m.count, m.consecutive_errors), (0, 0));
    }

    #[test]
    fn count_completes_exactly_at_n_measurements() {
        let m = Measurements::tally(&[S, S], Some(3), None);
        assert_eq!(m.completion(), MeasurementPhase::Running);
        let m = Measurements::tally(&[S, E, S], Some(3), None);
        assert_eq!(m.completion(), MeasurementPhase::Successful);
    }

    #[test]
    fn one_consecutive_success_is_writable_and_enough() {
        let m = Measurements::tally(&[F, S], None, Some(1));
        assert_eq!(m.completion(), MeasurementPhase::Successful);
        let m = Measurements::tally(&[S, F], None, Some(1));
        assert_eq!(m.completion(), MeasurementPhase::Running);
    }

    #[test]
    fn count_reached_without_the_success_streak_is_inconclusive() {
        let m = Measurements::tally(&[S, S, I], Some(3), Some(2));
        assert_eq!(m.completion(), MeasurementPhase::Inconclusive);
        let m = Measurements::tally(&[S, I, S, S], Some(3), Some(2));
        assert_eq!(m.completion(), MeasurementPhase::Successful);
    }
}
