//! `cargo bench -p release-policy-benches --bench review`
//!
//! - `review/100k-records`: `review` of a year of 100,000 release records
//!   (200 services, 20 teams; DORA's keys overall, per service, per team
//!   and per week, stability, budgets, post-mortems, feedback), beside a
//!   the same review without review policies (no criteria judged), and a
//!   plain single pass over the same records (the floor: counting
//!   deployments and failures and summing lead times, no grouping, no
//!   quantiles).
//! - `review/load-100k-records`: reading those records from JSON Lines,
//!   measured apart.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use release_policy::review::{Period, Records, ReviewOptions};
use release_policy::{Bundle, Limits};
use release_policy_benches::records::records_jsonl;

const RECORDS: usize = 100_000;

fn review(c: &mut Criterion) {
    let limits = Limits::default();
    let text = records_jsonl(RECORDS);
    let records = Records::from_sources(vec![("history.jsonl".into(), text.clone())], &limits)
        .expect("records");
    assert_eq!(records.len(), RECORDS);
    let bundle = Bundle::builtin();
    let ts = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .expect("time")
            .to_utc()
    };
    let year = Period::new(ts("2026-01-01T00:00:00Z"), ts("2027-01-01T00:00:00Z")).expect("period");
    let options = ReviewOptions::default().period(year);
    let review = bundle.review(&records, &options).expect("review");
    assert!(review.dora.deployments > RECORDS / 2);
    let mut g = c.benchmark_group("review/100k-records");
    g.measurement_time(Duration::from_secs(10));
    g.sample_size(20);
    g.bench_function("release-policy review", |b| {
        b.iter(|| {
            black_box(
                bundle
                    .review(black_box(&records), &options)
                    .map(|r| r.dora.failed),
            )
        })
    });
    // The same review without review policies: the keys, stability,
    // budgets, post-mortems and feedback, no criteria to judge.
    let bare = Bundle::from_yaml_str(
        "gate.yaml",
        "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: g}\nspec:\n  gates:\n    - {id: g, expression: 'true'}\n",
    )
    .expect("bundle");
    g.bench_function("release-policy review without criteria", |b| {
        b.iter(|| {
            black_box(
                bare.review(black_box(&records), &options)
                    .map(|r| r.dora.failed),
            )
        })
    });
    g.bench_function("plain single pass (floor)", |b| {
        b.iter(|| {
            let (mut n, mut failed, mut lead) = (0usize, 0usize, 0i64);
            for r in black_box(&records).iter() {
                if r.release.environment == "production" && year.contains(r.deployment.finished_at)
                {
                    n += 1;
                    failed += usize::from(r.failed());
                    lead += r.lead_time().map_or(0, |l| l.num_milliseconds());
                }
            }
            black_box((n, failed, lead))
        })
    });
    g.finish();
    let mut g = c.benchmark_group("review/load-100k-records");
    g.measurement_time(Duration::from_secs(10));
    g.sample_size(10);
    g.bench_function("Records::from_sources (JSON Lines)", |b| {
        b.iter(|| {
            Records::from_sources(
                vec![("history.jsonl".into(), black_box(text.clone()))],
                &limits,
            )
            .map(|r| r.len())
        })
    });
    g.finish();
}

criterion_group!(benches, review);
criterion_main!(benches);
