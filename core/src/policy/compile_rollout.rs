//! Compiling the rules of rollout policies: triggers, promotion criteria,
//! canary analyses and burn-rate alerts. Besides compiling their CEL, this
//! refuses what would make a rule meaningless or never trip: no source, a
//! zero window, `for` longer than the window, limits in the wrong order, a
//! percentage without a baseline, score thresholds out of order.

use super::compile::Compiler;
use super::document::{
    AnalysisRule, BurnRateRule, Compare, KIND_ROLLOUT, Promotion, Threshold, Trigger,
};
use super::layer::{MergedPolicy, Origin};
use crate::error::PolicyError;
use crate::expr::{CompiledExpr, Want};
use crate::model::Duration;
use crate::model::shape::SAMPLE;

/// A trigger ready to evaluate.
#[derive(Debug)]
pub(crate) struct CompiledTrigger {
    pub rule: Trigger,
    /// `condition`, over the rollout facts.
    pub condition: Option<CompiledExpr>,
    /// `expression`, over `value` and `baseline`.
    pub expression: Option<CompiledExpr>,
}

/// A promotion criterion ready to evaluate.
#[derive(Debug)]
pub(crate) struct CompiledPromotion {
    pub rule: Promotion,
    /// `expression`, over `value` and `baseline`.
    pub expression: Option<CompiledExpr>,
}

/// The default window of a trigger: 5 minutes, or twice its `for` if
/// longer (a breach is measured from its first to its latest sample, all
/// inside the window, so the window must be longer than `for`).
pub(crate) fn trigger_window(t: &Trigger) -> Duration {
    let five = Duration::from_millis(300_000);
    t.window.unwrap_or_else(|| {
        t.for_.map_or(five, |f| {
            Duration::from_millis(f.as_millis().saturating_mul(2)).max(five)
        })
    })
}

impl Compiler<'_> {
    fn refuse(&mut self, o: &Origin, field: &str, rule: &str, message: String, hint: Option<&str>) {
        let mut e = PolicyError::new(o.at(field), message).with_rule(rule);
        e.hint = hint.map(str::to_string);
        self.errors.push(e);
    }

    /// Compile a per-sample expression over `value` and `baseline`.
    fn sample_expr(&mut self, src: &str, o: &Origin, rule: &str) -> Option<CompiledExpr> {
        let roots = std::mem::replace(&mut self.roots, &SAMPLE);
        let e = self.expr(src, Want::Bool, o, "expression", Some(rule));
        self.roots = roots;
        e
    }

    /// Limits that are finite, a percentage only with a baseline, and a
    /// lower limit under the upper one.
    fn threshold(&mut self, t: &Threshold, o: &Origin, rule: &str) {
        for (field, v) in [
            ("above", t.above),
            ("below", t.below),
            ("abovePercent", t.above_percent),
            ("belowPercent", t.below_percent),
        ] {
            if let Some(v) = v.filter(|v| !v.is_finite()) {
                self.refuse(
                    o,
                    field,
                    rule,
                    format!("`{field}` is `{v}`, not a finite number"),
                    None,
                );
            }
            if v.is_some() && field.ends_with("Percent") && t.compare != Some(Compare::Baseline) {
                self.refuse(
                    o,
                    field,
                    rule,
                    format!("`{field}` needs `compare: baseline`"),
                    Some("a percentage is a change relative to the baseline"),
                );
            }
        }
        if let (Some(a), Some(b)) = (t.above, t.below) {
            if b >= a {
                self.refuse(
                    o,
                    "below",
                    rule,
                    format!("`below` ({b}) is not under `above` ({a})"),
                    Some("the limits are the edges of the allowed band"),
                );
            }
        }
    }

    fn positive(&mut self, d: Option<Duration>, o: &Origin, field: &str, rule: &str) {
        if d.is_some_and(|d| d.as_millis() <= 0) {
            self.refuse(
                o,
                field,
                rule,
                format!("`{field}` must be longer than 0"),
                None,
            );
        }
    }
}

/// Rollout rules only in rollout policies, release rules only in release
/// policies: each reads different facts.
pub(super) fn kind_fits(c: &mut Compiler<'_>, p: &MergedPolicy) {
    let rollout = p.kind == KIND_ROLLOUT;
    let misplaced: Vec<(&str, Option<&Origin>)> = if rollout {
        vec![
            ("variables", p.variables.first().map(|(_, o)| o)),
            ("gates", p.gates.first().map(|(_, o)| o)),
            ("approvals", p.approvals.first().map(|(_, o)| o)),
        ]
    } else {
        vec![
            ("triggers", p.triggers.first().map(|(_, o)| o)),
            ("promotion", p.promotion.first().map(|(_, o)| o)),
            ("analysis", p.analysis.first().map(|(_, o)| o)),
            ("burnRate", p.burn_rate.first().map(|(_, o)| o)),
        ]
    };
    for (section, origin) in misplaced {
        if let Some(o) = origin {
            let (here, there) = if rollout {
                ("RolloutPolicy", "Policy")
            } else {
                ("Policy", "RolloutPolicy")
            };
            c.errors.push(
                PolicyError::new(o.at(""), format!("a `{here}` cannot hold `{section}`"))
                    .with_hint(format!(
                        "put `{section}` in a `kind: {there}` document: `check` reads release policies, `assess` rollout policies"
                    )),
            );
        }
    }
}

pub(super) fn triggers(
    c: &mut Compiler<'_>,
    rules: Vec<(Trigger, Origin)>,
) -> Vec<CompiledTrigger> {
    let mut out = Vec::new();
    for (t, o) in rules {
        let id = t.id.clone();
        let sources = [
            t.metric.is_some(),
            t.synthetic.is_some(),
            t.condition.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if sources != 1 {
            c.refuse(
                &o,
                "id",
                &id,
                format!("trigger `{id}` needs exactly one of `metric`, `synthetic` or `condition`"),
                None,
            );
            continue;
        }
        let th = t.threshold();
        c.threshold(&th, &o, &id);
        c.positive(t.window, &o, "window", &id);
        c.positive(t.for_, &o, "for", &id);
        if let (Some(f), Some(w)) = (t.for_, t.window) {
            if f >= w {
                c.refuse(
                    &o,
                    "for",
                    &id,
                    format!("`for` ({f}) is not shorter than `window` ({w})"),
                    Some("a breach is measured between samples inside the window, so it can only last less than the window; make the window longer"),
                );
            }
        }
        if t.metric.is_some() && !th.is_set() && t.expression.is_none() {
            c.refuse(
                &o,
                "metric",
                &id,
                format!("trigger `{id}` has no threshold"),
                Some("add `above`, `below`, `abovePercent`, `belowPercent` or an `expression`"),
            );
        }
        if t.metric.is_none() && (th.is_set() || th.compare.is_some() || t.expression.is_some()) {
            c.refuse(
                &o,
                "id",
                &id,
                format!("trigger `{id}` has thresholds but no `metric`"),
                Some("a synthetic run breaches when it fails; a condition when it is true"),
            );
        }
        if t.critical && t.synthetic.is_none() {
            c.refuse(
                &o,
                "critical",
                &id,
                "`critical` applies to `synthetic` triggers".into(),
                None,
            );
        }
        let condition = match &t.condition {
            Some(src) => match c.expr(src, Want::Bool, &o, "condition", Some(&id)) {
                Some(e) => Some(e),
                None => continue,
            },
            None => None,
        };
        let expression = match &t.expression {
            Some(src) => match c.sample_expr(src, &o, &id) {
                Some(e) => Some(e),
                None => continue,
            },
            None => None,
        };
        out.push(CompiledTrigger {
            rule: t,
            condition,
            expression,
        });
    }
    out
}

pub(super) fn promotion(
    c: &mut Compiler<'_>,
    rules: Vec<(Promotion, Origin)>,
) -> Vec<CompiledPromotion> {
    let mut out = Vec::new();
    for (p, o) in rules {
        let id = p.id.clone();
        let th = p.threshold();
        c.threshold(&th, &o, &id);
        c.positive(Some(p.window), &o, "window", &id);
        if !th.is_set() && p.expression.is_none() {
            c.refuse(
                &o,
                "metric",
                &id,
                format!("promotion criterion `{id}` has no limit"),
                Some("add `above`, `below`, `abovePercent`, `belowPercent` or an `expression`"),
            );
        }
        let expression = match &p.expression {
            Some(src) => match c.sample_expr(src, &o, &id) {
                Some(e) => Some(e),
                None => continue,
            },
            None => None,
        };
        out.push(CompiledPromotion {
            rule: p,
            expression,
        });
    }
    out
}

pub(super) fn analysis(
    c: &mut Compiler<'_>,
    rules: Vec<(AnalysisRule, Origin)>,
) -> Vec<AnalysisRule> {
    let mut out = Vec::new();
    for (a, o) in rules {
        let id = a.id.clone();
        let before = c.errors.len();
        if let Err(e) = crate::engine::assess::judge_config(&a).validate() {
            // The judge names its own fields; say it in the policy's words.
            let e = e
                .replace("`marginalScore`", "`thresholds.marginal`")
                .replace("`passScore`", "`thresholds.pass`")
                .replace("`groupWeights.", "`groups.");
            c.refuse(&o, "thresholds", &id, e, None);
        }
        c.positive(a.window, &o, "window", &id);
        if a.metrics.is_empty() {
            c.refuse(
                &o,
                "metrics",
                &id,
                format!("analysis `{id}` judges no `metrics`"),
                None,
            );
        }
        for (i, m) in a.metrics.iter().enumerate() {
            let field = format!("metrics[{i}]");
            if a.metrics.iter().take(i).any(|x| x.metric == m.metric) {
                c.refuse(
                    &o,
                    &field,
                    &id,
                    format!("metric `{}` is judged twice", m.metric),
                    None,
                );
            }
            for (name, v) in [
                ("allowedIncrease", m.allowed_increase),
                ("allowedDecrease", m.allowed_decrease),
            ] {
                if let Some(v) = v.filter(|v| !(v.is_finite() && *v > 0.0)) {
                    c.refuse(
                        &o,
                        &format!("{field}.{name}"),
                        &id,
                        format!("`{name}` is `{v}`, not a positive ratio"),
                        Some("a ratio of means: 1.1 tolerates a 10 % change"),
                    );
                }
            }
        }
        if c.errors.len() == before {
            out.push(a);
        }
    }
    out
}

pub(super) fn burn_rate(
    c: &mut Compiler<'_>,
    rules: Vec<(BurnRateRule, Origin)>,
) -> Vec<BurnRateRule> {
    let mut out = Vec::new();
    for (b, o) in rules {
        let id = b.id.clone();
        let before = c.errors.len();
        if b.alerts.is_empty() {
            c.refuse(
                &o,
                "alerts",
                &id,
                format!("burn-rate rule `{id}` has no `alerts`"),
                None,
            );
        }
        for (i, a) in b.alerts.iter().enumerate() {
            let field = format!("alerts[{i}]");
            c.positive(Some(a.long), &o, &format!("{field}.long"), &id);
            c.positive(Some(a.short_window()), &o, &format!("{field}.short"), &id);
            if a.short_window() >= a.long {
                c.refuse(
                    &o,
                    &format!("{field}.short"),
                    &id,
                    format!(
                        "short window `{}` is not shorter than `{}`",
                        a.short_window(),
                        a.long
                    ),
                    Some("the short window is usually 1/12 of the long one"),
                );
            }
            if !(a.factor.is_finite() && a.factor > 0.0) {
                c.refuse(
                    &o,
                    &format!("{field}.factor"),
                    &id,
                    format!("burn-rate factor `{}` is not a positive number", a.factor),
                    None,
                );
            }
        }
        if c.errors.len() == before {
            out.push(b);
        }
    }
    out
}
