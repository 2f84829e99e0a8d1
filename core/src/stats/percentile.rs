//! Percentiles as Keptn's lighthouse service computes them for quality
//! gates (`calculatePercentile`): the position `p·(n+1)` in the sorted
//! values (1-based), linear interpolation between its neighbours, clamped
//! to the smallest and largest value. This is Hyndman and Fan's type 6
//! (NumPy's `method="weibull"`), which the reference values in
//! `core/tests/data/` come from.

/// The `p`-quantile (`0 < p < 1`) of `values` by Keptn's definition; `None`
/// without values, with a `p` outside (0, 1), or with a value that is not
/// finite.
pub fn keptn_percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() || !(p > 0.0 && p < 1.0) || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let pos = p * (n as f64 + 1.0);
    if pos < 1.0 {
        return v.first().copied();
    }
    if pos >= n as f64 {
        return v.last().copied();
    }
    // 1 <= pos < n: the neighbours are v[k-1] and v[k] with k = floor(pos).
    let k = pos.floor() as usize;
    let (lower, upper) = (*v.get(k.checked_sub(1)?)?, *v.get(k)?);
    Some(lower + (pos - pos.floor()) * (upper - lower))
}

/// The arithmetic mean (Keptn's `avg`); `None` without values.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    Some(values.iter().sum::<f64>() / values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamps_at_the_ends_and_interpolates_between() {
        let v = [3.0, 1.0, 2.0, 4.0];
        // pos = 0.5·5 = 2.5: halfway between the 2nd and 3rd value.
        assert_eq!(keptn_percentile(&v, 0.5), Some(2.5));
        // pos = 0.95·5 = 4.75 ≥ n: the largest value.
        assert_eq!(keptn_percentile(&v, 0.95), Some(4.0));
        // pos = 0.1·5 = 0.5 < 1: the smallest value.
        assert_eq!(keptn_percentile(&v, 0.1), Some(1.0));
        assert_eq!(keptn_percentile(&[7.0], 0.9), Some(7.0));
        assert_eq!(keptn_percentile(&[], 0.5), None);
        assert_eq!(keptn_percentile(&v, 1.0), None);
        assert_eq!(keptn_percentile(&v, 0.0), None);
    }

    /// Reference values from NumPy (`numpy.percentile(..., method="weibull")`,
    /// `numpy.mean`), printed by `core/tests/data/keptn_percentile_reference.py`.
    #[test]
    fn matches_numpy_weibull() {
        let latencies = [
            412.0, 398.5, 405.25, 420.0, 388.0, 401.0, 433.5, 399.0, 410.0, 407.75,
        ];
        let ties = [5.0, 5.0, 5.0, 6.0, 6.0, 9.0];
        let twenty: Vec<f64> = (0..20)
            .map(|i| f64::from((i * 37) % 23) + 0.5 * f64::from(i))
            .collect();
        let cases: [(&[f64], f64, f64, f64, f64); 4] = [
            (&latencies, 407.5, 406.5, 432.15, 433.5),
            (&ties, 6.0, 5.5, 9.0, 9.0),
            (&twenty, 15.85, 16.0, 27.249999999999996, 30.824999999999996),
            (&[7.0], 7.0, 7.0, 7.0, 7.0),
        ];
        for (v, avg, p50, p90, p95) in cases {
            let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() <= 1e-9);
            assert!(close(mean(v), avg), "avg of {v:?}");
            assert!(close(keptn_percentile(v, 0.5), p50), "p50 of {v:?}");
            assert!(close(keptn_percentile(v, 0.9), p90), "p90 of {v:?}");
            assert!(close(keptn_percentile(v, 0.95), p95), "p95 of {v:?}");
        }
    }
}
