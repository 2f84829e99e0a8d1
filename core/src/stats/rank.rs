//! Two-sample statistics for canary analysis.
//!
//! - [`mann_whitney`]: the Mann-Whitney U test with the normal
//!   approximation, tie correction and continuity correction. It matches
//!   `scipy.stats.mannwhitneyu(canary, baseline, alternative=...,
//!   use_continuity=True, method="asymptotic")`: `u` is scipy's `statistic`
//!   (the U of the first sample, the canary) and `p_value` is scipy's
//!   `pvalue`. O(n log n).
//! - [`hodges_lehmann`]: the median of all pairwise differences
//!   `canary_i - baseline_j`, found exactly without materialising them
//!   (O((n1 + n2) log(n1 + n2)) plus ≈64 counting passes of O(n1 + n2)).
//! - [`normal_sf`]: the standard normal upper tail, accurate far into the
//!   tail.
//! - [`mean`], [`median`].
//!
//! `-0.0` is treated as `0.0` throughout (it ties with `0.0`, as in scipy).
//!
//! The unit tests compare against numbers printed by
//! `core/tests/data/stats_reference.py` (scipy 1.17.1, numpy 2.4.6).

use std::cmp::Ordering;

/// Which alternative hypothesis, stated for the canary against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Alternative {
    /// The distributions differ (scipy `"two-sided"`).
    TwoSided,
    /// The canary tends to be larger than the baseline (scipy `"greater"`).
    Greater,
    /// The canary tends to be smaller than the baseline (scipy `"less"`).
    Less,
}

/// The result of a Mann-Whitney U test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannWhitney {
    /// U of the canary sample (scipy's `statistic`): the rank sum of the
    /// canary minus `n_canary * (n_canary + 1) / 2`, with average ranks for
    /// ties.
    pub u: f64,
    /// The standardised statistic used for the p-value (continuity
    /// corrected): for two-sided it is computed from `max(U1, U2)`, for
    /// `Greater` from U1, for `Less` from U2. `0.0` when every value is tied.
    pub z: f64,
    /// The p-value under the normal approximation, in `[0, 1]`; `1.0` when
    /// every value is tied.
    pub p_value: f64,
    /// Number of canary samples.
    pub n_canary: usize,
    /// Number of baseline samples.
    pub n_baseline: usize,
}

/// `-0.0` becomes `0.0`; everything else is unchanged.
pub(crate) fn positive_zero(x: f64) -> f64 {
    x + 0.0
}

/// The Mann-Whitney U test of `canary` against `baseline` (normal
/// approximation, tie correction, continuity correction), as
/// `scipy.stats.mannwhitneyu(canary, baseline, alternative=...,
/// use_continuity=True, method="asymptotic")`.
///
/// `None` if either sample is empty or holds a NaN. Infinite values are
/// ranked like any other value.
pub fn mann_whitney(
    canary: &[f64],
    baseline: &[f64],
    alternative: Alternative,
) -> Option<MannWhitney> {
    if canary.is_empty() || baseline.is_empty() || canary.iter().chain(baseline).any(|x| x.is_nan())
    {
        return None;
    }
    let n_canary = canary.len();
    let n_baseline = baseline.len();
    let mut all: Vec<(f64, bool)> = canary
        .iter()
        .map(|&x| (positive_zero(x), true))
        .chain(baseline.iter().map(|&x| (positive_zero(x), false)))
        .collect();
    all.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));

    // Walk the groups of tied values: rank sum of the canary and the tie term.
    let mut rank_sum = 0.0_f64;
    let mut tie_term = 0.0_f64;
    let mut start = 0_usize;
    for group in all.chunk_by(|a, b| a.0 == b.0) {
        let t = group.len();
        let end = start + t;
        // Ranks start+1 ..= end; their average.
        let average = (start + 1 + end) as f64 / 2.0;
        let in_canary = group.iter().filter(|(_, c)| *c).count();
        rank_sum += average * in_canary as f64;
        let tf = t as f64;
        tie_term += tf * tf * tf - tf;
        start = end;
    }

    let n1 = n_canary as f64;
    let n2 = n_baseline as f64;
    let n = n_canary + n_baseline;
    let nf = n as f64;
    let u1 = rank_sum - n1 * (n1 + 1.0) / 2.0;
    let u2 = n1 * n2 - u1;
    let (u, factor) = match alternative {
        Alternative::TwoSided => (u1.max(u2), 2.0),
        Alternative::Greater => (u1, 1.0),
        Alternative::Less => (u2, 1.0),
    };
    let mu = n1 * n2 / 2.0;
    let variance = n1 * n2 / 12.0 * ((nf + 1.0) - tie_term / (nf * (nf - 1.0)));
    let sigma = variance.max(0.0).sqrt();
    if sigma.is_nan() || sigma <= 0.0 {
        return Some(MannWhitney {
            u: u1,
            z: 0.0,
            p_value: 1.0,
            n_canary,
            n_baseline,
        });
    }
    let z = (u - mu - 0.5) / sigma;
    let p_value = (factor * normal_sf(z)).clamp(0.0, 1.0);
    Some(MannWhitney {
        u: u1,
        z,
        p_value,
        n_canary,
        n_baseline,
    })
}

/// The upper tail of the standard normal distribution, `P(Z > z)`,
/// computed as `erfc(z / √2) / 2` so that it stays accurate far into the
/// tail (e.g. `normal_sf(20.0) ≈ 2.75e-89`).
pub fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z * std::f64::consts::FRAC_1_SQRT_2)
}

/// The arithmetic mean; `None` for an empty slice or a result that is not
/// finite (a NaN or infinite input).
pub fn mean(xs: &[f64]) -> Option<f64> {
    mean_of(xs.iter().copied())
}

/// [`mean`] of values read in place (walked twice, three times when the
/// sum overflows), not gathered into a slice first.
pub(crate) fn mean_of(xs: impl Iterator<Item = f64> + Clone) -> Option<f64> {
    let count = xs.clone().count();
    if count == 0 {
        return None;
    }
    let n = count as f64;
    let sum: f64 = xs.clone().sum();
    let m = sum / n;
    if m.is_finite() {
        return Some(m);
    }
    // The sum may overflow although the mean does not.
    let scaled: f64 = xs.map(|x| x / n).sum();
    scaled.is_finite().then_some(scaled)
}

/// The median (mean of the two middle values for an even count); `None`
/// for an empty slice or if a value is NaN.
pub fn median(xs: &[f64]) -> Option<f64> {
    if xs.iter().any(|x| x.is_nan()) {
        return None;
    }
    let mut sorted: Vec<f64> = xs.iter().map(|&x| positive_zero(x)).collect();
    sorted.sort_unstable_by(f64::total_cmp);
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let upper = *sorted.get(n / 2)?;
    if n % 2 == 1 {
        Some(upper)
    } else {
        let lower = *sorted.get(n / 2 - 1)?;
        Some(midpoint(lower, upper))
    }
}

/// `(a + b) / 2`, without overflowing for huge values of the same sign.
pub(crate) fn midpoint(a: f64, b: f64) -> f64 {
    let m = (a + b) / 2.0;
    if m.is_finite() { m } else { a / 2.0 + b / 2.0 }
}

/// The Hodges-Lehmann estimate of the shift of `canary` against
/// `baseline`: the median of all `n_canary * n_baseline` differences
/// `canary_i - baseline_j` (the mean of the two middle differences for an
/// even count), as `numpy.median(numpy.subtract.outer(canary, baseline))`.
///
/// The differences are never materialised: both samples are sorted, and
/// the k-th smallest difference is found exactly by bisection over the
/// ordered bit patterns of `f64`, each round counting the pairs with
/// `c - b <= t` in O(n1 + n2) with two pointers. Floating-point
/// subtraction is monotone, so the count is exact for the computed
/// differences.
///
/// `None` if either sample is empty, a value is not finite, or the
/// estimate is not finite (differences overflowing).
pub fn hodges_lehmann(canary: &[f64], baseline: &[f64]) -> Option<f64> {
    if canary.is_empty()
        || baseline.is_empty()
        || canary.iter().chain(baseline).any(|x| !x.is_finite())
    {
        return None;
    }
    let mut c: Vec<f64> = canary.iter().map(|&x| positive_zero(x)).collect();
    let mut b: Vec<f64> = baseline.iter().map(|&x| positive_zero(x)).collect();
    c.sort_unstable_by(f64::total_cmp);
    b.sort_unstable_by(f64::total_cmp);
    let total = (c.len() as u128) * (b.len() as u128);
    // 1-based rank of the (lower) middle difference.
    let k = total.div_ceil(2);
    let lower = kth_difference(&c, &b, k)?;
    let estimate = if total % 2 == 1 {
        lower
    } else {
        // The next difference: `lower` again if it occurs more than k
        // times, otherwise the smallest difference above it.
        let upper = if count_at_most(&c, &b, lower) > k {
            lower
        } else {
            smallest_above(&c, &b, lower)?
        };
        midpoint(lower, upper)
    };
    estimate.is_finite().then_some(positive_zero(estimate))
}

/// A key whose unsigned order is the total order of `f64`.
fn order_key(x: f64) -> u64 {
    let bits = x.to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The inverse of [`order_key`].
fn from_order_key(key: u64) -> f64 {
    if key >> 63 == 1 {
        f64::from_bits(key & !(1 << 63))
    } else {
        f64::from_bits(!key)
    }
}

/// `a <= b` in the total order of `f64` (the differences never hold
/// `-0.0` or NaN, so on them this is the numeric order).
fn at_most(a: f64, b: f64) -> bool {
    a.total_cmp(&b) != Ordering::Greater
}

/// How many pairs have `c_i - b_j <= t`; both slices sorted ascending.
pub(crate) fn count_at_most(c: &[f64], b: &[f64], t: f64) -> u128 {
    // For each c (ascending), the pairs with c - b_j <= t are those with
    // j >= first; `first` only moves right as c grows.
    let n2 = b.len();
    let mut first = 0_usize;
    let mut count = 0_u128;
    for &ci in c {
        while let Some(&bj) = b.get(first) {
            if at_most(ci - bj, t) {
                break;
            }
            first += 1;
        }
        count += (n2 - first) as u128;
    }
    count
}

/// The smallest difference `c_i - b_j` strictly above `t`, if any.
pub(crate) fn smallest_above(c: &[f64], b: &[f64], t: f64) -> Option<f64> {
    // For each c, the differences above t are c - b_j for j < first; the
    // smallest of them is at j = first - 1.
    let mut first = 0_usize;
    let mut best: Option<f64> = None;
    for &ci in c {
        while let Some(&bj) = b.get(first) {
            if at_most(ci - bj, t) {
                break;
            }
            first += 1;
        }
        if let Some(&bj) = first.checked_sub(1).and_then(|j| b.get(j)) {
            let d = ci - bj;
            if best.is_none_or(|m| d < m) {
                best = Some(d);
            }
        }
    }
    best
}

/// The k-th smallest (1-based) difference `c_i - b_j`; both slices sorted
/// ascending, non-empty, finite, without `-0.0`.
pub(crate) fn kth_difference(c: &[f64], b: &[f64], k: u128) -> Option<f64> {
    let smallest = c.first()? - b.last()?;
    let largest = c.last()? - b.first()?;
    kth_difference_within(c, b, k, smallest, largest)
}

/// [`kth_difference`] when the answer is known to lie in `[low, high]`
/// (fewer rounds of bisection).
pub(crate) fn kth_difference_within(
    c: &[f64],
    b: &[f64],
    k: u128,
    low: f64,
    high: f64,
) -> Option<f64> {
    let mut lo = order_key(low);
    let mut hi = order_key(high);
    // Invariant: the answer's key is in [lo, hi]; count_at_most(hi) >= k.
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let t = from_order_key(mid);
        let count = count_at_most(c, b, t);
        if count == k {
            // Exactly k differences up to t: the k-th is the largest of
            // them (with distinct differences this ends the search after
            // about log2(n1·n2) rounds instead of 64).
            return largest_at_most(c, b, t);
        }
        if count > k {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Some(from_order_key(lo))
}

/// The largest difference `c_i - b_j` at most `t`, if any; both slices
/// sorted ascending.
fn largest_at_most(c: &[f64], b: &[f64], t: f64) -> Option<f64> {
    // For each c, the differences at most t are c - b_j for j >= first;
    // the largest of them is at j = first.
    let mut first = 0_usize;
    let mut best: Option<f64> = None;
    for &ci in c {
        while let Some(&bj) = b.get(first) {
            if at_most(ci - bj, t) {
                break;
            }
            first += 1;
        }
        if let Some(&bj) = b.get(first) {
            let d = ci - bj;
            if best.is_none_or(|m| d > m) {
                best = Some(d);
            }
        }
    }
    best
}

#[cfg(test)]
mod tests;
