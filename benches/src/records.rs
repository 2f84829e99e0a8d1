//! A generated history of release records for the `review` benchmark:
//! `n` deployments over a year, 200 services in 20 teams, two
//! environments, about 15 % rolled back, hotfixed or with incidents, as
//! JSON Lines (the format of large histories). Deterministic: the same
//! `n` gives the same text.

use std::fmt::Write;

/// `n` records as JSON Lines.
pub fn records_jsonl(n: usize) -> String {
    let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .map(|t| t.to_utc())
        .unwrap_or_default();
    let year_ms: i64 = 365 * 86_400_000;
    let step = year_ms / n.max(1) as i64;
    let ts = |ms: i64| {
        (start + chrono::Duration::milliseconds(ms))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let mut out = String::with_capacity(n * 600);
    // A small linear congruential generator: reproducible without a crate.
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    for i in 0..n {
        let service = i % 200;
        let team = service % 20;
        let env = if next() % 4 == 0 {
            "staging"
        } else {
            "production"
        };
        let finished = i as i64 * step + 600_000;
        let started = finished - 600_000 - (next() % 1_800_000) as i64;
        let first_commit = started - (next() % (14 * 86_400_000)) as i64;
        let roll = next() % 100;
        let (outcome, extra) = match roll {
            0..=5 => (
                "rolled-back",
                format!(
                    r#","rollback":{{"startedAt":"{}","finishedAt":"{}"}},"incidents":[{{"id":"INC-{i}","severity":"sev2","startedAt":"{}","restoredAt":"{}"}}]"#,
                    ts(finished + 300_000),
                    ts(finished + 900_000 + (next() % 1_800_000) as i64),
                    ts(finished + 60_000),
                    ts(finished + 1_200_000),
                ),
            ),
            6..=9 => ("hotfixed", String::new()),
            10..=14 => (
                "success",
                format!(
                    r#","incidents":[{{"id":"INC-{i}","severity":"sev3","startedAt":"{}","restoredAt":"{}"}}],"feedback":[{{"source":"support","ticket":"SUP-{i}","at":"{}","severity":"medium","missedByTesting":true}}]"#,
                    ts(finished + 60_000),
                    ts(finished + 3_600_000),
                    ts(finished + 120_000),
                ),
            ),
            _ => ("success", String::new()),
        };
        let _ = writeln!(
            out,
            r#"{{"apiVersion":"release-policy/v1","kind":"ReleaseRecord","release":{{"id":"s{service}-{i}","service":"s{service}","version":"1.{}.0","environment":"{env}","kind":"standard","team":"t{team}"}},"commits":{{"firstAt":"{}","count":{}}},"deployment":{{"startedAt":"{}","finishedAt":"{}"}},"outcome":"{outcome}"{extra}}}"#,
            i,
            ts(first_commit),
            1 + next() % 30,
            ts(started),
            ts(finished),
        );
    }
    out
}
