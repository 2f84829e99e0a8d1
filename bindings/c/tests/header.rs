//! The committed header `include/release_policy.h` must be what cbindgen
//! (pinned in `Cargo.toml`) generates from the sources today.
//! `UPDATE_HEADER=1 cargo test -p release-policy-c --test header` rewrites it.
#![allow(clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn committed_header_matches_the_sources() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen failed on the sources")
        .write(&mut generated);
    let generated = String::from_utf8(generated).expect("header is UTF-8");
    let path = dir.join("include/release_policy.h");
    if std::env::var_os("UPDATE_HEADER").is_some() {
        std::fs::write(&path, &generated).expect("write header");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "{} is out of date with the sources (first difference at line {}: committed `{}`, generated `{}`)\n  \
             regenerate with: UPDATE_HEADER=1 cargo test -p release-policy-c --test header",
            path.display(),
            line + 1,
            committed.lines().nth(line).unwrap_or("<end of file>"),
            generated.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
    for symbol in [
        "rp_bundle_check",
        "RP_ABI_VERSION",
        "RP_STATUS_PANIC",
        "rp_buf_free",
        "rp_bundle_plan",
        "rp_bundle_can_i_deploy",
        "rp_catalog_free",
        "RP_STATUS_CATALOG_ERROR",
        "rp_records_from_path",
        "rp_records_free",
        "rp_bundle_review",
        "rp_bundle_review_release",
        "rp_bundle_history",
        "rp_bundle_check_with_records",
    ] {
        assert!(generated.contains(symbol), "header lacks `{symbol}`");
    }
    assert!(
        !generated.contains("rp_test_panic"),
        "the test-only export leaked into the header"
    );
}
