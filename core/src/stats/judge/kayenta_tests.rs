//! Tests of the judge's Kayenta parity and of the defects of issue 10:
//! heavy ties, undefined mean ratios, tolerance, the interval and the z = 0
//! estimate in the findings, CLES, critical effect sizes, outliers, several
//! groups, rounding. Reference numbers: `core/tests/data/shift_reference.py`.

use super::score::round2;
use super::*;

fn some(xs: &[f64]) -> Vec<Option<f64>> {
    xs.iter().copied().map(Some).collect()
}

fn one(config: &MetricConfig, canary: &[f64], baseline: &[f64]) -> MetricResult {
    let (c, b) = (some(canary), some(baseline));
    judge(
        &JudgeConfig::default(),
        &[MetricInput {
            config,
            canary: &c,
            baseline: &b,
        }],
    )
    .metrics
    .remove(0)
}

fn direction(d: Direction) -> MetricConfig {
    MetricConfig {
        direction: d,
        ..MetricConfig::new("m")
    }
}

/// 60 % zeros on both sides; the canary's other values are larger.
fn heavy_ties() -> (Vec<f64>, Vec<f64>) {
    let mut canary = vec![0.0; 360];
    canary.extend((0..240).map(|i| f64::from(10 + i % 40)));
    let mut baseline = vec![0.0; 360];
    baseline.extend((0..240).map(|i| f64::from(1 + i % 8)));
    (canary, baseline)
}

/// Defect (issue 10): on heavily tied data the test is significant but the
/// Hodges-Lehmann estimate is exactly 0, and the direction was taken only
/// from its sign: the metric passed.
#[test]
fn significant_shift_with_zero_estimate_fails() {
    let (c, b) = heavy_ties();
    for d in [Direction::Increase, Direction::Either] {
        let r = one(&direction(d), &c, &b);
        assert_eq!(r.estimate, Some(0.0));
        // SciPy: U 208800 (n1·n2/2 = 180000); p 2.994e-8 greater, 5.989e-8
        // two-sided.
        assert_eq!(r.u, Some(208800.0));
        assert!(r.p_value.unwrap() < 6e-8, "{:?}", r.p_value);
        assert_eq!((r.ci_lower, r.ci_upper), (Some(0.0), Some(0.0)));
        assert_eq!(r.classification, Classification::High, "{}", r.reason);
        assert!(r.reason.contains("ranks higher"), "{}", r.reason);
    }
    // A decrease only fails a `decrease` metric: the ranks say increase.
    let r = one(&direction(Direction::Decrease), &c, &b);
    assert_eq!(r.classification, Classification::Pass, "{}", r.reason);
    // Swapped, the ranks say decrease.
    let r = one(&direction(Direction::Either), &b, &c);
    assert_eq!(r.classification, Classification::Low, "{}", r.reason);
    assert!(r.reason.contains("ranks lower"), "{}", r.reason);
}

/// Defect (issue 10): `meanRatio` was 0 when the canary mean was 0; it is
/// undefined (`null` in JSON) when either mean is 0.
#[test]
fn mean_ratio_undefined_when_a_mean_is_zero() {
    let zeros = [0.0; 20];
    let positive: Vec<f64> = (1..=20).map(f64::from).collect();
    // Canary mean 0: undefined, and still a decrease beyond any allowance.
    let r = one(&direction(Direction::Decrease), &zeros, &positive);
    assert_eq!(r.mean_ratio, None);
    assert_eq!(r.canary_mean, Some(0.0));
    assert_eq!(r.classification, Classification::Low, "{}", r.reason);
    assert!(r.reason.contains("ratio undefined"), "{}", r.reason);
    let json = serde_json::to_value(&r).unwrap();
    assert!(json.get("meanRatio").is_none());
    // Baseline mean 0: undefined, an increase beyond any allowance.
    let r = one(&direction(Direction::Increase), &positive, &zeros);
    assert_eq!(r.mean_ratio, None);
    assert_eq!(r.classification, Classification::High, "{}", r.reason);
    // Both means 0 (samples differ): undefined, no change in the means.
    let r = one(
        &direction(Direction::Either),
        &[-1.0, 1.0, -2.0, 2.0],
        &[0.0; 4],
    );
    assert_eq!(r.mean_ratio, None);
    // Identical zeros: pass, ratio undefined too.
    let r = one(&direction(Direction::Either), &zeros, &zeros);
    assert_eq!(r.classification, Classification::Pass);
    assert_eq!(r.mean_ratio, None);
}

#[test]
fn every_finding_reports_interval_z0_estimate_and_cles() {
    // "shifted" and "odd_pairs" of the reference script.
    let c = [
        10.2, 11.5, 12.1, 13.3, 11.9, 12.8, 13.7, 14.1, 12.2, 13.0, 11.1, 12.5,
    ];
    let b = [9.8, 10.1, 10.9, 11.2, 10.4, 9.5, 11.8, 10.7, 10.0, 11.4];
    let r = one(&direction(Direction::Either), &c, &b);
    let close = |x: Option<f64>, y: f64| (x.unwrap() - y).abs() <= 1e-12 * y.abs().max(1.0);
    assert!(close(r.ci_lower, 0.6999999999999993), "{:?}", r.ci_lower);
    assert!(close(r.ci_upper, 2.9000000000000004), "{:?}", r.ci_upper);
    assert_eq!(r.estimate, Some(1.8499999999999996));
    assert!(close(r.estimate_z0, 1.8499999999999996));
    assert_eq!(r.cles, Some(0.9166666666666666));
    assert!(r.reason.contains("98% CI [0.7, 2.9]"), "{}", r.reason);
    let json = serde_json::to_value(&r).unwrap();
    for field in ["ciLower", "ciUpper", "estimateZ0", "cles"] {
        assert!(json[field].is_number(), "{field}");
    }
    // Kayenta's z = 0 estimate differs from Hodges-Lehmann for an odd
    // number of pairs: reported, the Hodges-Lehmann estimate classifies.
    let r = one(
        &direction(Direction::Either),
        &[1.0, 4.0, 9.0],
        &[2.0, 3.0, 5.0, 7.0, 8.0],
    );
    assert_eq!((r.estimate, r.estimate_z0), (Some(-1.0), Some(0.0)));
    assert_eq!(r.cles, Some(0.4666666666666667));
    assert_eq!((r.ci_lower, r.ci_upper), (Some(-7.0), Some(7.0)));
}

/// 40 samples around 100 and a canary shifted by `shift`, plus noise
/// spread wide enough that the interval is wide.
fn spread(shift: f64) -> (Vec<f64>, Vec<f64>) {
    let b: Vec<f64> = (0..40).map(|i| 100.0 + f64::from(i % 10) * 4.0).collect();
    let c: Vec<f64> = b.iter().map(|x| x + shift).collect();
    (c, b)
}

#[test]
fn tolerance_bounds_the_interval() {
    let (c, b) = spread(12.0);
    let strict = MetricConfig {
        tolerance: 0.0,
        ..direction(Direction::Increase)
    };
    let r0 = one(&strict, &c, &b);
    assert_eq!(r0.classification, Classification::High, "{}", r0.reason);
    let (lower, estimate) = (r0.ci_lower.unwrap(), r0.estimate.unwrap());
    assert_eq!(estimate, 12.0);
    assert!(lower > 0.0);
    // The failure needs lower > tolerance × |estimate|: just below the
    // tolerance that reaches `lower` it fails, at it it passes.
    let at = lower / estimate;
    let fails = MetricConfig {
        tolerance: at - 1e-9,
        ..strict.clone()
    };
    assert_eq!(one(&fails, &c, &b).classification, Classification::High);
    let passes = MetricConfig {
        tolerance: at,
        ..strict.clone()
    };
    let r = one(&passes, &c, &b);
    assert_eq!(r.classification, Classification::Pass, "{}", r.reason);
    assert!(r.reason.contains("within the tolerance"), "{}", r.reason);
    // Kayenta's default (0.25) on the same data.
    assert_eq!(MetricConfig::new("m").tolerance, 0.25);
    // A decrease is bounded by the upper end.
    let (c, b) = spread(-12.0);
    let dec = MetricConfig {
        tolerance: 0.0,
        ..direction(Direction::Decrease)
    };
    let r = one(&dec, &c, &b);
    assert_eq!(r.classification, Classification::Low, "{}", r.reason);
    let upper = r.ci_upper.unwrap();
    let at = -upper / 12.0;
    let passes = MetricConfig {
        tolerance: at,
        ..dec.clone()
    };
    assert_eq!(one(&passes, &c, &b).classification, Classification::Pass);
}

#[test]
fn cles_effect_size() {
    let (c, b) = spread(12.0);
    let by_cles = |allowed: f64| MetricConfig {
        tolerance: 0.0,
        effect_size: EffectSize::Cles,
        allowed_increase: allowed,
        allowed_decrease: 0.5,
        ..direction(Direction::Increase)
    };
    let r = one(&by_cles(0.5), &c, &b);
    let cles = r.cles.unwrap();
    assert!(cles > 0.5 && cles < 1.0, "{cles}");
    assert_eq!(r.classification, Classification::High, "{}", r.reason);
    assert!(
        r.reason.contains("beyond the allowed CLES 0.5"),
        "{}",
        r.reason
    );
    // Exactly at the allowance: within it.
    let r = one(&by_cles(cles), &c, &b);
    assert_eq!(r.classification, Classification::Pass, "{}", r.reason);
    assert_eq!(
        serde_json::to_value(&r).unwrap()["effectSize"],
        serde_json::json!("cles")
    );
    // CLES allowances out of range are refused.
    let bad = MetricConfig {
        allowed_increase: 1.0,
        ..by_cles(0.5)
    };
    assert!(bad.validate().unwrap_err().contains("not a CLES"));
    let bad = MetricConfig {
        allowed_decrease: 0.6,
        ..by_cles(0.5)
    };
    assert!(
        bad.validate()
            .unwrap_err()
            .contains("`allowedDecrease` (0.6)")
    );
    assert_eq!(by_cles(0.6).validate(), Ok(()));
}

#[test]
fn critical_increase_decides_which_failures_zero_the_score() {
    let (c, b) = spread(12.0);
    let (cs, bs) = (some(&c), some(&b));
    let ok = MetricConfig::new("ok");
    let run = |config: &MetricConfig| {
        judge(
            &JudgeConfig::default(),
            &[
                MetricInput {
                    config: &ok,
                    canary: &bs,
                    baseline: &bs,
                },
                MetricInput {
                    config,
                    canary: &cs,
                    baseline: &bs,
                },
            ],
        )
    };
    let critical = MetricConfig {
        critical: true,
        tolerance: 0.0,
        ..direction(Direction::Increase)
    };
    let r = run(&critical);
    let ratio = r.metrics[1].mean_ratio.unwrap();
    assert_eq!((r.score, r.outcome), (0.0, JudgeOutcome::Fail));
    assert!(r.metrics[1].fails_critically);
    // Critical only beyond ×1.2: this ×1.1 increase is an ordinary failure.
    let lenient = MetricConfig {
        critical_increase: Some(1.2),
        ..critical.clone()
    };
    let r = run(&lenient);
    assert_eq!(r.metrics[1].classification, Classification::High);
    assert!(!r.metrics[1].fails_critically);
    assert_eq!((r.score, r.outcome), (50.0, JudgeOutcome::Fail));
    assert_eq!(r.critical_failure, None);
    // Exactly at the critical threshold: not beyond it.
    let at = MetricConfig {
        critical_increase: Some(ratio),
        ..critical.clone()
    };
    assert!(!run(&at).metrics[1].fails_critically);
    let below = MetricConfig {
        critical_increase: Some(ratio - 1e-9),
        ..critical.clone()
    };
    assert_eq!(run(&below).critical_failure.as_deref(), Some("m"));
    // Below the allowance it makes no sense.
    let bad = MetricConfig {
        critical_increase: Some(0.9),
        ..critical
    };
    assert!(
        bad.validate()
            .unwrap_err()
            .contains("below `allowedIncrease`")
    );
}

#[test]
fn outliers_are_removed_on_request() {
    // The spike sample of the reference: 250 is out of the fences.
    let spike = [
        10.0, 11.0, 10.5, 9.8, 10.2, 10.1, 9.9, 10.4, 10.3, 250.0, 10.0, 9.7,
    ];
    let baseline = [
        10.0, 11.0, 10.5, 9.8, 10.2, 10.1, 9.9, 10.4, 10.3, 10.6, 10.0, 9.7,
    ];
    let kept = one(&direction(Direction::Increase), &spike, &baseline);
    assert_eq!(kept.n_canary, 12);
    assert_eq!(kept.canary_outliers, 0);
    let removing = MetricConfig {
        remove_outliers: true,
        ..direction(Direction::Increase)
    };
    let r = one(&removing, &spike, &baseline);
    assert_eq!((r.n_canary, r.canary_outliers), (11, 1));
    assert_eq!((r.n_baseline, r.baseline_outliers), (12, 0));
    assert!(
        r.reason.contains("outliers removed: 1 canary, 0 baseline"),
        "{}",
        r.reason
    );
    assert!(r.canary_mean.unwrap() < 11.0);
    // An all-constant side keeps everything.
    let r = one(&removing, &[5.0; 8], &[5.0; 8]);
    assert_eq!((r.n_canary, r.canary_outliers), (8, 0));
    let bad = MetricConfig {
        outlier_factor: 0.0,
        ..removing
    };
    assert!(bad.validate().unwrap_err().contains("`outlierFactor` (0)"));
}

#[test]
fn a_metric_counts_in_each_of_its_groups() {
    let b: Vec<Option<f64>> = some(
        &(0..40)
            .map(|i| 100.0 + f64::from(i % 10))
            .collect::<Vec<_>>(),
    );
    let high: Vec<Option<f64>> = b.iter().map(|x| x.map(|v| v * 1.3)).collect();
    let shared = MetricConfig {
        group: Some("latency".into()),
        groups: vec!["errors".into(), "latency".into()],
        ..direction(Direction::Increase)
    };
    assert_eq!(
        MetricResult {
            groups: shared.groups.clone(),
            group: shared.group.clone(),
            ..one(&MetricConfig::new("x"), &[1.0], &[1.0])
        }
        .scored_groups(),
        vec!["latency", "errors"]
    );
    let ok = MetricConfig {
        group: Some("errors".into()),
        ..MetricConfig::new("ok")
    };
    let r = judge(
        &JudgeConfig::default(),
        &[
            MetricInput {
                config: &shared,
                canary: &high,
                baseline: &b,
            },
            MetricInput {
                config: &ok,
                canary: &b,
                baseline: &b,
            },
        ],
    );
    let score = |name: &str| r.groups.iter().find(|g| g.name == name).unwrap().score;
    assert_eq!(score("latency"), Some(0.0));
    assert_eq!(score("errors"), Some(50.0));
    // Two groups of equal weight: (0 + 50) / 2.
    assert_eq!(r.score, 25.0);
    assert!(
        r.reason.contains("1 of 2 counted metrics passed"),
        "{}",
        r.reason
    );
}

#[test]
fn scores_round_half_up_to_two_decimals() {
    assert_eq!(round2(74.995), 75.0);
    assert_eq!(round2(74.994999), 74.99);
    assert_eq!(round2(66.66666666666667), 66.67);
    assert_eq!(round2(33.333333333333336), 33.33);
    assert_eq!(round2(100.0), 100.0);
    assert_eq!(round2(0.0), 0.0);
    assert_eq!(round2(0.004), 0.0);
    assert_eq!(round2(0.005), 0.01);
    assert_eq!(round2(1.005), 1.01);
    assert_eq!(round2(2.675), 2.68);
    // Two of three pass: 66.67, and the rounded score is compared.
    let b: Vec<Option<f64>> = some(
        &(0..40)
            .map(|i| 100.0 + f64::from(i % 10))
            .collect::<Vec<_>>(),
    );
    let high: Vec<Option<f64>> = b.iter().map(|x| x.map(|v| v * 1.3)).collect();
    let configs: Vec<MetricConfig> = (0..3).map(direction_named).collect();
    let inputs: Vec<MetricInput<'_>> = configs
        .iter()
        .enumerate()
        .map(|(i, config)| MetricInput {
            config,
            canary: if i == 0 { &high } else { &b },
            baseline: &b,
        })
        .collect();
    let at = JudgeConfig {
        marginal_score: 60.0,
        pass_score: 66.67,
        ..JudgeConfig::default()
    };
    let r = judge(&at, &inputs);
    assert_eq!(r.score, 66.67);
    assert_eq!(r.groups[0].score, Some(66.67));
    assert_eq!(r.outcome, JudgeOutcome::Pass);
}

fn direction_named(i: usize) -> MetricConfig {
    MetricConfig {
        direction: Direction::Increase,
        ..MetricConfig::new(format!("m{i}"))
    }
}

#[test]
fn validate_new_settings() {
    let m = |f: fn(&mut MetricConfig)| {
        let mut c = MetricConfig::new("m");
        f(&mut c);
        c.validate()
    };
    assert!(
        m(|c| c.tolerance = -0.1)
            .unwrap_err()
            .contains("`tolerance` (-0.1)")
    );
    assert!(m(|c| c.tolerance = f64::NAN).is_err());
    assert_eq!(m(|c| c.tolerance = 0.0), Ok(()));
    assert!(m(|c| c.critical_increase = Some(0.0)).is_err());
    assert!(
        m(|c| c.critical_decrease = Some(1.5))
            .unwrap_err()
            .contains("above `allowedDecrease`")
    );
    let j = JudgeConfig {
        max_no_data_percent: 0.0,
        ..JudgeConfig::default()
    };
    assert!(j.validate().unwrap_err().contains("`maxNoDataPercent` (0)"));
    let j = JudgeConfig {
        max_no_data_percent: 100.5,
        ..JudgeConfig::default()
    };
    assert!(j.validate().is_err());
}
