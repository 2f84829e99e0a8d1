//! Compiling the rules of rollout policies: triggers, promotion criteria,
//! canary analyses and burn-rate alerts. Besides compiling their CEL, this
//! refuses what would make a rule meaningless or never trip: no source, a
//! zero window, `for` longer than the window, limits in the wrong order, a
//! percentage without a baseline, score thresholds out of order.

use crate::error::{ErrorCode, PolicyError};
use crate::expr::{CompiledExpr, Want};
use crate::lang::compiler::{Compiler, kind_fits};
use crate::lang::document::{AnalysisRule, BurnRateRule, JudgedMetric, Metadata, Promotion};
use crate::lang::layer::{MergedPolicy, Origin};
use crate::model::Duration;
use crate::model::shape::{ROLLOUT, SAMPLE};
use crate::stats::judge::{Direction, EffectSize, JudgeConfig, MetricConfig};

use super::quality_gate::CompiledQualityGate;

pub(crate) use crate::lang::document::{Compare, NoDataPolicy, Threshold, Trigger};

/// A `RolloutPolicy`, compiled: what `assess` evaluates.
#[derive(Debug)]
pub(crate) struct RolloutPolicy {
    pub metadata: Metadata,
    pub applies_to: Option<CompiledExpr>,
    pub triggers: Vec<CompiledTrigger>,
    pub promotion: Vec<CompiledPromotion>,
    pub analysis: Vec<CompiledAnalysis>,
    pub burn_rate: Vec<CompiledBurnRate>,
    pub quality_gates: Vec<CompiledQualityGate>,
}

impl RolloutPolicy {
    /// How many rules the policy holds.
    pub(crate) fn rule_count(&self) -> usize {
        self.triggers.len()
            + self.promotion.len()
            + self.analysis.len()
            + self.burn_rate.len()
            + self.quality_gates.len()
    }
}

/// A trigger ready to evaluate.
#[derive(Debug)]
pub(crate) struct CompiledTrigger {
    pub rule: Trigger,
    /// The window, defaults resolved ([`Trigger::effective_window`]).
    pub window: Duration,
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

/// A canary analysis ready to evaluate: the judge configured once.
#[derive(Debug)]
pub(crate) struct CompiledAnalysis {
    pub rule: AnalysisRule,
    pub judge: JudgeConfig,
    /// One judge configuration per metric, in the rule's order.
    pub metrics: Vec<MetricConfig>,
}

/// A burn-rate rule ready to evaluate (checked at load; it has no CEL).
#[derive(Debug)]
pub(crate) struct CompiledBurnRate {
    pub rule: BurnRateRule,
}

/// Compile one merged `RolloutPolicy`; errors go to `errors`.
pub(crate) fn compile(
    mut p: MergedPolicy,
    limits: &crate::limits::Limits,
    errors: &mut Vec<PolicyError>,
) -> RolloutPolicy {
    let mut c = Compiler::new(limits, &ROLLOUT);
    let applies_to = p
        .applies_to
        .as_ref()
        .and_then(|(src, o)| c.expr(src, Want::Bool, o, "", None));
    kind_fits(&mut c, &p);
    let triggers = triggers(&mut c, p.take());
    let promotion = promotion(&mut c, p.take());
    let analysis = analysis(&mut c, p.take());
    let burn_rate = burn_rate(&mut c, p.take());
    let quality_gates = super::quality_gate::compile(&mut c, p.take());
    c.finish(errors);
    RolloutPolicy {
        metadata: p.metadata,
        applies_to,
        triggers,
        promotion,
        analysis,
        burn_rate,
        quality_gates,
    }
}

impl Compiler<'_> {
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
                    ErrorCode::InvalidThreshold,
                    o,
                    field,
                    rule,
                    format!("`{field}` is `{v}`, not a finite number"),
                    None,
                );
            }
            if v.is_some() && field.ends_with("Percent") && t.compare != Some(Compare::Baseline) {
                self.refuse(
                    ErrorCode::InvalidThreshold,
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
                    ErrorCode::InvalidThreshold,
                    o,
                    "below",
                    rule,
                    format!("`below` ({b}) is not under `above` ({a})"),
                    Some("the limits are the edges of the allowed band"),
                );
            }
        }
    }
}

impl Compiler<'_> {
    /// Argo Rollouts' measurement fields of a trigger: on metric triggers
    /// only, counts above 0, an inconclusive band inside the trigger's
    /// limits.
    fn measurement_fields(&mut self, t: &Trigger, th: &Threshold, o: &Origin) {
        let id = t.id.as_str();
        for (field, v) in [
            ("count", t.count),
            ("consecutiveSuccessLimit", t.consecutive_success_limit),
        ] {
            if v == Some(0) {
                self.refuse(
                    ErrorCode::InvalidLimit,
                    o,
                    field,
                    id,
                    format!("`{field}` is `0`: the analysis would complete with no measurement"),
                    Some("leave it out for a trigger that never completes"),
                );
            }
        }
        let set: Vec<&str> = [
            ("inconclusive", t.inconclusive.is_some()),
            ("inconclusiveLimit", t.inconclusive_limit > 0),
            ("count", t.count.is_some()),
            (
                "consecutiveSuccessLimit",
                t.consecutive_success_limit.is_some(),
            ),
        ]
        .iter()
        .filter(|(_, on)| *on)
        .map(|(f, _)| *f)
        .collect();
        if t.metric.is_none() {
            if let Some(field) = set.first() {
                self.refuse(
                    ErrorCode::IncompleteRule,
                    o,
                    field,
                    id,
                    format!("`{field}` applies to `metric` triggers"),
                    Some("measurements are the samples of a metric"),
                );
            }
            return;
        }
        if t.inconclusive.is_none() && t.inconclusive_limit > 0 {
            self.refuse(
                ErrorCode::IncompleteRule,
                o,
                "inconclusiveLimit",
                id,
                "`inconclusiveLimit` without an `inconclusive` band".into(),
                Some("add `inconclusive: {above: ...}` between success and failure"),
            );
        }
        let Some(band) = t.inconclusive_threshold() else {
            return;
        };
        if !band.is_set() {
            self.refuse(
                ErrorCode::IncompleteRule,
                o,
                "inconclusive",
                id,
                "the `inconclusive` band has no limit".into(),
                Some("add `above`, `below`, `abovePercent` or `belowPercent`"),
            );
            return;
        }
        self.threshold(&band, o, id);
        // Each band limit lies strictly inside the trigger's own, on the
        // same side: between success and failure.
        for (field, b, t_lim, upper) in [
            ("above", band.above, th.above, true),
            ("below", band.below, th.below, false),
            ("abovePercent", band.above_percent, th.above_percent, true),
            ("belowPercent", band.below_percent, th.below_percent, true),
        ] {
            let Some(b) = b else { continue };
            let inside = match t_lim {
                Some(l) => {
                    if upper {
                        b < l
                    } else {
                        b > l
                    }
                }
                None => false,
            };
            if !inside {
                let why = match t_lim {
                    Some(l) => format!(
                        "`inconclusive.{field}` ({b}) is not inside the trigger's `{field}` ({l})"
                    ),
                    None => format!(
                        "`inconclusive.{field}` has no `{field}` of the trigger to lie inside"
                    ),
                };
                self.refuse(
                    ErrorCode::InvalidThreshold,
                    o,
                    &format!("inconclusive.{field}"),
                    id,
                    why,
                    Some("the inconclusive band lies between success and failure: e.g. `above: 0.05` with `inconclusive: {above: 0.01}`"),
                );
            }
        }
    }
}

fn triggers(c: &mut Compiler<'_>, rules: Vec<(Trigger, Origin)>) -> Vec<CompiledTrigger> {
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
                ErrorCode::IncompleteRule,
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
                    ErrorCode::InvalidWindow,
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
                ErrorCode::IncompleteRule,
                &o,
                "metric",
                &id,
                format!("trigger `{id}` has no threshold"),
                Some("add `above`, `below`, `abovePercent`, `belowPercent` or an `expression`"),
            );
        }
        if t.metric.is_none() && (th.is_set() || th.compare.is_some() || t.expression.is_some()) {
            c.refuse(
                ErrorCode::IncompleteRule,
                &o,
                "id",
                &id,
                format!("trigger `{id}` has thresholds but no `metric`"),
                Some("a synthetic run breaches when it fails; a condition when it is true"),
            );
        }
        if t.critical && t.synthetic.is_none() {
            c.refuse(
                ErrorCode::IncompleteRule,
                &o,
                "critical",
                &id,
                "`critical` applies to `synthetic` triggers".into(),
                None,
            );
        }
        c.measurement_fields(&t, &th, &o);
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
            window: t.effective_window(),
            rule: t,
            condition,
            expression,
        });
    }
    out
}

fn promotion(c: &mut Compiler<'_>, rules: Vec<(Promotion, Origin)>) -> Vec<CompiledPromotion> {
    let mut out = Vec::new();
    for (p, o) in rules {
        let id = p.id.clone();
        let th = p.threshold();
        c.threshold(&th, &o, &id);
        c.positive(Some(p.window), &o, "window", &id);
        if !th.is_set() && p.expression.is_none() {
            c.refuse(
                ErrorCode::IncompleteRule,
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

fn analysis(c: &mut Compiler<'_>, rules: Vec<(AnalysisRule, Origin)>) -> Vec<CompiledAnalysis> {
    let mut out = Vec::new();
    for (a, o) in rules {
        let id = a.id.clone();
        let before = c.errors.len();
        let judge = judge_config(&a);
        if let Err(e) = judge.validate() {
            // The judge names its own fields; say it in the policy's words.
            let e = e
                .replace("`marginalScore`", "`thresholds.marginal`")
                .replace("`passScore`", "`thresholds.pass`")
                .replace("`groupWeights.", "`groups.");
            let (field, hint) = if e.contains("`maxNoDataPercent`") {
                (
                    "maxNoDataPercent",
                    Some(
                        "the share of metrics without data that holds the analysis; Kayenta's is 50",
                    ),
                )
            } else {
                ("thresholds", None)
            };
            c.refuse(ErrorCode::InvalidThreshold, &o, field, &id, e, hint);
        }
        c.positive(a.window, &o, "window", &id);
        if a.metrics.is_empty() {
            c.refuse(
                ErrorCode::IncompleteRule,
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
                    ErrorCode::DuplicateEntry,
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
                        ErrorCode::InvalidRatio,
                        &o,
                        &format!("{field}.{name}"),
                        &id,
                        format!("`{name}` is `{v}`, not a positive ratio"),
                        Some("a ratio of means: 1.1 tolerates a 10 % change"),
                    );
                }
            }
            judged_metric(c, m, &o, &field, &id);
        }
        let metrics: Vec<MetricConfig> = a.metrics.iter().map(metric_config).collect();
        if c.errors.len() == before {
            // What the checks above let through, the judge accepts; should
            // they ever disagree, refuse rather than judge.
            for (i, m) in metrics.iter().enumerate() {
                if let Err(e) = m.validate() {
                    let field = format!("metrics[{i}]");
                    c.refuse(ErrorCode::InvalidRatio, &o, &field, &id, e, None);
                }
            }
        }
        if c.errors.len() == before {
            out.push(CompiledAnalysis {
                rule: a,
                judge,
                metrics,
            });
        }
    }
    out
}

fn burn_rate(c: &mut Compiler<'_>, rules: Vec<(BurnRateRule, Origin)>) -> Vec<CompiledBurnRate> {
    let mut out = Vec::new();
    for (b, o) in rules {
        let id = b.id.clone();
        let before = c.errors.len();
        if b.alerts.is_empty() {
            c.refuse(
                ErrorCode::IncompleteRule,
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
                    ErrorCode::InvalidWindow,
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
                    ErrorCode::InvalidRatio,
                    &o,
                    &format!("{field}.factor"),
                    &id,
                    format!("burn-rate factor `{}` is not a positive number", a.factor),
                    None,
                );
            }
        }
        if c.errors.len() == before {
            out.push(CompiledBurnRate { rule: b });
        }
    }
    out
}

/// The checks of the Kayenta settings of one judged metric: tolerance,
/// effect size and its thresholds, groups, outliers.
fn judged_metric(c: &mut Compiler<'_>, m: &JudgedMetric, o: &Origin, field: &str, id: &str) {
    let name = &m.metric;
    let at = |f: &str| format!("{field}.{f}");
    if let Some(t) = m.tolerance.filter(|t| !(t.is_finite() && *t >= 0.0)) {
        c.refuse(
            ErrorCode::InvalidRatio,
            o,
            &at("tolerance"),
            id,
            format!("`tolerance` is `{t}`, not a factor of at least 0"),
            Some("the interval must clear tolerance × |estimate|; Kayenta's is 0.25"),
        );
    }
    if m.effect_size == EffectSize::Cles {
        let hint = Some("a CLES is a probability: 0.5 is no change, 0.6 a 60 % chance of higher");
        let positive = |v: &f64| v.is_finite() && *v > 0.0;
        if let Some(v) = m
            .allowed_increase
            .filter(|v| positive(v) && !(0.5..1.0).contains(v))
        {
            c.refuse(
                ErrorCode::InvalidRatio,
                o,
                &at("allowedIncrease"),
                id,
                format!("`allowedIncrease` is `{v}`, not a CLES from 0.5 up to 1 (1 excluded)"),
                hint,
            );
        }
        if let Some(v) = m.allowed_decrease.filter(|v| positive(v) && *v > 0.5) {
            c.refuse(
                ErrorCode::InvalidRatio,
                o,
                &at("allowedDecrease"),
                id,
                format!("`allowedDecrease` is `{v}`, not a CLES above 0 up to 0.5"),
                hint,
            );
        }
    }
    let config = metric_config(m);
    for (f, value, allowed, up) in [
        (
            "criticalIncrease",
            m.critical_increase,
            config.allowed_increase,
            true,
        ),
        (
            "criticalDecrease",
            m.critical_decrease,
            config.allowed_decrease,
            false,
        ),
    ] {
        let Some(v) = value else { continue };
        if !(v.is_finite() && v > 0.0) {
            c.refuse(
                ErrorCode::InvalidRatio,
                o,
                &at(f),
                id,
                format!("`{f}` is `{v}`, not a positive effect size"),
                None,
            );
        } else if !m.critical {
            c.refuse(
                ErrorCode::IncompleteRule,
                o,
                &at(f),
                id,
                format!("`{f}` is set but metric `{name}` is not `critical`"),
                Some("it says which failures of a critical metric zero the score"),
            );
        } else if (up && m.direction == Direction::Decrease)
            || (!up && m.direction == Direction::Increase)
        {
            c.refuse(
                ErrorCode::IncompleteRule,
                o,
                &at(f),
                id,
                format!(
                    "`{f}` is set but metric `{name}` has `direction: {}`",
                    m.direction.as_str()
                ),
                None,
            );
        } else if (up && v < allowed) || (!up && v > allowed) {
            let (side, other) = if up {
                ("below", "allowedIncrease")
            } else {
                ("above", "allowedDecrease")
            };
            c.refuse(
                ErrorCode::InvalidThreshold,
                o,
                &at(f),
                id,
                format!("`{f}` (`{v}`) is {side} `{other}` (`{allowed}`)"),
                Some("a critical failure is a failure first: it lies beyond the allowance"),
            );
        }
    }
    if let Some(k) = m.outlier_factor {
        if !(k.is_finite() && k > 0.0) {
            c.refuse(
                ErrorCode::InvalidRatio,
                o,
                &at("outlierFactor"),
                id,
                format!("`outlierFactor` is `{k}`, not a positive factor"),
                Some("Kayenta's is 3.0: fences three interquartile ranges out"),
            );
        } else if !m.remove_outliers {
            c.refuse(
                ErrorCode::IncompleteRule,
                o,
                &at("outlierFactor"),
                id,
                format!("`outlierFactor` is set but metric `{name}` does not `removeOutliers`"),
                Some("add `removeOutliers: true`"),
            );
        }
    }
    for (j, g) in m.groups.iter().enumerate() {
        if m.groups.iter().take(j).any(|x| x == g) || m.group.as_ref() == Some(g) {
            c.refuse(
                ErrorCode::DuplicateEntry,
                o,
                &at(&format!("groups[{j}]")),
                id,
                format!("metric `{name}` is in group `{g}` twice"),
                None,
            );
        }
    }
}

/// The judge's configuration from an analysis rule.
fn judge_config(a: &AnalysisRule) -> JudgeConfig {
    let defaults = JudgeConfig::default();
    JudgeConfig {
        confidence: a.confidence,
        pass_score: a.thresholds.pass,
        marginal_score: a.thresholds.marginal,
        group_weights: a.groups.clone(),
        max_no_data_percent: a
            .max_no_data_percent
            .unwrap_or(defaults.max_no_data_percent),
    }
}

/// The judge's configuration of one metric of an analysis rule.
fn metric_config(m: &JudgedMetric) -> MetricConfig {
    let mut c = MetricConfig::new(m.metric.clone());
    let neutral = m.effect_size.neutral();
    c.group = m.group.clone();
    c.groups = m.groups.clone();
    c.direction = m.direction;
    c.tolerance = m.tolerance.unwrap_or(c.tolerance);
    c.effect_size = m.effect_size;
    c.allowed_increase = m.allowed_increase.unwrap_or(neutral);
    c.allowed_decrease = m.allowed_decrease.unwrap_or(neutral);
    c.critical = m.critical;
    c.critical_increase = m.critical_increase;
    c.critical_decrease = m.critical_decrease;
    c.must_have_data = m.must_have_data;
    c.nan_strategy = m.nan_strategy;
    c.remove_outliers = m.remove_outliers;
    c.outlier_factor = m.outlier_factor.unwrap_or(c.outlier_factor);
    c
}
