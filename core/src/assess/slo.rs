//! The statistical rules of `assess`: the canary analysis (the judge over
//! canary and baseline samples) and SLO burn-rate alerts, and the error
//! budgets the assessment reports.

use super::assessment::{AssessFinding, Budget};
use super::compile::{CompiledAnalysis, CompiledBurnRate};
use super::evaluate::Assess;
use super::series;
use crate::expr::bind::json_number;
use crate::model::{Duration, RolloutFacts};
use crate::stats::fmt_number;
use crate::stats::judge::{self, Classification, JudgeOutcome, MetricInput};
use crate::stats::slo;
use crate::vocab::{Action, Outcome};

impl Assess<'_> {
    pub(super) fn analysis(&self, compiled: &CompiledAnalysis, f: &mut AssessFinding) {
        let a = &compiled.rule;
        let from = a.window.map(|w| self.now - w.as_chrono());
        type Pair = (Vec<Option<f64>>, Vec<Option<f64>>);
        let series: Vec<Pair> = a
            .metrics
            .iter()
            .map(|m| match self.facts.metric(&m.metric) {
                Some(metric) => (
                    series::values_since(&metric.canary, from),
                    series::values_since(&metric.baseline, from),
                ),
                None => (Vec::new(), Vec::new()),
            })
            .collect();
        let inputs: Vec<MetricInput<'_>> = compiled
            .metrics
            .iter()
            .zip(&series)
            .map(|(config, (canary, baseline))| MetricInput {
                config,
                canary,
                baseline,
            })
            .collect();
        let result = judge::judge(&compiled.judge, &inputs);
        f.subject = Some(
            a.metrics
                .iter()
                .map(|m| m.metric.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
        f.threshold = Some(format!(
            "score ≥ {} passes, ≥ {} is marginal",
            fmt_number(a.thresholds.pass),
            fmt_number(a.thresholds.marginal)
        ));
        f.observed.insert("score".into(), json_number(result.score));
        let score = fmt_number(result.score);
        match result.outcome {
            JudgeOutcome::Pass => {
                f.message = format!("canary judged healthy: score {score}");
            }
            JudgeOutcome::Marginal => {
                f.outcome = Outcome::Warn;
                f.action = Some(Action::Hold);
                f.message = format!("marginal canary score {score}: {}", result.reason);
                f.flip = Some(format!(
                    "passes at a score of {}",
                    fmt_number(a.thresholds.pass)
                ));
            }
            // Kayenta fails a must-have metric without data; a rollout is
            // never rolled back for missing data alone: that holds.
            JudgeOutcome::Fail
                if !result.metrics.iter().any(|m| {
                    matches!(m.classification, Classification::High | Classification::Low)
                }) =>
            {
                f.outcome = Outcome::NoData;
                f.action = Some(Action::Hold);
                f.message = format!(
                    "no data for a metric the canary judge must have: {}",
                    result.reason
                );
            }
            JudgeOutcome::Fail => {
                f.outcome = Outcome::Fail;
                f.action = Some(a.on_fail);
                f.message = format!("canary judged unhealthy: score {score}: {}", result.reason);
                f.flip = Some(format!(
                    "passes at a score of {}",
                    fmt_number(a.thresholds.pass)
                ));
            }
            JudgeOutcome::NoData => {
                f.outcome = Outcome::NoData;
                f.action = Some(Action::Hold);
                f.message = format!("no data to judge the canary: {}", result.reason);
            }
        }
        f.judge = Some(result);
    }

    pub(super) fn burn_rate(&self, compiled: &CompiledBurnRate, f: &mut AssessFinding) {
        let b = &compiled.rule;
        f.subject = Some(b.slo.clone());
        let Some(s) = self.facts.slos.get(&b.slo) else {
            f.outcome = Outcome::NoData;
            f.action = Some(Action::Hold);
            f.message = format!("SLO `{}` is not in the facts", b.slo);
            return;
        };
        let ratios = slo_ratios(s);
        let ratio = |d: Duration| ratios.iter().find(|(w, _)| *w == d).map(|(_, r)| *r);
        let rate = |d: Duration| ratio(d).and_then(|r| slo::burn_rate(r, s.objective));
        let mut fired: Vec<(Action, String)> = Vec::new();
        // Windows without an error ratio, with the action of the alert
        // that needed them.
        let mut missing: Vec<(String, Action)> = Vec::new();
        let mut lines: Vec<String> = Vec::new();
        for a in &b.alerts {
            let (long, short) = (a.long, a.short_window());
            for (w, r) in [(long, rate(long)), (short, rate(short))] {
                match r {
                    Some(r) => {
                        f.observed.insert(format!("burnRate.{w}"), json_number(r));
                    }
                    None => missing.push((w.to_string(), a.action)),
                }
            }
            if let (Some(l), Some(sh)) = (rate(long), rate(short)) {
                let text = format!(
                    "{}× over {long} and {}× over {short} ({} at {}×)",
                    fmt_number(l),
                    fmt_number(sh),
                    a.severity,
                    fmt_number(a.factor)
                );
                if l >= a.factor && sh >= a.factor {
                    fired.push((a.action, text));
                } else {
                    lines.push(text);
                }
            }
        }
        missing.sort();
        missing.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
        // Missing data holds, unless the alerts that needed it only alert.
        let hold_missing = missing.iter().any(|(_, a)| *a >= Action::Hold);
        let mut missing: Vec<String> = missing.into_iter().map(|(w, _)| w).collect();
        missing.dedup();
        f.threshold = Some(
            b.alerts
                .iter()
                .map(|a| {
                    format!(
                        "{}× over {} and {}",
                        fmt_number(a.factor),
                        a.long,
                        a.short_window()
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        );
        if let Some(action) = fired.iter().map(|(a, _)| *a).max() {
            f.outcome = Outcome::Fail;
            f.action = Some(action);
            let texts: Vec<&str> = fired.iter().map(|(_, t)| t.as_str()).collect();
            f.message = format!(
                "SLO `{}` burning its error budget: {}",
                b.slo,
                texts.join("; ")
            );
            f.flip =
                Some("clears when the burn rate of either window drops under the factor".into());
        } else if !missing.is_empty() {
            f.outcome = Outcome::NoData;
            f.action = hold_missing.then_some(Action::Hold);
            f.message = format!(
                "no error ratio of SLO `{}` over {}",
                b.slo,
                missing.join(", ")
            );
        } else {
            f.message = format!(
                "SLO `{}` burn rates under every alert: {}",
                b.slo,
                lines.join("; ")
            );
        }
    }
}

/// Judge each point: does it breach (triggers) or meet (criteria)?
fn slo_ratios(s: &crate::model::SloStatus) -> Vec<(Duration, f64)> {
    s.error_ratio
        .iter()
        .filter_map(|(w, r)| Duration::parse(w).ok().map(|d| (d, *r)))
        .collect()
}

pub(super) fn budgets(facts: &RolloutFacts) -> Vec<Budget> {
    facts
        .slos
        .iter()
        .map(|(name, s)| {
            let ratios = slo_ratios(s);
            let window = s.window.unwrap_or(Duration::from_millis(30 * 86_400_000));
            Budget {
                slo: name.clone(),
                objective: s.objective,
                window: window.to_string(),
                remaining: ratios
                    .iter()
                    .find(|(w, _)| *w == window)
                    .and_then(|(_, r)| slo::budget_remaining(*r, s.objective)),
                burn_rates: ratios
                    .iter()
                    .filter_map(|(w, r)| {
                        slo::burn_rate(*r, s.objective).map(|b| (w.to_string(), b))
                    })
                    .collect(),
            }
        })
        .collect()
}
