//! Tests of the canary judge: classification at its edges, scoring,
//! weights and groups (properties over generated inputs: `properties.rs`).

use super::*;
use std::collections::BTreeMap;

pub(super) fn some(xs: &[f64]) -> Vec<Option<f64>> {
    xs.iter().copied().map(Some).collect()
}

/// 40 samples around 100 (ties included).
pub(super) fn baseline() -> Vec<f64> {
    (0..40).map(|i| 100.0 + f64::from(i % 10)).collect()
}

pub(super) fn scaled(xs: &[f64], factor: f64) -> Vec<f64> {
    xs.iter().map(|x| x * factor).collect()
}

pub(super) fn metric(name: &str, direction: Direction) -> MetricConfig {
    MetricConfig {
        direction,
        ..MetricConfig::new(name)
    }
}

pub(super) fn judge_one(config: &MetricConfig, canary: &[f64], baseline: &[f64]) -> MetricResult {
    let (c, b) = (some(canary), some(baseline));
    let r = judge(
        &JudgeConfig::default(),
        &[MetricInput {
            config,
            canary: &c,
            baseline: &b,
        }],
    );
    r.metrics.into_iter().next().unwrap()
}

#[test]
fn identical_series_pass() {
    let b = baseline();
    let mut c = b.clone();
    c.reverse();
    let r = judge_one(&metric("m", Direction::Either), &c, &b);
    assert_eq!(r.classification, Classification::Pass);
    assert_eq!(r.mean_ratio, Some(1.0));
    assert!(r.reason.contains("identical"), "{}", r.reason);
}

#[test]
fn clear_increase_by_direction() {
    let b = baseline();
    let c = scaled(&b, 1.3);
    let high = judge_one(&metric("m", Direction::Increase), &c, &b);
    assert_eq!(high.classification, Classification::High, "{}", high.reason);
    assert!(high.p_value.unwrap() < 0.02);
    assert!(high.estimate.unwrap() > 0.0);
    assert!(high.mean_ratio.unwrap() > 1.29);
    assert!(
        high.reason.contains("significant increase"),
        "{}",
        high.reason
    );
    assert!(high.reason.contains("×1.3"), "{}", high.reason);

    let dec = judge_one(&metric("m", Direction::Decrease), &c, &b);
    assert_eq!(dec.classification, Classification::Pass, "{}", dec.reason);
    assert!(dec.p_value.unwrap() > 0.5);

    let either = judge_one(&metric("m", Direction::Either), &c, &b);
    assert_eq!(either.classification, Classification::High);
    // Two-sided p is twice the one-sided.
    assert!((either.p_value.unwrap() - 2.0 * high.p_value.unwrap()).abs() < 1e-15);
}

#[test]
fn clear_decrease_by_direction() {
    let b = baseline();
    let c = scaled(&b, 0.7);
    for (direction, expected) in [
        (Direction::Decrease, Classification::Low),
        (Direction::Either, Classification::Low),
        (Direction::Increase, Classification::Pass),
    ] {
        let r = judge_one(&metric("m", direction), &c, &b);
        assert_eq!(r.classification, expected, "{direction:?}: {}", r.reason);
    }
}

#[test]
fn allowed_increase_tolerates_a_significant_shift() {
    let b = baseline();
    let c = scaled(&b, 1.2);
    let tolerant = MetricConfig {
        allowed_increase: 1.5,
        ..metric("m", Direction::Increase)
    };
    let r = judge_one(&tolerant, &c, &b);
    assert!(r.p_value.unwrap() < 0.02);
    assert_eq!(r.classification, Classification::Pass, "{}", r.reason);
    assert!(r.reason.contains("within the allowed ×1.5"), "{}", r.reason);

    let strict = MetricConfig {
        allowed_increase: 1.1,
        ..metric("m", Direction::Increase)
    };
    assert_eq!(
        judge_one(&strict, &c, &b).classification,
        Classification::High
    );

    let tolerant_low = MetricConfig {
        allowed_decrease: 0.5,
        ..metric("m", Direction::Decrease)
    };
    let c = scaled(&b, 0.8);
    assert_eq!(
        judge_one(&tolerant_low, &c, &b).classification,
        Classification::Pass
    );
}

#[test]
fn not_significant_passes() {
    let b = baseline();
    let c: Vec<f64> = b
        .iter()
        .map(|x| x + if *x > 104.0 { 0.5 } else { 0.0 })
        .collect();
    let r = judge_one(&metric("m", Direction::Increase), &c, &b);
    assert_eq!(r.classification, Classification::Pass);
    assert!(r.p_value.unwrap() >= 0.02);
    assert!(
        r.reason.contains("no significant difference"),
        "{}",
        r.reason
    );
}

#[test]
fn no_data_and_must_have_data() {
    let b = some(&baseline());
    let passing = MetricConfig::new("ok");
    let empty_config = MetricConfig::new("empty");
    let required = MetricConfig {
        must_have_data: true,
        ..MetricConfig::new("required")
    };
    let none: Vec<Option<f64>> = vec![None, None];

    let alone = judge(
        &JudgeConfig::default(),
        &[MetricInput {
            config: &empty_config,
            canary: &none,
            baseline: &b,
        }],
    );
    assert_eq!(alone.metrics[0].classification, Classification::NoData);
    assert!(
        alone.metrics[0]
            .reason
            .contains("the canary has no samples")
    );
    assert_eq!(alone.outcome, JudgeOutcome::NoData);
    assert_eq!(alone.score, 0.0);

    let passing_too = MetricConfig::new("ok-too");
    let with_pass = judge(
        &JudgeConfig::default(),
        &[
            MetricInput {
                config: &passing,
                canary: &b,
                baseline: &b,
            },
            MetricInput {
                config: &passing_too,
                canary: &b,
                baseline: &b,
            },
            MetricInput {
                config: &empty_config,
                canary: &b,
                baseline: &[],
            },
        ],
    );
    assert!(
        with_pass.metrics[2]
            .reason
            .contains("the baseline has no samples")
    );
    assert_eq!(with_pass.score, 100.0);
    assert_eq!(with_pass.outcome, JudgeOutcome::Pass);

    let with_required = judge(
        &JudgeConfig::default(),
        &[
            MetricInput {
                config: &passing,
                canary: &b,
                baseline: &b,
            },
            MetricInput {
                config: &required,
                canary: &none,
                baseline: &b,
            },
        ],
    );
    assert_eq!(with_required.score, 50.0);
    assert_eq!(with_required.outcome, JudgeOutcome::Fail);
    assert!(with_required.reason.contains("`required` (no-data)"));
    assert_eq!(with_required.critical_failure, None);
}

#[test]
fn critical_failure_zeroes_the_score() {
    let b = some(&baseline());
    let high = some(&scaled(&baseline(), 1.3));
    let critical = MetricConfig {
        critical: true,
        ..metric("latency", Direction::Increase)
    };
    let others: Vec<MetricConfig> = (0..9).map(|i| MetricConfig::new(format!("m{i}"))).collect();
    let mut inputs: Vec<MetricInput<'_>> = others
        .iter()
        .map(|config| MetricInput {
            config,
            canary: &b,
            baseline: &b,
        })
        .collect();
    inputs.push(MetricInput {
        config: &critical,
        canary: &high,
        baseline: &b,
    });
    let r = judge(&JudgeConfig::default(), &inputs);
    assert_eq!(r.score, 0.0);
    assert_eq!(r.outcome, JudgeOutcome::Fail);
    assert_eq!(r.critical_failure.as_deref(), Some("latency"));
    assert!(
        r.reason.starts_with("critical metric `latency` is high"),
        "{}",
        r.reason
    );
    // The group score itself is still reported.
    assert_eq!(r.groups[0].score, Some(90.0));

    // Even with a marginal threshold of 0, a critical failure fails.
    let lenient = JudgeConfig {
        marginal_score: 0.0,
        pass_score: 0.0,
        ..JudgeConfig::default()
    };
    assert_eq!(judge(&lenient, &inputs).outcome, JudgeOutcome::Fail);

    // Without `critical` the same data scores 90.
    let not_critical = metric("latency", Direction::Increase);
    inputs.pop();
    inputs.push(MetricInput {
        config: &not_critical,
        canary: &high,
        baseline: &b,
    });
    let r = judge(&JudgeConfig::default(), &inputs);
    assert_eq!(r.score, 90.0);
    assert_eq!(r.outcome, JudgeOutcome::Marginal);
}

/// Defect (issue 10): a critical metric without data (not `mustHaveData`)
/// was left out and the others scored: the canary passed.
#[test]
fn critical_metric_without_data_never_passes() {
    let b = some(&baseline());
    let critical = MetricConfig {
        critical: true,
        ..MetricConfig::new("c")
    };
    let required = MetricConfig {
        must_have_data: true,
        ..critical.clone()
    };
    let oks: Vec<MetricConfig> = (0..3)
        .map(|i| MetricConfig::new(format!("ok{i}")))
        .collect();
    let run = |config: &MetricConfig, canary: &[Option<f64>]| {
        let mut inputs: Vec<MetricInput<'_>> = oks
            .iter()
            .map(|config| MetricInput {
                config,
                canary: &b,
                baseline: &b,
            })
            .collect();
        inputs.push(MetricInput {
            config,
            canary,
            baseline: &b,
        });
        judge(&JudgeConfig::default(), &inputs)
    };
    // 1 of 4 without data: below Kayenta's 50 %, yet the canary holds.
    let r = run(&critical, &[]);
    assert_eq!((r.score, r.outcome), (0.0, JudgeOutcome::NoData));
    assert_eq!(r.critical_failure, None);
    assert!(
        r.reason.starts_with("critical metric `c` has no data"),
        "{}",
        r.reason
    );
    assert!(
        r.metrics[3]
            .reason
            .contains("a critical metric without data holds")
    );
    // Only missing samples, removed: the same.
    let r = run(&critical, &[None, None, Some(f64::NAN)]);
    assert_eq!(r.outcome, JudgeOutcome::NoData);
    // With `mustHaveData` it fails, as before.
    let r = run(&required, &[]);
    assert_eq!((r.score, r.outcome), (0.0, JudgeOutcome::Fail));
    assert_eq!(r.critical_failure.as_deref(), Some("c"));
    // With data it is judged like any other.
    let r = run(&critical, &b);
    assert_eq!((r.score, r.outcome), (100.0, JudgeOutcome::Pass));
}

/// Kayenta's rule: 50 % or more of the metrics without data zero the
/// score; configurable by `maxNoDataPercent`.
#[test]
fn half_the_metrics_without_data_hold() {
    let b = some(&baseline());
    let configs: Vec<MetricConfig> = (0..4).map(|i| MetricConfig::new(format!("m{i}"))).collect();
    let run = |config: &JudgeConfig, empty: usize| {
        let inputs: Vec<MetricInput<'_>> = configs
            .iter()
            .enumerate()
            .map(|(i, config)| MetricInput {
                config,
                canary: if i < empty { &[] } else { &b },
                baseline: &b,
            })
            .collect();
        judge(config, &inputs)
    };
    let default = JudgeConfig::default();
    // 1 of 4 (25 %): scored. 2 of 4 (exactly 50 %): hold.
    let r = run(&default, 1);
    assert_eq!((r.score, r.outcome), (100.0, JudgeOutcome::Pass));
    let r = run(&default, 2);
    assert_eq!((r.score, r.outcome), (0.0, JudgeOutcome::NoData));
    assert!(
        r.reason.contains("2 of 4 metrics (50 %) have no data"),
        "{}",
        r.reason
    );
    // Raised to 75 %: 2 of 4 is scored, 3 of 4 holds.
    let lenient = JudgeConfig {
        max_no_data_percent: 75.0,
        ..JudgeConfig::default()
    };
    assert_eq!(run(&lenient, 2).outcome, JudgeOutcome::Pass);
    assert_eq!(run(&lenient, 3).outcome, JudgeOutcome::NoData);
    // 100 %: only when nothing has data.
    let all = JudgeConfig {
        max_no_data_percent: 100.0,
        ..JudgeConfig::default()
    };
    assert_eq!(run(&all, 3).outcome, JudgeOutcome::Pass);
    assert_eq!(run(&all, 4).outcome, JudgeOutcome::NoData);
}

/// Metrics in groups: `(group, passes)`.
pub(super) fn grouped(config: &JudgeConfig, spec: &[(&str, bool)]) -> JudgeResult {
    let b = some(&baseline());
    let high = some(&scaled(&baseline(), 1.3));
    let configs: Vec<MetricConfig> = spec
        .iter()
        .enumerate()
        .map(|(i, (group, _))| MetricConfig {
            group: Some((*group).to_owned()),
            ..metric(&format!("m{i}"), Direction::Increase)
        })
        .collect();
    let inputs: Vec<MetricInput<'_>> = configs
        .iter()
        .zip(spec)
        .map(|(config, (_, passes))| MetricInput {
            config,
            canary: if *passes { &b } else { &high },
            baseline: &b,
        })
        .collect();
    judge(config, &inputs)
}

#[test]
fn group_weights_70_30() {
    let config = JudgeConfig {
        group_weights: BTreeMap::from([("latency".to_owned(), 70.0), ("errors".to_owned(), 30.0)]),
        ..JudgeConfig::default()
    };
    // latency 1/2 = 50, errors 1/1 = 100 → 0.7 × 50 + 0.3 × 100 = 65.
    let r = grouped(
        &config,
        &[("latency", true), ("latency", false), ("errors", true)],
    );
    assert!((r.score - 65.0).abs() < 1e-12, "{}", r.score);
    assert_eq!(r.outcome, JudgeOutcome::Fail);
    let g: Vec<(&str, f64, Option<f64>)> = r
        .groups
        .iter()
        .map(|g| (g.name.as_str(), g.weight, g.score))
        .collect();
    assert_eq!(
        g,
        [("latency", 70.0, Some(50.0)), ("errors", 30.0, Some(100.0))]
    );
    // Swapped weights: 0.3 × 50 + 0.7 × 100 = 85.
    let swapped = JudgeConfig {
        group_weights: BTreeMap::from([("latency".to_owned(), 30.0), ("errors".to_owned(), 70.0)]),
        ..JudgeConfig::default()
    };
    let r = grouped(
        &swapped,
        &[("latency", true), ("latency", false), ("errors", true)],
    );
    assert!((r.score - 85.0).abs() < 1e-12, "{}", r.score);
    assert_eq!(r.outcome, JudgeOutcome::Marginal);
}

#[test]
fn unweighted_groups_share_the_remainder() {
    let config = JudgeConfig {
        group_weights: BTreeMap::from([("a".to_owned(), 50.0)]),
        ..JudgeConfig::default()
    };
    // a = 100 (weight 50), b = 0 and c = 50 share 50 → 25 each:
    // 50 + 0 + 12.5 = 62.5.
    let r = grouped(
        &config,
        &[("a", true), ("b", false), ("c", true), ("c", false)],
    );
    assert!((r.score - 62.5).abs() < 1e-12, "{}", r.score);
    let weights: Vec<f64> = r.groups.iter().map(|g| g.weight).collect();
    assert_eq!(weights, [50.0, 25.0, 25.0]);

    // No weights at all: equal shares → (100 + 0 + 50) / 3 = 50.
    let r = grouped(
        &JudgeConfig::default(),
        &[("a", true), ("b", false), ("c", true), ("c", false)],
    );
    assert!((r.score - 50.0).abs() < 1e-12, "{}", r.score);
}

#[test]
fn all_weighted_groups_are_normalised() {
    let config = JudgeConfig {
        group_weights: BTreeMap::from([("a".to_owned(), 1.0), ("b".to_owned(), 3.0)]),
        ..JudgeConfig::default()
    };
    // a = 100 (1/4), b = 0 (3/4) → 25.
    let r = grouped(&config, &[("a", true), ("b", false)]);
    assert!((r.score - 25.0).abs() < 1e-12, "{}", r.score);
    // Explicit weights at 100 leave nothing for an unweighted group.
    let full = JudgeConfig {
        group_weights: BTreeMap::from([("a".to_owned(), 100.0)]),
        ..JudgeConfig::default()
    };
    let r = grouped(&full, &[("a", true), ("b", false)]);
    assert_eq!(r.score, 100.0);
    assert_eq!(r.groups[1].weight, 0.0);
}

#[test]
fn metrics_without_group_are_in_default() {
    let r = grouped(&JudgeConfig::default(), &[("x", true)]);
    assert_eq!(r.groups[0].name, "x");
    let b = some(&baseline());
    let m = MetricConfig::new("m");
    let r = judge(
        &JudgeConfig::default(),
        &[MetricInput {
            config: &m,
            canary: &b,
            baseline: &b,
        }],
    );
    assert_eq!(r.groups[0].name, DEFAULT_GROUP);
}
