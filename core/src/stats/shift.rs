//! The confidence interval of the shift canary − baseline, found by
//! inverting the Mann-Whitney test, and the shift at which the test's z is
//! 0: what R's `wilcox.test(canary, baseline, conf.int = TRUE,
//! exact = FALSE)` and Kayenta's `MannWhitney` compute by root finding.
//!
//! # Definition
//!
//! For a shift `d`, let `U(d)` be the number of pairs with
//! `canary_i − d > baseline_j` and `N = n1·n2`. R's statistic is
//! `z(d) = (U(d) − N/2 − c(d)) / σ`, with the continuity correction
//! `c(d) = sign(U(d) − N/2) / 2` and `σ² = n1·n2/12 · ((n + 1) −
//! Σ(t³ − t) / (n(n − 1)))`, the sum over the groups of tied values of the
//! two samples (`n = n1 + n2`). `z(d)` falls in steps, at the pairwise
//! differences `D_(1) ≤ … ≤ D_(N)`; between two of them no value of one
//! sample ties one of the other, so σ is that of the ties within each
//! sample.
//!
//! - The two-sided interval at `confidence` (Kayenta's, whatever the
//!   metric's direction): its lower end is where `z(d)` falls to
//!   `q = Φ⁻¹(1 − α/2)`, its upper end where it falls to `−q`
//!   (`α = 1 − confidence`). R and Kayenta find these roots with
//!   `uniroot` / a Brent solver to a tolerance of 1e-4; as `z(d)` is a step
//!   function the exact root is the difference at which the step happens,
//!   and that is what is computed here: the smallest `D_(k)` with
//!   `z(D_(k)) ≤ q` (evaluated just right of `D_(k)`), clamped to
//!   `[D_(1), D_(N)]` as R returns `mumin` / `mumax` in the extreme cases.
//! - The z = 0 estimate (Kayenta's, which keeps the continuity correction
//!   R drops for its estimate): `z(d) = 0` on a whole interval of shifts;
//!   the estimate is its midpoint. Without the correction (R's estimate)
//!   that midpoint is exactly the Hodges-Lehmann median; with it, it
//!   differs when `N` is odd (the interval then spans the differences on
//!   either side of the median).
//!
//! Everything reuses the sorted-difference selection of
//! [`hodges_lehmann`](super::rank::hodges_lehmann): bisections over the
//! count `k` (O(1) each), one k-th-difference selection for the middle
//! (from which the Hodges-Lehmann median and the z = 0 estimate are a few
//! O(n) steps) and one per end of the interval, each bracketed by the
//! middle — O((n1 + n2) log) without materialising the `N` differences.
//!
//! Reference values: `core/tests/data/shift_reference.py` (R's algorithm
//! re-implemented with `scipy.optimize.brentq`, and a brute-force scan of
//! all differences).

use super::rank::{
    count_at_most, kth_difference, kth_difference_within, midpoint, positive_zero, smallest_above,
};

/// The interval and the estimates of a shift canary − baseline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShiftInterval {
    /// The Hodges-Lehmann estimate, bit for bit
    /// [`hodges_lehmann`](super::rank::hodges_lehmann) (found on the way,
    /// next to the z = 0 estimate).
    pub hodges_lehmann: f64,
    /// Lower end of the two-sided confidence interval.
    pub lower: f64,
    /// Upper end of the two-sided confidence interval.
    pub upper: f64,
    /// The shift at which the continuity-corrected z is 0 (Kayenta's
    /// estimate; the midpoint of the shifts where it is 0).
    pub estimate_z0: f64,
}

/// The confidence interval of the shift canary − baseline at `confidence`
/// (in (0, 1)) and the z = 0 estimate; see the [module
/// documentation](self). `None` if a sample is empty, a value is not
/// finite, `confidence` is not in (0, 1), or a difference overflows.
pub fn shift_interval(canary: &[f64], baseline: &[f64], confidence: f64) -> Option<ShiftInterval> {
    if canary.is_empty()
        || baseline.is_empty()
        || canary.iter().chain(baseline).any(|x| !x.is_finite())
        || !(confidence > 0.0 && confidence < 1.0)
    {
        return None;
    }
    let sorted = |xs: &[f64]| {
        let mut v: Vec<f64> = xs.iter().map(|&x| positive_zero(x)).collect();
        v.sort_unstable_by(f64::total_cmp);
        v
    };
    let c = sorted(canary);
    let b = sorted(baseline);
    let (n1, n2) = (c.len() as f64, b.len() as f64);
    let n = n1 + n2;
    let ties = tie_term(&c) + tie_term(&b);
    let sigma = (n1 * n2 / 12.0 * ((n + 1.0) - ties / (n * (n - 1.0)))).sqrt();
    if !(sigma.is_finite() && sigma > 0.0) {
        return None;
    }
    let total = (c.len() as u128) * (b.len() as u128);
    let half = total as f64 / 2.0;
    // z just right of the k-th smallest difference: U = total − k.
    let z = |k: u128| {
        let dz = half - k as f64;
        let correction = if dz > 0.0 {
            0.5
        } else if dz < 0.0 {
            -0.5
        } else {
            0.0
        };
        (dz - correction) / sigma
    };
    let q = normal_quantile(1.0 - (1.0 - confidence) / 2.0)?;
    let zero_from_k = first_count(total, |k| z(k) <= 0.0).clamp(1, total);
    let zero_to_k = first_count(total, |k| z(k) < 0.0).clamp(1, total);
    // The differences around the middle: ranks zero_from_k ..= zero_to_k
    // and the one or two middle ranks of the Hodges-Lehmann median, a few
    // apart. One selection, then steps to the next difference, O(n) each.
    let mid_low = total.div_ceil(2);
    let mid_high = total / 2 + 1;
    let first = zero_from_k.min(mid_low);
    let last = zero_to_k.max(mid_high).min(total);
    let mut around: Vec<f64> = Vec::with_capacity(4);
    let mut d = kth_difference(&c, &b, first)?;
    around.push(d);
    for k in first..last {
        if around.len() > 8 {
            return None;
        }
        d = if count_at_most(&c, &b, d) > k {
            d
        } else {
            smallest_above(&c, &b, d)?
        };
        around.push(d);
    }
    let at = |k: u128| {
        around
            .get(usize::try_from(k.checked_sub(first)?).ok()?)
            .copied()
    };
    let hodges_lehmann = positive_zero(if total % 2 == 1 {
        at(mid_low)?
    } else {
        midpoint(at(mid_low)?, at(mid_high)?)
    });
    let zero_from = at(zero_from_k)?;
    let zero_to = at(zero_to_k)?;
    let estimate_z0 = positive_zero(midpoint(zero_from, zero_to));
    // The interval's ends lie on either side of the middle.
    let (smallest, largest) = (c.first()? - b.last()?, c.last()? - b.first()?);
    let lower_k = first_count(total, |k| z(k) <= q).clamp(1, total);
    let upper_k = first_count(total, |k| z(k) <= -q).clamp(1, total);
    let lower = kth_difference_within(&c, &b, lower_k, smallest, zero_from)?;
    let upper = kth_difference_within(&c, &b, upper_k, zero_to, largest)?;
    [lower, upper, estimate_z0, hodges_lehmann]
        .iter()
        .all(|x| x.is_finite())
        .then_some(ShiftInterval {
            hodges_lehmann,
            lower,
            upper,
            estimate_z0,
        })
}

/// `Σ (t³ − t)` over the groups of tied values of a sorted sample.
fn tie_term(sorted: &[f64]) -> f64 {
    sorted
        .chunk_by(|a, b| a == b)
        .map(|g| {
            let t = g.len() as f64;
            t * t * t - t
        })
        .sum()
}

/// The smallest count `k` in `0..=total` for which `holds` (monotone:
/// false, then true) is true; `total` if it never is.
fn first_count(total: u128, holds: impl Fn(u128) -> bool) -> u128 {
    let (mut lo, mut hi) = (0_u128, total);
    if !holds(hi) {
        return total;
    }
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if holds(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// The standard normal quantile `Φ⁻¹(p)` for `p` in (0, 1): Acklam's
/// rational approximation refined by one Halley step on
/// [`normal_sf`](super::rank::normal_sf), accurate to a few units in the
/// last place.
pub fn normal_quantile(p: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    let low = 0.02425;
    let x = if p < low {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - low {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    };
    // One Halley step on e = Φ(x) − p, with Φ(x) from the tail that keeps
    // the precision.
    let e = if x > 0.0 {
        (1.0 - p) - super::rank::normal_sf(x)
    } else {
        super::rank::normal_sf(-x) - p
    };
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    Some(x - u / (1.0 + x * u / 2.0))
}

#[cfg(test)]
mod tests;
