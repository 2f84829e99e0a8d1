//! Compiling the canary judge (`analysis` rules): each judged metric's
//! settings checked at load (thresholds in order, allowances and critical
//! thresholds, tolerance, outlier factor, groups), then the judge's
//! configuration built once for evaluation.

use super::super::compile::CompiledAnalysis;
use crate::error::ErrorCode;
use crate::lang::compiler::Compiler;
use crate::lang::document::{AnalysisRule, JudgedMetric};
use crate::lang::layer::Origin;
use crate::stats::judge::{Direction, EffectSize, JudgeConfig, MetricConfig};

pub(in crate::assess) fn analysis(
    c: &mut Compiler<'_>,
    rules: Vec<(AnalysisRule, Origin)>,
) -> Vec<CompiledAnalysis> {
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
