//! Profile the canary judge under callgrind or perf: one metric, 2 × 1,000
//! samples (the `judge/2x1000` benchmark's input: the same generator and
//! seeds), judged `N` times (default 100), with what to run as the second
//! argument: `judge` (default; it computes the interval of the shift),
//! `hodges-lehmann` or `interval` alone.
//! `cargo run --release -p release-policy --example profile_judge [N [WHAT]]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use release_policy::unstable::judge::{self, JudgeConfig, MetricConfig, MetricInput};
use release_policy::unstable::{shift, stats};

/// `benches/src/rollout.rs::noise`: uniform in [lo, hi), an LCG.
fn noise(seed: u64, n: usize, lo: f64, hi: f64) -> Vec<f64> {
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            lo + (hi - lo) * ((x >> 11) as f64 / (1u64 << 53) as f64)
        })
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100);
    let what = args.next().unwrap_or_else(|| "judge".to_owned());
    let canary = noise(11, 1_000, 180.0, 220.0);
    let baseline = noise(12, 1_000, 178.0, 218.0);
    let c: Vec<Option<f64>> = canary.iter().copied().map(Some).collect();
    let b: Vec<Option<f64>> = baseline.iter().copied().map(Some).collect();
    let config = JudgeConfig::default();
    let metric = MetricConfig::new("latency-p99");
    for _ in 0..n {
        match what.as_str() {
            "hodges-lehmann" => {
                black_box(stats::hodges_lehmann(
                    black_box(&canary),
                    black_box(&baseline),
                ));
            }
            "interval" => {
                black_box(shift::shift_interval(
                    black_box(&canary),
                    black_box(&baseline),
                    0.98,
                ));
            }
            _ => {
                let input = MetricInput {
                    config: &metric,
                    canary: black_box(&c),
                    baseline: black_box(&b),
                };
                black_box(judge::judge(&config, &[input]));
            }
        }
    }
}
