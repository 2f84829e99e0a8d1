//! Arbitrary bytes as rollout facts, assessed by the built-in pack:
//! parsing and validation (YAML or JSON) and the assessment must return
//! `Ok` or `Err`, never panic — whatever the samples, gaps, timestamps,
//! windows or SLO ratios.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use release_policy::{Bundle, Limits, RolloutFacts};

static BUNDLE: LazyLock<Bundle> =
    LazyLock::new(|| Bundle::try_builtin().expect("the built-in pack loads"));

fuzz_target!(|data: &[u8]| {
    if let Ok(facts) = RolloutFacts::from_slice(data, &Limits::default()) {
        if let Ok(assessment) = BUNDLE.assess(&facts) {
            let _ = assessment.to_json();
        }
    }
});
