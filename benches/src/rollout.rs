//! Inputs of the `assess` benchmark: six triggers over one hour of
//! 10-second samples for canary and baseline, as a rollout policy and as
//! the same logic in Rego (`rego/rollout.rego`), and series for the judge.

/// The six triggers: four absolute, two relative to the baseline, each
/// tolerating one breaching sample in a 5-minute window.
pub const ROLLOUT_POLICY: &str = r#"
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

/// The Rego translation.
pub const ROLLOUT_REGO: &str = include_str!("../rego/rollout.rego");

/// A deterministic pseudo-random sequence in `[lo, hi)` (no `rand`
/// dependency, same numbers on every run).
pub fn noise(seed: u64, n: usize, lo: f64, hi: f64) -> Vec<f64> {
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

/// Rollout facts (JSON) with one hour of 10-second samples (360 per
/// series) for the six metrics, canary and baseline. `now` is the last
/// sample's time.
pub fn rollout_facts_json() -> serde_json::Value {
    let now = 1_795_000_000i64;
    let at = |i: usize| chrono_like(now - 10 * (359 - i as i64));
    let metric = |seed: u64, lo: f64, hi: f64| {
        let s = |seed| {
            serde_json::Value::Array(
                noise(seed, 360, lo, hi)
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| serde_json::json!({"at": at(i), "value": v}))
                    .collect(),
            )
        };
        serde_json::json!({"canary": s(seed), "baseline": s(seed + 100)})
    };
    serde_json::json!({
        "now": chrono_like(now),
        "rollout": {"id": "bench", "service": "bench", "steps": [{"setWeight": 10}, {"pause": "1h"}],
                    "currentStep": 1, "weight": 10},
        "metrics": {
            "error-rate": metric(1, 0.1, 0.9),
            "cpu": metric(2, 30.0, 70.0),
            "memory": metric(3, 40.0, 80.0),
            "queue-depth": metric(4, 10.0, 200.0),
            "latency-p99": metric(5, 150.0, 250.0),
            "latency-p50": metric(6, 20.0, 60.0),
        }
    })
}

/// RFC 3339 for a Unix time (UTC).
fn chrono_like(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The naive Hodges-Lehmann estimate: all n·m differences, sorted. The
/// peer of the judge's bisection (the textbook definition).
pub fn naive_hodges_lehmann(canary: &[f64], baseline: &[f64]) -> Option<f64> {
    let mut d: Vec<f64> = canary
        .iter()
        .flat_map(|c| baseline.iter().map(move |b| c - b))
        .collect();
    if d.is_empty() {
        return None;
    }
    d.sort_by(f64::total_cmp);
    let n = d.len();
    let mid = |i: usize| d.get(i).copied();
    if n % 2 == 1 {
        mid(n / 2)
    } else {
        Some((mid(n / 2 - 1)? + mid(n / 2)?) / 2.0)
    }
}
