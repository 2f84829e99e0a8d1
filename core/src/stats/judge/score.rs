//! Scoring classified metrics: groups, weights, critical metrics, the share
//! of metrics without data, rounding, and the outcome against the pass and
//! marginal thresholds.

use super::*;

/// One group's tally while scoring.
struct Tally {
    name: String,
    counted: usize,
    passed: usize,
}

/// Scores classified metrics (see the module documentation).
pub(super) fn score(config: &JudgeConfig, metrics: Vec<MetricResult>) -> JudgeResult {
    let mut tallies: Vec<Tally> = Vec::new();
    for m in &metrics {
        for name in m.scored_groups() {
            let index = match tallies.iter().position(|t| t.name == name) {
                Some(i) => i,
                None => {
                    tallies.push(Tally {
                        name: name.to_owned(),
                        counted: 0,
                        passed: 0,
                    });
                    tallies.len() - 1
                }
            };
            if !m.counted() {
                continue;
            }
            if let Some(t) = tallies.get_mut(index) {
                t.counted += 1;
                if m.classification == Classification::Pass {
                    t.passed += 1;
                }
            }
        }
    }

    // Group scores and weights (scored groups only).
    let group_score =
        |t: &Tally| (t.counted > 0).then(|| 100.0 * t.passed as f64 / t.counted as f64);
    // Sums run over the scored groups in name order, so the arithmetic does
    // not depend on the order of the metrics.
    let mut scored: Vec<&Tally> = tallies.iter().filter(|t| t.counted > 0).collect();
    scored.sort_by(|a, b| a.name.cmp(&b.name));
    let explicit = |t: &Tally| {
        config
            .group_weights
            .get(&t.name)
            .copied()
            .filter(|w| w.is_finite() && *w >= 0.0)
    };
    let assigned: f64 = scored.iter().filter_map(|t| explicit(t)).sum();
    let unweighted = scored.iter().filter(|t| explicit(t).is_none()).count();
    let share = if unweighted > 0 {
        (100.0 - assigned).max(0.0) / unweighted as f64
    } else {
        0.0
    };
    let raw_weight = |t: &Tally| explicit(t).unwrap_or(share);
    let total: f64 = scored.iter().map(|t| raw_weight(t)).sum();
    let weight = |t: &Tally| {
        if t.counted == 0 {
            0.0
        } else if total > 0.0 && total.is_finite() {
            100.0 * raw_weight(t) / total
        } else {
            100.0 / scored.len() as f64
        }
    };

    let groups: Vec<GroupScore> = tallies
        .iter()
        .map(|t| GroupScore {
            name: t.name.clone(),
            weight: weight(t),
            score: group_score(t).map(round2),
            counted: t.counted,
            passed: t.passed,
        })
        .collect();

    let weighted: f64 = scored
        .iter()
        .filter_map(|t| group_score(t).map(|s| s * weight(t) / 100.0))
        .sum();
    // A weighted mean lies between the smallest and largest group score;
    // clamping keeps e.g. an all-pass result at exactly 100.
    let (low, high) = groups
        .iter()
        .filter_map(|g| g.score)
        .fold((100.0_f64, 0.0_f64), |(lo, hi), s| (lo.min(s), hi.max(s)));
    let counted = metrics.iter().filter(|m| m.counted()).count();
    let passed = metrics
        .iter()
        .filter(|m| m.classification == Classification::Pass)
        .count();
    // Kayenta's share counts the metrics left out for want of data (a
    // `mustHaveData` one is a failure instead).
    let no_data = metrics
        .iter()
        .filter(|m| m.classification == Classification::NoData && !m.failed())
        .count();
    let no_data_percent = if metrics.is_empty() {
        0.0
    } else {
        100.0 * no_data as f64 / metrics.len() as f64
    };

    let critical = metrics.iter().find(|m| m.fails_critically);
    let critical_no_data = metrics
        .iter()
        .find(|m| m.critical && m.classification == Classification::NoData);
    let (score, outcome, critical_failure, reason) = if let Some(m) = critical {
        (
            0.0,
            JudgeOutcome::Fail,
            Some(m.name.clone()),
            format!(
                "critical metric `{}` is {}: {}",
                m.name,
                m.classification.as_str(),
                m.reason
            ),
        )
    } else if let Some(m) = critical_no_data {
        (
            0.0,
            JudgeOutcome::NoData,
            None,
            format!(
                "critical metric `{}` has no data, so the canary cannot pass: {}",
                m.name, m.reason
            ),
        )
    } else if !metrics.is_empty() && no_data_percent >= config.max_no_data_percent {
        (
            0.0,
            JudgeOutcome::NoData,
            None,
            format!(
                "{no_data} of {} metrics ({} %) have no data, at least the {} % that hold",
                metrics.len(),
                num(no_data_percent),
                num(config.max_no_data_percent)
            ),
        )
    } else if counted == 0 {
        (
            0.0,
            JudgeOutcome::NoData,
            None,
            if metrics.is_empty() {
                "no metrics to judge".to_owned()
            } else {
                format!(
                    "no metric had data to judge ({} metric{} without data, none required)",
                    metrics.len(),
                    if metrics.len() == 1 { "" } else { "s" }
                )
            },
        )
    } else {
        let score = round2(weighted.clamp(low, high).clamp(0.0, 100.0));
        let outcome = if score >= config.pass_score {
            JudgeOutcome::Pass
        } else if score > config.marginal_score {
            JudgeOutcome::Marginal
        } else {
            JudgeOutcome::Fail
        };
        let failures: Vec<String> = metrics
            .iter()
            .filter(|m| m.failed())
            .map(|m| format!("`{}` ({})", m.name, m.classification.as_str()))
            .collect();
        let mut reason = format!(
            "score {} ({}: pass at {}, marginal above {}); {passed} of {counted} counted metrics passed",
            num(score),
            outcome.as_str(),
            num(config.pass_score),
            num(config.marginal_score),
        );
        if !failures.is_empty() {
            reason.push_str("; failed: ");
            reason.push_str(&failures.join(", "));
        }
        (score, outcome, None, reason)
    };

    JudgeResult {
        score,
        outcome,
        metrics,
        critical_failure,
        groups,
        reason,
    }
}

/// `x` rounded to 2 decimals, half up, on its shortest decimal
/// representation (as Kayenta's `MathUtils.round(x, 2)`, which rounds
/// `BigDecimal(Double.toString(x))`): 74.995 becomes 75, although the
/// binary 74.995 lies just below it.
pub(super) fn round2(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    // Shortest round-trip digits and exponent: d.ddd…e±k.
    let text = format!("{:e}", x.abs());
    let Some((mantissa, exponent)) = text.split_once('e') else {
        return x;
    };
    let Ok(exponent) = exponent.parse::<i32>() else {
        return x;
    };
    let digits: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|d| d - b'0')
        .collect();
    // The value is 0.d1d2d3… × 10^(exponent + 1); keep the digits down to
    // the hundredths.
    let keep = exponent + 1 + 2;
    if keep < 0 {
        return 0.0;
    }
    let keep = keep as usize;
    let mut scaled: u64 = 0;
    for i in 0..keep {
        scaled = scaled * 10 + u64::from(digits.get(i).copied().unwrap_or(0));
    }
    if digits.get(keep).is_some_and(|d| *d >= 5) {
        scaled += 1;
    }
    let rounded = scaled as f64 / 100.0;
    if x < 0.0 { -rounded } else { rounded }
}
