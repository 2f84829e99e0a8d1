//! Arbitrary bytes as a catalog, a release plan and an OpenAPI document
//! (split at lines `=====`): loading, planning (contracts, OpenAPI
//! comparison, cycles, waves, blast radius, calendars and DST, the
//! proposed schedule), every output format, `can-i-deploy`, `check` with
//! the catalog (the `graph` and `calendar` roots) and `assess` with it (a
//! downstream trigger: the graph walk with paths, cascading-failure
//! attribution) return a value or an error and never panic, overflow the
//! stack or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = release_policy::unstable::plan_from_bytes(data);
});
