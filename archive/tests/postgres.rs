//! The archive suite on PostgreSQL (each test in a fresh schema, dropped
//! after it), and PostgreSQL's own faults: a server that is down, a login
//! refused. Skipped, saying so, when no server answers; under `CI=true`
//! that fails instead.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
mod suite;

use release_policy::ErrorCode;
use release_policy_archive::{Archive, PostgresArchive, PostgresOptions};

backend_suite!(common::postgres);

#[test]
fn a_server_that_is_down_is_unavailable() {
    let e = release_policy_archive::open("postgres://postgres:s3cret@127.0.0.1:1/test")
        .err()
        .unwrap();
    assert_eq!(e.code(), ErrorCode::ArchiveUnavailable, "{e}");
    assert!(!e.to_string().contains("s3cret"), "{e}");
    assert!(
        e.to_string()
            .contains("postgres://postgres@127.0.0.1:1/test"),
        "{e}"
    );
    assert!(e.hint().is_some());
}

#[test]
fn a_refused_login_is_unavailable() {
    if !common::postgres_available() {
        return;
    }
    let url = common::postgres_url();
    let (_, host) = url.split_once('@').unwrap();
    let e = release_policy_archive::open(&format!("postgres://no_such_user_rp:pw@{host}"))
        .err()
        .unwrap();
    assert_eq!(e.code(), ErrorCode::ArchiveUnavailable, "{e}");
    assert!(!e.to_string().contains(":pw@"), "{e}");
    assert!(e.to_string().contains("no_such_user_rp"), "{e}");
}

#[test]
fn a_schema_option_keeps_the_tables_apart() {
    let Some(b) = common::postgres("schema_option") else {
        return;
    };
    let options = PostgresOptions {
        schema: Some(b.schema.clone()),
        ..PostgresOptions::default()
    };
    let mut a = PostgresArchive::open(&b.url, &options).unwrap();
    a.append(common::many(2)).unwrap();
    let mut again = common::Backend::open(&b);
    assert_eq!(again.head().unwrap().unwrap().0, 2);
    assert_eq!(a.location(), b.url);
    let e = PostgresArchive::open(
        &b.url,
        &PostgresOptions {
            schema: Some("bad name".into()),
            ..PostgresOptions::default()
        },
    )
    .err()
    .unwrap();
    assert_eq!(e.code(), ErrorCode::ArchiveUnavailable, "{e}");
}
