//! Tests of the judge's inputs and outputs: missing and non-finite
//! samples, the marginal band, zero and huge values, validation, the JSON
//! shapes, number formatting.

use super::tests::{baseline, grouped, judge_one, metric, some};
use super::*;
use std::collections::BTreeMap;

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
