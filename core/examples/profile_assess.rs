//! Profile `assess` under callgrind or perf: six triggers over one hour of
//! 10-second samples (the benchmark's input), assessed `N` times (default
//! 200); or, given a rollout facts file, the built-in pack on it.
//! `cargo run --release -p release-policy --example profile_assess [N [FILE]]`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use release_policy::{Bundle, RolloutFacts};

const POLICY: &str = r#"
apiVersion: release-policy/v1
kind: RolloutPolicy
metadata: {name: bench-triggers, version: 1.0.0}
spec:
  triggers:
    - {id: error-rate-high, metric: error-rate, above: 5, window: 5m, failureLimit: 1}
    - {id: cpu-saturated, metric: cpu, above: 90, window: 5m, failureLimit: 1}
    - {id: memory-saturated, metric: memory, above: 95, window: 5m, failureLimit: 1}
    - {id: queue-backlog, metric: queue-depth, above: 1000, window: 5m, failureLimit: 1}
    - {id: latency-p99-regression, metric: latency-p99, compare: baseline, above: 200, window: 5m, failureLimit: 1}
    - {id: latency-p50-regression, metric: latency-p50, compare: baseline, above: 100, window: 5m, failureLimit: 1}
"#;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let now = 1_795_000_000i64;
    let at = |s: i64| {
        chrono::DateTime::from_timestamp(s, 0)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let series = |k: f64| {
        (0..360)
            .map(|i| serde_json::json!({"at": at(now - 10 * (359 - i)), "value": k + (i % 7) as f64}))
            .collect::<Vec<_>>()
    };
    let metrics: serde_json::Map<String, serde_json::Value> = [
        "error-rate",
        "cpu",
        "memory",
        "queue-depth",
        "latency-p99",
        "latency-p50",
    ]
    .iter()
    .map(|m| {
        (
            m.to_string(),
            serde_json::json!({"canary": series(1.0), "baseline": series(1.5)}),
        )
    })
    .collect();
    let facts = serde_json::json!({"now": at(now), "rollout": {"id": "r", "service": "s"}, "metrics": metrics});
    let (bundle, facts) = match std::env::args().nth(2) {
        Some(file) => (
            Bundle::builtin(),
            RolloutFacts::parse(&std::fs::read_to_string(file).unwrap()).unwrap(),
        ),
        None => {
            let bundle = Bundle::from_yaml_str("p.yaml", POLICY).unwrap();
            let facts = RolloutFacts::from_json_value(facts, bundle.limits()).unwrap();
            (bundle, facts)
        }
    };
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(bundle.assess(&facts).unwrap());
    }
    eprintln!("{:?} per assess", t.elapsed() / n as u32);
}
