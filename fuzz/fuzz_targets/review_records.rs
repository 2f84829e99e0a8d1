//! Arbitrary bytes as release records, a review policy and past decisions
//! (split at lines `=====`): loading (YAML, JSON, JSON Lines, the checks
//! between fields), the review (DORA's keys, weeks, bands, stability,
//! criteria in CEL, effectiveness), each release's outcome, `history` and
//! every rendering return a value or an error and never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = release_policy::unstable::review_from_bytes(data);
});
