//! Tests of the canary judge: classification at its edges, scoring,
//! weights and groups, and properties over generated inputs.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

fn some(xs: &[f64]) -> Vec<Option<f64>> {
    xs.iter().copied().map(Some).collect()
}

/// 40 samples around 100 (ties included).
fn baseline() -> Vec<f64> {
    (0..40).map(|i| 100.0 + f64::from(i % 10)).collect()
}

fn scaled(xs: &[f64], factor: f64) -> Vec<f64> {
    xs.iter().map(|x| x * factor).collect()
}

fn metric(name: &str, direction: Direction) -> MetricConfig {
    MetricConfig {
        direction,
        ..MetricConfig::new(name)
    }
}

fn judge_one(config: &MetricConfig, canary: &[f64], baseline: &[f64]) -> MetricResult {
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
fn grouped(config: &JudgeConfig, spec: &[(&str, bool)]) -> JudgeResult {
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

#[test]
fn nan_strategy_remove_vs_replace() {
    let b = baseline();
    // The canary's values equal the baseline's, plus 40 missing samples.
    let mut c = some(&b);
    c.extend(std::iter::repeat_n(None, 40));
    let bs = some(&b);
    let run = |strategy| {
        // Tolerance 0: the 40 zeros make the interval wide ([-102, -3]),
        // within Kayenta's default tolerance of the estimate (-54.5).
        let config = MetricConfig {
            nan_strategy: strategy,
            tolerance: 0.0,
            ..metric("m", Direction::Either)
        };
        judge(
            &JudgeConfig::default(),
            &[MetricInput {
                config: &config,
                canary: &c,
                baseline: &bs,
            }],
        )
    };
    let removed = run(NanStrategy::Remove);
    let m = &removed.metrics[0];
    assert_eq!(m.classification, Classification::Pass);
    assert_eq!(m.n_canary, 40);
    assert!(m.reason.contains("identical"), "{}", m.reason);
    assert!(
        m.reason.contains("missing samples removed: 40 canary"),
        "{}",
        m.reason
    );
    assert_eq!(removed.outcome, JudgeOutcome::Pass);

    let replaced = run(NanStrategy::Replace);
    let m = &replaced.metrics[0];
    assert_eq!(m.n_canary, 80);
    assert_eq!(m.classification, Classification::Low, "{}", m.reason);
    assert!(m.reason.contains("replaced by 0"), "{}", m.reason);
    assert_eq!(replaced.outcome, JudgeOutcome::Fail);
}

#[test]
fn non_finite_values_are_missing() {
    let b = baseline();
    let mut c = some(&b);
    c.push(Some(f64::NAN));
    c.push(Some(f64::INFINITY));
    let r = judge_one(&MetricConfig::new("m"), &[], &[]);
    assert_eq!(r.classification, Classification::NoData);
    let config = MetricConfig::new("m");
    let bs = some(&b);
    let r = judge(
        &JudgeConfig::default(),
        &[MetricInput {
            config: &config,
            canary: &c,
            baseline: &bs,
        }],
    );
    assert_eq!(r.metrics[0].n_canary, 40);
    assert_eq!(r.metrics[0].classification, Classification::Pass);
}

#[test]
fn marginal_band() {
    let config = JudgeConfig::default();
    // Exactly at `marginal` (75): fails, as in Spinnaker's canary stage.
    let r = grouped(
        &config,
        &[("g", true), ("g", true), ("g", true), ("g", false)],
    );
    assert_eq!((r.score, r.outcome), (75.0, JudgeOutcome::Fail));
    assert!(r.reason.contains("marginal above 75"), "{}", r.reason);
    let lower = JudgeConfig {
        marginal_score: 74.99,
        ..JudgeConfig::default()
    };
    let r = grouped(
        &lower,
        &[("g", true), ("g", true), ("g", true), ("g", false)],
    );
    assert_eq!((r.score, r.outcome), (75.0, JudgeOutcome::Marginal));
    let r = grouped(
        &config,
        &[("g", true), ("g", true), ("g", false), ("g", false)],
    );
    assert_eq!((r.score, r.outcome), (50.0, JudgeOutcome::Fail));
    let r = grouped(&config, &[("g", true); 4]);
    assert_eq!((r.score, r.outcome), (100.0, JudgeOutcome::Pass));
    let strict = JudgeConfig {
        marginal_score: 80.0,
        ..JudgeConfig::default()
    };
    let r = grouped(
        &strict,
        &[("g", true), ("g", true), ("g", true), ("g", false)],
    );
    assert_eq!(r.outcome, JudgeOutcome::Fail);
    assert!(r.reason.starts_with("score 75 (fail"), "{}", r.reason);
}

#[test]
fn zero_baseline_mean() {
    let zeros = [0.0; 20];
    let positive: Vec<f64> = (1..=20).map(f64::from).collect();
    let r = judge_one(&metric("m", Direction::Increase), &positive, &zeros);
    assert_eq!(r.classification, Classification::High, "{}", r.reason);
    assert_eq!(r.mean_ratio, None);
    assert!(r.reason.contains("ratio undefined"), "{}", r.reason);
    let negative: Vec<f64> = positive.iter().map(|x| -x).collect();
    let r = judge_one(&metric("m", Direction::Decrease), &negative, &zeros);
    assert_eq!(r.classification, Classification::Low, "{}", r.reason);
}

#[test]
fn huge_values_do_not_panic() {
    let c = [f64::MAX, f64::MAX, f64::MAX / 2.0];
    let b = [-f64::MAX, -f64::MAX, -f64::MAX / 3.0];
    let r = judge_one(&metric("m", Direction::Either), &c, &b);
    assert_eq!(r.estimate, None);
    assert!(r.p_value.is_some());
    assert_eq!(r.classification, Classification::Pass, "{}", r.reason);
    // Bigger samples: significant, sign from the halved values.
    // (Canary below a baseline of opposite sign: the mean ratio is -1.)
    let c = [-f64::MAX; 10];
    let b = [f64::MAX; 10];
    let r = judge_one(&metric("m", Direction::Either), &c, &b);
    assert_eq!(r.estimate, None);
    assert_eq!(r.mean_ratio, Some(-1.0));
    assert_eq!(r.classification, Classification::Low, "{}", r.reason);
}

#[test]
fn validate_errors() {
    assert_eq!(JudgeConfig::default().validate(), Ok(()));
    let marginal = JudgeConfig {
        pass_score: 75.0,
        marginal_score: 80.0,
        ..JudgeConfig::default()
    };
    assert_eq!(
        marginal.validate(),
        Err("`marginalScore` (80) is above `passScore` (75)".to_owned())
    );
    for (confidence, shown) in [(0.0, "0"), (1.5, "1.5"), (1.0, "1"), (f64::NAN, "NaN")] {
        let c = JudgeConfig {
            confidence,
            ..JudgeConfig::default()
        };
        assert_eq!(
            c.validate(),
            Err(format!(
                "`confidence` ({shown}) must be between 0 and 1, both excluded"
            ))
        );
    }
    let weights = JudgeConfig {
        group_weights: BTreeMap::from([("latency".to_owned(), -1.0)]),
        ..JudgeConfig::default()
    };
    assert_eq!(
        weights.validate(),
        Err("`groupWeights.latency` (-1) must be a finite number of at least 0".to_owned())
    );
    let pass = JudgeConfig {
        pass_score: 101.0,
        ..JudgeConfig::default()
    };
    assert_eq!(
        pass.validate(),
        Err("`passScore` (101) must be between 0 and 100".to_owned())
    );
    let metric = MetricConfig {
        allowed_increase: 0.0,
        ..MetricConfig::new("m")
    };
    assert_eq!(
        metric.validate(),
        Err("`allowedIncrease` (0) of metric `m` must be a finite number above 0".to_owned())
    );
    assert_eq!(MetricConfig::new("m").validate(), Ok(()));
}

#[test]
fn serde_shapes() {
    let config: MetricConfig = serde_json::from_str(
        r#"{"name": "latency", "direction": "increase", "mustHaveData": true}"#,
    )
    .unwrap();
    assert_eq!(config.allowed_increase, 1.0);
    assert_eq!(config.nan_strategy, NanStrategy::Remove);
    assert!(config.must_have_data);
    assert!(serde_json::from_str::<MetricConfig>(r#"{"name": "x", "bogus": 1}"#).is_err());
    let judge_config: JudgeConfig = serde_json::from_str(r#"{"groupWeights": {"a": 70}}"#).unwrap();
    assert_eq!(judge_config.confidence, 0.98);
    assert_eq!(judge_config.pass_score, 95.0);

    let r = judge(
        &JudgeConfig::default(),
        &[MetricInput {
            config: &config,
            canary: &[],
            baseline: &[Some(1.0)],
        }],
    );
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["outcome"], "fail");
    assert_eq!(json["metrics"][0]["classification"], "no-data");
    assert_eq!(json["metrics"][0]["mustHaveData"], true);
    assert!(json["metrics"][0].get("pValue").is_none());
    assert!(json["metrics"][0].get("group").is_none());
    assert_eq!(
        serde_json::to_value(JudgeOutcome::NoData).unwrap(),
        "no-data"
    );
    assert_eq!(serde_json::to_value(Direction::Either).unwrap(), "either");
    assert_eq!(
        serde_json::to_value(NanStrategy::Replace).unwrap(),
        "replace"
    );
}

#[test]
fn number_formatting() {
    assert_eq!(num(231.0), "231");
    assert_eq!(num(1.2833333), "1.283");
    assert_eq!(num(0.0001), "0.0001");
    assert_eq!(num(1.0 - 0.98), "0.02");
    assert_eq!(num(1.2810718345817004e-34), "1.281e-34");
    assert_eq!(num(-12345.678), "-12346");
    assert_eq!(num(0.0), "0");
}

// ---- properties ----

#[derive(Debug, Clone)]
struct Spec {
    group: Option<u8>,
    direction: Direction,
    critical: bool,
    must_have_data: bool,
    nan_strategy: NanStrategy,
    canary: Vec<Option<f64>>,
    baseline: Vec<Option<f64>>,
}

fn series() -> impl Strategy<Value = Vec<Option<f64>>> {
    prop::collection::vec(
        prop_oneof![
            8 => (0i32..30).prop_map(|i| Some(f64::from(i))),
            1 => Just(None),
        ],
        0..25,
    )
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::option::of(0u8..4),
        prop_oneof![
            Just(Direction::Increase),
            Just(Direction::Decrease),
            Just(Direction::Either)
        ],
        prop::bool::weighted(0.15),
        any::<bool>(),
        prop_oneof![Just(NanStrategy::Remove), Just(NanStrategy::Replace)],
        series(),
        series(),
    )
        .prop_map(
            |(group, direction, critical, must_have_data, nan_strategy, canary, baseline)| Spec {
                group,
                direction,
                critical,
                must_have_data,
                nan_strategy,
                canary,
                baseline,
            },
        )
}

fn make_configs(specs: &[Spec]) -> Vec<MetricConfig> {
    specs
        .iter()
        .enumerate()
        .map(|(i, s)| MetricConfig {
            group: s.group.map(|g| format!("g{g}")),
            direction: s.direction,
            critical: s.critical,
            must_have_data: s.must_have_data,
            nan_strategy: s.nan_strategy,
            ..MetricConfig::new(format!("m{i}"))
        })
        .collect()
}

fn inputs<'a>(specs: &'a [Spec], configs: &'a [MetricConfig]) -> Vec<MetricInput<'a>> {
    specs
        .iter()
        .zip(configs)
        .map(|(s, config)| MetricInput {
            config,
            canary: &s.canary,
            baseline: &s.baseline,
        })
        .collect()
}

fn judge_config() -> impl Strategy<Value = JudgeConfig> {
    (
        prop::collection::btree_map((0u8..5).prop_map(|g| format!("g{g}")), 0.0f64..150.0, 0..4),
        0.5f64..0.999,
    )
        .prop_map(|(group_weights, confidence)| JudgeConfig {
            confidence,
            group_weights,
            ..JudgeConfig::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn score_is_between_0_and_100(
        config in judge_config(),
        specs in prop::collection::vec(spec(), 0..8),
    ) {
        let configs = make_configs(&specs);
        let r = judge(&config, &inputs(&specs, &configs));
        prop_assert!((0.0..=100.0).contains(&r.score), "{}", r.score);
        prop_assert_eq!(r.metrics.len(), specs.len());
        let scored: f64 = r.groups.iter().filter(|g| g.score.is_some()).map(|g| g.weight).sum();
        if r.groups.iter().any(|g| g.score.is_some()) {
            prop_assert!((scored - 100.0).abs() < 1e-9, "weights sum to {}", scored);
        }
        if r.outcome == JudgeOutcome::NoData {
            let left_out = r.metrics.iter().filter(|m| m.classification == Classification::NoData && !m.failed()).count();
            prop_assert!(
                r.metrics.iter().all(|m| !m.counted())
                    || r.metrics.iter().any(|m| m.critical && m.classification == Classification::NoData)
                    || 100.0 * left_out as f64 / r.metrics.len() as f64 >= config.max_no_data_percent
            );
            prop_assert_eq!(r.score, 0.0);
        }
        // Never a pass with a critical metric that is not a clear pass.
        if r.metrics.iter().any(|m| m.critical && m.classification != Classification::Pass && !(m.classification == Classification::High || m.classification == Classification::Low) ) {
            prop_assert_ne!(r.outcome, JudgeOutcome::Pass);
        }
    }

    #[test]
    fn adding_a_no_data_metric_changes_nothing(
        config in judge_config(),
        specs in prop::collection::vec(spec(), 0..8),
        group in prop::option::of(0u8..6),
        direction in prop_oneof![Just(Direction::Increase), Just(Direction::Either)],
        missing_side in any::<bool>(),
        present in series(),
        position in any::<prop::sample::Index>(),
    ) {
        // Kayenta's share of metrics without data is this property's
        // exception: at 100 % only all metrics without data hold.
        let config = JudgeConfig { max_no_data_percent: 100.0, ..config };
        let configs = make_configs(&specs);
        let before = judge(&config, &inputs(&specs, &configs));
        // Not critical, data not required; one side without samples.
        let extra = Spec {
            group,
            direction,
            critical: false,
            must_have_data: false,
            nan_strategy: NanStrategy::Remove,
            canary: if missing_side { vec![None; 3] } else { present.clone() },
            baseline: if missing_side { present } else { Vec::new() },
        };
        let mut more = specs.clone();
        more.insert(position.index(specs.len() + 1), extra);
        let more_configs = make_configs(&more);
        let after = judge(&config, &inputs(&more, &more_configs));
        prop_assert_eq!(after.score, before.score);
        prop_assert_eq!(after.outcome, before.outcome);
    }
}
