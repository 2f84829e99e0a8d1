//! Arbitrary bytes as facts, checked against the built-in pack: parsing
//! (YAML or JSON) and the decision must return `Ok` or `Err`, never panic.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use release_policy::{Bundle, Facts, Limits};

static BUNDLE: LazyLock<Bundle> =
    LazyLock::new(|| Bundle::try_builtin().expect("the built-in pack loads"));

fuzz_target!(|data: &[u8]| {
    if let Ok(facts) = Facts::from_slice(data, &Limits::default()) {
        if let Ok(decision) = BUNDLE.check(&facts) {
            // Also serialise the decision: it is what the CLI prints.
            let _ = decision.to_json();
        }
    }
});
