//! Compiling the rules of rollout policies: triggers, promotion criteria
//! and burn-rate alerts (canary analyses in [`super::analysis`], quality
//! gates in [`super::quality_gate`]). Besides compiling their CEL, this
//! refuses what would make a rule meaningless or never trip: no source, a
//! zero window, `for` longer than the window, limits in the wrong order, a
//! percentage without a baseline, score thresholds out of order.

use crate::error::{ErrorCode, PolicyError};
use crate::expr::{CompiledExpr, Want};
use crate::lang::compiler::{Compiler, kind_fits};
use crate::lang::document::{AnalysisRule, BurnRateRule, Metadata, Promotion};
use crate::lang::layer::{MergedPolicy, Origin};
use crate::model::Duration;
use crate::model::shape::{ROLLOUT, SAMPLE};
use crate::stats::judge::{JudgeConfig, MetricConfig};

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
    let analysis = super::analysis::analysis(&mut c, p.take());
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
        if t.downstream && (t.metric.is_none() || t.count.is_some()) {
            c.refuse(
                ErrorCode::IncompleteRule,
                &o,
                "downstream",
                &id,
                "`downstream` applies to `metric` triggers without `count`".into(),
                Some("a downstream trigger watches one metric of each downstream service"),
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
