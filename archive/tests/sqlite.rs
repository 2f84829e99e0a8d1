//! The archive suite on SQLite, and SQLite's own faults: a file that is
//! not a database, a damaged one, a database that is not an archive, a
//! full disk.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
mod suite;

use release_policy::ErrorCode;
use release_policy_archive::{Archive, SqliteArchive, SqliteOptions};

use common::{Backend, many, verify};

backend_suite!(|_name: &str| Some(common::sqlite()));

/// Whether `result` is an error of one of `codes` (never a panic: the
/// call returned).
fn fails_with<T>(result: Result<T, release_policy::Error>, codes: &[ErrorCode]) -> String {
    match result {
        Ok(_) => panic!("expected one of {codes:?}"),
        Err(e) => {
            assert!(codes.contains(&e.code()), "{:?}: {e}", e.code());
            e.to_string()
        }
    }
}

#[test]
fn a_file_that_is_not_a_database_is_unavailable() {
    let b = common::sqlite();
    std::fs::write(&b.path, vec![0x5a_u8; 8192]).unwrap();
    let e = release_policy_archive::open(&b.target()).err().unwrap();
    assert_eq!(e.code(), ErrorCode::ArchiveUnavailable);
    assert!(
        e.to_string()
            .contains("not an archive: file is not a database"),
        "{e}"
    );
    assert!(e.hint().is_some());
    assert!(e.to_string().starts_with(&b.target()), "{e}");
}

#[test]
fn a_directory_is_unavailable() {
    let b = common::sqlite();
    let e = release_policy_archive::open(&b.dir.path().display().to_string())
        .err()
        .unwrap();
    assert_eq!(e.code(), ErrorCode::ArchiveUnavailable, "{e}");
}

/// An empty path and `:memory:` are databases SQLite throws away on
/// close: archiving there would confirm a record kept nowhere.
#[test]
fn a_path_sqlite_would_keep_nowhere_is_refused() {
    for target in ["", "  ", ":memory:"] {
        let e = release_policy_archive::open(target).err().unwrap();
        assert_eq!(e.code(), ErrorCode::ArchiveUnavailable, "{target:?}: {e}");
        assert!(e.to_string().contains("temporary database"), "{e}");
    }
}

#[test]
fn a_database_of_another_program_is_not_an_archive() {
    let b = common::sqlite();
    b.sql("CREATE TABLE users (id INTEGER PRIMARY KEY)");
    let e = release_policy_archive::open(&b.target()).err().unwrap();
    assert_eq!(e.code(), ErrorCode::ArchiveUnavailable, "{e}");
    assert!(e.to_string().contains("`users`"), "{e}");
}

/// Open and read everything, returning the first error.
fn open_and_read(target: &str) -> Result<u64, release_policy::Error> {
    let mut a = release_policy_archive::open(target)?;
    let mut n = 0;
    a.scan(&release_policy_archive::Filter::default(), &mut |_| {
        n += 1;
        true
    })?;
    a.checkpoints()?;
    Ok(n)
}

#[test]
fn damaged_files_fail_with_a_code_and_never_panic() {
    let b = common::sqlite();
    b.open().append(many(200)).unwrap();
    let good = std::fs::read(&b.path).unwrap();
    assert!(good.len() > 64 * 1024, "{}", good.len());
    // A truncated header.
    std::fs::write(&b.path, &good[..50]).unwrap();
    fails_with(
        open_and_read(&b.target()),
        &[ErrorCode::ArchiveUnavailable, ErrorCode::ArchiveCorrupt],
    );
    // Garbage over the header.
    let mut bad = good.clone();
    bad[..100].fill(0xff);
    std::fs::write(&b.path, &bad).unwrap();
    fails_with(
        open_and_read(&b.target()),
        &[ErrorCode::ArchiveUnavailable, ErrorCode::ArchiveCorrupt],
    );
    // Garbage over pages in the middle (the b-tree pages of the records),
    // and a file cut in half: either error, or the damaged rows never
    // verify; nothing panics.
    for damage in 0..2 {
        let mut bad = good.clone();
        if damage == 0 {
            for page in (4096..bad.len()).step_by(4096 * 3) {
                bad[page..page + 64].fill(0xa5);
            }
        } else {
            bad.truncate(good.len() / 2);
        }
        std::fs::write(&b.path, &bad).unwrap();
        match open_and_read(&b.target()) {
            Ok(n) => {
                eprintln!("damage {damage}: {n} records read");
                assert!(n < 200, "{n} records read back from a damaged file");
            }
            Err(e) => {
                eprintln!("damage {damage}: {:?} {e}", e.code());
                assert!(
                    [ErrorCode::ArchiveUnavailable, ErrorCode::ArchiveCorrupt].contains(&e.code()),
                    "{e}"
                );
            }
        }
    }
}

#[test]
fn a_full_disk_fails_the_append_and_keeps_the_records_before() {
    let b = common::sqlite();
    let before = b.open().append(many(20)).unwrap();
    // A quota at the pages already used: the file cannot grow.
    let options = SqliteOptions {
        max_pages: Some(1),
        ..SqliteOptions::default()
    };
    let mut a = SqliteArchive::open(&b.path, &options).unwrap();
    let mut failed = None;
    for _ in 0..50 {
        match a.append(many(10)) {
            Ok(_) => {}
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    let e = failed.expect("the quota was never reached");
    assert_eq!(e.code(), ErrorCode::ArchiveWriteFailed, "{e}");
    assert_eq!(
        e.hint(),
        Some("nothing was recorded; the records before are intact")
    );
    assert!(e.to_string().contains("full"), "{e}");
    drop(a);
    let mut a = b.open();
    let v = verify(a.as_mut());
    assert!(v.is_intact(), "{:?}", v.breaks);
    assert!(v.count >= 20 && v.count.is_multiple_of(10), "{}", v.count);
    assert_eq!(common::all(a.as_mut())[..20], before[..]);
    // After the failure the archive takes appends again.
    assert_eq!(a.append(many(1)).unwrap()[0].seq, v.count + 1);
}

#[test]
fn the_location_is_the_path() {
    let b = common::sqlite();
    let a = b.open();
    assert_eq!(a.location(), b.target());
}
