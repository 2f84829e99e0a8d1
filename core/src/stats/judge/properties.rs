//! Properties of the judge over generated inputs: the score stays in
//! [0, 100], the weights add up, a metric without data changes nothing
//! (below Kayenta's share), `no-data` has its reasons.

use super::*;
use proptest::prelude::*;

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
        // Never a pass (nor marginal) with a critical metric that is not a
        // clear pass: `high`, `low` or without data.
        if r.metrics.iter().any(|m| m.critical && m.classification != Classification::Pass) {
            prop_assert!(matches!(r.outcome, JudgeOutcome::Fail | JudgeOutcome::NoData), "{:?}", r.outcome);
            prop_assert_eq!(r.score, 0.0);
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
