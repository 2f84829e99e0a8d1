//! The no-go example decided by each engine in turn, in short interleaved
//! rounds: release-policy's `check` and `verdict`, the hand-written pack
//! and regorus. On a shared machine whose speed drifts by more than 10 %
//! between criterion runs (and within one, from one benchmark to the
//! next), interleaving exposes every engine to the same drift, so the
//! ratios between them hold where the absolute times do not.
//!
//! `cargo run --release -p release-policy-benches --example interleaved [ROUNDS]`
//! (default 40 rounds of about 0.1 s per engine). Prints, per engine, the
//! median over the rounds of the mean time of a call, and each ratio to
//! regorus and to the hand-written pack.

use std::hint::black_box;
use std::time::{Duration, Instant};

use release_policy::{Bundle, Facts};
use release_policy_benches::{example_path, handwritten, rego_engine, rego_eval};

/// The mean time of one call of `f` over a round of about `budget`.
fn round(budget: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u32;
    while start.elapsed() < budget {
        f();
        n += 1;
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(n.max(1))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(40);
    let yaml = std::fs::read_to_string(example_path()).expect("read facts");
    let facts = Facts::parse(&yaml).expect("parse facts");
    let bundle = Bundle::try_builtin().expect("builtin pack");
    let input = regorus::Value::from_json_str(&facts.to_json_value().to_string()).expect("input");
    let mut engine = rego_engine().expect("rego loads");
    let budget = Duration::from_millis(100);
    let names = ["check", "verdict", "handwritten", "regorus"];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for _ in 0..rounds {
        for (i, t) in times.iter_mut().enumerate() {
            t.push(match i {
                0 => round(budget, || {
                    black_box(bundle.check(black_box(&facts)).ok());
                }),
                1 => round(budget, || {
                    black_box(bundle.verdict(black_box(&facts)).ok());
                }),
                2 => round(budget, || {
                    black_box(handwritten::decide(black_box(&facts)));
                }),
                _ => round(budget, || {
                    black_box(rego_eval(&mut engine, input.clone()).ok());
                }),
            });
        }
    }
    let medians: Vec<f64> = times.into_iter().map(median).collect();
    let (hand, rego) = match medians.as_slice() {
        [_, _, hand, rego] => (*hand, *rego),
        _ => return,
    };
    println!("engine       median µs   × hand-written   regorus ×");
    for (name, m) in names.iter().zip(&medians) {
        println!(
            "{name:<12} {m:>9.2}   {:>12.1}   {:>9.1}",
            m / hand,
            rego / m
        );
    }
}
