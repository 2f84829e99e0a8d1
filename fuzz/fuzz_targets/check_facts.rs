//! Arbitrary bytes as facts, checked against the built-in pack: parsing
//! (YAML or JSON) and the decision must return `Ok` or `Err`, never panic.
//! Bytes that are a JSON value are also read through
//! `Facts::from_deserializer` (the path of the Python binding's `dict`),
//! which must give exactly the facts `Facts::from_json_value` gives.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use release_policy::{Bundle, Facts, Limits};

static BUNDLE: LazyLock<Bundle> =
    LazyLock::new(|| Bundle::try_builtin().expect("the built-in pack loads"));

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        let direct = Facts::from_deserializer(&value);
        // Refused by the JSON value's path (its nesting limit included,
        // which the deserializer's caller bounds): nothing to compare.
        if let Ok(want) = Facts::from_json_value(value.clone(), &Limits::default()) {
            assert_eq!(direct.ok(), Some(want), "from_deserializer differs");
        }
    }
    if let Ok(facts) = Facts::from_slice(data, &Limits::default()) {
        if let Ok(decision) = BUNDLE.check(&facts) {
            // Also serialise the decision: it is what the CLI prints.
            let _ = decision.to_json();
        }
    }
});
