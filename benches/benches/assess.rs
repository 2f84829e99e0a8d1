//! `cargo bench -p release-policy-benches --bench assess`
//!
//! - `assess/six-triggers-1h`: one assessment of six triggers over one hour
//!   of 10-second samples (360 per series) for canary and baseline, by
//!   release-policy (facts already parsed, and from JSON text) and by
//!   regorus evaluating the same triggers in Rego (`rego/rollout.rego`);
//!   the `agreement` test checks both trip the same triggers.
//! - `assess/builtin-example`: the standard pack on the latency-regression
//!   example (40 one-minute samples per series).
//! - `judge/2x1000`: the canary judge on 2 × 1,000 samples (with the
//!   confidence interval of the shift and the z = 0 estimate, as every
//!   finding carries them), also with outlier removal; the Mann-Whitney
//!   test, the Hodges-Lehmann estimate and the interval alone, and the
//!   textbook Hodges-Lehmann (all 10⁶ differences, sorted) beside it.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use release_policy::unstable::judge::{self, JudgeConfig, MetricConfig, MetricInput};
use release_policy::unstable::shift;
use release_policy::unstable::stats::{self, Alternative};
use release_policy::{Bundle, RolloutFacts};
use release_policy_benches::rollout::{
    ROLLOUT_POLICY, ROLLOUT_REGO, naive_hodges_lehmann, noise, rollout_facts_json,
};
use release_policy_benches::workspace_root;

fn assess(c: &mut Criterion) {
    let bundle = Bundle::from_yaml_str("bench.yaml", ROLLOUT_POLICY).expect("policy");
    let json = rollout_facts_json();
    let text = json.to_string();
    let facts = RolloutFacts::from_json_value(json, bundle.limits()).expect("facts");
    let mut engine = regorus::Engine::new();
    engine
        .add_policy("rollout.rego".into(), ROLLOUT_REGO.into())
        .expect("rego");
    let input = regorus::Value::from_json_str(&text).expect("input");

    let mut g = c.benchmark_group("assess/six-triggers-1h");
    g.bench_function("release-policy/facts", |b| {
        b.iter(|| black_box(bundle.assess(black_box(&facts))))
    });
    g.bench_function("release-policy/json", |b| {
        b.iter(|| black_box(bundle.assess_str(black_box(&text))))
    });
    g.bench_function("regorus/value", |b| {
        b.iter(|| {
            engine.set_input(black_box(input.clone()));
            black_box(engine.eval_rule("data.rollout.result".into()))
        })
    });
    g.finish();

    let builtin = Bundle::try_builtin().expect("builtin");
    let yaml = std::fs::read_to_string(
        workspace_root().join("examples/rollouts/checkout-latency-regression.yaml"),
    )
    .expect("example");
    let example = RolloutFacts::parse(&yaml).expect("example facts");
    c.bench_function("assess/builtin-example", |b| {
        b.iter(|| black_box(builtin.assess(black_box(&example))))
    });
}

fn judge_bench(c: &mut Criterion) {
    let canary = noise(11, 1_000, 180.0, 220.0);
    let baseline = noise(12, 1_000, 178.0, 218.0);
    let (c_opt, b_opt): (Vec<Option<f64>>, Vec<Option<f64>>) = (
        canary.iter().copied().map(Some).collect(),
        baseline.iter().copied().map(Some).collect(),
    );
    let config = JudgeConfig::default();
    let mut metric = MetricConfig::new("latency-p99");
    metric.must_have_data = true;
    let mut g = c.benchmark_group("judge/2x1000");
    g.bench_function("judge", |b| {
        b.iter(|| {
            let input = MetricInput {
                config: &metric,
                canary: black_box(&c_opt),
                baseline: black_box(&b_opt),
            };
            black_box(judge::judge(&config, &[input]))
        })
    });
    let mut outliers = metric.clone();
    outliers.remove_outliers = true;
    g.bench_function("judge/remove-outliers", |b| {
        b.iter(|| {
            let input = MetricInput {
                config: &outliers,
                canary: black_box(&c_opt),
                baseline: black_box(&b_opt),
            };
            black_box(judge::judge(&config, &[input]))
        })
    });
    g.bench_function("shift-interval", |b| {
        b.iter(|| {
            black_box(shift::shift_interval(
                black_box(&canary),
                black_box(&baseline),
                0.98,
            ))
        })
    });
    g.bench_function("mann-whitney", |b| {
        b.iter(|| {
            black_box(stats::mann_whitney(
                black_box(&canary),
                black_box(&baseline),
                Alternative::TwoSided,
            ))
        })
    });
    g.bench_function("hodges-lehmann/bisection", |b| {
        b.iter(|| {
            black_box(stats::hodges_lehmann(
                black_box(&canary),
                black_box(&baseline),
            ))
        })
    });
    g.bench_function("hodges-lehmann/naive-sort", |b| {
        b.iter(|| {
            black_box(naive_hodges_lehmann(
                black_box(&canary),
                black_box(&baseline),
            ))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    targets = assess, judge_bench
}
criterion_main!(benches);
