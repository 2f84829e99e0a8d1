//! Outlier removal by the interquartile range, as Kayenta's `IQRDetector`
//! with `reduceSensitivity` (what its judge uses): a value is an outlier
//! if it lies below `min(P1, Q1 − factor·IQR)` or above
//! `max(P99, Q3 + factor·IQR)`, where `Q1`, `Q3`, `P1` and `P99` are the
//! 25th, 75th, 1st and 99th percentiles of the sample and
//! `IQR = Q3 − Q1`. The 1st and 99th percentiles widen the fences so that
//! at most the extreme percent on either side can go.
//!
//! Percentiles are linear interpolation between the order statistics
//! (`numpy.percentile`'s default, R's type 7); Kayenta's own percentile
//! function interpolates at another position, so fences on very small
//! samples can differ slightly (see `docs/canary-analysis.md`).

use super::rank::positive_zero;

/// The `p`-th percentile (`p` in [0, 100]) of a sorted, non-empty sample by
/// linear interpolation (`numpy.percentile(x, p)`).
pub fn percentile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    if !(0.0..=100.0).contains(&p) {
        return None;
    }
    let h = last as f64 * p / 100.0;
    let below = h.floor();
    let i = below as usize;
    let lo = *sorted.get(i)?;
    let hi = *sorted.get((i + 1).min(last))?;
    let fraction = h - below;
    Some(if fraction == 0.0 || lo == hi {
        lo
    } else {
        lo + fraction * (hi - lo)
    })
}

/// The fences `(low, high)` of a sample: values strictly outside are
/// outliers. `None` for an empty sample or one holding a value that is not
/// finite.
pub fn fences(xs: &[f64], factor: f64) -> Option<(f64, f64)> {
    if xs.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let mut sorted: Vec<f64> = xs.iter().map(|&x| positive_zero(x)).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    let q1 = percentile_sorted(&sorted, 25.0)?;
    let q3 = percentile_sorted(&sorted, 75.0)?;
    let p1 = percentile_sorted(&sorted, 1.0)?;
    let p99 = percentile_sorted(&sorted, 99.0)?;
    let iqr = q3 - q1;
    Some((p1.min(q1 - factor * iqr), p99.max(q3 + factor * iqr)))
}

/// The sample without its outliers (order kept) and how many were removed.
/// A sample whose fences cannot be computed is returned whole.
pub fn remove_outliers(xs: &[f64], factor: f64) -> (Vec<f64>, usize) {
    match fences(xs, factor) {
        Some((low, high)) => {
            let kept: Vec<f64> = xs
                .iter()
                .copied()
                .filter(|x| *x >= low && *x <= high)
                .collect();
            let removed = xs.len() - kept.len();
            (kept, removed)
        }
        None => (xs.to_vec(), 0),
    }
}

#[cfg(test)]
mod tests {
    //! Reference fences: `core/tests/data/shift_reference.py`
    //! (`numpy.percentile`, numpy 2.4.6), compared to 1e-12.

    use super::*;

    fn spike() -> Vec<f64> {
        vec![
            10.0, 11.0, 10.5, 9.8, 10.2, 10.1, 9.9, 10.4, 10.3, 250.0, 10.0, 9.7,
        ]
    }

    fn both_tails() -> Vec<f64> {
        let mut v = vec![-400.0];
        v.extend((0..40).map(|i| f64::from(i % 7)));
        v.extend([900.0, 35.0]);
        v
    }

    fn constant() -> Vec<f64> {
        let mut v = vec![4.0; 10];
        v.push(4.5);
        v
    }

    #[track_caller]
    fn close(got: f64, expected: f64) {
        assert!(
            (got - expected).abs() <= 1e-12 * expected.abs().max(1.0),
            "got {got}, expected {expected}"
        );
    }

    #[test]
    fn fences_and_removal_match_numpy() {
        // (name, sample, factor, fences, removed)
        type Case = (&'static str, Vec<f64>, f64, (f64, f64), usize);
        let cases: [Case; 6] = [
            (
                "spike",
                spike(),
                3.0,
                (8.624999999999996, 223.71000000000015),
                1,
            ),
            (
                "spike",
                spike(),
                1.5,
                (9.299999999999997, 223.71000000000015),
                1,
            ),
            (
                "both_tails",
                both_tails(),
                3.0,
                (-232.0, 536.6999999999985),
                2,
            ),
            (
                "both_tails",
                both_tails(),
                1.5,
                (-232.0, 536.6999999999985),
                2,
            ),
            ("constant", constant(), 3.0, (4.0, 4.45), 1),
            ("constant", constant(), 1.5, (4.0, 4.45), 1),
        ];
        for (name, xs, k, (low, high), removed) in cases {
            let (l, h) = fences(&xs, k).unwrap();
            close(l, low);
            close(h, high);
            let (kept, n) = remove_outliers(&xs, k);
            assert_eq!(n, removed, "{name} k={k}");
            assert_eq!(kept.len() + n, xs.len());
            assert!(kept.iter().all(|x| *x >= l && *x <= h), "{name}");
        }
    }

    #[test]
    fn edges() {
        assert_eq!(fences(&[], 3.0), None);
        assert_eq!(fences(&[1.0, f64::NAN], 3.0), None);
        assert_eq!(remove_outliers(&[], 3.0), (vec![], 0));
        // One value, and an all-constant sample: nothing removed.
        assert_eq!(remove_outliers(&[7.0], 3.0), (vec![7.0], 0));
        assert_eq!(remove_outliers(&[2.0; 5], 3.0), (vec![2.0; 5], 0));
        assert_eq!(percentile_sorted(&[1.0, 2.0, 3.0, 4.0], 50.0), Some(2.5));
        assert_eq!(percentile_sorted(&[1.0, 2.0], 101.0), None);
    }
}
