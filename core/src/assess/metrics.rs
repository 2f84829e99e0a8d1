//! The metric rules of `assess`: rollback triggers (over a metric, the
//! synthetic journeys, or a condition) and promotion criteria, with the
//! per-sample judgement behind both and the words that explain them.

use serde_json::json;

use super::assessment::AssessFinding;
use super::compile::{Compare, NoDataPolicy, Threshold};
use super::compile::{CompiledPromotion, CompiledTrigger};
use super::evaluate::Assess;
use super::measure;
use super::series::{self, CriterionState, Point, TriggerState};
use crate::expr::bind::{echo, json_number, lookup};
use crate::expr::{Budget, CompiledExpr, Frame, Val};
use crate::model::rfc3339;
use crate::model::{Duration, Sample, Timestamp};
use crate::stats::fmt_number;
use crate::vocab::{Action, Outcome};

impl Assess<'_> {
    pub(super) fn trigger(&self, t: &CompiledTrigger, roots: &[Val<'_>], f: &mut AssessFinding) {
        let rule = &t.rule;
        if let Some(cond) = &t.condition {
            for path in &cond.reads {
                if let Some(v) = lookup(self.json, path) {
                    f.observed
                        .insert(path.join("."), echo(v, self.limits.max_echo_bytes));
                }
            }
            f.threshold = rule.condition.clone();
            let frame = Frame {
                roots,
                vars: &[],
                budget: &self.budget,
            };
            match cond.eval(&frame) {
                Ok(Val::Bool(true)) => {
                    f.outcome = Outcome::Fail;
                    f.action = Some(rule.action);
                    f.message = rule
                        .message
                        .clone()
                        .unwrap_or_else(|| format!("condition of `{}` is true", rule.id));
                    f.flip = Some("passes when the condition is false".into());
                }
                Ok(Val::Bool(false)) => {
                    f.message = "condition is false".into();
                }
                Ok(other) => error(
                    f,
                    format!("condition gave `{}`, not a bool", other.to_json()),
                ),
                Err(e) => error(f, format!("condition could not be evaluated: {e}")),
            }
            return;
        }
        let window = t.window;
        let from = self.now - window.as_chrono();
        let for_ms = rule.for_.map(|d| d.as_millis());
        if let Some(journey) = &rule.synthetic {
            self.synthetic_trigger(t, journey, from, window, for_ms, f);
            return;
        }
        let Some(name) = &rule.metric else {
            return;
        };
        if rule.downstream {
            return self.downstream_trigger(t, name, from, f);
        }
        f.subject = Some(name.clone());
        let th = rule.threshold();
        let unit = self.facts.metric(name).and_then(|m| m.unit.clone());
        f.threshold = Some(describe(
            name,
            &th,
            unit.as_deref(),
            rule.expression.as_deref(),
            true,
        ));
        let Some(metric) = self.facts.metric(name) else {
            return no_data(
                f,
                rule.no_data,
                rule.action,
                format!("metric `{name}` is not in the facts"),
            );
        };
        self.judge_series(t, name, &metric.canary, &metric.baseline, from, f);
    }

    /// A metric trigger over one series: `canary` judged (the samples
    /// after `from`) against `baseline`; the finding's subject and
    /// threshold are set by the caller.
    pub(super) fn judge_series(
        &self,
        t: &CompiledTrigger,
        name: &str,
        canary: &[Sample],
        baseline_samples: &[Sample],
        from: Timestamp,
        f: &mut AssessFinding,
    ) {
        let rule = &t.rule;
        let window = t.window;
        let for_ms = rule.for_.map(|d| d.as_millis());
        let th = rule.threshold();
        let baseline = series::mean(baseline_samples);
        if th.compare == Some(Compare::Baseline) && baseline.is_none() {
            return no_data(
                f,
                rule.no_data,
                rule.action,
                format!(
                    "no baseline samples for `{name}`, which `{}` compares against",
                    rule.id
                ),
            );
        }
        // The window only: the samples after `from`.
        let canary = series::since(canary, from);
        let points: Vec<Point> = series::clean(canary).collect();
        let judged = match judge_points(
            &points,
            &th,
            t.expression.as_ref(),
            baseline,
            true,
            &self.budget,
        ) {
            Ok(j) => j,
            Err(e) => return error(f, e),
        };
        if let Some(b) = baseline {
            f.observed.insert("baseline".into(), json_number(b));
        }
        if let Some(p) = points.last() {
            f.observed.insert("latest".into(), json_number(p.value));
        }
        f.observed.insert("samples".into(), json!(points.len()));
        f.observed
            .insert("window".into(), json!(window.to_string()));
        let limit = f.threshold.clone().unwrap_or_default();
        let m = measure::tally(rule, canary, from, &judged, baseline);
        if let Some(m) = m
            .as_ref()
            .filter(|m| m.consecutive_errors() > rule.consecutive_error_limit as usize)
        {
            let latest = measure::latest_error(canary, from);
            return measure::error_streak(f, rule, m.clone(), latest);
        }
        let state = series::trigger_state(&judged, for_ms, rule.min_samples, rule.failure_limit);
        match state {
            TriggerState::NoData { samples } => no_data(
                f,
                rule.no_data,
                rule.action,
                format!(
                    "{samples} samples of `{name}` in the last {window}, {} needed",
                    rule.min_samples.max(1)
                ),
            ),
            TriggerState::Clear { samples } => {
                f.message =
                    format!("`{name}` within limits ({samples} samples in the last {window})");
                f.flip = Some(trip_condition(&limit, rule.for_, rule.failure_limit));
            }
            TriggerState::Breaching(b) => {
                f.outcome = Outcome::Warn;
                f.observed.insert("breaching".into(), json!(b.breaches));
                f.duration_ms = b.latest.then_some(b.sustained_ms);
                match rule.for_ {
                    Some(d) => {
                        let left = Duration::from_millis(d.as_millis() - b.sustained_ms);
                        f.message = format!(
                            "breaching `{limit}` for {} of {d}",
                            Duration::from_millis(b.sustained_ms)
                        );
                        f.flip = Some(format!("trips in {left} if `{limit}` stays breached"));
                        if !b.latest {
                            f.message = format!(
                                "{} of {} samples breached `{limit}`; the latest does not",
                                b.breaches, b.samples
                            );
                            f.flip = Some(trip_condition(&limit, rule.for_, rule.failure_limit));
                        }
                    }
                    None => {
                        f.message = format!(
                            "{} of {} samples breached `{limit}` ({} tolerated)",
                            b.breaches, b.samples, rule.failure_limit
                        );
                        let more = (rule.failure_limit as usize + 1).saturating_sub(b.breaches);
                        f.flip = Some(format!(
                            "trips after {more} more breaching sample{}",
                            if more == 1 { "" } else { "s" }
                        ));
                    }
                }
            }
            TriggerState::Tripped(b) => {
                f.outcome = Outcome::Fail;
                f.action = Some(rule.action);
                f.observed.insert("breaching".into(), json!(b.breaches));
                f.duration_ms = b.latest.then_some(b.sustained_ms);
                let latest = points.last().map_or(String::new(), |p| fmt_number(p.value));
                let how = match rule.for_ {
                    Some(_) => format!("for {}", Duration::from_millis(b.sustained_ms)),
                    None => format!("in {} of {} samples", b.breaches, b.samples),
                };
                let what = format!("`{limit}` breached {how} (latest {latest})");
                f.message = match &rule.message {
                    Some(m) => format!("{m}: {what}"),
                    None => what,
                };
                f.flip = Some(format!("clears when `{name}` stays within the limit"));
            }
        }
        if let Some(m) = m {
            measure::conclude(f, rule, m, state);
        }
    }

    fn synthetic_trigger(
        &self,
        t: &CompiledTrigger,
        journey: &str,
        from: Timestamp,
        window: Duration,
        for_ms: Option<i64>,
        f: &mut AssessFinding,
    ) {
        let rule = &t.rule;
        f.subject = Some(journey.to_string());
        f.threshold = Some(format!(
            "failed runs of {} > {}",
            if journey == "*" {
                "any journey".to_string()
            } else {
                format!("`{journey}`")
            },
            rule.failure_limit
        ));
        let journeys: Vec<_> = self
            .facts
            .synthetics
            .iter()
            .filter(|(n, s)| (journey == "*" || *n == journey) && (!rule.critical || s.critical))
            .collect();
        if journeys.is_empty() {
            let which = if rule.critical {
                "critical synthetic"
            } else {
                "synthetic"
            };
            return no_data(
                f,
                rule.no_data,
                rule.action,
                format!("no {which} journey `{journey}` in the facts"),
            );
        }
        let mut worst: Option<(u8, String, TriggerState)> = None;
        for (journey_name, s) in journeys {
            let points: Vec<(Timestamp, bool)> = s
                .runs
                .iter()
                .filter(|r| r.at > from)
                .map(|r| (r.at, !r.passed))
                .collect();
            let state =
                series::trigger_state(&points, for_ms, rule.min_samples, rule.failure_limit);
            let rank = match state {
                TriggerState::Clear { .. } => 0,
                TriggerState::Breaching(_) => 1,
                TriggerState::NoData { .. } => 2,
                TriggerState::Tripped(_) => 3,
            };
            if worst.as_ref().is_none_or(|(r, _, _)| rank > *r) {
                worst = Some((rank, journey_name.clone(), state));
            }
        }
        let Some((_, name, state)) = worst else {
            return;
        };
        f.subject = Some(name.clone());
        match state {
            TriggerState::NoData { samples } => no_data(
                f,
                rule.no_data,
                rule.action,
                format!(
                    "{samples} runs of journey `{name}` in the last {window}, {} needed",
                    rule.min_samples.max(1)
                ),
            ),
            TriggerState::Clear { samples } => {
                f.message =
                    format!("journeys passing ({samples} runs of `{name}` in the last {window})");
            }
            TriggerState::Breaching(b) => {
                f.outcome = Outcome::Warn;
                f.message = format!(
                    "journey `{name}` failed {} of {} runs ({} tolerated)",
                    b.breaches, b.samples, rule.failure_limit
                );
            }
            TriggerState::Tripped(b) => {
                f.outcome = Outcome::Fail;
                f.action = Some(rule.action);
                let what = format!(
                    "journey `{name}` failed {} of {} runs in the last {window}",
                    b.breaches, b.samples
                );
                f.message = match &rule.message {
                    Some(m) => format!("{m}: {what}"),
                    None => what,
                };
                f.flip = Some(format!("clears when `{name}` passes again"));
            }
        }
    }

    pub(super) fn promotion(&self, p: &CompiledPromotion, f: &mut AssessFinding) {
        let rule = &p.rule;
        let name = &rule.metric;
        f.subject = Some(name.clone());
        let th = rule.threshold();
        let unit = self.facts.metric(name).and_then(|m| m.unit.clone());
        let limit = describe(
            name,
            &th,
            unit.as_deref(),
            rule.expression.as_deref(),
            false,
        );
        f.threshold = Some(limit.clone());
        let hold_no_data = |f: &mut AssessFinding, why: String| {
            f.outcome = Outcome::NoData;
            f.action = Some(Action::Hold);
            f.message = why;
        };
        let Some(metric) = self.facts.metric(name) else {
            return hold_no_data(f, format!("metric `{name}` is not in the facts"));
        };
        let baseline = series::mean(&metric.baseline);
        if th.compare == Some(Compare::Baseline) && baseline.is_none() {
            return hold_no_data(f, format!("no baseline samples for `{name}`"));
        }
        let step_start = self.facts.rollout.step_started_at;
        let points: Vec<Point> = series::clean(&metric.canary)
            .filter(|pt| step_start.is_none_or(|s| pt.at >= s))
            .collect();
        let judged = match judge_points(
            &points,
            &th,
            p.expression.as_ref(),
            baseline,
            false,
            &self.budget,
        ) {
            Ok(j) => j,
            Err(e) => return error(f, e),
        };
        if let Some(last) = points.last() {
            f.observed.insert("latest".into(), json_number(last.value));
        }
        if let Some(b) = baseline {
            f.observed.insert("baseline".into(), json_number(b));
        }
        let window = rule.window;
        match series::criterion_state(&judged, self.now, window.as_millis(), rule.min_samples) {
            CriterionState::NoData => {
                hold_no_data(f, format!("no samples of `{name}` in this step"))
            }
            CriterionState::Violated { at } => {
                f.outcome = Outcome::Fail;
                f.message = format!("`{limit}` not met at {}", rfc3339(at));
                f.flip = Some(format!("promotes once `{limit}` has held for {window}"));
            }
            CriterionState::Holding { held_ms, in_window } => {
                f.outcome = Outcome::Fail;
                f.duration_ms = Some(held_ms);
                f.observed.insert("samples".into(), json!(in_window));
                let held = Duration::from_millis(held_ms);
                if held_ms >= window.as_millis() {
                    f.message = format!(
                        "`{limit}` held for {held} but with {in_window} samples, {} needed",
                        rule.min_samples
                    );
                    f.flip = Some(format!(
                        "promotes with {} more samples within `{limit}`",
                        rule.min_samples as usize - in_window.min(rule.min_samples as usize)
                    ));
                } else {
                    let left = Duration::from_millis(window.as_millis() - held_ms);
                    f.message = format!("`{limit}` held for {held} of {window}");
                    f.flip = Some(format!("promotes in {left} if `{limit}` holds"));
                }
            }
            CriterionState::Met { held_ms, in_window } => {
                f.duration_ms = Some(held_ms);
                f.observed.insert("samples".into(), json!(in_window));
                f.message = format!(
                    "`{limit}` held for {} ({in_window} samples)",
                    Duration::from_millis(held_ms)
                );
                f.flip = Some(format!("stops promoting if `{limit}` is breached"));
            }
        }
    }
}

fn judge_points(
    points: &[Point],
    th: &Threshold,
    expression: Option<&CompiledExpr>,
    baseline: Option<f64>,
    trigger: bool,
    budget: &Budget,
) -> Result<Vec<(Timestamp, bool)>, String> {
    // The sample's roots in slot order: `baseline`, `value`.
    let base = baseline.map_or(Val::Null, Val::Double);
    let mut out = Vec::with_capacity(points.len());
    for p in points {
        let crossed = crosses(th, p.value, baseline);
        let by_expr = match expression {
            Some(e) => {
                let roots = [base.clone(), Val::Double(p.value)];
                let frame = Frame {
                    roots: &roots,
                    vars: &[],
                    budget,
                };
                match e.eval(&frame) {
                    Ok(Val::Bool(b)) => Some(b),
                    Ok(other) => {
                        return Err(format!(
                            "`expression` gave `{}`, not a bool",
                            other.to_json()
                        ));
                    }
                    Err(err) => {
                        return Err(format!(
                            "`expression` could not be evaluated at {}: {err}",
                            p.at
                        ));
                    }
                }
            }
            None => None,
        };
        let flag = if trigger {
            // A trigger breaches when a limit is crossed or the expression
            // says so.
            crossed || by_expr == Some(true)
        } else {
            // A criterion is met when no limit is crossed and the
            // expression (if any) holds.
            !crossed && by_expr != Some(false)
        };
        out.push((p.at, flag));
    }
    Ok(out)
}

/// Whether `value` crosses a limit of `th` (exactly at a limit does not).
pub(crate) fn crosses(th: &Threshold, value: f64, baseline: Option<f64>) -> bool {
    let relative = th.compare == Some(Compare::Baseline);
    let (d, base) = match (relative, baseline) {
        (true, Some(b)) => (value - b, b),
        (true, None) => return false,
        (false, _) => (value, 0.0),
    };
    let pct = |delta: f64| {
        if base != 0.0 {
            delta / base.abs() * 100.0
        } else if delta == 0.0 {
            0.0
        } else {
            delta.signum() * f64::INFINITY
        }
    };
    th.above.is_some_and(|a| d > a)
        || th.below.is_some_and(|b| d < b)
        || (relative && th.above_percent.is_some_and(|a| pct(d) > a))
        || (relative && th.below_percent.is_some_and(|b| pct(-d) > b))
}

/// The limit in words: breaching form for triggers (`error-rate > 0.05`),
/// meeting form for criteria (`error-rate ≤ 0.05`).
pub(super) fn describe(
    name: &str,
    th: &Threshold,
    unit: Option<&str>,
    expression: Option<&str>,
    trigger: bool,
) -> String {
    let u = unit.map(|u| format!(" {u}")).unwrap_or_default();
    let rel = th.compare == Some(Compare::Baseline);
    let (gt, lt) = if trigger { (">", "<") } else { ("≤", "≥") };
    let mut parts = Vec::new();
    if let Some(a) = th.above {
        parts.push(if rel {
            format!("{name} {gt} baseline + {}{u}", fmt_number(a))
        } else {
            format!("{name} {gt} {}{u}", fmt_number(a))
        });
    }
    if let Some(b) = th.below {
        parts.push(if rel {
            format!(
                "{name} {lt} baseline {} {}{u}",
                if b < 0.0 { "-" } else { "+" },
                fmt_number(b.abs())
            )
        } else {
            format!("{name} {lt} {}{u}", fmt_number(b))
        });
    }
    if let Some(a) = th.above_percent {
        parts.push(format!("{name} {gt} baseline + {}%", fmt_number(a)));
    }
    if let Some(b) = th.below_percent {
        parts.push(format!("{name} {lt} baseline - {}%", fmt_number(b)));
    }
    if let Some(e) = expression {
        parts.push(e.to_string());
    }
    parts.join(if trigger { " or " } else { " and " })
}

fn trip_condition(limit: &str, for_: Option<Duration>, failure_limit: u32) -> String {
    match for_ {
        Some(d) => format!("trips if `{limit}` holds for {d}"),
        None if failure_limit == 0 => format!("trips on one sample with `{limit}`"),
        None => format!("trips on {} samples with `{limit}`", failure_limit + 1),
    }
}

pub(super) fn no_data(f: &mut AssessFinding, policy: NoDataPolicy, action: Action, why: String) {
    f.outcome = Outcome::NoData;
    match policy {
        NoDataPolicy::Ignore => {
            f.message = format!("{why} (ignored: `noData: ignore`)");
        }
        NoDataPolicy::Hold => {
            f.action = Some(Action::Hold);
            f.message = format!("{why}: holding (missing data is never a pass)");
        }
        NoDataPolicy::Fail => {
            f.outcome = Outcome::Fail;
            f.action = Some(action);
            f.message = format!("{why}: counted as breached (`noData: fail`)");
        }
    }
}

/// A rule that could not be evaluated holds: never a promote, never an
/// unexplained rollback.
pub(super) fn error(f: &mut AssessFinding, message: String) {
    f.outcome = Outcome::Error;
    f.action = Some(Action::Hold);
    f.message = message;
}
