//! Arbitrary bytes as a policy-test file (`*.test.yaml`), run against the
//! built-in pack: parsing the test, its patches and expectations, and
//! running its cases must return a report or an error, never panic or
//! hang. The bytes are written to a file of the target's own, as
//! `release-policy test` reads them; a `base` may name any path, and only
//! regular files are read.
#![no_main]

use std::path::PathBuf;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use release_policy::Bundle;

static BUNDLE: LazyLock<Bundle> = LazyLock::new(Bundle::builtin);
static FILE: LazyLock<PathBuf> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("rp-fuzz-policy-test-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir.join("fuzz.test.yaml")
});

fuzz_target!(|data: &[u8]| {
    if std::fs::write(&*FILE, data).is_ok() {
        let _ = release_policy::testing::run_files(&BUNDLE, &[FILE.clone()]);
    }
});
