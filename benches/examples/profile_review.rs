//! `review` of the benchmark's 100,000 generated records over their year,
//! `N` times, for a profiler:
//! `valgrind --tool=callgrind --toggle-collect='release_policy::bundle::review::*review' target/release/examples/profile_review 1`;
//! with `bare` after `N`, the same review without review policies (the
//! benchmark's "without criteria").

use release_policy::review::{Period, Records, ReviewOptions};
use release_policy::{Bundle, Limits};
use release_policy_benches::records::records_jsonl;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let limits = Limits::default();
    let records = Records::from_sources(
        vec![("history.jsonl".into(), records_jsonl(100_000))],
        &limits,
    )
    .expect("records");
    let ts = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("time")
            .to_utc()
    };
    let year = Period::new(ts("2026-01-01T00:00:00Z"), ts("2027-01-01T00:00:00Z")).expect("period");
    let options = ReviewOptions::default().period(year);
    let bundle = if std::env::args().nth(2).as_deref() == Some("bare") {
        Bundle::from_yaml_str(
            "gate.yaml",
            "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: g}\nspec:\n  gates:\n    - {id: g, expression: 'true'}\n",
        )
        .expect("bundle")
    } else {
        Bundle::builtin()
    };
    let start = std::time::Instant::now();
    let mut failed = 0;
    for _ in 0..n {
        failed = bundle
            .review(&records, &options)
            .expect("review")
            .dora
            .failed;
    }
    println!(
        "{failed} failed: {:?} per review",
        start.elapsed() / n as u32
    );
}
