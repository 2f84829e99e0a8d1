//! Arbitrary bytes as facts, checked against the built-in pack: parsing
//! (YAML or JSON) and the decision must return `Ok` or `Err`, never panic.
//! Bytes that are a JSON value are also read through
//! `Facts::from_deserializer` (the path of the Python binding's `dict`),
//! which must give exactly the facts `Facts::from_json_value` gives. A
//! decision's JSON must read back as the same decision and write the same
//! bytes again (the values a finding shows are kept as text and written
//! through a transcoder: both directions are exercised here). `verdict`
//! must give the decision's verdict, and fail where `check` fails.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use release_policy::{Bundle, Decision, Facts, Limits};

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
        // The verdict alone is the decision's, and refused where it is.
        let alone = BUNDLE.verdict(&facts);
        let checked = BUNDLE.check(&facts);
        assert_eq!(
            alone.as_ref().ok(),
            checked.as_ref().ok().map(Decision::verdict).as_ref(),
            "`verdict` differs from `check`"
        );
        if let Ok(decision) = checked {
            // Also serialise the decision: it is what the CLI prints.
            let json = decision.to_json();
            let back: Decision = serde_json::from_str(&json).expect("a decision reads back");
            assert_eq!(back.to_json(), json, "a decision read back writes other bytes");
            assert!(back == decision, "a decision read back differs");
            // Every value shown reads as JSON (lazily, from its text).
            for (f, b) in decision.findings().iter().zip(back.findings()) {
                for (path, v) in f.values() {
                    assert_eq!(b.values().get(path), Some(v), "value of `{path}`");
                }
            }
        }
    }
});
