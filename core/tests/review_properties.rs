//! Properties of `review` over generated histories: adding a successful
//! deployment never raises the change failure rate; the order of records
//! (and how they are split into files) never changes the report; the
//! counts add up (services, teams and weeks to the whole; failed to at
//! most the deployments).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use release_policy::review::{Period, Records, ReviewOptions};
use release_policy::{Bundle, Limits};

/// One generated record: service, minutes after the period's start it
/// finished, outcome (0 success, 1 rolled back, 2 hotfixed, 3 degraded),
/// an incident (restored after so many minutes, or open), lead time in
/// minutes (or none), production or staging.
type Gen = (u8, u32, u8, Option<Option<u16>>, Option<u32>, bool);

fn record_gen() -> impl Strategy<Value = Gen> {
    (
        0u8..4,
        0u32..(21 * 24 * 60),
        0u8..4,
        proptest::option::of(proptest::option::of(1u16..3000)),
        proptest::option::of(0u32..20_000),
        proptest::bool::weighted(0.85),
    )
}

const FROM: i64 = 1_795_000_000; // 2026-11-19T…Z, a whole minute

fn at(minutes: i64) -> String {
    chrono::DateTime::from_timestamp(FROM + minutes * 60, 0)
        .unwrap()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn line(i: usize, g: &Gen) -> String {
    let (service, finished, outcome, incident, lead, production) = *g;
    let finished = i64::from(finished);
    let started = finished - 10;
    let outcome = ["success", "rolled-back", "hotfixed", "degraded"][outcome as usize];
    let mut extra = String::new();
    if outcome == "rolled-back" {
        extra += &format!(
            r#","rollback":{{"startedAt":"{}","finishedAt":"{}"}}"#,
            at(finished + 1),
            at(finished + 20)
        );
    }
    if let Some(restored) = incident {
        let restored = restored.map_or(String::new(), |m| {
            format!(r#","restoredAt":"{}""#, at(finished + 2 + i64::from(m)))
        });
        extra += &format!(
            r#","incidents":[{{"id":"INC-{i}","severity":"sev3","startedAt":"{}"{restored}}}]"#,
            at(finished + 2)
        );
    }
    if let Some(l) = lead {
        extra += &format!(
            r#","commits":{{"firstAt":"{}","count":3}}"#,
            at(started - i64::from(l))
        );
    }
    format!(
        r#"{{"apiVersion":"release-policy/v1","kind":"ReleaseRecord","release":{{"id":"r{i}","service":"s{service}","version":"1.0.{i}","environment":"{}","kind":"standard","team":"t{}"}},"deployment":{{"startedAt":"{}","finishedAt":"{}"}},"outcome":"{outcome}"{extra}}}"#,
        if production { "production" } else { "staging" },
        service % 2,
        at(started),
        at(finished),
    )
}

fn load(lines: &[String], files: usize) -> Records {
    let per = lines.len().div_ceil(files.max(1)).max(1);
    let sources = lines
        .chunks(per)
        .enumerate()
        .map(|(i, c)| (format!("f{i}.jsonl"), c.join("\n")))
        .collect();
    Records::from_sources(sources, &Limits::default()).unwrap()
}

fn options() -> ReviewOptions {
    let from = chrono::DateTime::from_timestamp(FROM, 0).unwrap();
    let to = chrono::DateTime::from_timestamp(FROM + 21 * 86_400, 0).unwrap();
    ReviewOptions::default().period(Period::new(from, to).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_successful_deployment_never_raises_the_change_failure_rate(
        history in proptest::collection::vec(record_gen(), 0..30),
        when in 0u32..(21 * 24 * 60),
    ) {
        let bundle = Bundle::builtin();
        let mut lines: Vec<String> = history.iter().enumerate().map(|(i, g)| line(i, g)).collect();
        let before = bundle.review(&load(&lines, 1), &options()).unwrap().dora;
        lines.push(line(history.len(), &(0, when, 0, None, Some(5), true)));
        let after = bundle.review(&load(&lines, 1), &options()).unwrap().dora;
        prop_assert_eq!(after.deployments, before.deployments + 1);
        match (before.change_failure_rate, after.change_failure_rate) {
            (Some(b), Some(a)) => prop_assert!(a <= b, "{} > {}", a, b),
            (None, Some(a)) => prop_assert_eq!(a, 0.0),
            other => prop_assert!(false, "{:?}", other),
        }
    }

    #[test]
    fn the_order_and_the_files_never_show(
        history in proptest::collection::vec(record_gen(), 1..30),
        files in 1usize..4,
        seed in any::<u64>(),
    ) {
        let bundle = Bundle::builtin();
        let lines: Vec<String> = history.iter().enumerate().map(|(i, g)| line(i, g)).collect();
        let mut shuffled = lines.clone();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let one = bundle.review(&load(&lines, 1), &options()).unwrap().to_json();
        let two = bundle.review(&load(&shuffled, files), &options()).unwrap().to_json();
        prop_assert_eq!(one, two);
    }

    #[test]
    fn record_roots_built_directly_agree_with_the_json_view(history in proptest::collection::vec(record_gen(), 1..20)) {
        let lines: Vec<String> = history.iter().enumerate().map(|(i, g)| line(i, g)).collect();
        let agree = release_policy::unstable::record_views_agree(&load(&lines, 1));
        prop_assert!(agree.is_ok(), "{:?}", agree);
    }

    #[test]
    fn the_counts_add_up(history in proptest::collection::vec(record_gen(), 0..30)) {
        let bundle = Bundle::builtin();
        let lines: Vec<String> = history.iter().enumerate().map(|(i, g)| line(i, g)).collect();
        let review = bundle.review(&load(&lines, 2), &options()).unwrap();
        let d = &review.dora;
        prop_assert!(d.failed <= d.deployments);
        prop_assert_eq!(review.services.iter().map(|n| n.keys.deployments).sum::<usize>(), d.deployments);
        prop_assert_eq!(review.teams.iter().map(|n| n.keys.deployments).sum::<usize>(), d.deployments);
        prop_assert_eq!(review.weeks.iter().map(|w| w.keys.deployments).sum::<usize>(), d.deployments);
        prop_assert_eq!(review.weeks.iter().map(|w| w.keys.failed).sum::<usize>(), d.failed);
        if let Some(l) = &d.lead_time {
            prop_assert!(l.median_seconds <= l.p90_seconds + 1e-9);
        }
        for c in &review.criteria {
            prop_assert_eq!(c.passed + c.failed + c.errors + c.skipped, d.deployments);
        }
    }
}
