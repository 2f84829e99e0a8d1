//! What `GET /metrics` shows, in the Prometheus text format (0.0.4):
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `release_policy_decisions_total` | counter | `question`, `verdict` |
//! | `release_policy_errors_total` | counter | `question`, `code` (input errors, `RP…`) |
//! | `release_policy_responses_total` | counter | `status` (every HTTP answer) |
//! | `release_policy_request_duration_seconds` | histogram | `question` |
//! | `release_policy_requests_in_flight` | gauge | |
//! | `release_policy_bundle_info` | gauge (1) | `digest` |
//! | `release_policy_reloads_total` | counter | `result` (`success`, `failure`) |
//! | `release_policy_last_reload_success` | gauge (0/1) | |
//!
//! Counters are atomics or a short-held lock; rendering reads a snapshot.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

/// The questions the service answers, in label order.
pub const QUESTIONS: [&str; 4] = ["check", "assess", "plan", "review"];

/// Histogram bucket bounds, in seconds.
pub const BUCKETS: [f64; 14] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
    5.0,
];

#[derive(Default)]
struct Histogram {
    /// Per bucket (non-cumulative), then the overflow.
    counts: [AtomicU64; BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
}

/// The service's counters.
#[derive(Default)]
pub struct Metrics {
    decisions: Mutex<BTreeMap<(&'static str, String), u64>>,
    errors: Mutex<BTreeMap<(&'static str, String), u64>>,
    responses: Mutex<BTreeMap<u16, u64>>,
    durations: [Histogram; QUESTIONS.len()],
    in_flight: AtomicI64,
    reload_success: AtomicU64,
    reload_failure: AtomicU64,
    last_reload_ok: AtomicU64,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    if let Ok(mut m) = map.lock() {
        *m.entry(key).or_insert(0) += 1;
    }
}

/// A label value, escaped as the text format requires.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Metrics with every counter at zero and the last reload counted as a
    /// success (the bundle the service started with loaded).
    pub fn new() -> Metrics {
        let m = Metrics::default();
        m.last_reload_ok.store(1, Ordering::Relaxed);
        m
    }

    /// A decision answered.
    pub fn decision(&self, question: &'static str, verdict: &str) {
        bump(&self.decisions, (question, verdict.to_string()));
    }

    /// Decisions answered so far, every question and verdict.
    pub fn decisions_answered(&self) -> u64 {
        self.decisions.lock().map_or(0, |m| m.values().sum())
    }

    /// An input error answered (`code` as `RP0201`, or the status for errors
    /// without a code).
    pub fn error(&self, question: &'static str, code: &str) {
        bump(&self.errors, (question, code.to_string()));
    }

    /// An HTTP answer sent.
    pub fn response(&self, status: u16) {
        bump(&self.responses, status);
    }

    /// How long a question took, from its body read to its answer.
    pub fn duration(&self, question: &'static str, took: Duration) {
        let Some(i) = QUESTIONS.iter().position(|q| *q == question) else {
            return;
        };
        let Some(h) = self.durations.get(i) else {
            return;
        };
        let secs = took.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(BUCKETS.len());
        if let Some(c) = h.counts.get(bucket) {
            c.fetch_add(1, Ordering::Relaxed);
        }
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        h.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// One more (`+1`) or one fewer (`-1`) request in flight.
    pub fn in_flight(&self, delta: i64) {
        self.in_flight.fetch_add(delta, Ordering::Relaxed);
    }

    /// A reload attempted.
    pub fn reload(&self, ok: bool) {
        if ok {
            self.reload_success.fetch_add(1, Ordering::Relaxed);
        } else {
            self.reload_failure.fetch_add(1, Ordering::Relaxed);
        }
        self.last_reload_ok.store(u64::from(ok), Ordering::Relaxed);
    }

    /// The Prometheus text exposition, with the bundle served now.
    pub fn render(&self, digest: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP release_policy_decisions_total Decisions answered, by question and verdict.\n# TYPE release_policy_decisions_total counter"
        );
        if let Ok(m) = self.decisions.lock() {
            for ((q, v), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "release_policy_decisions_total{{question=\"{q}\",verdict=\"{}\"}} {n}",
                    label(v)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP release_policy_errors_total Requests refused for their input, by question and error code.\n# TYPE release_policy_errors_total counter"
        );
        if let Ok(m) = self.errors.lock() {
            for ((q, c), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "release_policy_errors_total{{question=\"{q}\",code=\"{}\"}} {n}",
                    label(c)
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP release_policy_responses_total HTTP responses, by status.\n# TYPE release_policy_responses_total counter"
        );
        if let Ok(m) = self.responses.lock() {
            for (s, n) in m.iter() {
                let _ = writeln!(out, "release_policy_responses_total{{status=\"{s}\"}} {n}");
            }
        }
        let _ = writeln!(
            out,
            "# HELP release_policy_request_duration_seconds Time from a decision request's body to its answer.\n# TYPE release_policy_request_duration_seconds histogram"
        );
        for (q, h) in QUESTIONS.iter().zip(&self.durations) {
            let mut cumulative = 0u64;
            for (i, c) in h.counts.iter().enumerate() {
                cumulative += c.load(Ordering::Relaxed);
                let le = BUCKETS
                    .get(i)
                    .map_or_else(|| "+Inf".to_string(), |b| format!("{b}"));
                let _ = writeln!(
                    out,
                    "release_policy_request_duration_seconds_bucket{{question=\"{q}\",le=\"{le}\"}} {cumulative}"
                );
            }
            let sum = h.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
            let _ = writeln!(
                out,
                "release_policy_request_duration_seconds_sum{{question=\"{q}\"}} {sum}\nrelease_policy_request_duration_seconds_count{{question=\"{q}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP release_policy_requests_in_flight Requests being read, decided or answered.\n# TYPE release_policy_requests_in_flight gauge\nrelease_policy_requests_in_flight {}",
            self.in_flight.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP release_policy_bundle_info The bundle served, by digest.\n# TYPE release_policy_bundle_info gauge\nrelease_policy_bundle_info{{digest=\"{}\"}} 1",
            label(digest)
        );
        let _ = writeln!(
            out,
            "# HELP release_policy_reloads_total Bundle reloads, by result.\n# TYPE release_policy_reloads_total counter\nrelease_policy_reloads_total{{result=\"success\"}} {}\nrelease_policy_reloads_total{{result=\"failure\"}} {}",
            self.reload_success.load(Ordering::Relaxed),
            self.reload_failure.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP release_policy_last_reload_success Whether the last reload loaded (1) or kept the old bundle (0).\n# TYPE release_policy_last_reload_success gauge\nrelease_policy_last_reload_success {}",
            self.last_reload_ok.load(Ordering::Relaxed)
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counts_match() {
        let m = Metrics::new();
        m.duration("check", Duration::from_micros(30));
        m.duration("check", Duration::from_micros(300));
        m.duration("check", Duration::from_secs(9));
        m.decision("check", "no-go");
        m.error("check", "RP0201");
        m.response(200);
        let text = m.render("sha256:abc");
        assert!(text.contains(
            "release_policy_request_duration_seconds_bucket{question=\"check\",le=\"0.00005\"} 1"
        ));
        assert!(text.contains(
            "release_policy_request_duration_seconds_bucket{question=\"check\",le=\"0.0005\"} 2"
        ));
        assert!(text.contains(
            "release_policy_request_duration_seconds_bucket{question=\"check\",le=\"+Inf\"} 3"
        ));
        assert!(
            text.contains("release_policy_request_duration_seconds_count{question=\"check\"} 3")
        );
        assert!(
            text.contains("release_policy_decisions_total{question=\"check\",verdict=\"no-go\"} 1")
        );
        assert!(text.contains("release_policy_errors_total{question=\"check\",code=\"RP0201\"} 1"));
        assert!(text.contains("release_policy_bundle_info{digest=\"sha256:abc\"} 1"));
    }
}
