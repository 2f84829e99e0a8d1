//! A proptest strategy of JSON values for the tests of what writes and
//! reads shown values (`echo`, `check::transcode`): every kind of number
//! (negative, past `i64`, `-0.0`, the smallest subnormal, NaN and the
//! infinities as `null`), strings with quotes, backslashes and control
//! characters, nested lists and objects.

use proptest::prelude::*;

/// A string with the characters JSON escapes.
pub(crate) fn text() -> impl Strategy<Value = String> {
    "[a-z0-9\"\\\\\u{0}-\u{1f}é😀 ]{0,8}"
}

/// A JSON value.
pub(crate) fn json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        prop_oneof![Just(0.0), Just(-0.0), Just(1.0), Just(1e21), Just(5e-324)]
            .prop_map(serde_json::Value::from),
        text().prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(serde_json::Value::from),
            prop::collection::btree_map(text(), inner, 0..5)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}
