//! An arbitrary CEL expression (the first line) over arbitrary release
//! facts (the rest, YAML or JSON), compiled and evaluated by the compiled
//! evaluator and by the reference interpreter (the `cel` crate's): both
//! must give the same value or an error of the same class. A disagreement
//! is a crash; so is a panic in either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use release_policy::unstable::differential::{Input, compare};
use release_policy::{Facts, Limits};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (expr, facts) = text.split_once('\n').unwrap_or((text, "{}"));
    let Ok(facts) = Facts::from_str_with_limits(facts, &Limits::default()) else {
        return;
    };
    if let Err(d) = compare(&[], expr, Input::Release, &facts.to_json_value()) {
        panic!("`{expr}`: {d}");
    }
});
