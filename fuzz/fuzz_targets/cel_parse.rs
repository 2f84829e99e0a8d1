//! Arbitrary UTF-8 parsed by our CEL parser (the one used at load) and by
//! the `cel` crate's: when the `cel` parser accepts the source, ours must
//! give the same tree at the same offsets (or, past its limits, leave it
//! to the `cel` parser); when the `cel` parser refuses it, ours must too.
//! A disagreement is a crash; so is a panic in either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use release_policy::unstable::differential::parsers_agree;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(d) = parsers_agree(source) {
        panic!("{d}");
    }
});
