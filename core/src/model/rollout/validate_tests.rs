//! The one-pass check of a series against the check that says what is
//! wrong with it.

use proptest::prelude::*;

use super::*;

/// A sample: a value (finite or not), a gap, or an error (empty or not,
/// with or without a value), at a second near `now`.
fn sample() -> impl Strategy<Value = Sample> {
    let value = prop_oneof![
        6 => any::<f64>().prop_filter("finite", |v| v.is_finite()).prop_map(Some),
        1 => Just(None),
        1 => prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY)].prop_map(Some),
    ];
    let error = prop_oneof![8 => Just(None), 1 => Just(Some(" ".to_string())), 1 => Just(Some("timeout".to_string()))];
    (-5i64..3, value, error).prop_map(|(at, value, error)| Sample {
        at: chrono::DateTime::from_timestamp(1_000_000 + at * 10, 0).unwrap_or_default(),
        value,
        error,
    })
}

proptest! {
    /// Whatever the series, the one pass never finds plain a series the
    /// full check refuses; without failed measurements (which it leaves
    /// to the full check), it finds plain exactly what the full check
    /// accepts.
    #[test]
    fn the_one_pass_agrees_with_the_full_check(
        samples in prop::collection::vec(sample(), 0..6),
        sorted in any::<bool>(),
    ) {
        let mut samples = samples;
        if sorted {
            samples.sort_by_key(|s| s.at);
        }
        let now = chrono::DateTime::from_timestamp(1_000_000, 0).unwrap_or_default();
        let full = check_each_sample("$.s", &samples, now).is_ok();
        let plain = plain_samples(&samples, now);
        prop_assert!(!plain || full);
        if samples.iter().all(|s| s.error.is_none()) {
            prop_assert_eq!(plain, full);
        }
    }
}
