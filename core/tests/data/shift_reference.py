#!/usr/bin/env python3
"""Reference numbers for `core/src/stats/shift.rs`, `core/src/stats/outliers.rs`
and the judge's CLES (`core/src/stats/judge/`).

Run with a throwaway virtualenv (never inside the repository):

    python3 -m venv /tmp/statsvenv
    /tmp/statsvenv/bin/pip install scipy==1.17.1 numpy==2.4.6
    /tmp/statsvenv/bin/python core/tests/data/shift_reference.py

Confidence interval of the shift. R is not available, so R's algorithm is
re-implemented here following R's source, `src/library/stats/R/wilcox.test.R`
(`wilcox.test.default`, two-sample case, `exact = FALSE`, `correct = TRUE`,
`conf.int = TRUE`): the function `wdiff(d, zq)` ranks `c(x - d, y)` with
average ranks, takes `dz = sum(ranks of x) - nx(nx+1)/2 - nx*ny/2`, the
continuity correction `sign(dz) * 0.5` (two-sided), the tie-corrected sigma,
and returns `(dz - correction)/sigma - zq`; `root(zq)` returns `mumin` if
`wdiff(mumin) <= 0`, `mumax` if `wdiff(mumax) >= 0`, and the root otherwise.
R uses `uniroot(tol = 1e-4)`; here `scipy.optimize.brentq` with a far smaller
tolerance. The interval is `(root(qnorm(1 - alpha/2)), root(qnorm(alpha/2)))`.
The z = 0 estimate is Kayenta's (`kayenta-mannwhitney`, `MannWhitney.scala`):
the same `wdiff` with the continuity correction kept, root at `zq = 0`.

Because `wdiff` is a step function of `d` (it changes only at the pairwise
differences x_i - y_j), brentq converges onto one of the differences; the
script snaps each root to the nearest difference, checks the two agree to
1e-9, and checks the snapped value by a brute-force scan of all differences
(evaluating `wdiff` just right of each). For the z = 0 estimate, where
`wdiff` is exactly 0 on an interval, the brute-force scan gives the interval
and the printed estimate is its midpoint (brentq's root is checked to lie in
it).

CLES is brute force: mean(c > b) + 0.5 * mean(c == b) over all pairs.
Outlier fences use numpy.percentile (linear) as Kayenta's IQRDetector with
reduceSensitivity: [min(P1, Q1 - k IQR), max(P99, Q3 + k IQR)].
"""

import numpy as np
from scipy import optimize, stats


def heavy_ties():
    # 60 % zeros on both sides; the canary's other values are larger.
    canary = [0.0] * 360 + [float(10 + (i % 40)) for i in range(240)]
    baseline = [0.0] * 360 + [float(1 + (i % 8)) for i in range(240)]
    return canary, baseline


DATASETS = {
    "ties_small": ([1, 2, 2, 3, 4, 4, 4, 5], [2, 3, 3, 4, 5, 6]),
    "shifted": (
        [10.2, 11.5, 12.1, 13.3, 11.9, 12.8, 13.7, 14.1, 12.2, 13.0, 11.1, 12.5],
        [9.8, 10.1, 10.9, 11.2, 10.4, 9.5, 11.8, 10.7, 10.0, 11.4],
    ),
    "one_vs_five": ([7.0], [1.0, 2.0, 3.0, 4.0, 5.0]),
    "many_ties_50_60": (
        [(i * 37 % 17) / 2 + 1 for i in range(50)],
        [(j * 29 % 19) / 2 for j in range(60)],
    ),
    "negative": (
        [-3.5, -1.25, -7.0, -2.0, -0.5, -4.75, -1.25],
        [-5.0, -6.25, -2.0, -8.5, -3.0, -4.0, -9.75, -1.0],
    ),
    "odd_pairs": ([1.0, 4.0, 9.0], [2.0, 3.0, 5.0, 7.0, 8.0]),
    "constant_pair": ([5.0, 5.0, 5.0], [3.0, 3.0]),
    "heavy_ties": heavy_ties(),
}

CONFIDENCES = [0.98, 0.95]


def wdiff(d, zq, x, y, correct=True):
    nx, ny = len(x), len(y)
    dr = np.concatenate([x - d, y])
    ranks = stats.rankdata(dr)
    _, ties = np.unique(dr, return_counts=True)
    dz = ranks[:nx].sum() - nx * (nx + 1) / 2 - nx * ny / 2
    corr = np.sign(dz) * 0.5 if correct else 0.0
    sigma = np.sqrt(
        (nx * ny / 12)
        * ((nx + ny + 1) - np.sum(ties.astype(float) ** 3 - ties) / ((nx + ny) * (nx + ny - 1)))
    )
    return (dz - corr) / sigma - zq


def root(zq, x, y):
    mumin, mumax = x.min() - y.max(), x.max() - y.min()
    f_lower, f_upper = wdiff(mumin, zq, x, y), wdiff(mumax, zq, x, y)
    if f_lower <= 0:
        return mumin
    if f_upper >= 0:
        return mumax
    return optimize.brentq(wdiff, mumin, mumax, args=(zq, x, y), xtol=1e-14, rtol=8.9e-16, maxiter=500)


def right_of(diffs, i):
    """A shift just right of diffs[i] (unique, sorted), before the next one."""
    if i + 1 < len(diffs):
        return (diffs[i] + diffs[i + 1]) / 2
    return diffs[i] + 1.0


def brute_first(diffs, x, y, zq, strict=False):
    """The first difference D with wdiff just right of D <= 0 (< 0 if strict)."""
    for i in range(len(diffs)):
        v = wdiff(right_of(diffs, i), zq, x, y)
        if (v < 0) if strict else (v <= 0):
            return diffs[i]
    return diffs[-1]


def snap(value, diffs):
    return diffs[np.argmin(np.abs(diffs - value))]


def main():
    for name, (c, b) in DATASETS.items():
        x, y = np.asarray(c, float), np.asarray(b, float)
        diffs = np.unique(np.subtract.outer(x, y).ravel())
        cles = np.mean(x[:, None] > y[None, :]) + 0.5 * np.mean(x[:, None] == y[None, :])
        hl = np.median(np.subtract.outer(x, y))
        print(f"{name}: cles = {float(cles)!r}, hodges-lehmann = {float(hl)!r}")
        for conf in CONFIDENCES:
            q = stats.norm.ppf(1 - (1 - conf) / 2)
            with np.errstate(invalid="ignore"):
                try:
                    lo_r, hi_r = root(q, x, y), root(-q, x, y)
                except ValueError:
                    # R stops: "cannot compute confidence interval when all
                    # observations are tied" (both samples constant: at
                    # d = mumin every value ties). Only the brute force.
                    lo_r = hi_r = None
            lo, hi = brute_first(diffs, x, y, q), brute_first(diffs, x, y, -q)
            if lo_r is not None:
                assert abs(snap(lo_r, diffs) - lo_r) <= 1e-9 * max(1, abs(lo)), (lo, lo_r)
                assert abs(snap(hi_r, diffs) - hi_r) <= 1e-9 * max(1, abs(hi)), (hi, hi_r)
                assert snap(lo_r, diffs) == lo and snap(hi_r, diffs) == hi, (lo, lo_r, hi, hi_r)
            note = "" if lo_r is not None else " (R: error, all tied at mumin)"
            print(f"  confidence {conf}: interval = ({float(lo)!r}, {float(hi)!r}){note}")
        z_from = brute_first(diffs, x, y, 0.0)
        z_to = brute_first(diffs, x, y, 0.0, strict=True)
        est = (z_from + z_to) / 2
        mumin, mumax = x.min() - y.max(), x.max() - y.min()
        with np.errstate(invalid="ignore"):
            f_lo, f_hi = wdiff(mumin, 0.0, x, y), wdiff(mumax, 0.0, x, y)
        if np.isfinite(f_lo) and np.isfinite(f_hi) and f_lo * f_hi < 0:
            brent = optimize.brentq(wdiff, mumin, mumax, args=(0.0, x, y), xtol=1e-14)
            assert z_from - 1e-9 <= brent <= z_to + 1e-9, (z_from, brent, z_to)
        print(f"  z = 0 estimate = {float(est)!r} (z = 0 on [{float(z_from)!r}, {float(z_to)!r}])")
        p = stats.mannwhitneyu(x, y, alternative="two-sided", use_continuity=True, method="asymptotic").pvalue
        print(f"  two-sided p = {float(p)!r}")

    print("normal quantiles (scipy.stats.norm.ppf):")
    for p in [0.5, 0.975, 0.99, 0.995, 0.01, 1e-10, 0.999999]:
        print(f"  {p!r}: {float(stats.norm.ppf(p))!r}")

    print("outliers (numpy.percentile, factor 3.0 and 1.5):")
    samples = {
        "spike": [10.0, 11.0, 10.5, 9.8, 10.2, 10.1, 9.9, 10.4, 10.3, 250.0, 10.0, 9.7],
        "both_tails": [-400.0] + [float(i % 7) for i in range(40)] + [900.0, 35.0],
        "constant": [4.0] * 10 + [4.5],
    }
    for name, xs in samples.items():
        a = np.asarray(xs)
        q1, q3, p1, p99 = (np.percentile(a, p) for p in (25, 75, 1, 99))
        for k in (3.0, 1.5):
            low, high = min(p1, q1 - k * (q3 - q1)), max(p99, q3 + k * (q3 - q1))
            kept = [v for v in xs if low <= v <= high]
            print(f"  {name} k={k}: fences = ({float(low)!r}, {float(high)!r}), removed = {len(xs) - len(kept)}")


if __name__ == "__main__":
    main()
