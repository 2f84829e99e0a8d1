//! Classifying one metric: missing samples and outliers, identical series,
//! the Mann-Whitney test, the Hodges-Lehmann shift and its confidence
//! interval against the tolerance, the effect size against the allowed and
//! critical increase or decrease, and the reason in words.

use super::*;
use crate::stats::outliers::remove_outliers;
use crate::stats::rank as stats;
use crate::stats::shift::shift_interval;

/// Classifies one metric at significance level `alpha`.
pub fn classify(input: &MetricInput<'_>, alpha: f64) -> MetricResult {
    let config = input.config;
    let (canary, canary_missing) = clean(input.canary, config.nan_strategy);
    let (baseline, baseline_missing) = clean(input.baseline, config.nan_strategy);
    let ((canary, canary_outliers), (baseline, baseline_outliers)) = if config.remove_outliers {
        (
            remove_outliers(&canary, config.outlier_factor),
            remove_outliers(&baseline, config.outlier_factor),
        )
    } else {
        ((canary, 0), (baseline, 0))
    };
    let mut result = MetricResult {
        name: config.name.clone(),
        group: config.group.clone(),
        groups: config.groups.clone(),
        classification: Classification::NoData,
        reason: String::new(),
        p_value: None,
        u: None,
        z: None,
        estimate: None,
        estimate_z0: None,
        ci_lower: None,
        ci_upper: None,
        cles: None,
        effect_size: config.effect_size,
        n_canary: canary.len(),
        n_baseline: baseline.len(),
        canary_outliers,
        baseline_outliers,
        canary_mean: None,
        baseline_mean: None,
        mean_ratio: None,
        critical: config.critical,
        must_have_data: config.must_have_data,
        fails_critically: false,
    };
    let mut missing = missing_note(config.nan_strategy, canary_missing, baseline_missing);
    if canary_outliers + baseline_outliers > 0 {
        missing.push_str(&format!(
            " (outliers removed: {canary_outliers} canary, {baseline_outliers} baseline)"
        ));
    }

    if canary.is_empty() || baseline.is_empty() {
        let which = match (canary.is_empty(), baseline.is_empty()) {
            (true, true) => "neither canary nor baseline has samples",
            (true, false) => "the canary has no samples",
            _ => "the baseline has no samples",
        };
        let consequence = match (config.must_have_data, config.critical) {
            (true, _) => "; the metric must have data",
            (false, true) => "; a critical metric without data holds",
            (false, false) => "; not counted",
        };
        result.reason = format!("{which}{missing}{consequence}");
        result.fails_critically = config.critical && config.must_have_data;
        return result;
    }

    let canary_mean = stats::mean(&canary);
    let baseline_mean = stats::mean(&baseline);
    result.canary_mean = canary_mean;
    result.baseline_mean = baseline_mean;
    let ratio = mean_ratio(canary_mean, baseline_mean);
    // Undefined (NaN in Kayenta) when either mean is 0.
    result.mean_ratio = ratio
        .filter(|r| r.is_finite())
        .filter(|_| canary_mean != Some(0.0) && baseline_mean != Some(0.0));

    let Some(mw) = stats::mann_whitney(&canary, &baseline, config.direction.alternative()) else {
        result.reason = format!("the samples could not be compared{missing}; not counted");
        return result;
    };
    result.p_value = Some(mw.p_value);
    result.u = Some(mw.u);
    result.z = Some(mw.z);
    let pairs = canary.len() as f64 * baseline.len() as f64;
    let cles = mw.u / pairs;
    result.cles = Some(cles);
    let interval = shift_interval(&canary, &baseline, 1.0 - alpha);
    // The interval's selection finds the Hodges-Lehmann median on the way.
    let estimate = interval
        .map(|i| i.hodges_lehmann)
        .or_else(|| stats::hodges_lehmann(&canary, &baseline));
    result.estimate = estimate;
    result.estimate_z0 = interval.map(|i| i.estimate_z0);
    result.ci_lower = interval.map(|i| i.lower);
    result.ci_upper = interval.map(|i| i.upper);

    if same_multiset(&canary, &baseline) {
        result.classification = Classification::Pass;
        result.mean_ratio = result.mean_ratio.map(|_| 1.0);
        result.reason = format!(
            "canary and baseline samples are identical (n = {}){missing}",
            canary.len()
        );
        return result;
    }

    // The sign of the shift; if the differences overflow, halve the values.
    // An estimate of exactly 0 (heavy ties) takes the sign of U − n1·n2/2.
    let hl_sign = estimate
        .or_else(|| {
            let half = |xs: &[f64]| xs.iter().map(|x| x / 2.0).collect::<Vec<_>>();
            stats::hodges_lehmann(&half(&canary), &half(&baseline))
        })
        .unwrap_or(0.0);
    let rank_sign = mw.u - pairs / 2.0;
    let shift_sign = if hl_sign != 0.0 { hl_sign } else { rank_sign };
    // Undefined ratios count as beyond every allowance in the direction of
    // the means' difference.
    let effect = match config.effect_size {
        EffectSize::MeanRatio => ratio.unwrap_or(1.0),
        EffectSize::Cles => cles,
    };
    // Kayenta's bound: the interval must clear tolerance × |estimate|. With
    // an estimate of 0 the bound cannot be met by an interval around 0, so
    // it is not asked (fail closed); without an interval, likewise.
    let bound = estimate
        .filter(|e| *e != 0.0)
        .map(|e| config.tolerance * e.abs());
    let clears = |up: bool| match (bound, interval) {
        (Some(b), Some(i)) => {
            if up {
                i.lower > b
            } else {
                i.upper < -b
            }
        }
        _ => true,
    };

    let significant = mw.p_value < alpha;
    let facts = format!(
        "canary mean {} vs baseline {} ({}), p = {} {} {}",
        opt_num(canary_mean),
        opt_num(baseline_mean),
        ratio_text(ratio, canary_mean, baseline_mean),
        num(mw.p_value),
        if significant { "<" } else { "≥" },
        num(alpha),
    );
    let ci = interval.map_or_else(String::new, |i| {
        format!(
            ", {}% CI [{}, {}]",
            num(100.0 * (1.0 - alpha)),
            num(i.lower),
            num(i.upper)
        )
    });
    let shift = match estimate {
        Some(0.0) => format!(
            "shift 0{ci}, ranks {} (U {} n1·n2/2)",
            if rank_sign > 0.0 { "higher" } else { "lower" },
            if rank_sign > 0.0 { ">" } else { "<" }
        ),
        Some(e) => format!("shift {}{}{ci}", if e > 0.0 { "+" } else { "" }, num(e)),
        None => "shift beyond the range of numbers".to_owned(),
    };
    let measure = match config.effect_size {
        EffectSize::MeanRatio => format!("×{}", num(effect)),
        EffectSize::Cles => format!("CLES {}", num(effect)),
    };
    let allowance = |limit: f64| match config.effect_size {
        EffectSize::MeanRatio => format!("×{}", num(limit)),
        EffectSize::Cles => format!("CLES {}", num(limit)),
    };
    let tolerance = |b: f64| format!("within the tolerance ±{} of the estimate", num(b));
    let direction = config.direction;
    let up = shift_sign > 0.0;
    let (classification, verdict) = if !significant {
        (Classification::Pass, "no significant difference".to_owned())
    } else if shift_sign == 0.0 {
        (
            Classification::Pass,
            "significant, but neither the shift nor the ranks lean either way".to_owned(),
        )
    } else {
        let word = if up { "increase" } else { "decrease" };
        let (fails, limit, bad) = if up {
            (
                direction.increase_fails(),
                config.allowed_increase,
                effect > config.allowed_increase,
            )
        } else {
            (
                direction.decrease_fails(),
                config.allowed_decrease,
                effect < config.allowed_decrease,
            )
        };
        if !fails {
            let other = if up { "a decrease" } else { "an increase" };
            (
                Classification::Pass,
                format!("significant {word} ({shift}); only {other} fails this metric"),
            )
        } else if !clears(up) {
            (
                Classification::Pass,
                format!(
                    "significant {word} ({shift}), but the interval is {}",
                    tolerance(bound.unwrap_or(0.0))
                ),
            )
        } else if bad {
            (
                if up {
                    Classification::High
                } else {
                    Classification::Low
                },
                format!(
                    "significant {word} ({shift}, {measure}) beyond the allowed {}",
                    allowance(limit)
                ),
            )
        } else {
            (
                Classification::Pass,
                format!(
                    "significant {word} ({shift}, {measure}) within the allowed {}",
                    allowance(limit)
                ),
            )
        }
    };
    result.fails_critically = config.critical
        && match classification {
            Classification::High => config.critical_increase.is_none_or(|c| effect > c),
            Classification::Low => config.critical_decrease.is_none_or(|c| effect < c),
            _ => false,
        };
    result.classification = classification;
    result.reason = format!("{facts}: {verdict}{missing}");
    result
}

/// Applies the NaN strategy: the samples used and how many were missing.
fn clean(xs: &[Option<f64>], strategy: NanStrategy) -> (Vec<f64>, usize) {
    let mut out = Vec::with_capacity(xs.len());
    let mut missing = 0_usize;
    for x in xs {
        match x.filter(|v| v.is_finite()) {
            Some(v) => out.push(v),
            None => {
                missing += 1;
                if strategy == NanStrategy::Replace {
                    out.push(0.0);
                }
            }
        }
    }
    (out, missing)
}

fn missing_note(strategy: NanStrategy, canary: usize, baseline: usize) -> String {
    if canary == 0 && baseline == 0 {
        return String::new();
    }
    let action = match strategy {
        NanStrategy::Remove => "removed",
        NanStrategy::Replace => "replaced by 0",
    };
    format!(" (missing samples {action}: {canary} canary, {baseline} baseline)")
}

fn same_multiset(a: &[f64], b: &[f64]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let sorted = |xs: &[f64]| {
        let mut v = xs.to_vec();
        v.sort_unstable_by(f64::total_cmp);
        v
    };
    // `==` on f64 treats -0.0 and 0.0 as equal.
    sorted(a) == sorted(b)
}

/// The mean ratio for comparisons: `None` only if a mean is missing; ±inf
/// when it is undefined (baseline mean 0) or overflows.
fn mean_ratio(canary: Option<f64>, baseline: Option<f64>) -> Option<f64> {
    let (c, b) = (canary?, baseline?);
    if b == 0.0 {
        return Some(if c == 0.0 {
            1.0
        } else if c > 0.0 {
            f64::INFINITY
        } else {
            f64::NEG_INFINITY
        });
    }
    let r = c / b;
    (!r.is_nan()).then_some(r)
}

fn ratio_text(ratio: Option<f64>, canary: Option<f64>, baseline: Option<f64>) -> String {
    match ratio {
        Some(r) if r.is_finite() && canary != Some(0.0) && baseline != Some(0.0) => {
            format!("×{}", num(r))
        }
        _ => "ratio undefined".to_owned(),
    }
}

fn opt_num(x: Option<f64>) -> String {
    x.map_or_else(|| "unknown".to_owned(), num)
}
