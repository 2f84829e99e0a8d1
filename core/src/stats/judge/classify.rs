//! Classifying one metric: missing samples, identical series, the
//! Mann-Whitney test and the Hodges-Lehmann shift, the mean ratio against
//! the allowed increase or decrease, and the reason in words.

use super::*;
use crate::stats::rank as stats;

/// Classifies one metric at significance level `alpha`.
pub fn classify(input: &MetricInput<'_>, alpha: f64) -> MetricResult {
    let config = input.config;
    let (canary, canary_missing) = clean(input.canary, config.nan_strategy);
    let (baseline, baseline_missing) = clean(input.baseline, config.nan_strategy);
    let mut result = MetricResult {
        name: config.name.clone(),
        group: config.group.clone(),
        classification: Classification::NoData,
        reason: String::new(),
        p_value: None,
        u: None,
        z: None,
        estimate: None,
        n_canary: canary.len(),
        n_baseline: baseline.len(),
        canary_mean: None,
        baseline_mean: None,
        mean_ratio: None,
        critical: config.critical,
        must_have_data: config.must_have_data,
    };
    let missing = missing_note(config.nan_strategy, canary_missing, baseline_missing);

    if canary.is_empty() || baseline.is_empty() {
        let which = match (canary.is_empty(), baseline.is_empty()) {
            (true, true) => "neither canary nor baseline has samples",
            (true, false) => "the canary has no samples",
            _ => "the baseline has no samples",
        };
        let consequence = if config.must_have_data {
            "; the metric must have data"
        } else {
            "; not counted"
        };
        result.reason = format!("{which}{missing}{consequence}");
        return result;
    }

    let canary_mean = stats::mean(&canary);
    let baseline_mean = stats::mean(&baseline);
    result.canary_mean = canary_mean;
    result.baseline_mean = baseline_mean;
    let ratio = mean_ratio(canary_mean, baseline_mean);
    result.mean_ratio = ratio.filter(|r| r.is_finite());

    let Some(mw) = stats::mann_whitney(&canary, &baseline, config.direction.alternative()) else {
        result.reason = format!("the samples could not be compared{missing}; not counted");
        return result;
    };
    result.p_value = Some(mw.p_value);
    result.u = Some(mw.u);
    result.z = Some(mw.z);
    let estimate = stats::hodges_lehmann(&canary, &baseline);
    result.estimate = estimate;

    if same_multiset(&canary, &baseline) {
        result.classification = Classification::Pass;
        result.mean_ratio = Some(1.0);
        result.reason = format!(
            "canary and baseline samples are identical (n = {}){missing}",
            canary.len()
        );
        return result;
    }

    // The sign of the shift; if the differences overflow, halve the values.
    let shift_sign = estimate
        .or_else(|| {
            let half = |xs: &[f64]| xs.iter().map(|x| x / 2.0).collect::<Vec<_>>();
            stats::hodges_lehmann(&half(&canary), &half(&baseline))
        })
        .unwrap_or(0.0);
    // Undefined ratios count as beyond every allowance in the direction of
    // the means' difference.
    let ratio_value = ratio.unwrap_or(1.0);

    let significant = mw.p_value < alpha;
    let facts = format!(
        "canary mean {} vs baseline {} ({}), p = {} {} {}",
        opt_num(canary_mean),
        opt_num(baseline_mean),
        ratio_text(ratio),
        num(mw.p_value),
        if significant { "<" } else { "≥" },
        num(alpha),
    );
    let shift = match estimate {
        Some(e) => format!("shift {}{}", if e > 0.0 { "+" } else { "" }, num(e)),
        None => "shift beyond the range of numbers".to_owned(),
    };
    let direction = config.direction;
    let (classification, verdict) = if !significant {
        (Classification::Pass, "no significant difference".to_owned())
    } else if shift_sign > 0.0 {
        if !direction.increase_fails() {
            (
                Classification::Pass,
                format!("significant increase ({shift}); only a decrease fails this metric"),
            )
        } else if ratio_value > config.allowed_increase {
            (
                Classification::High,
                format!(
                    "significant increase ({shift}) beyond the allowed ×{}",
                    num(config.allowed_increase)
                ),
            )
        } else {
            (
                Classification::Pass,
                format!(
                    "significant increase ({shift}) within the allowed ×{}",
                    num(config.allowed_increase)
                ),
            )
        }
    } else if shift_sign < 0.0 {
        if !direction.decrease_fails() {
            (
                Classification::Pass,
                format!("significant decrease ({shift}); only an increase fails this metric"),
            )
        } else if ratio_value < config.allowed_decrease {
            (
                Classification::Low,
                format!(
                    "significant decrease ({shift}) beyond the allowed ×{}",
                    num(config.allowed_decrease)
                ),
            )
        } else {
            (
                Classification::Pass,
                format!(
                    "significant decrease ({shift}) within the allowed ×{}",
                    num(config.allowed_decrease)
                ),
            )
        }
    } else {
        (
            Classification::Pass,
            "significant, but the estimated shift is 0".to_owned(),
        )
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

fn ratio_text(ratio: Option<f64>) -> String {
    match ratio {
        Some(r) if r.is_finite() => format!("×{}", num(r)),
        _ => "ratio undefined".to_owned(),
    }
}

fn opt_num(x: Option<f64>) -> String {
    x.map_or_else(|| "unknown".to_owned(), num)
}
