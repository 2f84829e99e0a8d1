//! The test suite every backend passes: appending, scanning and
//! filtering, bundles, checkpoints, tampering caught by the verifier,
//! concurrent writers, durability across `kill -9` and a newer schema.
//! `backend_suite!` turns it into tests for one backend.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code,
    missing_docs
)]

use std::collections::BTreeSet;
use std::io::BufRead;
use std::time::{Duration, Instant};

use release_policy::audit::chain::GENESIS;
use release_policy::audit::{BreakKind, Checkpoint, EntryKind, Verifier};
use release_policy::{Bundle, ErrorCode};
use release_policy_archive::{Archive, Filter};

use crate::common::{self, Backend, all, insert_sql, key, many, verify};

/// Each test of the suite, for the backend `$make(name)` gives
/// (`None`: skip).
#[macro_export]
macro_rules! backend_suite {
    ($make:expr) => {
        $crate::backend_suite!(@tests $make;
            append_scan_filter_and_head, bundles_round_trip, checkpoints_are_kept,
            a_changed_field_is_detected, a_deleted_row_is_missing,
            swapped_rows_are_detected, an_inserted_row_needs_a_checkpoint,
            a_cut_tail_is_truncated, an_unknown_kind_is_corrupt,
            a_newer_schema_is_refused, concurrent_writers_keep_one_chain,
            concurrent_processes_keep_one_chain,
            acknowledged_appends_survive_kill_9);
    };
    (@tests $make:expr; $($name:ident),*) => {
        $(
            #[test]
            fn $name() {
                if let Some(backend) = ($make)(stringify!($name)) {
                    suite::$name(&backend);
                }
            }
        )*
    };
}

pub fn append_scan_filter_and_head(b: &dyn Backend) {
    let mut a = b.open();
    assert_eq!(a.head().unwrap(), None);
    assert!(a.append(Vec::new()).unwrap().is_empty());
    let mut entries = many(9);
    for (i, e) in entries.iter_mut().enumerate() {
        e.now = format!("2026-11-{:02}T10:00:00Z", 10 + i);
    }
    let first = a.append(entries[..4].to_vec()).unwrap();
    assert_eq!(
        first.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    assert_eq!(first[0].prev, GENESIS);
    assert_eq!(first[1].prev, first[0].hash);
    drop(a);
    // A reopened archive goes on where it was.
    let mut a = b.open();
    let rest = a.append(entries[4..].to_vec()).unwrap();
    assert_eq!(rest[0].seq, 5);
    assert_eq!(rest[0].prev, first[3].hash);
    let last = rest.last().unwrap();
    assert_eq!(a.head().unwrap(), Some((9, last.hash.clone())));

    let stored = all(a.as_mut());
    assert_eq!(stored.len(), 9);
    assert_eq!(stored[..4], first[..]);
    assert_eq!(stored[4..], rest[..]);
    let v = verify(a.as_mut());
    assert!(v.is_intact(), "{:?}", v.breaks);
    assert_eq!(v.count, 9);

    let select = |a: &mut Box<dyn Archive>, f: Filter| -> Vec<u64> {
        let mut seqs = Vec::new();
        a.scan(&f, &mut |r| {
            seqs.push(r.seq);
            true
        })
        .unwrap();
        seqs
    };
    let service = entries[0].service.clone();
    assert_eq!(
        select(
            &mut a,
            Filter {
                service: Some(service.clone()),
                ..Filter::default()
            }
        ),
        [1, 4, 7]
    );
    assert_eq!(
        select(
            &mut a,
            Filter {
                release: Some(format!("{service}-3")),
                ..Filter::default()
            }
        ),
        [4]
    );
    assert_eq!(
        select(
            &mut a,
            Filter {
                since: Some("2026-11-12T10:00:00Z".into()),
                until: Some("2026-11-15T10:00:00Z".into()),
                ..Filter::default()
            }
        ),
        [3, 4, 5]
    );
    assert_eq!(
        select(
            &mut a,
            Filter {
                kinds: vec![EntryKind::Check],
                ..Filter::default()
            }
        )
        .len(),
        9
    );
    assert!(
        select(
            &mut a,
            Filter {
                kinds: vec![EntryKind::Plan, EntryKind::Review],
                ..Filter::default()
            }
        )
        .is_empty()
    );
    // A visitor that says stop stops the scan.
    let mut seen = 0;
    a.scan(&Filter::default(), &mut |_| {
        seen += 1;
        seen < 2
    })
    .unwrap();
    assert_eq!(seen, 2);
}

pub fn bundles_round_trip(b: &dyn Backend) {
    let mut a = b.open();
    let builtin = Bundle::builtin();
    let layered = Bundle::builder()
        .builtin_layer()
        .dir_layer(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/layers/org"
        ))
        .build()
        .unwrap();
    assert_ne!(builtin.digest(), layered.digest());
    for bundle in [&builtin, &layered, &builtin] {
        a.put_bundle(bundle).unwrap();
    }
    assert!(a.bundle("sha256:0000").unwrap().is_none());
    for bundle in [&builtin, &layered] {
        let back = a.bundle(bundle.digest()).unwrap().unwrap();
        assert_eq!(back.digest(), bundle.digest());
        assert_eq!(back.layers(), bundle.layers());
    }
    // A stored bundle that no longer rebuilds to its digest is corrupt.
    b.sql(&format!(
        "UPDATE bundles SET layers = {} WHERE digest = {}",
        common::lit(r#"[[["a.yaml", "not: [policy"]]]"#),
        common::lit(builtin.digest())
    ));
    let e = a.bundle(builtin.digest()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ArchiveCorrupt, "{e}");
    assert!(e.to_string().contains(builtin.digest()), "{e}");
}

pub fn checkpoints_are_kept(b: &dyn Backend) {
    let mut a = b.open();
    assert!(a.checkpoints().unwrap().is_empty());
    let r = a.append(many(3)).unwrap();
    let c3 = Checkpoint::sign(3, &r[2].hash, &key());
    let c1 = Checkpoint::sign(1, &r[0].hash, &key());
    a.add_checkpoint(&c3).unwrap();
    a.add_checkpoint(&c1).unwrap();
    a.add_checkpoint(&c3).unwrap();
    assert_eq!(a.checkpoints().unwrap(), [c1, c3]);
    let v = verify(a.as_mut());
    assert!(v.is_intact(), "{:?}", v.breaks);
    assert_eq!(v.checkpoints, 2);
}

fn five(b: &dyn Backend) -> Box<dyn Archive> {
    let mut a = b.open();
    a.append(many(5)).unwrap();
    a
}

fn kinds(a: &mut dyn Archive) -> Vec<(u64, BreakKind)> {
    let v = verify(a);
    v.breaks.into_iter().map(|b| (b.seq, b.kind)).collect()
}

pub fn a_changed_field_is_detected(b: &dyn Backend) {
    let mut a = five(b);
    b.sql("UPDATE records SET verdict = 'go' WHERE seq = 3");
    let breaks = kinds(a.as_mut());
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(breaks[0].0, 3);
    assert!(
        matches!(breaks[0].1, BreakKind::Changed { .. }),
        "{breaks:?}"
    );
}

pub fn a_deleted_row_is_missing(b: &dyn Backend) {
    let mut a = five(b);
    b.sql("DELETE FROM records WHERE seq = 3");
    let breaks = kinds(a.as_mut());
    assert_eq!(breaks, [(4, BreakKind::Missing { expected: 3 })]);
}

pub fn swapped_rows_are_detected(b: &dyn Backend) {
    let mut a = five(b);
    let records = all(a.as_mut());
    let (mut two, mut four) = (records[1].clone(), records[3].clone());
    (two.seq, four.seq) = (4, 2);
    b.sql(&format!(
        "DELETE FROM records WHERE seq IN (2, 4); {} {}",
        insert_sql(&two),
        insert_sql(&four)
    ));
    let breaks = kinds(a.as_mut());
    assert!(
        breaks
            .iter()
            .any(|(seq, kind)| *seq == 2 && matches!(kind, BreakKind::Changed { .. })),
        "{breaks:?}"
    );
    assert!(breaks.iter().any(|(seq, _)| *seq == 4), "{breaks:?}");
}

pub fn an_inserted_row_needs_a_checkpoint(b: &dyn Backend) {
    let mut a = five(b);
    let (count, head) = a.head().unwrap().unwrap();
    a.add_checkpoint(&Checkpoint::sign(count, &head, &key()))
        .unwrap();
    // The attacker inserts a record after the second, renumbers the rest
    // and recomputes every hash after it.
    let mut entries: Vec<_> = all(a.as_mut()).into_iter().map(|r| r.entry).collect();
    let mut forged = entries[1].clone();
    forged.verdict = "go".into();
    entries.insert(2, forged);
    let mut prev = GENESIS.to_string();
    let mut sql = String::from("DELETE FROM records;");
    for (seq, e) in (1..).zip(entries) {
        let r = e.seal(seq, &prev);
        prev.clone_from(&r.hash);
        sql.push_str(&insert_sql(&r));
    }
    b.sql(&sql);
    // Without the checkpoint the forged chain verifies…
    let mut plain = Verifier::new();
    a.scan(&Filter::default(), &mut |r| {
        plain.push(&r);
        true
    })
    .unwrap();
    let plain = plain.finish();
    assert!(plain.is_intact() && plain.count == 6, "{plain:?}");
    // …the signed checkpoint does not.
    let breaks = kinds(a.as_mut());
    assert_eq!(breaks.len(), 1, "{breaks:?}");
    assert_eq!(breaks[0].0, count);
    assert!(
        matches!(breaks[0].1, BreakKind::Rewritten { .. }),
        "{breaks:?}"
    );
}

pub fn a_cut_tail_is_truncated(b: &dyn Backend) {
    let mut a = five(b);
    let (count, head) = a.head().unwrap().unwrap();
    a.add_checkpoint(&Checkpoint::sign(count, &head, &key()))
        .unwrap();
    b.sql("DELETE FROM records WHERE seq > 3");
    let breaks = kinds(a.as_mut());
    assert_eq!(
        breaks,
        [(
            4,
            BreakKind::Truncated {
                checkpoint: 5,
                count: 3
            }
        )]
    );
}

pub fn an_unknown_kind_is_corrupt(b: &dyn Backend) {
    let mut a = five(b);
    b.sql("UPDATE records SET kind = 'deploy' WHERE seq = 2");
    let e = a.scan(&Filter::default(), &mut |_| true).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ArchiveCorrupt, "{e}");
    assert!(e.to_string().contains("record 2"), "{e}");
    assert!(e.to_string().contains("`deploy`"), "{e}");
}

pub fn a_newer_schema_is_refused(b: &dyn Backend) {
    five(b);
    b.sql("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
    for _ in 0..2 {
        let e = release_policy_archive::open(&b.target()).err().unwrap();
        assert_eq!(e.code(), ErrorCode::ArchiveSchemaNewer, "{e}");
        assert!(e.to_string().contains("`99`"), "{e}");
    }
}

/// Writers × appends each for the concurrency test (`ARCHIVE_TEST_WRITES`
/// overrides the appends).
const WRITERS: usize = 8;

pub fn concurrent_writers_keep_one_chain(b: &dyn Backend) {
    let per: usize = std::env::var("ARCHIVE_TEST_WRITES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    drop(b.open()); // created once, so the writers race on appends only
    let target = b.target();
    let started = Instant::now();
    std::thread::scope(|s| {
        for w in 0..WRITERS {
            let target = target.clone();
            s.spawn(move || {
                let mut a = release_policy_archive::open(&target).unwrap();
                let entry = common::entries()[w % 3].clone();
                for i in 0..per {
                    let mut e = entry.clone();
                    e.release = format!("w{w}-{i}");
                    a.append(vec![e]).unwrap();
                }
            });
        }
    });
    let elapsed = started.elapsed();
    let mut a = b.open();
    let v = verify(a.as_mut());
    assert!(v.is_intact(), "{:?}", v.breaks);
    assert_eq!(v.count, (WRITERS * per) as u64);
    let seqs: Vec<u64> = all(a.as_mut()).iter().map(|r| r.seq).collect();
    assert!(seqs.iter().copied().eq(1..=(WRITERS * per) as u64));
    eprintln!(
        "{WRITERS} writers x {per} appends: {:.1} s ({:.0} appends/s)",
        elapsed.as_secs_f64(),
        (WRITERS * per) as f64 / elapsed.as_secs_f64()
    );
}

/// Several processes (the example writer) appending at once.
pub fn concurrent_processes_keep_one_chain(b: &dyn Backend) {
    const PROCESSES: usize = 4;
    const EACH: usize = 100;
    let writer = common::writer_binary();
    drop(b.open());
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            std::process::Command::new(&writer)
                .args([b.target(), EACH.to_string()])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut acknowledged = BTreeSet::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let seqs: Vec<u64> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.parse().ok())
            .collect();
        assert_eq!(seqs.len(), EACH);
        // Each process's records come in its own order.
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
        acknowledged.extend(seqs);
    }
    let total = (PROCESSES * EACH) as u64;
    assert!(acknowledged.iter().copied().eq(1..=total));
    let mut a = b.open();
    let v = verify(a.as_mut());
    assert!(v.is_intact(), "{:?}", v.breaks);
    assert_eq!(v.count, total);
}

pub fn acknowledged_appends_survive_kill_9(b: &dyn Backend) {
    let writer = common::writer_binary();
    let target = b.target();
    let mut acknowledged = BTreeSet::new();
    // Random-ish delays, from a seed printed for reproduction.
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64
        | 1;
    eprintln!("kill -9 delays seeded with {seed}");
    for round in 0..8 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // The first rounds die early (while opening, migrating); later
        // ones while appending.
        let delay = Duration::from_millis(if round < 2 {
            seed % 20
        } else {
            50 + seed % 300
        });
        let mut child = std::process::Command::new(&writer)
            .arg(&target)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            let mut seqs = Vec::new();
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                if line == "ready" {
                    let _ = ready_tx.send(());
                } else if let Ok(seq) = line.trim().parse::<u64>() {
                    seqs.push(seq);
                }
            }
            seqs
        });
        // Timed from the moment the writer opens the archive.
        let _ = ready_rx.recv_timeout(Duration::from_secs(60));
        std::thread::sleep(delay);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        acknowledged.extend(reader.join().unwrap());
    }
    assert!(!acknowledged.is_empty(), "the writer acknowledged nothing");
    let mut a = b.open();
    let v = verify(a.as_mut());
    assert!(v.is_intact(), "{:?}", v.breaks);
    let stored: BTreeSet<u64> = all(a.as_mut()).iter().map(|r| r.seq).collect();
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    eprintln!(
        "kill -9: {} acknowledged appends over 8 kills, {} records, all present",
        acknowledged.len(),
        stored.len()
    );
}
