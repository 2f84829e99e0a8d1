//! Backtesting 10,000 archived decisions (the example releases decided by
//! the built-in pack, archived in SQLite) through a stricter bundle (the
//! pack and `core/tests/data/audit-stricter`), beside
//! the floor: the same 10,000 decisions made by plain `check` calls on the
//! parsed facts, and on the facts parsed from the archived JSON (what a
//! replay must do too). The backtest streams from the archive and replays
//! on every core; the floors run on one.
//!
//! `cargo bench -p release-policy-archive --bench backtest`; results in
//! `docs/performance.md` ("Audit archive").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Duration;

use criterion::Criterion;
use release_policy::audit::Entry;
use release_policy::{Bundle, Facts};
use release_policy_archive::{Archive, Filter, SqliteArchive, SqliteOptions};

const N: usize = 10_000;

fn facts() -> Vec<Facts> {
    [
        "checkout-2.4.0.yaml",
        "payments-1.8.0.yaml",
        "search-3.0.0.yaml",
    ]
    .iter()
    .map(|name| {
        let path = format!("{}/../examples/releases/{name}", env!("CARGO_MANIFEST_DIR"));
        Facts::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
    })
    .collect()
}

fn main() {
    let facts = facts();
    let builtin = Bundle::builtin();
    let entries: Vec<Entry> = (0..N)
        .map(|i| {
            let f = &facts[i % facts.len()];
            builtin.check(f).unwrap().audit_entry(f)
        })
        .collect();
    let json: Vec<String> = entries.iter().map(|e| e.facts.clone()).collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("backtest.db");
    let mut archive = SqliteArchive::open(&path, &SqliteOptions::default()).unwrap();
    archive.put_bundle(&builtin).unwrap();
    for chunk in entries.chunks(500) {
        archive.append(chunk.to_vec()).unwrap();
    }
    let stricter = Bundle::builder()
        .builtin_layer()
        .dir_layer(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../core/tests/data/audit-stricter"
        ))
        .build()
        .unwrap();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);

    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20))
        .configure_from_args();
    let mut g = c.benchmark_group("backtest");
    g.bench_function(
        format!("backtest 10,000 archived decisions ({threads} threads)"),
        |b| {
            b.iter(|| {
                let r = release_policy_archive::backtest(
                    &mut archive,
                    &stricter,
                    &Filter::default(),
                    threads,
                    &|_| {},
                )
                .unwrap();
                assert_eq!(r.replayed, N as u64);
                r
            });
        },
    );
    g.bench_function("backtest 10,000 archived decisions (1 thread)", |b| {
        b.iter(|| {
            let r = release_policy_archive::backtest(
                &mut archive,
                &stricter,
                &Filter::default(),
                1,
                &|_| {},
            )
            .unwrap();
            assert_eq!(r.replayed, N as u64);
            r
        });
    });
    g.bench_function("floor: 10,000 check calls, facts parsed (1 thread)", |b| {
        b.iter(|| {
            for i in 0..N {
                std::hint::black_box(stricter.check(&facts[i % facts.len()]).unwrap());
            }
        });
    });
    g.bench_function(
        "floor: 10,000 check_str calls on the archived JSON facts (1 thread)",
        |b| {
            b.iter(|| {
                for j in &json {
                    std::hint::black_box(stricter.check_str(j).unwrap());
                }
            });
        },
    );
    g.finish();
    c.final_summary();
}
