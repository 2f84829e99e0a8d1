//! Benchmarks of the SQLite archive, on real decision entries (the example
//! releases decided by the built-in pack, ~25 KB each as encoded):
//!
//! - criterion: one decision appended in its own transaction (what a CI
//!   job does), 100 in one transaction, and scan + verify of 1,000 records;
//! - one-shot headline figures (only under `cargo bench`, not `cargo test
//!   --benches`): appending 10,000 decisions one transaction each, and
//!   scanning + verifying a chain of `ARCHIVE_BENCH_RECORDS` records
//!   (default 100,000: at ~25 KB a record, a million real decisions would
//!   be a 25 GB file) beside the floor, `sha256sum` (and `openssl dgst
//!   -sha256`) over the same records' canonical encodings, timed in the
//!   same run.
//!
//! `cargo bench -p release-policy-archive`; results in
//! `docs/performance.md` ("Audit archive").

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Write;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use release_policy::audit::{Entry, Verifier, chain};
use release_policy::{Bundle, Facts};
use release_policy_archive::{Archive, Filter, SqliteArchive, SqliteOptions};

/// The example releases, decided: real entries.
fn entries() -> Vec<Entry> {
    [
        "checkout-2.4.0.yaml",
        "payments-1.8.0.yaml",
        "search-3.0.0.yaml",
    ]
    .iter()
    .map(|name| {
        let path = format!("{}/../examples/releases/{name}", env!("CARGO_MANIFEST_DIR"));
        let facts = Facts::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
        Bundle::builtin().check(&facts).unwrap().audit_entry(&facts)
    })
    .collect()
}

/// `ARCHIVE_BENCH_ENTRY=small`: decisions of a one-gate policy on minimal
/// facts (~1.5 KB a record), for a chain of a million records that fits
/// the disk; verification cost is per byte, so this measures the
/// per-record overhead at scale.
fn small_entries() -> Vec<Entry> {
    const POLICY: &str = "apiVersion: release-policy/v1\nkind: Policy\nmetadata: {name: one, version: 1.0.0}\nspec:\n  gates:\n    - {id: versioned, description: a version is set, expression: 'release.version != \"\"', effect: block, message: no version}\n";
    let bundle = Bundle::from_yaml_str("one.yaml", POLICY).unwrap();
    ["checkout", "payments", "search"]
        .iter()
        .map(|s| {
            let facts = Facts::parse(&format!(
                "now: 2026-11-26T10:00:00Z\nrelease: {{id: {s}-1.0.0, service: {s}, version: \"1.0.0\", environment: production, kind: standard, author: alice}}\n"
            ))
            .unwrap();
            bundle.check(&facts).unwrap().audit_entry(&facts)
        })
        .collect()
}

/// Entry `i`: an example decision with its own release name.
fn entry(entries: &[Entry], i: usize) -> Entry {
    let mut e = entries[i % entries.len()].clone();
    e.release = format!("{}-{i}", e.service);
    e
}

fn open(path: &std::path::Path) -> SqliteArchive {
    SqliteArchive::open(path, &SqliteOptions::default()).unwrap()
}

fn micro(c: &mut Criterion, entries: &[Entry]) {
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("archive");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let mut a = open(&dir.path().join("one.db"));
    let mut i = 0;
    g.bench_function("append 1 decision, own transaction (sqlite)", |b| {
        b.iter(|| {
            i += 1;
            a.append(vec![entry(entries, i)]).unwrap()
        });
    });
    let mut a = open(&dir.path().join("hundred.db"));
    g.bench_function("append 100 decisions, one transaction (sqlite)", |b| {
        b.iter_batched(
            || (0..100).map(|i| entry(entries, i)).collect::<Vec<_>>(),
            |batch| a.append(batch).unwrap(),
            BatchSize::PerIteration,
        );
    });
    let mut a = open(&dir.path().join("scan.db"));
    a.append((0..1000).map(|i| entry(entries, i)).collect())
        .unwrap();
    g.bench_function("scan + verify 1,000 records (sqlite)", |b| {
        b.iter(|| verify(&mut a));
    });
    g.finish();
}

/// Scan every record and verify the chain; the record count.
fn verify(a: &mut SqliteArchive) -> u64 {
    let mut v = Verifier::new();
    a.scan(&Filter::default(), &mut |r| {
        v.push(&r);
        true
    })
    .unwrap();
    let v = v.finish();
    assert!(v.is_intact());
    v.count
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn headline(entries: &[Entry]) {
    println!(
        "\n== archive headline figures (load average before: {}) ==",
        load()
    );
    let dir = tempfile::tempdir().unwrap();

    let appends = env_count("ARCHIVE_BENCH_APPENDS", 10_000);
    let mut a = open(&dir.path().join("appends.db"));
    let started = Instant::now();
    for i in 0..appends {
        a.append(vec![entry(entries, i)]).unwrap();
    }
    let t = started.elapsed().as_secs_f64();
    println!(
        "append {appends} decisions, one transaction each (sqlite, WAL, synchronous=FULL): \
         {t:.1} s, {:.2} ms an append, {:.0} appends/s",
        t * 1000.0 / appends as f64,
        appends as f64 / t
    );
    let mut a = open(&dir.path().join("batched.db"));
    let started = Instant::now();
    for chunk in (0..appends).collect::<Vec<_>>().chunks(100) {
        a.append(chunk.iter().map(|&i| entry(entries, i)).collect())
            .unwrap();
    }
    let t = started.elapsed().as_secs_f64();
    println!(
        "append {appends} decisions, 100 a transaction (sqlite): {t:.1} s, {:.0} appends/s",
        appends as f64 / t
    );
    drop(a);

    let records = env_count("ARCHIVE_BENCH_RECORDS", 100_000);
    let path = dir.path().join("chain.db");
    let encodings = dir.path().join("encodings.bin");
    let mut a = open(&path);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&encodings).unwrap());
    let started = Instant::now();
    let mut bytes = 0u64;
    for start in (0..records).step_by(1000) {
        let batch = (start..records.min(start + 1000))
            .map(|i| entry(entries, i))
            .collect();
        for r in a.append(batch).unwrap() {
            let encoded = chain::encode(r.seq, &r.prev, &r.entry);
            bytes += encoded.len() as u64;
            out.write_all(&encoded).unwrap();
        }
    }
    out.flush().unwrap();
    drop(out);
    drop(a);
    let db_size = std::fs::metadata(&path).unwrap().len();
    println!(
        "built a chain of {records} records in {:.1} s: {:.2} GB of encodings, {:.2} GB database",
        started.elapsed().as_secs_f64(),
        bytes as f64 / 1e9,
        db_size as f64 / 1e9
    );

    let mut a = open(&path);
    let started = Instant::now();
    let mut n = 0u64;
    a.scan(&Filter::default(), &mut |_| {
        n += 1;
        true
    })
    .unwrap();
    let scan = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let count = verify(&mut a);
    let t = started.elapsed().as_secs_f64();
    assert_eq!(count, records as u64);
    assert_eq!(n, records as u64);
    println!(
        "scan only, {records} records: {scan:.2} s ({:.0} records/s)",
        records as f64 / scan
    );
    println!(
        "scan + verify, {records} records: {t:.2} s ({:.0} records/s, {:.0} MB/s of encodings)",
        records as f64 / t,
        bytes as f64 / 1e6 / t
    );
    // `sha256sum` is the floor the issue names; Debian's coreutils hash
    // without the CPU's SHA extensions, so `openssl dgst` (which uses them,
    // as the `sha2` crate does) is timed beside it.
    for (program, args) in [
        ("sha256sum", &[][..]),
        ("openssl", &["dgst", "-sha256"][..]),
    ] {
        let started = Instant::now();
        let status = std::process::Command::new(program)
            .args(args)
            .arg(&encodings)
            .stdout(std::process::Stdio::null())
            .status();
        let t = started.elapsed().as_secs_f64();
        match status {
            Ok(s) if s.success() => println!(
                "floor: `{}` over the same {:.2} GB: {t:.2} s ({:.0} MB/s)",
                [&[program][..], args].concat().join(" "),
                bytes as f64 / 1e9,
                bytes as f64 / 1e6 / t
            ),
            other => println!("floor: {program} did not run: {other:?}"),
        }
    }
    println!("== load average after: {} ==", load());
}

fn main() {
    let entries = if std::env::var("ARCHIVE_BENCH_ENTRY").is_ok_and(|v| v == "small") {
        small_entries()
    } else {
        entries()
    };
    let mut c = Criterion::default().configure_from_args();
    micro(&mut c, &entries);
    c.final_summary();
    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // the one-shot figures take minutes.
    if std::env::args().any(|a| a == "--bench") {
        headline(&entries);
    }
}
